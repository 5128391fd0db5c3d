"""The demo's tour: the example operations of ``operations/``, run one after another.

Each step runs one operation file through the engine, exactly as a host would, and reports what
happened as a :class:`TourStep`; the ``demo`` command prints them as they come. The tour creates
one environment and deletes it again, whatever happens in between.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.responses import field_value
from connector.contract import ExecutionContext
from connector.documents import Document, OperationResponse, Result, Status
from connector.engine.config import load_operation
from connector.engine.runner import run_operation
from connector.errors import ConfigError
from connector.xml import API_NS, parse_xml

#: A process id no account has: the tour's application error.
MISSING_PROCESS_ID = "00000000-0000-0000-0000-000000000000"
SHOWN_RECORDS = 3


@dataclass(frozen=True)
class TourStep:
    """One step: what was asked, which file did it, how many calls, and what came back."""

    title: str
    operation: str
    calls: int
    results: tuple[Result, ...]
    lines: tuple[str, ...] = ()

    @property
    def statuses(self) -> str:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        return ", ".join(f"{n} {status}" for status, n in counts.items())


def operations_dir() -> Path:
    """The example operations: ``./operations`` or the checkout's ``operations/``."""
    checkout = Path(__file__).resolve().parents[2]
    for candidate in (Path.cwd() / "operations", checkout / "operations"):
        if (candidate / "get-account.yaml").is_file():
            return candidate
    raise ConfigError(
        "the example operations (operations/*.yaml) were not found: run the demo from the "
        "project's checkout"
    )


@dataclass
class _Runner:
    client: AtomSphereClient
    folder: Path
    outputs: list[Document] = field(default_factory=list)

    def run(
        self,
        name: str,
        documents: list[Document],
        context: ExecutionContext | None = None,
        keep: int | None = None,
    ) -> tuple[tuple[Result, ...], int]:
        operation = load_operation(self.folder / f"{name}.yaml")
        self.outputs = []

        def collect(_index: int, document: Document) -> None:
            if keep is None or len(self.outputs) < keep:
                self.outputs.append(document)

        response = OperationResponse(documents, on_output=collect, retain_outputs=False)
        before = self.client.http.stats().calls
        run_operation(operation, self.client, documents, response, context)
        return response.results, self.client.http.stats().calls - before


def iter_tour(client: AtomSphereClient, folder: Path | None = None) -> Iterator[TourStep]:
    """Run the tour against ``client``'s account, yielding each step as it completes."""
    runner = _Runner(client, folder or operations_dir())
    yield _query(runner)
    yield _get_account(runner)
    name = f"atomsphere-demo-{secrets.token_hex(3)}"
    created: list[str] = []
    try:
        step = _create(runner, name, created)
        yield step
        if created:
            yield _update(runner, created[0], name)
            yield _delete(runner, created.pop(), name)
    finally:
        for env_id in created:  # the tour was interrupted after the create: clean up
            runner.run("delete-environment", [_environment_doc(env_id, name)])
    yield _missing_process(runner)


def _query(runner: _Runner) -> TourStep:
    context = ExecutionContext(process_name="demo", last_run_date=None)
    results, calls = runner.run(
        "query-failed-executions", [Document(b"")], context, keep=SHOWN_RECORDS
    )
    (result,) = results
    lines = [
        f"{result.output_count} execution records with status ERROR since the last run "
        "(a first run: since 2020-01-01)"
    ]
    for doc in runner.outputs:
        root = parse_xml(doc.data)
        lines.append(
            "  "
            + "  ".join(
                field_value(root, f) or "-" for f in ("executionTime", "processName", "status")
            )
        )
    if result.output_count > len(runner.outputs):
        lines.append(f"  … and {result.output_count - len(runner.outputs)} more")
    if not result.ok:
        lines.append(f"{result.status.value} {result.status_code}: {result.message}")
    title = "Query execution records with a filter"
    return TourStep(title, "query-failed-executions", calls, results, tuple(lines))


def _get_account(runner: _Runner) -> TourStep:
    account = runner.client.connection.account_id
    results, calls = runner.run("get-account", [Document(b"", {"accountId": account})])
    lines = [_describe(results[0], runner.outputs, ("accountId", "name", "status"))]
    return TourStep("Get the account", "get-account", calls, results, tuple(lines))


def _create(runner: _Runner, name: str, created: list[str]) -> TourStep:
    body = (
        f"<bns:Environment xmlns:bns={quoteattr(API_NS)} name={quoteattr(name)} "
        'classification="TEST"/>'
    )
    results, calls = runner.run("create-environment", [Document(body.encode())])
    if results[0].ok and runner.outputs:
        env_id = field_value(parse_xml(runner.outputs[0].data), "id")
        if env_id:
            created.append(env_id)
    lines = [_describe(results[0], runner.outputs, ("id", "name", "classification"))]
    return TourStep("Create an environment", "create-environment", calls, results, tuple(lines))


def _update(runner: _Runner, env_id: str, name: str) -> TourStep:
    renamed = f"{name} (renamed {datetime.now(UTC):%H:%M:%S})"
    results, calls = runner.run("update-environment", [_environment_doc(env_id, renamed)])
    lines = [_describe(results[0], runner.outputs, ("id", "name", "classification"))]
    return TourStep("Update the environment", "update-environment", calls, results, tuple(lines))


def _delete(runner: _Runner, env_id: str, name: str) -> TourStep:
    results, calls = runner.run("delete-environment", [_environment_doc(env_id, name)])
    lines = [_describe(results[0], runner.outputs, ())]
    return TourStep("Delete the environment", "delete-environment", calls, results, tuple(lines))


def _missing_process(runner: _Runner) -> TourStep:
    results, calls = runner.run(
        "get-process-errors-returned", [Document(b"", {"processId": MISSING_PROCESS_ID})]
    )
    (result,) = results
    lines = [f"{result.status.value} {result.status_code}: {result.message}"]
    for doc in runner.outputs:
        text = doc.data.decode("utf-8", "replace").split("?>")[-1].strip()
        lines.append(f"returned as a document: {text}")
    return TourStep(
        "Read a process that does not exist (the error comes back as a document)",
        "get-process-errors-returned",
        calls,
        results,
        tuple(lines),
    )


def _environment_doc(env_id: str, name: str) -> Document:
    body = (
        f"<bns:Environment xmlns:bns={quoteattr(API_NS)} id={quoteattr(env_id)} "
        f'name={quoteattr(name)} classification="TEST"/>'
    )
    return Document(body.encode())


def _describe(result: Result, outputs: list[Document], fields: tuple[str, ...]) -> str:
    if result.status is not Status.SUCCESS:
        return f"{result.status.value} {result.status_code}: {result.message}"
    if not outputs or not fields:
        return f"SUCCESS {result.status_code}"
    root = parse_xml(outputs[0].data)
    shown = ", ".join(f"{f}={field_value(root, f)}" for f in fields if field_value(root, f))
    return f"SUCCESS {result.status_code}: {shown}"
