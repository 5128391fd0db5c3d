"""A run killed midway (SIGKILL, a real subprocess) leaves a consistent database: the next start
marks the execution INCOMPLETE, and every document answered before the kill is there."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connector.contract import TrackingDirection
from connector.host.reporting import (
    ExecutionStatus,
    connect,
    execution_documents,
    list_executions,
)
from connector.host.reporting.recorder import ExecutionRecorder
from connector.scrub import Scrubber
from tests.conftest import ROOT
from tests.host.conftest import write

PROCESS = """
kind: Process
version: 1
name: killable
properties:
  gate: null
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake"}}
start:
  documents:
    - {data: "<in n='0'/>", properties: {thingId: a}}
    - {data: "<in n='1'/>", properties: {thingId: b, outcome: APPLICATION_ERROR}}
    - {data: "<in n='2'/>", properties: {thingId: c, block: "yes"}}
    - {data: "<in n='3'/>", properties: {thingId: d}}
steps:
  - name: Fetch
    operation: fetch.yaml
    tracking: DIRECTION
"""

OPERATION = """
kind: FakeOperation
name: fetch
action: GET
return_application_errors: true
tracked_fields:
  thing: {from: document_property, name: thingId}
"""


def _environment(tmp_path: Path) -> dict[str, str]:
    """The fake connector installed through a real entry point, as a user would install it."""
    site = tmp_path / "site"
    dist = site / "fake_host_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-host-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[atomsphere_connector]\nfake = tests.host.fake_connector\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    return env


def _run(
    tmp_path: Path, env: dict[str, str], gate: Path, process: str = "process.yaml"
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connector",
            "process",
            "run",
            str(tmp_path / process),
            "--db",
            str(tmp_path / "reporting.db"),
            "--property",
            f"gate={gate}",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(path: Path, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        if child.poll() is not None:
            out, err = child.communicate()
            pytest.fail(f"the run ended before reaching the gate: {out!r} {err!r}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail("the run never reached the gate")
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("direction", ["input", "output"])
def test_a_killed_run_is_marked_incomplete_and_keeps_its_answered_documents(
    tmp_path: Path, direction: str
) -> None:
    write(tmp_path, "process.yaml", PROCESS.replace("DIRECTION", direction))
    write(tmp_path, "fetch.yaml", OPERATION)
    env = _environment(tmp_path)
    gate = tmp_path / "gate"

    child = _run(tmp_path, env, gate)
    _wait_for(gate.with_name("gate.ready"), child)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL

    raw = sqlite3.connect(tmp_path / "reporting.db")
    try:
        (status,) = raw.execute("SELECT status FROM executions").fetchone()
        assert status == "INPROCESS", "nobody has looked at the database since the kill"
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        raw.close()

    gate.with_name("gate.go").touch()
    again = _run(tmp_path, env, gate)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()

    db = connect(tmp_path / "reporting.db", create=False)
    try:
        second, first = list_executions(db, process="killable")
        assert second.status == ExecutionStatus.COMPLETE
        assert first.status == ExecutionStatus.INCOMPLETE
        assert "killed" in first.message
        assert first.ended_at is not None
        fetched = [d for d in execution_documents(db, first.id) if d.step_name == "Fetch"]
        assert [(d.fields["thing"], d.status) for d in fetched] == [
            ("a", "SUCCESS"),
            ("b", "APPLICATION_ERROR"),
        ]
        assert all(d.direction == direction for d in fetched)
        started = [d for d in execution_documents(db, first.id) if d.step_name == "Start"]
        assert len(started) == 4
        complete = [d for d in execution_documents(db, second.id) if d.step_name == "Fetch"]
        assert [d.fields["thing"] for d in complete] == ["a", "b", "c", "d"]
    finally:
        db.close()


def test_a_running_execution_is_left_alone_and_a_dead_one_is_marked(tmp_path: Path) -> None:
    database = tmp_path / "reporting.db"
    running = ExecutionRecorder(database, Scrubber(()))
    dead = ExecutionRecorder(database, Scrubber(()))
    try:
        alive_id = running.begin("p", tmp_path / "p.yaml", {})
        dead_id = dead.begin("p", tmp_path / "p.yaml", {})
        step = dead.begin_step("operation", "Fetch", "steps[0]")
        dead.track(step, 0, 0, TrackingDirection.OUTPUT, b"<half/>", {}, {}, "2024-01-01")
        dead.commit()
        assert dead._run_lock is not None
        dead._run_lock.release()  # what the kernel does when the process dies

        db = connect(database, create=False)
        try:
            statuses = {e.id: e.status for e in list_executions(db)}
            assert statuses == {alive_id: "INPROCESS", dead_id: "INCOMPLETE"}
            (half,) = execution_documents(db, dead_id)
            assert half.status == "INCOMPLETE", "an output whose input was never answered"
        finally:
            db.close()
        running.finish(ExecutionStatus.COMPLETE)
    finally:
        running.close()
        dead.close()


QUERY_PROCESS = """
kind: Process
version: 1
name: long-query
properties:
  gate: null
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake"}}
start:
  documents:
    - {data: "<query/>", properties: {thingId: q, block_before_output: "5"}}
