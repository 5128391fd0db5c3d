"""Running one cell of the fault matrix through the reference host, and checking it.

A cell is one process run (``run_process``, SQLite reporting): a start step with the cell's
documents, then one operation step tracking its inputs. The sandbox answers in-process on a fake
clock, or, for a server that dies, over loopback with its state in a data file; the client's
retries sleep on the fake clock either way. A wrapper hook records the plugin's own answers
(before the host fills in anything it left open), so the report can be compared with them.
"""

from __future__ import annotations

import itertools
import json
import re
import tempfile
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any, Final

from connector.atomsphere.pool import DEFAULT_POOL
from connector.atomsphere.ratelimit import RateLimiter
from connector.atomsphere.retry import RetryPolicy
from connector.documents import OperationResponse, Result
from connector.host import load_process, run_process
from connector.host.reporting import connect, execution_documents, find_execution
from connector.plugins import get_plugin_manager, hookimpl
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    fixtures,
)
from tests.client.fakeapi import FakeClock
from tests.engine.sandboxed import Sandboxed
from tests.reliability.checks import (
    PROCESSES,
    Outcome,
    check_answers,
    check_effects,
    check_report,
)
from tests.reliability.dying import DyingServer, KillingTransport, reviving_sleep
from tests.reliability.matrix import BULK_BATCH, DOCUMENTS, SANDBOX_CONFIG, Cell, Column
from tests.sandbox.conftest import make_client

NS: Final = 'xmlns:bns="http://api.platform.boomi.com/"'
ENVIRONMENTS: Final = (fixtures.PRODUCTION, fixtures.TEST, fixtures.DEVELOPMENT)
_cells_run = itertools.count(1)

_BY_ID: Final = {
    "id": {"param": "id"},
    "parameters": {"id": {"from": "document_property", "name": "id"}},
}
#: The operation of each column; every one sends one document at a time (see the matrix).
OPERATIONS: Final[dict[Column, dict[str, Any]]] = {
    Column.GET: {
        "action": "GET",
        "object": "Environment",
        **_BY_ID,
        "options": {"bulk_get": False},
    },
    Column.BULK_GET: {
        "action": "GET",
        "object": "Environment",
        **_BY_ID,
        "options": {"bulk_batch_size": BULK_BATCH},
    },
    Column.QUERY: {"action": "QUERY", "object": "ExecutionRecord"},
    Column.CREATE: {"action": "CREATE", "object": "Environment"},
    Column.UPDATE: {"action": "UPDATE", "object": "Environment"},
    Column.DELETE: {
        "action": "DELETE",
        "object": "Environment",
        "id": {"param": "id"},
        "parameters": {"id": {"from": "xpath", "xpath": "/bns:Environment/@id"}},
    },
    Column.EXECUTE: {"action": "EXECUTE", "object": "ExecutionRequest"},
}
#: The request that starts a document's work (a bulk batch's, for the bulk Get).
STARTS: Final = {
    Column.GET: ("GET", r"/Environment/[^/]+"),
    Column.BULK_GET: ("POST", r"/Environment/bulk"),
    Column.QUERY: ("POST", r"/ExecutionRecord/query"),
    Column.CREATE: ("POST", r"/Environment"),
    Column.UPDATE: ("POST", r"/Environment/[^/]+"),
    Column.DELETE: ("DELETE", r"/Environment/[^/]+"),
    Column.EXECUTE: ("POST", r"/ExecutionRequest"),
}


class Capture:
    """A wrapper around ``connector_execute``: which documents the plugin left unanswered (the
    host fails those afterwards), and the response, to read the answers from."""

    def __init__(self) -> None:
        self.response: OperationResponse | None = None
        self.unanswered: tuple[int, ...] = ()

    @hookimpl(wrapper=True)
    def connector_execute(self, response: OperationResponse) -> Generator[None, Any, Any]:
        handled = yield
        self.response, self.unanswered = response, response.unanswered()
        return handled

    def answers(self) -> list[Result | None]:
        """The plugin's answers in input order; None where the host had to answer."""
        if self.response is None:
            return []
        return [None if r.index in self.unanswered else r for r in self.response.results]


# -- documents -------------------------------------------------------------------------------


def _setup(column: Column, sandbox: Sandbox, tag: str) -> list[dict[str, Any]]:
    """The cell's start documents (``data`` and ``properties``), creating what they need."""
    atom = fixtures.PRODUCTION_ATOM.id
    if column in (Column.GET, Column.BULK_GET):
        return [{"properties": {"id": e.id}} for e in ENVIRONMENTS]
    if column is Column.QUERY:
        return [{"data": ""} for _ in range(DOCUMENTS)]
    if column is Column.CREATE:
        return [{"data": _environment(name=f"{tag}-{i}")} for i in range(DOCUMENTS)]
    if column is Column.UPDATE:
        return [
            {"data": _environment(id=e.id, name=f"{tag}-{i}", classification=e.classification)}
            for i, e in enumerate(ENVIRONMENTS)
        ]
    if column is Column.DELETE:
        with make_client(sandbox) as client:
            ids = []
            for i in range(DOCUMENTS):
                created = client.post("/Environment", content=_environment(name=f"{tag}-{i}"))
                ids.append(re.search(r' id="([^"]+)"', created.text).group(1))  # type: ignore[union-attr]
        return [{"data": _environment(id=i)} for i in ids]
    return [
        {"data": f'<bns:ExecutionRequest {NS} processId="{p.id}" atomId="{atom}"/>'}
        for p in PROCESSES
    ]


