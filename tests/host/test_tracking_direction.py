"""Which document a step tracks: the operation's direction, a step's override when the operation
allows it, and always the outputs of a start step."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.errors import ConfigError
from tests.host.conftest import Runner, write

HEAD = """
kind: Process
version: 1
name: directions
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake"}}
"""


def _operation(tmp_path: Path, name: str, action: str, tracking: str = "") -> None:
    write(
        tmp_path,
        f"{name}.yaml",
        f"kind: FakeOperation\nname: {name}\naction: {action}\n"
        + (f"tracking: {tracking}\n" if tracking else ""),
    )


def test_inbound_actions_track_outputs_and_outbound_actions_track_inputs(
    tmp_path: Path, run: Runner
) -> None:
    _operation(tmp_path, "get", "GET")
    _operation(tmp_path, "create", "CREATE")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents: [{data: "<in/>", properties: {thingId: x}}]
steps:
  - {name: Get, operation: get.yaml}
  - {name: Create, operation: create.yaml}
""",
    )
    report = run()
    (got,) = report.documents_of("Get")
    (created,) = report.documents_of("Create")
    assert (got.direction, got.size) == (
        "output",
        len(b'<thing id="x" n="0" by="get" start="no"/>'),
    )
    assert (created.direction, created.size) == ("input", got.size), "Create tracks what Get made"


@pytest.mark.parametrize("locked", [False, True])
def test_an_unlocked_direction_may_be_overridden_and_a_locked_one_may_not(
    tmp_path: Path, run: Runner, locked: bool
) -> None:
    _operation(tmp_path, "get", "GET", f"{{direction: output, locked: {str(locked).lower()}}}")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents: [{data: "<in/>"}]
steps:
  - {name: Get, operation: get.yaml, tracking: input}
""",
    )
    if locked:
        with pytest.raises(ConfigError, match="locks its tracking direction to output"):
            run()
        return
    (got,) = run().documents_of("Get")
    assert (got.direction, got.size) == ("input", len(b"<in/>"))


def test_a_locked_direction_restated_by_a_step_is_accepted(tmp_path: Path, run: Runner) -> None:
    _operation(tmp_path, "get", "GET", "{direction: output, locked: true}")
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents: [{data: "<in/>"}]
steps:
  - {name: Get, operation: get.yaml, tracking: output}
""",
    )
    assert [d.direction for d in run().documents_of("Get")] == ["output"]


@pytest.mark.parametrize("tracking", ["{direction: input}", "{direction: input, locked: true}"])
def test_a_start_step_tracks_its_outputs_whatever_the_operation_says(
    tmp_path: Path, run: Runner, tracking: str
) -> None:
    _operation(tmp_path, "create", "CREATE", tracking)
    write(tmp_path, "process.yaml", HEAD + "start: {name: Begin, operation: create.yaml}\n")
    report = run()
    (started,) = report.documents_of("Begin")
    assert started.direction == "output"
    assert report.step("Begin").kind == "start"
    data = report.db.execute(
        "SELECT data FROM documents WHERE execution_id = ? AND idx = ?",
        (report.execution.id, started.index),
    ).fetchone()[0]
    assert data == b'<thing id="0" n="0" by="create" start="yes"/>', "is_start_step was set"


def test_a_no_data_start_feeds_one_empty_document_and_tracks_nothing(
    tmp_path: Path, run: Runner
) -> None:
    _operation(tmp_path, "get", "GET")
    write(
        tmp_path,
        "process.yaml",
        HEAD + "start: no_data\nsteps:\n  - {name: Get, operation: get.yaml, tracking: input}\n",
    )
    report = run()
    assert report.documents_of("Start") == []
    (got,) = report.documents_of("Get")
    assert (got.direction, got.size, got.status) == ("input", 0, "SUCCESS")
