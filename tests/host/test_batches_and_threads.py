"""Batches, connectors answering from threads, interruptions, and failures of the host itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pluggy
import pytest

from connector.host import ExecutionStatus, StopReason, load_process, run_process
from connector.host.operation_step import HostError
from connector.host.reporting import connect, list_executions
from connector.host.reporting.recorder import ExecutionRecorder
from tests.host.conftest import Runner, write

HEAD = """
kind: Process
version: 1
name: batches
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake"}}
"""


def _documents(outcomes: list[str]) -> str:
    return "start:\n  documents:\n" + "".join(
        f"    - {{data: '<in n=\"{i}\"/>', properties: {{thingId: t{i}, outcome: {o}}}}}\n"
        for i, o in enumerate(outcomes)
    )


def _fetch_process(tmp_path: Path, outcomes: list[str], tracking: str) -> Path:
    """fetch.yaml, and process.yaml running it once (tracking its input or output)."""
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    steps = f"steps:\n  - {{name: Fetch, operation: fetch.yaml, tracking: {tracking}}}\n"
    return write(tmp_path, "process.yaml", HEAD + _documents(outcomes) + steps)


def test_a_batch_size_hands_documents_over_in_batches_and_every_batch_runs(
    tmp_path: Path, run: Runner
) -> None:
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    outcomes = ["SUCCESS"] * 4 + ["FAILURE"] + ["SUCCESS"] * 4
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + _documents(outcomes)
        + """
steps:
  - {name: Fetch, operation: fetch.yaml, tracking: input, batch_size: 3}
  - {name: Save, write: {folder: out}}
""",
    )
    report = run()
    fetched = report.documents_of("Fetch")
    assert [(d.batch, d.batch_index) for d in fetched] == [
        (b, i) for b in range(3) for i in range(3)
    ]
    assert [d.status for d in fetched] == outcomes
    assert report.run.stopped_by is StopReason.FAILURES
    assert report.execution.message == (
        "step 'Fetch': 1 document failed; the process stopped after the step"
    )
    assert (report.step("Fetch").inputs, report.step("Fetch").outputs) == (9, 8)
    assert [s.name for s in report.steps] == ["Start", "Fetch"], "no later step runs"


@pytest.mark.parametrize("batching", ["", ", batch_size: 1", ", batch_size: 3"])
def test_batch_size_never_changes_which_documents_are_answered(
    tmp_path: Path, run: Runner, batching: str
) -> None:
    """An application error (flag cleared) in an early batch: the later batches still run, every
    document is answered and recorded, and then the process stops."""
    write(tmp_path, "create.yaml", "kind: FakeOperation\nname: create\naction: CREATE\n")
    outcomes = ["SUCCESS", "APPLICATION_ERROR", "SUCCESS", "SUCCESS"]
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + _documents(outcomes)
        + f"""
steps:
  - {{name: Create, operation: create.yaml{batching}}}
  - {{name: Save, write: {{folder: out}}}}
""",
    )
    report = run()
    created = report.documents_of("Create")
    assert [d.status for d in created] == outcomes
    assert (report.step("Create").inputs, report.step("Create").outputs) == (4, 4)
    assert report.run.stopped_by is StopReason.APPLICATION_ERRORS
    assert report.execution.message.startswith("step 'Create': 1 document was an application")
    assert [s.name for s in report.steps] == ["Start", "Create"]
    assert not (tmp_path / "out").exists()


def test_answers_from_worker_threads_are_each_recorded_once(tmp_path: Path, run: Runner) -> None:
    write(
        tmp_path,
        "fetch.yaml",
        """
kind: FakeOperation
name: fetch
behaviour: {threads: 4, fanout: 3}
tracked_fields: {thing: {from: document_property, name: thingId}}
""",
    )
    outcomes = ["SUCCESS", "APPLICATION_ERROR"] * 20
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + _documents(outcomes)
        + """
steps:
  - {name: Fetch, operation: fetch.yaml, tracking: output}
