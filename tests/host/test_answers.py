"""Every shape of answer (1 -> 1, 1 -> N, 1 -> 0, N -> 1), failures, exceptions and silence:
each input is answered exactly once in the report, and secrets never reach it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest

from connector.contract import (
    Action,
    OperationSettings,
    TrackingDirection,
    TrackingSettings,
)
from connector.errors import ConfigError
from connector.host import ExecutionStatus, StopReason, load_process, run_process
from connector.host.reporting import TrackedDocument
from connector.plugins import get_plugin_manager, hookimpl
from tests.host import fake_connector
from tests.host.conftest import Report, Runner, write

HEAD = """
kind: Process
version: 1
name: answers
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake", token: tok-SECRET-42}}
"""

DOCS = """
start:
  documents:
    - {data: "<in n='0'/>", properties: {thingId: a}}
    - {data: "<in n='1'/>", properties: {thingId: b, outcome: OUTCOME}}
    - {data: "<in n='2'/>", properties: {thingId: c}}
steps:
  - {name: Fetch, operation: fetch.yaml, tracking: DIRECTION}
  - {name: Keep, write: {folder: out}}
"""


def _setup(tmp_path: Path, outcome: str, direction: str, behaviour: str = "{}") -> None:
    write(tmp_path, "fetch.yaml", f"kind: FakeOperation\nname: fetch\nbehaviour: {behaviour}\n")
    write(
        tmp_path,
        "process.yaml",
        HEAD + DOCS.replace("OUTCOME", outcome).replace("DIRECTION", direction),
    )


def test_one_to_many_outputs_are_each_tracked_with_their_input_answer(
    tmp_path: Path, run: Runner
) -> None:
    _setup(tmp_path, "SUCCESS", "output", "{fanout: 3}")
    report = run()
    fetched = report.documents_of("Fetch")
    assert [(d.batch_index, d.status) for d in fetched] == [
        (i, "SUCCESS") for i in (0, 1, 2) for _ in range(3)
    ]
    assert (report.step("Fetch").inputs, report.step("Fetch").outputs) == (3, 9)
    assert len(list((tmp_path / "out").iterdir())) == 9


def test_an_answer_without_output_is_tracked_as_an_input_but_not_as_an_output(
    tmp_path: Path, run: Runner
) -> None:
    _setup(tmp_path, "SUCCESS", "output", "{fanout: 0}")
    report = run()
    assert report.documents_of("Fetch") == []
    assert report.step("Fetch").outputs == 0
    assert [s.name for s in report.steps] == ["Start", "Fetch"], "nothing flowed on"
    assert report.execution.status == ExecutionStatus.COMPLETE
    _setup(tmp_path, "SUCCESS", "input", "{fanout: 0}")
    inputs = run().documents_of("Fetch")
    assert [(d.status, d.message) for d in inputs] == [("SUCCESS", "nothing found")] * 3


def test_a_combined_answer_is_one_output_and_one_answer_per_input(
    tmp_path: Path, run: Runner
) -> None:
    _setup(tmp_path, "SUCCESS", "output", "{combine: true}")
    (combined,) = run().documents_of("Fetch")
    assert (combined.batch_index, combined.status, combined.properties["combined"]) == (
        0,
        "SUCCESS",
        "3",
    )
    _setup(tmp_path, "SUCCESS", "input", "{combine: true}")
    inputs = run().documents_of("Fetch")
    assert [(d.batch_index, d.status) for d in inputs] == [
        (0, "SUCCESS"),
        (1, "SUCCESS"),
        (2, "SUCCESS"),
    ]


def test_a_failed_document_stops_the_process_after_the_batch(tmp_path: Path, run: Runner) -> None:
    _setup(tmp_path, "FAILURE", "input")
    report = run()
    assert [d.status for d in report.documents_of("Fetch")] == ["SUCCESS", "FAILURE", "SUCCESS"]
    assert report.run.stopped_by is StopReason.FAILURES
    assert report.execution.status == ExecutionStatus.ERROR
    assert report.execution.failures == 1
    assert not (tmp_path / "out").exists()


def _failed_from_the_second(report: Report) -> list[TrackedDocument]:
    """The Fetch step's documents, when the plugin stopped answering at the second."""
    fetched = report.documents_of("Fetch")
    assert [(d.batch_index, d.status, d.has_data) for d in fetched] == [
        (0, "SUCCESS", True),
        (1, "FAILURE", False),
        (2, "FAILURE", False),
    ]
    return fetched


def test_a_connector_that_raises_fails_every_unanswered_document_without_leaking_secrets(
    tmp_path: Path, run: Runner
) -> None:
    _setup(tmp_path, "RAISE", "output")
    report = run()
    fetched = _failed_from_the_second(report)
    assert fetched[1].message == ("RuntimeError: fake connector broke on document 1 (token ***)")
    assert report.run.stopped_by is StopReason.FAILURES
    report.db.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("reporting.db*") if p.is_file())
    assert b"tok-SECRET-42" not in stored
    assert b"(token ***)" in stored