steps:
  - {name: Query, operation: query.yaml}
"""

QUERY = """
kind: FakeOperation
name: query
action: QUERY
tracked_fields:
  thing: {from: document_property, name: thingId}
behaviour: {fanout: 8}
"""


def _raw_statuses(database: Path) -> list[tuple[str, str | None]]:
    raw = sqlite3.connect(database)
    try:
        return raw.execute(
            "SELECT e.status, d.status FROM executions e JOIN documents d ON d.execution_id = e.id"
            " JOIN steps s ON s.execution_id = d.execution_id AND s.seq = d.step_seq"
            " WHERE s.name = 'Query' ORDER BY e.started_at, d.idx"
        ).fetchall()
    finally:
        raw.close()


@pytest.mark.slow
def test_a_run_killed_between_query_pages_keeps_the_streamed_outputs(tmp_path: Path) -> None:
    write(tmp_path, "query-process.yaml", QUERY_PROCESS)
    write(tmp_path, "query.yaml", QUERY)
    env = _environment(tmp_path)
    gate = tmp_path / "gate"
    database = tmp_path / "reporting.db"

    child = _run(tmp_path, env, gate, "query-process.yaml")
    _wait_for(gate.with_name("gate.ready"), child)
    # The query waits for its next page: a reader gets in at once, and sees the first five.
    deadline = time.monotonic() + 30
    while True:
        began = time.monotonic()
        db = connect(database, create=False)
        try:
            (running,) = list_executions(db)
            streamed = execution_documents(db, running.id)[1:]
        finally:
            db.close()
        assert time.monotonic() - began < 5, "the reader waited for the run's write lock"
        if len(streamed) == 5 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert running.status == ExecutionStatus.INPROCESS
    assert [(d.fields["thing"], d.status) for d in streamed] == [
        ("q", None),
        ("q.1", None),
        ("q.2", None),
        ("q.3", None),
        ("q.4", None),
    ]
    child.send_signal(signal.SIGKILL)
    child.communicate()

    # Read before anything repairs it: shown INCOMPLETE, written by nobody.
    db = connect(database, create=False)
    try:
        (dead,) = list_executions(db, statuses=["INCOMPLETE"])
        assert "killed" in dead.message
        assert dead.ended_at is not None
        assert list_executions(db, statuses=["INPROCESS"]) == []
        shown = [d.status for d in execution_documents(db, dead.id)[1:]]
        assert shown == ["INCOMPLETE"] * 5
    finally:
        db.close()
    assert _raw_statuses(database) == [("INPROCESS", None)] * 5

    gate.with_name("gate.go").touch()
    again = _run(tmp_path, env, gate, "query-process.yaml")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert (
        _raw_statuses(database)
        == [("INCOMPLETE", "INCOMPLETE")] * 5 + [("COMPLETE", "SUCCESS")] * 8
    )


@pytest.mark.slow
def test_sigterm_stops_a_run_like_ctrl_c(tmp_path: Path) -> None:
    """``kill PID`` (a service manager stopping the job): ABORTED, the temporary spool files
    (raw documents) removed, the run lock released, exit 143 with one line."""
    write(tmp_path, "process.yaml", PROCESS.replace("DIRECTION", "output"))
    write(tmp_path, "fetch.yaml", OPERATION)
    env = _environment(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env["TMPDIR"] = str(temp)
    gate = tmp_path / "gate"

    child = _run(tmp_path, env, gate)
    _wait_for(gate.with_name("gate.ready"), child)
    assert [p.name for p in temp.iterdir() if p.name.startswith("atomsphere-run-")]
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143
    assert err.decode().splitlines() == ["error: terminated (SIGTERM)"]
    assert list(temp.iterdir()) == [], "the run's temporary folder is gone"
    assert list((tmp_path / "reporting.db.runs").iterdir()) == [], "the run lock is released"

    db = connect(tmp_path / "reporting.db", create=False)
    try:
        (execution,) = list_executions(db)
        assert (execution.status, execution.message) == (
            ExecutionStatus.ABORTED,
            "terminated (SIGTERM)",
        )
        fetched = [d for d in execution_documents(db, execution.id) if d.step_name == "Fetch"]
        assert [(d.fields["thing"], d.status) for d in fetched] == [
            ("a", "SUCCESS"),
            ("b", "APPLICATION_ERROR"),
        ]
    finally:
        db.close()


def _a_run_killed_while_streaming(database: Path, outputs: int) -> str:
    """An execution whose start step's query streamed ``outputs`` records, then died."""
    dead = ExecutionRecorder(database, Scrubber(()))
    try:
        dead_id = dead.begin("p", database.with_name("p.yaml"), {})
        step = dead.begin_step("start", "Query", "start")
        for _ in range(outputs):  # each waiting for the query's answer
            dead.track(step, 0, 0, TrackingDirection.OUTPUT, b"<r/>", {}, {}, "2024-01-01")
        dead.commit()
        assert dead._run_lock is not None
        dead._run_lock.release()  # what the kernel does when the process dies
    finally:
        dead.close()
    return dead_id