""",
    )
    report = run()
    fetched = report.documents_of("Fetch")
    assert len(fetched) == 20 * 3 + 20
    assert len({d.index for d in fetched}) == len(fetched)
    for i, outcome in enumerate(outcomes):
        mine = [d for d in fetched if d.batch_index == i]
        assert {d.status for d in mine} == {outcome}
        assert len(mine) == (3 if outcome == "SUCCESS" else 1)


def test_an_interrupted_run_is_recorded_as_aborted(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    _fetch_process(tmp_path, ["SUCCESS", "INTERRUPT", "SUCCESS"], "output")
    with pytest.raises(KeyboardInterrupt):
        run_process(load_process(tmp_path / "process.yaml", pm), pm, database=tmp_path / "r.db")
    db = connect(tmp_path / "r.db", create=False)
    try:
        (execution,) = list_executions(db)
        assert (execution.status, execution.message) == (ExecutionStatus.ABORTED, "interrupted")
        statuses = [r[0] for r in db.execute("SELECT status FROM documents WHERE step_seq = 2")]
        assert statuses == ["SUCCESS"]
    finally:
        db.close()
    assert not list((tmp_path / "r.db.runs").iterdir()), "the run lock is released"


def test_a_host_failure_while_recording_ends_the_execution_with_an_error(
    tmp_path: Path, pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + _documents(["SUCCESS", "SUCCESS"])
        + """
steps:
  - {name: Fetch, operation: fetch.yaml, tracking: output}
""",
    )
    original = ExecutionRecorder.answer_outputs

    def broken(self: ExecutionRecorder, *args: object) -> int:
        if args[0] == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ExecutionRecorder, "answer_outputs", broken)
    with pytest.raises(HostError, match="recording step 'Fetch': disk I/O error"):
        run_process(load_process(tmp_path / "process.yaml", pm), pm, database=tmp_path / "r.db")
    db = connect(tmp_path / "r.db", create=False)
    try:
        (execution,) = list_executions(db)
        assert execution.status == ExecutionStatus.ERROR
        assert execution.message == "HostError: recording step 'Fetch': disk I/O error"
    finally:
        db.close()


def test_a_plugin_calling_sys_exit_fails_the_unanswered_documents(
    tmp_path: Path, run: Runner
) -> None:
    _fetch_process(tmp_path, ["SUCCESS", "EXIT", "SUCCESS"], "input")
    report = run()
    assert report.execution.status == ExecutionStatus.ERROR
    assert report.run.stopped_by is StopReason.FAILURES
    fetched = report.documents_of("Fetch")
    assert [(d.status, d.message) for d in fetched] == [
        ("SUCCESS", "OK"),
        ("FAILURE", "SystemExit: 3"),
        ("FAILURE", "SystemExit: 3"),
    ]


@pytest.mark.parametrize("fanout", [1, 3])
def test_outputs_flow_on_in_input_order_whatever_order_the_answers_come_in(
    tmp_path: Path, run: Runner, fanout: int
) -> None:
    """A Create of 10 documents, 3 of them application errors (returned as documents), answered
    last first: the next step still gets them in input order, each input's outputs in order."""
    write(
        tmp_path,
        "create.yaml",
        f"""
kind: FakeOperation
name: create
action: CREATE
return_application_errors: true
behaviour: {{reverse: true, fanout: {fanout}}}
""",
    )
    outcomes = ["SUCCESS"] * 10
    for failing in (2, 5, 7):
        outcomes[failing] = "APPLICATION_ERROR"
    steps = """
steps:
  - {name: Create, operation: create.yaml}
  - {name: Save, write: {folder: out}}
"""
    write(tmp_path, "process.yaml", HEAD + _documents(outcomes) + steps)
    report = run()
    expected = [
        f'<thing id="t{i}" n="{n}" by="create" start="no"/>'.encode()
        if outcome == "SUCCESS"
        else f'<error code="404">no thing t{i}</error>'.encode()
        for i, outcome in enumerate(outcomes)
        for n in range(fanout if outcome == "SUCCESS" else 1)
    ]
    out = tmp_path / "out"
    assert len(list(out.iterdir())) == len(expected)
    execution = report.run.execution_id
    written = [(out / f"{execution}_{n}.xml").read_bytes() for n in range(1, len(expected) + 1)]
    assert written == expected