def test_a_document_the_connector_never_answers_fails(tmp_path: Path, run: Runner) -> None:
    _setup(tmp_path, "SILENT", "input")
    fetched = run().documents_of("Fetch")
    assert [d.batch_index for d in fetched] == [0, 2, 1], "tracked in the order answered"
    assert [(d.status, d.message) for d in sorted(fetched, key=lambda d: d.batch_index)] == [
        ("SUCCESS", "OK"),
        ("FAILURE", "the connector returned without answering this document"),
        ("SUCCESS", "OK"),
    ]


def test_an_error_end_stops_the_execution_only_when_documents_reach_it(
    tmp_path: Path, run: Runner
) -> None:
    write(
        tmp_path,
        "fetch.yaml",
        "kind: FakeOperation\nname: fetch\nreturn_application_errors: true\n",
    )
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents: [{data: "<in/>", properties: {outcome: OUTCOME}}]
steps:
  - {name: Fetch, operation: fetch.yaml}
  - name: Split
    route:
      APPLICATION_ERROR:
        - {name: Give up, end: error, message: a thing was missing}
      SUCCESS:
        - {name: Done, end: complete}
""",
    )
    write(
        tmp_path,
        "process.yaml",
        (tmp_path / "process.yaml").read_text().replace("OUTCOME", "SUCCESS"),
    )
    ok = run()
    assert ok.execution.status == ExecutionStatus.COMPLETE
    assert [s.name for s in ok.steps] == ["Start", "Fetch", "Split", "Done"]
    write(
        tmp_path,
        "process.yaml",
        (tmp_path / "process.yaml")
        .read_text()
        .replace("outcome: SUCCESS", "outcome: APPLICATION_ERROR"),
    )
    bad = run()
    assert (bad.execution.status, bad.execution.message) == (
        ExecutionStatus.ERROR,
        "a thing was missing",
    )
    assert bad.run.stopped_by is StopReason.END_STEP
    assert [s.name for s in bad.steps] == ["Start", "Fetch", "Split", "Give up"]


@dataclass(frozen=True)
class _Op:
    settings: OperationSettings


class _LoadOnly:
    """Registers a connector and loads its operations, but never executes them."""

    @hookimpl
    def connector_load_operation(self, connector_id: str, path: Path) -> _Op | None:
        if connector_id != "fake":
            return None
        tracking = TrackingSettings(TrackingDirection.INPUT)
        return _Op(OperationSettings("mute", "fake", Action.EXECUTE, "Thing", tracking))

    @hookimpl
    def connector_register_connectors(self, register: object) -> None:
        register(fake_connector.descriptor())  # type: ignore[operator]


def test_a_step_no_plugin_executes_fails_its_documents(tmp_path: Path) -> None:
    pm: pluggy.PluginManager = get_plugin_manager(plugins=[_LoadOnly()])
    _setup(tmp_path, "SUCCESS", "input")
    result = run_process(
        load_process(tmp_path / "process.yaml", pm), pm, database=tmp_path / "r.db"
    )
    assert result.stopped_by is StopReason.FAILURES


def test_a_write_never_leaves_its_folder(tmp_path: Path, run: Runner) -> None:
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents:
    - {data: "<ok/>", properties: {target: fine.xml}}
    - {data: "<evil/>", properties: {target: ../evil.xml}}
steps:
  - name: Deliver
    write: {folder: out, file_name: {from: document_property, name: target}}
""",
    )
    report = run()
    assert report.run.stopped_by is StopReason.HOST_ERROR
    assert report.execution.message == (
        "step 'Deliver', document 2 of 2: file name '../evil.xml' is not a plain file name (no "
        "folders, '..', ':', control characters; at most 250 bytes in UTF-8)"
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fine.xml"]
    assert not (tmp_path / "evil.xml").exists()
    assert (report.step("Deliver").inputs, report.step("Deliver").outputs) == (2, 1)


def test_a_file_name_too_long_in_bytes_is_refused_before_it_is_written(
    tmp_path: Path, run: Runner
) -> None:
    """200 × "日" is 600 bytes: the file system's limit is 255 bytes, whatever the characters."""
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    long_name = "日" * 200
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + f"""
start:
  documents:
    - {{data: "<ok/>", properties: {{target: fine.xml}}}}
    - {{data: "<long/>", properties: {{target: {long_name}}}}}
steps:
  - name: Deliver
    write: {{folder: out, file_name: {{from: document_property, name: target}}}}
""",
    )
    report = run()
    assert report.run.stopped_by is StopReason.HOST_ERROR
    assert report.execution.message == (
        f"step 'Deliver', document 2 of 2: file name '{'日' * 60}…' is not a plain file name "
        "(no folders, '..', ':', control characters; at most 250 bytes in UTF-8)"
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fine.xml"]


@pytest.mark.parametrize(
    ("folder", "reason"),
    [
        ("out", "out: exists and is not a folder"),
        ("out/today", "out/today: cannot create the folder: Not a directory"),
    ],
)
def test_a_write_whose_folder_cannot_be_made_names_it_and_counts_sanely(
    tmp_path: Path, run: Runner, folder: str, reason: str
) -> None:
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents:
    - {data: "<a/>"}
    - {data: "<b/>"}
steps:
  - name: Deliver
    write: {folder: FOLDER}
""".replace("FOLDER", folder),
    )
    (tmp_path / "out").write_text("a file where the folder should be")
    report = run()
    assert report.run.stopped_by is StopReason.HOST_ERROR
    assert report.execution.message == f"step 'Deliver': {tmp_path}/{reason}"
    assert (report.step("Deliver").inputs, report.step("Deliver").outputs) == (2, 0)


@pytest.mark.parametrize(
    ("if_exists", "files", "stopped"),
    [
        ("", {"same.xml": "<second/>"}, None),
        ("overwrite", {"same.xml": "<second/>"}, None),
        ("unique", {"same.xml": "<first/>", "same-1.xml": "<second/>"}, None),
        ("error", {"same.xml": "<first/>"}, "exists already (if_exists: error"),
    ],
)
def test_a_write_to_a_name_already_there_follows_if_exists(
    tmp_path: Path, run: Runner, if_exists: str, files: dict[str, str], stopped: str | None
) -> None:
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    choice = f", if_exists: {if_exists}" if if_exists else ""
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + f"""
start:
  documents:
    - {{data: "<first/>", properties: {{target: same.xml}}}}
    - {{data: "<second/>", properties: {{target: same.xml}}}}
steps:
  - name: Deliver
    write: {{folder: out, file_name: {{from: document_property, name: target}}{choice}}}
""",
    )
    report = run()
    written = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert written == files
    if stopped is None:
        assert report.run.stopped_by is None
    else:
        assert report.run.stopped_by is StopReason.HOST_ERROR
        assert report.execution.message.startswith("step 'Deliver', document 2 of 2: ")
        assert stopped in report.execution.message


def test_a_branch_sends_every_document_down_each_branch_in_turn(
    tmp_path: Path, run: Runner
) -> None:
    write(tmp_path, "fetch.yaml", "kind: FakeOperation\nname: fetch\n")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents:
    - {data: "<a/>", properties: {thingId: a}}
    - {data: "<b/>", properties: {thingId: b}}
steps:
  - name: Fork
    branch:
      - - {name: First, operation: fetch.yaml, tracking: input}
      - - {name: Keep, write: {folder: out, file_name: {from: document_property, name: thingId}}}
        - {name: Second, operation: fetch.yaml, tracking: input}
""",
    )
    report = run()
    assert [s.name for s in report.steps] == ["Start", "Fork", "First", "Keep", "Second"]
    assert (report.step("Fork").inputs, report.step("Fork").outputs) == (2, 4)
    assert [d.size for d in report.documents_of("Second")] == [4, 4], "the original documents"
    assert sorted(p.read_bytes() for p in (tmp_path / "out").iterdir()) == [b"<a/>", b"<b/>"]


