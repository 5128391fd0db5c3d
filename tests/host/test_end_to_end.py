"""The host running real AtomSphere operations against the sandbox: every combination of
tracking direction and error flag, a Query feeding a Get, outbound steps chained, tracked fields,
archiving and the document cache, with process reporting asserted."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest

from connector.host import ExecutionStatus, RunResult, StopReason, load_process, run_process
from connector.host.reporting import (
    TrackedDocument,
    connect,
    execution_documents,
    execution_steps,
    list_executions,
    tracked_document,
)
from connector.plugins import get_plugin_manager
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    fixtures,
)
from tests.conftest import ROOT
from tests.host.conftest import write

MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh sandbox; the example connection file reads it from the environment."""
    with Sandbox(SandboxConfig(rate_limit=0)).serve(port=0) as url:
        monkeypatch.setenv("ATOMSPHERE_BASE_URL", url)
        monkeypatch.setenv("ATOMSPHERE_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
        monkeypatch.setenv("ATOMSPHERE_USERNAME", DEFAULT_USERNAME)
        monkeypatch.setenv("ATOMSPHERE_PASSWORD", DEFAULT_PASSWORD)
        yield url


@pytest.fixture
def project(tmp_path: Path, sandbox: str) -> Path:
    """A copy of the project's processes, operations and their profiles, so runs write into
    ``tmp_path``."""
    # Not the example runs' own output (processes/out/, git-ignored), if someone ran them here.
    shutil.copytree(
        ROOT / "processes", tmp_path / "processes", ignore=shutil.ignore_patterns("out")
    )
    shutil.copytree(ROOT / "operations", tmp_path / "operations")
    shutil.copytree(ROOT / "profiles", tmp_path / "profiles")
    return tmp_path


@dataclass
class Run:
    result: RunResult
    documents: list[TrackedDocument]
    database: Path

    def of(self, step: str) -> list[TrackedDocument]:
        return sorted(
            (d for d in self.documents if d.step_name == step),
            key=lambda d: (d.batch, d.batch_index, d.index),
        )

    def data(self, document: TrackedDocument) -> bytes | None:
        db = connect(self.database, create=False)
        try:
            return tracked_document(db, self.result.execution_id, document.index)[1]
        finally:
            db.close()


def _run(process: Path, **properties: str) -> Run:
    pm: pluggy.PluginManager = get_plugin_manager()
    database = process.parent / "reporting.db"
    result = run_process(load_process(process, pm), pm, database=database, properties=properties)
    db = connect(database, create=False)
    try:
        return Run(result, execution_documents(db, result.execution_id), database)
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("direction", ["input", "output"])
@pytest.mark.parametrize("flag", [False, True], ids=["errors-stop", "errors-returned"])
def test_a_get_reports_and_routes_for_every_direction_and_error_flag(
    project: Path, direction: str, flag: bool
) -> None:
    operation = project / "operations" / "get-process-errors-returned.yaml"
    operation.write_text(
        operation.read_text().replace(
            "return_application_errors: true", f"return_application_errors: {str(flag).lower()}"
        )
    )
    process = project / "processes" / "process-lookup.yaml"
    process.write_text(
        process.read_text().replace(
            "operation: ../operations/get-process-errors-returned.yaml",
            f"operation: ../operations/get-process-errors-returned.yaml\n    tracking: {direction}",
        )
    )

    run = _run(process)

    fetched = run.of("Fetch the process")
    assert [(d.direction, d.status, d.status_code) for d in fetched] == [
        (direction, "SUCCESS", "200"),
        (direction, "SUCCESS", "200"),
        (direction, "APPLICATION_ERROR", "400"),
    ]
    assert fetched[2].message == f"No such process: {MISSING}"
    assert [d.properties["processId"] for d in fetched] == [
        fixtures.ORDER_INTAKE.id,
        fixtures.INVOICE_SYNC.id,
        MISSING,
    ]
    tracked = [run.data(d) for d in fetched]
    if direction == "input":
        assert tracked == [b"", b"", b""], "the inputs were empty documents with properties"
    else:
        assert b'name="Order Intake"' in (tracked[0] or b"")
        assert b'name="Invoice Sync"' in (tracked[1] or b"")
        assert tracked[2] == (
            None
            if not flag
            else b"<?xml version='1.0' encoding='UTF-8'?>\n<error><message>No such process: "
            + MISSING.encode()
            + b"</message></error>"
        )
    out = project / "processes" / "out"
    if flag:
        assert run.result.status is ExecutionStatus.COMPLETE
        assert sorted(p.name for p in (out / "processes").iterdir()) == sorted(
            [fixtures.ORDER_INTAKE.id, fixtures.INVOICE_SYNC.id]
        )
        assert [p.name for p in (out / "missing").iterdir()] == [MISSING]
    else:
        assert run.result.status is ExecutionStatus.ERROR
        assert run.result.stopped_by is StopReason.APPLICATION_ERRORS
        assert not out.exists(), "the process stopped after the step"


@pytest.mark.slow
def test_a_query_start_step_feeds_a_get_and_the_next_run_starts_from_the_last_run_date(
    project: Path,
) -> None:
    process = project / "processes" / "failed-executions.yaml"
    first = _run(process)
    assert first.result.status is ExecutionStatus.COMPLETE
    found = first.of("Find failed executions")
    assert found and {d.direction for d in found} == {"output"}
    assert {d.status for d in found} == {"SUCCESS"}
    records = sorted((project / "processes" / "out" / "executions").iterdir())
    assert len(records) == len(found)
    assert all(b"<bns:status>ERROR</bns:status>" in p.read_bytes() for p in records)
    process_ids = {
        m[1].decode()
        for p in records
        if (m := re.search(rb"<bns:processId>([^<]+)</bns:processId>", p.read_bytes()))
    }
    assert fixtures.FAILING_PROCESS.id in process_ids
    fetched = first.of("Fetch the process")
    assert len(fetched) == len(found)
    assert {d.properties["processId"] for d in fetched} == process_ids
    kept = {p.name for p in (project / "processes" / "out" / "processes").iterdir()}
    assert kept == process_ids, "every failing process exists"
    assert {d.status for d in fetched} == {"SUCCESS"}

    second = _run(process)
    assert second.result.status is ExecutionStatus.COMPLETE
    assert second.of("Find failed executions") == [], "nothing failed since the last run"
    db = connect(second.database, create=False)
    try:
        steps = [s.name for s in execution_steps(db, second.result.execution_id)]
    finally:
        db.close()
    assert steps == ["Find failed executions"]


@pytest.mark.slow
def test_outbound_steps_chain_and_track_their_inputs(project: Path) -> None:
    write(
        project,
        "processes/inputs/staging.xml",
        '<bns:Environment xmlns:bns="http://api.platform.boomi.com/" name="Staging" '
        'classification="TEST"/>',
    )
    process = write(
        project,
        "processes/environment-round-trip.yaml",
        """
kind: Process
version: 1
name: environment-round-trip
connections:
  atomsphere: {file: connections/atomsphere.yaml}
start:
  documents: [{file: inputs/staging.xml}]
steps:
  - {name: Create, operation: ../operations/create-environment.yaml}
  - {name: Delete, operation: ../operations/delete-environment.yaml}
""",
    )
    run = _run(process)
    assert run.result.status is ExecutionStatus.COMPLETE
    (created,) = run.of("Create")
    (deleted,) = run.of("Delete")
    assert (created.direction, created.status, deleted.direction, deleted.status) == (
        "input",
        "SUCCESS",
        "input",
        "SUCCESS",
    )
    assert run.data(created) == (project / "processes/inputs/staging.xml").read_bytes()
    match = re.search(rb'id="([^"]+)"', run.data(deleted) or b"")
    assert match, "the Delete received the created environment, id and all"
    assert b'name="Staging"' in (run.data(deleted) or b"")


QUERY_ENVIRONMENTS = """
kind: AtomSphereOperation
version: 1
name: query-environments
action: QUERY
object: Environment
archiving: {enabled: true, directory: archive}
tracked_fields:
  environment: {from: xpath, xpath: /bns:Environment/@name}
caching:
  cache: environments
  key: {from: xpath, xpath: /bns:Environment/@id}
"""

QUERY_ATTACHMENTS = """
kind: AtomSphereOperation
version: 1
name: query-attachments
action: QUERY
object: EnvironmentAtomAttachment
filter: {property: environmentId, operator: EQUALS, arguments: [{param: environment}]}
parameters:
  environment: {from: xpath, xpath: /bns:Environment/@id}
tracked_fields:
  atom: {from: xpath, xpath: /bns:EnvironmentAtomAttachment/@atomId}
"""


@pytest.mark.slow
def test_tracked_fields_archiving_and_the_cache_with_real_operations(project: Path) -> None:
    write(project, "operations/query-environments.yaml", QUERY_ENVIRONMENTS)
    write(project, "operations/query-attachments.yaml", QUERY_ATTACHMENTS)
    process = write(
        project,
        "processes/attachments.yaml",
        """
kind: Process
version: 1
name: attachments
connections:
  atomsphere: {file: connections/atomsphere.yaml}
start: {name: Environments, operation: ../operations/query-environments.yaml}
steps:
  - {name: Attachments, operation: ../operations/query-attachments.yaml}
  - name: Environment name
    lookup:
      cache: environments
      key: {from: xpath, xpath: /bns:EnvironmentAtomAttachment/@environmentId}
      properties:
        environmentName: {from: xpath, xpath: /bns:Environment/@name}
  - name: Keep
    write: {folder: out/attachments, file_name: {from: document_property, name: environmentName}}
""",
    )
    run = _run(process)
    assert run.result.status is ExecutionStatus.COMPLETE

    environments = run.of("Environments")
    names = sorted(d.fields["environment"] for d in environments)
    assert set(names) >= {"Production", "Test", "Development"}
    attachments = run.of("Attachments")
    atoms = {d.fields["atom"] for d in attachments}
    assert {a.id for a in fixtures.ATOMS} <= atoms

    written = {p.name: p.read_bytes() for p in (project / "processes/out/attachments").iterdir()}
    for atom in fixtures.ATOMS:
        environment = next(e for e in fixtures.ENVIRONMENTS if e.id == atom.environment_id)
        assert atom.id.encode() in written[environment.name], "the cache named the environment"

    archived = sorted((project / "operations" / "archive").iterdir())
    assert len(archived) == len(environments)
    pattern = re.compile(r"^\d{8}T\d{9}Z_(\d+)_query-environments_\d+\.dat$")
    numbers = sorted(int(pattern.match(p.name)[1]) for p in archived)
    assert numbers == [d.index for d in environments], "named by the report's #"
    assert {p.read_bytes() for p in archived} == {run.data(d) for d in environments}

    db = connect(run.database, create=False)
    try:
        assert [e.id for e in list_executions(db, fields={"environment": "Production"})] == [
            run.result.execution_id
        ]
        assert list_executions(db, fields={"environment": "Nowhere"}) == []
    finally:
        db.close()
    stored = b"".join(
        p.read_bytes() for p in project.glob("processes/reporting.db*") if p.is_file()
    )
    assert DEFAULT_PASSWORD.encode() not in stored


@pytest.mark.slow
def test_a_set_properties_step_sets_the_id_of_a_get_that_has_none(project: Path) -> None:
    operation = project / "operations" / "get-process-errors-returned.yaml"
    text = operation.read_text()
    assert "id: {param: process}\n" in text
    by_override = text.replace("id: {param: process}\n", "").replace(
        "parameters:\n  process: {from: document_property, name: processId}\n", ""
    )
    (project / "operations" / "get-process-by-override.yaml").write_text(by_override)
    process = write(
        project,
        "processes/dynamic-id.yaml",
        f"""
        kind: Process
        version: 1
        name: dynamic-id
        connections:
          atomsphere: {{file: connections/atomsphere.yaml}}
        start:
          documents:
            - properties: {{wanted: {fixtures.INVOICE_SYNC.id}}}
            - dynamic_operation_properties: {{id: {fixtures.ORDER_INTAKE.id}}}
        steps:
          - name: Choose the process
            set_properties: {{}}
            dynamic_operation_properties:
              id: {{from: document_property, name: wanted}}
          - name: Fetch the process
            operation: ../operations/get-process-by-override.yaml
        """,
    )

    run = _run(process)

    assert run.result.status is ExecutionStatus.COMPLETE
    fetched = run.of("Fetch the process")
    assert [(d.status, d.status_code) for d in fetched] == [("SUCCESS", "200")] * 2
    assert b'name="Invoice Sync"' in (run.data(fetched[0]) or b"")
    assert b'name="Order Intake"' in (run.data(fetched[1]) or b"")
