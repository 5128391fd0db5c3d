"""Fresh sandboxes for every test, in-process, with every XML response validated."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from connector.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)
from connector.xml import API_NS

BASE = "http://sandbox.invalid"
NS = {"bns": API_NS}
JSON = {"Accept": "application/json"}
JSON_BODY = {"Accept": "application/json", "Content-Type": "application/json"}
XML_BODY = {"Content-Type": "application/xml"}


@dataclass
class FakeClock:
    """Monotonic and wall clocks that move only when told to."""

    now: float = 1_750_000_000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make_sandbox(clock: FakeClock | None = None, **overrides: object) -> Sandbox:
    settings: dict[str, object] = {"rate_limit": 0, "validate_responses": True}
    settings.update(overrides)
    clock = clock or FakeClock()
    return Sandbox(
        SandboxConfig(**settings),  # type: ignore[arg-type]
        clock=clock,
        wall_clock=clock,
        sleep=clock.sleep,
    )


def make_client(sandbox: Sandbox, **kwargs: object) -> httpx.Client:
    auth = kwargs.pop("auth", (DEFAULT_USERNAME, DEFAULT_PASSWORD))
    return httpx.Client(
        transport=sandbox.transport(),
        base_url=f"{BASE}{sandbox.rest_path}",
        auth=auth,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[Sandbox]:
    with make_sandbox(clock) as made:
        yield made


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with make_client(sandbox) as made:
        yield made