class _BrokenLoad:
    """A plugin whose load hook misbehaves: raises a bug, or its library calls ``sys.exit()``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    @hookimpl
    def connector_load_operation(self, connector_id: str, path: Path) -> _Op | None:
        raise self.error

    @hookimpl
    def connector_register_connectors(self, register: object) -> None:
        register(fake_connector.descriptor())  # type: ignore[operator]


@pytest.mark.parametrize(
    ("error", "said"),
    [(KeyError("endpoint"), "KeyError: 'endpoint'"), (SystemExit(3), "SystemExit: 3")],
)
def test_a_plugin_failing_to_load_an_operation_is_one_load_error(
    tmp_path: Path, error: BaseException, said: str
) -> None:
    pm: pluggy.PluginManager = get_plugin_manager(plugins=[_BrokenLoad(error)])
    _setup(tmp_path, "SUCCESS", "input")
    with pytest.raises(ConfigError) as raised:
        load_process(tmp_path / "process.yaml", pm)
    message = str(raised.value)
    assert f"cannot load {tmp_path / 'fetch.yaml'}: the 'fake' plugin failed: {said}" in message


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("BAD_OUTPUT", "TypeError: add_result: output must be a Document or None, not bytes"),
        ("BAD_STATUS", "TypeError: add_result: status must be a Status (SUCCESS, "),
        ("BAD_CODE", "TypeError: add_result: status_code must be str (or None), not int 200"),
    ],
)
def test_a_wrongly_typed_answer_fails_the_plugins_unanswered_documents_not_the_run(
    tmp_path: Path, run: Runner, outcome: str, message: str
) -> None:
    _setup(tmp_path, outcome, "output")
    report = run()
    fetched = _failed_from_the_second(report)
    assert fetched[1].message.startswith(message)
    assert fetched[2].message == fetched[1].message
    assert report.run.stopped_by is StopReason.FAILURES
    assert report.execution.status == ExecutionStatus.ERROR
