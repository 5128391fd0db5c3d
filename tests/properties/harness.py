"""Running operations the way a host does: through the plugin manager's hooks, with the plugin's
client pool routed to an in-process server (the sandbox, or a scripted transport)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from hypothesis import settings

from connector.atomsphere.pool import DEFAULT_POOL
from connector.atomsphere.ratelimit import RateLimiter
from connector.atomsphere.retry import RetryPolicy
from connector.contract import ExecutionContext, Operation
from connector.documents import Document, OperationResponse, Result
from connector.plugins import get_plugin_manager
from connector.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_PASSWORD, DEFAULT_USERNAME
from tests.client.fakeapi import FakeClock
from tests.conftest import ROOT
from tests.engine.sandboxed import Sandboxed

PROFILE = "atomsphere-properties"
CONNECTOR_ID = "atomsphere"
OPERATIONS = ROOT / "operations"
PROFILES = ROOT / "profiles"
#: Where the plugin's pool sends connections to the sandbox (no socket: a mounted transport).
SANDBOX_URL = "http://props-sandbox.invalid"
SANDBOX_CONNECTION: Mapping[str, str] = {
    "base_url": SANDBOX_URL,
    "account_id": DEFAULT_ACCOUNT_ID,
    "username": DEFAULT_USERNAME,
    "password": DEFAULT_PASSWORD,
}

#: One manager for the module's life: it holds no state between calls, and hypothesis runs many
#: examples per test, which a function-scoped fixture would silently share anyway.
PLUGINS = get_plugin_manager()
_names = itertools.count()


def properties(**overrides: Any) -> settings:
    """The profile registered in ``conftest.py`` (with ``overrides``), to decorate each property
    test with."""
    return settings(settings.get_profile(PROFILE), **overrides)


@dataclass(frozen=True)
class Run:
    """What the hook answered: results in input order, and the order answers were given in."""

    results: tuple[Result, ...]
    answered: tuple[int, ...]
    handled: object


def load(path: Path) -> Operation:
    operation = PLUGINS.hook.connector_load_operation(connector_id=CONNECTOR_ID, path=path)
    assert operation is not None
    return operation


def example(name: str) -> Operation:
    """One of the example operations of ``operations/``."""
    return load(OPERATIONS / f"{name}.yaml")


def write_operation(folder: Path, body: Mapping[str, Any]) -> Operation:
    """An operation file written from ``body`` (safe_dump quotes whatever odd text it holds)."""
    name = f"prop-{next(_names)}"
    text = yaml.safe_dump(
        {"kind": "AtomSphereOperation", "version": 1, "name": name, **body},
        allow_unicode=True,
        sort_keys=False,
    )
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def execute(
    operation: Operation,
    documents: Sequence[Document],
    connection: Mapping[str, str] = SANDBOX_CONNECTION,
    context: ExecutionContext | None = None,
) -> Run:
    """``connector_execute`` through the manager; every answer is counted as it is given."""
    answered: list[int] = []
    response = OperationResponse(documents, on_result=lambda r: answered.append(r.index))
    handled = PLUGINS.hook.connector_execute(
        connector_id=CONNECTOR_ID,
        operation=operation,
        connection=connection,
        documents=documents,
        response=response,
        context=context or ExecutionContext(),
    )
    return Run(response.results, tuple(answered), handled)


@contextmanager
def mounted(base_url: str, transport: httpx.BaseTransport, clock: FakeClock) -> Iterator[None]:
    """Route the plugin's pool for ``base_url`` to ``transport``; retries sleep on ``clock``."""
    DEFAULT_POOL.mount(
        base_url,
        transport,
        retry=RetryPolicy(jitter=lambda: 0.0),
        clock=clock,
        sleep=clock.sleep,
        limiter=RateLimiter(0),
    )
    try:
        yield
    finally:
        DEFAULT_POOL.unmount(base_url)


@contextmanager
def sandbox(
    answer: Callable[[httpx.Request, httpx.BaseTransport], httpx.Response] | None = None,
    **config: Any,
) -> Iterator[Sandboxed]:
    """A fresh sandbox (fake clock, responses validated) mounted for :data:`SANDBOX_URL`.

    ``answer(request, sandbox_transport)`` may stand between the plugin and the sandbox, to
    replace some of its answers.
    """
    box = Sandboxed(**config)
    inner = box.sandbox.transport()
    transport: httpx.BaseTransport = inner
    if answer is not None:
        transport = httpx.MockTransport(lambda request: answer(request, inner))
    with mounted(SANDBOX_URL, transport, box.clock):
        yield box
