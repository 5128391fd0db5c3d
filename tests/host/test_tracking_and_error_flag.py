"""Tracking direction × Return Application Error Responses: what the report holds, where
documents go, and whether the execution stops after the step."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.host import ExecutionStatus, StopReason
from tests.host.conftest import Runner, write

PROCESS = """
kind: Process
version: 1
name: matrix
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake", token: s3cret-token}}
start:
  documents:
    - data: "<in n='0'/>"
      properties: {thingId: a}
    - data: "<in n='1'/>"
      properties: {thingId: b, outcome: APPLICATION_ERROR}
    - data: "<in n='2'/>"
      properties: {thingId: c}
steps:
  - name: Fetch
    operation: fetch.yaml
    tracking: DIRECTION
  - name: By status
    route:
      SUCCESS:
        - name: Keep
          write: {folder: out/ok, file_name: {from: document_property, name: thingId}}
      APPLICATION_ERROR:
        - name: Keep errors
          write: {folder: out/errors, file_name: {from: document_property, name: thingId}}
"""

OPERATION = """
kind: FakeOperation
name: fetch
action: GET
return_application_errors: FLAG
"""

OUTPUTS = [
    b'<thing id="a" n="0" by="fetch" start="no"/>',
    b'<error code="404">no thing b</error>',
    b'<thing id="c" n="0" by="fetch" start="no"/>',
]
INPUTS = [b"<in n='0'/>", b"<in n='1'/>", b"<in n='2'/>"]


@pytest.mark.parametrize("direction", ["input", "output"])
@pytest.mark.parametrize("flag", [False, True], ids=["errors-stop", "errors-returned"])
def test_report_and_flow_for_every_direction_and_error_flag(
    tmp_path: Path, run: Runner, direction: str, flag: bool
) -> None:
    write(tmp_path, "process.yaml", PROCESS.replace("DIRECTION", direction))
    write(tmp_path, "fetch.yaml", OPERATION.replace("FLAG", str(flag).lower()))

    report = run()

    fetched = report.documents_of("Fetch")
    assert [d.direction for d in fetched] == [direction] * 3
    assert [d.status for d in fetched] == ["SUCCESS", "APPLICATION_ERROR", "SUCCESS"]
    assert [(d.status_code, d.message) for d in fetched] == [
        ("200", "OK"),
        ("404", "no thing b"),
        ("200", "OK"),
    ]
    tracked = [
        report.db.execute(
            "SELECT data FROM documents WHERE execution_id = ? AND idx = ?",
            (report.execution.id, d.index),
        ).fetchone()[0]
        for d in fetched
    ]
    assert tracked == (INPUTS if direction == "input" else OUTPUTS)
    assert report.step("Fetch").tracking == direction
    assert (report.step("Fetch").inputs, report.step("Fetch").outputs) == (3, 3)

    if flag:
        assert report.execution.status == ExecutionStatus.COMPLETE
        assert report.run.stopped_by is None
        assert sorted(p.name for p in (tmp_path / "out" / "ok").iterdir()) == ["a", "c"]
        assert (tmp_path / "out" / "errors" / "b").read_bytes() == OUTPUTS[1]
        assert report.step("By status").outputs == 3
    else:
        assert report.execution.status == ExecutionStatus.ERROR
        assert report.run.stopped_by is StopReason.APPLICATION_ERRORS
        assert "Return Application Error Responses is off" in report.execution.message
        assert [s.name for s in report.steps] == ["Start", "Fetch"], "stopped after the step"
        assert not (tmp_path / "out").exists()
    assert report.execution.application_errors == 1
    assert report.execution.documents == 6  # three from the start step, three from Fetch
