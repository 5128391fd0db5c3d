"""Process reporting commits in small units, and readers never take the write lock: a reader
gets in at once while a run streams a query's outputs, and sees them within a fraction of a
second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.contract import TrackingDirection
from connector.documents import Result, Status
from connector.host.reporting import ExecutionStatus, connect, execution_documents
from connector.host.reporting.recorder import ExecutionRecorder
from connector.scrub import Scrubber


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "reporting.db"


@pytest.fixture
def recorders(database: Path) -> Iterator[list[ExecutionRecorder]]:
    opened: list[ExecutionRecorder] = []
    yield opened
    for recorder in opened:
        recorder.finish(ExecutionStatus.COMPLETE)
        recorder.close()


def _query(
    recorders: list[ExecutionRecorder], database: Path, commit_every: int, commit_after: float
) -> tuple[ExecutionRecorder, int]:
    """A running execution and its Query step (output tracking)."""
    recorder = ExecutionRecorder(
        database, Scrubber(()), commit_every=commit_every, commit_after=commit_after
    )
    recorders.append(recorder)
    recorder.begin("p", database.with_name("p.yaml"), {})
    step = recorder.begin_step("operation", "Query", "steps[0]", tracking=TrackingDirection.OUTPUT)
    return recorder, step


def _stream(recorder: ExecutionRecorder, step: int, count: int) -> None:
    """``count`` outputs of one query input, none answered yet."""
    for n in range(count):
        recorder.track(step, 0, 0, TrackingDirection.OUTPUT, b"<r/>", {}, {"n": str(n)}, "t")


def _visible(database: Path, execution_id: str) -> int:
    began = time.monotonic()
    db = connect(database, create=False)
    try:
        count = len(execution_documents(db, execution_id))
    finally:
        db.close()
    assert time.monotonic() - began < 2, "the reader waited for the run"
    return count


def test_waiting_outputs_are_committed_every_commit_every(
    database: Path, recorders: list[ExecutionRecorder]
) -> None:
    recorder, step = _query(recorders, database, commit_every=3, commit_after=3600)
    _stream(recorder, step, 4)
    assert _visible(database, recorder.execution_id) == 3, "the fourth waits in its transaction"
    assert recorder.answer_outputs(step, 0, 0, Result(0, Status.SUCCESS)) == 4
    assert _visible(database, recorder.execution_id) == 4


def test_a_transaction_left_open_is_committed_after_commit_after(
    database: Path, recorders: list[ExecutionRecorder]
) -> None:
    recorder, step = _query(recorders, database, commit_every=1000, commit_after=0.05)
    _stream(recorder, step, 2)  # and the connector goes off to fetch its next page
    deadline = time.monotonic() + 10
    while _visible(database, recorder.execution_id) < 2:
        assert time.monotonic() < deadline, "the flusher never committed"
        time.sleep(0.02)
    # The write lock is free again: another run can record at the same time.
    _, first_step = _query(recorders, database, commit_every=100, commit_after=0.1)
    assert first_step == 1


def test_a_reader_never_waits_for_an_open_write_transaction(
    database: Path, recorders: list[ExecutionRecorder]
) -> None:
    recorder, step = _query(recorders, database, commit_every=1000, commit_after=3600)
    _stream(recorder, step, 1)  # holds the write lock until committed
    assert _visible(database, recorder.execution_id) == 0
