"""Dynamic operation properties in a process: set on start documents and by set_properties
steps, they travel with each document until the next connector step reads and consumes them."""

from __future__ import annotations

from pathlib import Path

from connector.host import ExecutionStatus
from tests.host.conftest import Runner, write

PROCESS = """
kind: Process
version: 1
name: dynamic
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake", token: t0ken}}
start:
  documents:
    - {data: "<in n='0'/>", properties: {thingId: a, wanted: a-1}}
    - data: "<in n='1'/>"
      properties: {thingId: b}
      dynamic_operation_properties: {id: from-start, timeout_seconds: 5}
    - {data: "<in n='2'/>", properties: {thingId: c, wanted: c-1, outcome: REFUSED}}
steps:
  - name: Choose
    set_properties: {}
    dynamic_operation_properties:
      id: {from: document_property, name: wanted}
  - name: Note
    set_properties: {note: {from: static, value: kept}}
  - {name: Keep, write: {folder: out}}
  - {name: First, operation: first.yaml}
  - name: Again
    set_properties: {outcome: {from: static, value: SUCCESS}}
  - {name: Second, operation: second.yaml}
"""


def test_set_dynamic_operation_properties_reach_the_next_connector_step_only(
    tmp_path: Path, run: Runner
) -> None:
    for name in ("first", "second"):
        operation = f"kind: FakeOperation\nname: {name}\nreturn_application_errors: true\n"
        write(tmp_path, f"{name}.yaml", operation)
    write(tmp_path, "process.yaml", PROCESS)
    report = run()
    assert report.execution.status == ExecutionStatus.COMPLETE
    first = {d.properties["thingId"]: d for d in report.documents_of("First")}
    assert {k: (d.status, d.properties.get("dynamic.first")) for k, d in first.items()} == {
        "a": ("SUCCESS", "id=a-1"),
        "b": ("SUCCESS", "id=from-start,timeout_seconds=5"),
        "c": ("APPLICATION_ERROR", None),
    }, "set by a step (through a write and another set_properties), or from the start"
    assert all(d.properties["note"] == "kept" for d in first.values() if d.has_data)
    second = report.documents_of("Second")
    assert sorted(d.properties["thingId"] for d in second) == ["a", "b", "c"]
    assert [d.properties.get("dynamic.second") for d in second] == [None, None, None], (
        "the first connector step consumed them, the error carried on by its input included"
    )
