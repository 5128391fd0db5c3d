"""Writing one execution into process reporting, a committed answer at a time.

The runner calls the recorder as documents are answered. Every answered document is committed
before the connector's next answer is taken, so a run killed at any moment leaves exactly the
documents it had answered (plus, under output tracking, outputs of an unanswered query that the
next start marks INCOMPLETE). Everything written is scrubbed of connection secrets first.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from connector.contract import TrackingDirection
from connector.documents import Result
from connector.host.reporting.database import (
    UNANSWERED,
    ExecutionStatus,
    RunLock,
    connect,
    now,
)
from connector.scrub import Scrubber


def new_execution_id() -> str:
    """``exec-20240501-083000-3f2a9c``: sortable by start time, unique by its random tail."""
    return f"exec-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class ExecutionRecorder:
    """Records one execution: its steps, and per step its tracked documents and fields."""

    def __init__(self, database: Path, scrubber: Scrubber) -> None:
        self.database = database
        self.scrubber = scrubber
        self.db: sqlite3.Connection = connect(database, create=True)
        self.execution_id = ""
        self._lock = threading.RLock()
        self._run_lock: RunLock | None = None
        self._in_transaction = False
        self._next_index = 1
        self._next_step = 1

    # -- the execution --------------------------------------------------------------------

    def begin(self, process: str, process_file: Path, properties: Mapping[str, str | None]) -> str:
        """Create the execution row (INPROCESS), holding the run lock before it exists."""
        self.execution_id = new_execution_id()
        self._run_lock = RunLock(self.database, self.execution_id)
        clean = {k: None if v is None else self.scrubber.text(v) for k, v in properties.items()}
        with self._lock:
            self.db.execute(
                "INSERT INTO executions (id, process, process_file, status, started_at, properties)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    self.execution_id,
                    process,
                    str(process_file),
                    ExecutionStatus.INPROCESS.value,
                    now(),
                    json.dumps(clean, sort_keys=True),
                ),
            )
        return self.execution_id

    def finish(self, status: ExecutionStatus, message: str = "") -> None:
        """Record the final status, then let go of the run lock (in that order, so nobody can
        mistake a finished run for a killed one)."""
        with self._lock:
            self.commit()
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "UPDATE documents SET status = ? WHERE execution_id = ? AND status IS NULL",
                (UNANSWERED, self.execution_id),
            )
            self.db.execute(
                "UPDATE executions SET status = ?, message = ?, ended_at = ? WHERE id = ?",
                (status.value, self.scrubber.text(message), now(), self.execution_id),
            )
            self.db.execute("COMMIT")
        if self._run_lock is not None:
            self._run_lock.release()
            self._run_lock = None

    def close(self) -> None:
        self.db.close()

    # -- steps ----------------------------------------------------------------------------

    def begin_step(
        self,
        kind: str,
        name: str,
        location: str,
        *,
        operation: str = "",
        connector: str = "",
        tracking: TrackingDirection | None = None,
    ) -> int:
        with self._lock:
            self.commit()
            seq = self._next_step
            self._next_step += 1
            self.db.execute(
                "INSERT INTO steps (execution_id, seq, name, location, kind, operation, connector,"
                " tracking, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.execution_id,
                    seq,
                    name,
                    location,
                    kind,
                    operation,
                    connector,
                    tracking.value if tracking else "",
                    now(),
                ),
            )
            return seq

    def end_step(self, seq: int, inputs: int, outputs: int) -> None:
        with self._lock:
            self.commit()
            self.db.execute(
                "UPDATE steps SET inputs = ?, outputs = ?, ended_at = ?"
                " WHERE execution_id = ? AND seq = ?",
                (inputs, outputs, now(), self.execution_id, seq),
            )

    # -- documents ------------------------------------------------------------------------

    def track(
        self,
        step: int,
        batch: int,
        batch_index: int,
        direction: TrackingDirection,
        data: bytes | None,
        properties: Mapping[str, str],
        fields: Mapping[str, str],
        started_at: str,
        answer: Result | None = None,
    ) -> int:
        """Add a tracked document; with ``answer`` it is complete and committed, without it
        it waits (uncommitted) for :meth:`answer_outputs`. Returns its execution-wide index."""
        clean = self.scrubber.data(data) if data is not None else None
        with self._lock:
            self._begin()
            index = self._next_index
            self._next_index += 1
            self.db.execute(
                "INSERT INTO documents (execution_id, idx, step_seq, batch, batch_index,"
                " direction, status, status_code, message, data, size, properties, started_at,"
                " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.execution_id,
                    index,
                    step,
                    batch,
                    batch_index,
                    direction.value,
                    answer.status.value if answer else None,
                    self.scrubber.text(answer.status_code) if answer else "",
                    self.scrubber.text(answer.message) if answer else "",
                    clean,
                    len(clean) if clean is not None else 0,
                    json.dumps(self.scrubber.mapping(properties), sort_keys=True),
                    started_at,
                    now() if answer else None,
                ),
            )
            self.db.executemany(
                "INSERT INTO tracked_fields (execution_id, idx, name, value) VALUES (?, ?, ?, ?)",
                [
                    (self.execution_id, index, name, self.scrubber.text(value))
                    for name, value in fields.items()
                ],
            )
            if answer is not None:
                self.commit()
            return index

    def answer_outputs(self, step: int, batch: int, batch_index: int, result: Result) -> int:
        """Give the waiting outputs of one input their answer and commit; returns how many."""
        with self._lock:
            self._begin()
            count = self.db.execute(
                "UPDATE documents SET status = ?, status_code = ?, message = ?, answered_at = ?"
                " WHERE execution_id = ? AND step_seq = ? AND batch = ? AND batch_index = ?"
                " AND status IS NULL",
                (
                    result.status.value,
                    self.scrubber.text(result.status_code),
                    self.scrubber.text(result.message),
                    now(),
                    self.execution_id,
                    step,
                    batch,
                    batch_index,
                ),
            ).rowcount
            self.commit()
            return count

    # -- transactions ---------------------------------------------------------------------

    def _begin(self) -> None:
        if not self._in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self._in_transaction = True

    def commit(self) -> None:
        with self._lock:
            if self._in_transaction:
                self.db.execute("COMMIT")
                self._in_transaction = False