def test_a_dead_run_ends_when_it_last_recorded_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start step's query killed while streaming: the execution ends when the last streamed
    record was written, not when it started, for readers and for the run that marks it."""
    clock = iter(f"2024-05-01T08:00:{s:02d}.000+00:00" for s in range(60))
    monkeypatch.setattr("connector.host.reporting.recorder.now", lambda: next(clock))
    database = tmp_path / "reporting.db"
    # Begun at 08:00:00, its step at 08:00:01, three outputs at 08:00:02 to 08:00:04.
    dead_id = _a_run_killed_while_streaming(database, outputs=3)

    db = connect(database, create=False)
    try:
        (shown,) = list_executions(db)
        assert (shown.status, shown.ended_at) == ("INCOMPLETE", "2024-05-01T08:00:04.000+00:00")
    finally:
        db.close()
    connect(database, create=True).close()  # what the next run does first
    raw = sqlite3.connect(database)
    try:
        row = raw.execute("SELECT status, ended_at FROM executions WHERE id = ?", (dead_id,))
        assert row.fetchone() == ("INCOMPLETE", "2024-05-01T08:00:04.000+00:00")
    finally:
        raw.close()


def test_a_version_1_database_is_read_as_it_is_and_upgraded_by_a_run(tmp_path: Path) -> None:
    database = tmp_path / "reporting.db"
    _a_run_killed_while_streaming(database, outputs=1)
    raw = sqlite3.connect(database)
    raw.execute("ALTER TABLE documents DROP COLUMN recorded_at")
    raw.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    raw.commit()
    raw.close()

    db = connect(database, create=False)
    try:
        (shown,) = list_executions(db)
        assert shown.status == "INCOMPLETE" and shown.ended_at is not None
    finally:
        db.close()
    connect(database, create=True).close()
    raw = sqlite3.connect(database)
    try:
        assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            "2",
        )
        columns = [row[1] for row in raw.execute("PRAGMA table_info(documents)")]
        assert "recorded_at" in columns
        assert raw.execute("SELECT status FROM executions").fetchone() == ("INCOMPLETE",)
    finally:
        raw.close()