def _environment(**attributes: str) -> str:
    if "name" in attributes:
        attributes.setdefault("classification", "TEST")
    text = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    return f"<bns:Environment {NS} {text}/>"


# -- running ---------------------------------------------------------------------------------


def run_cell(cell: Cell, folder: Path | None = None) -> Outcome:
    """Run ``cell`` in ``folder`` (a fresh temporary folder when None) and check it."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="fault-matrix-") as tmp:
            return run_cell(cell, Path(tmp))
    tag = f"matrix-{next(_cells_run)}"
    clock = FakeClock()
    options: dict[str, Any] = {
        "retry": RetryPolicy(jitter=lambda: 0.0),
        "clock": clock,
        "limiter": RateLimiter(0, clock=clock, sleep=clock.sleep),
    }
    fault = cell.fault
    server: DyingServer | None = None
    if fault.dies_before_document is None:
        sandboxed = Sandboxed(**SANDBOX_CONFIG)
        sandbox, clock = sandboxed.sandbox, sandboxed.clock
        options.update(clock=clock, sleep=clock.sleep, limiter=RateLimiter(0, clock=clock))
        base_url, transport = f"http://{tag}.invalid", sandbox.transport()
        documents = _setup(cell.column, sandbox, tag)
        sandbox.faults.add(*fault.specs)
    else:
        server = DyingServer(folder / "sandbox.db")
        server.start()
        base_url = server.base_url
        documents = _setup(cell.column, server.sandbox, tag)
        transport = KillingTransport(server, STARTS[cell.column], fault.dies_before_document)
        options["sleep"] = reviving_sleep(server, clock, fault.back_at_sleep)
    DEFAULT_POOL.mount(base_url, transport, **options)
    capture = Capture()
    try:
        outcome = _run(cell, folder, base_url, documents, capture)
    finally:
        DEFAULT_POOL.unmount(base_url)
        if server is not None:
            server.kill()
    final = server.sandbox if server is not None else sandbox
    if server is not None:  # what the data file holds, read by a fresh sandbox
        final = Sandbox(SandboxConfig(rate_limit=0, **SANDBOX_CONFIG), data=server.data)
    final.faults.clear()
    check_effects(outcome, final, server.sandboxes if server else [final], tag)
    if server is not None:
        final.close()
    return outcome


def _run(
    cell: Cell, folder: Path, base_url: str, documents: Sequence[dict[str, Any]], capture: Capture
) -> Outcome:
    (folder / "connection.yaml").write_text(
        "kind: AtomSphereConnection\n"
        + "".join(f"{k}: {json.dumps(v)}\n" for k, v in _connection(base_url).items()),
        "utf-8",
    )
    operation = {"kind": "AtomSphereOperation", "version": 1, "name": "matrix"}
    operation.update(OPERATIONS[cell.column])
    operation["options"] = {"concurrency": 1, **operation.get("options", {})}
    (folder / "operation.yaml").write_text(json.dumps(operation), "utf-8")
    process = {
        "kind": "Process",
        "version": 1,
        "name": "fault-matrix",
        "connections": {"atomsphere": {"file": "connection.yaml"}},
        "start": {"documents": list(documents)},
        "steps": [{"name": "Operation", "operation": "operation.yaml", "tracking": "input"}],
    }
    (folder / "process.yaml").write_text(json.dumps(process), "utf-8")
    pm = get_plugin_manager(plugins=[capture])
    database = folder / "reporting.db"
    outcome = Outcome(cell)
    result = run_process(load_process(folder / "process.yaml", pm), pm, database=database)
    outcome.answers = capture.answers()
    check_answers(outcome)
    db = connect(database, create=False)
    try:
        execution = find_execution(db, result.execution_id)
        rows = [d for d in execution_documents(db, execution.id) if d.step_name == "Operation"]
    finally:
        db.close()
    check_report(outcome, result.status, execution, sorted(rows, key=lambda d: d.batch_index))
    return outcome


def _connection(base_url: str) -> dict[str, str]:
    return {
        "base_url": base_url,
        "account_id": DEFAULT_ACCOUNT_ID,
        "username": DEFAULT_USERNAME,
        "password": DEFAULT_PASSWORD,
    }
