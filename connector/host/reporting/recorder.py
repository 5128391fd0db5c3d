"""Writing one execution into process reporting, in small committed units.

The runner calls the recorder as documents are answered. Every answer is committed before the
connector's next answer is taken. Outputs still waiting for their input's answer (a query's
records, page after page) are committed in bounded units: every ``commit_every`` documents, and
by a flusher thread once the open transaction is ``commit_after`` seconds old, so the write lock
is never held while the connector waits for its next page. A step that archives its documents
commits each one before its archive file is written, so the archive never holds a document
that process reporting lacks. A run killed at any moment leaves the
documents it had answered, and the outputs it had streamed up to a fraction of a second before,
which the next start marks INCOMPLETE. Everything written is scrubbed of connection secrets.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

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

log = logging.getLogger("connector.host")


#: Waiting outputs committed together at most (a page of a query is typically 100 records).
COMMIT_EVERY: Final = 100
#: Seconds an open transaction may wait for more outputs before the flusher commits it.
COMMIT_AFTER: Final = 0.1


def new_execution_id() -> str:
    """``exec-20240501-083000-3f2a9c``: sortable by start time, unique by its random tail."""
    return f"exec-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class ExecutionRecorder:
    """Records one execution: its steps, and per step its tracked documents and fields."""

    def __init__(
        self,
        database: Path,
        scrubber: Scrubber,
        *,
        commit_every: int = COMMIT_EVERY,
        commit_after: float = COMMIT_AFTER,
    ) -> None:
        self.database = database
        self.scrubber = scrubber
        self.db: sqlite3.Connection = connect(database, create=True)
        self.execution_id = ""
        self.commit_every = commit_every
        self.commit_after = commit_after
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._run_lock: RunLock | None = None
        self._opened_at: float | None = None  # monotonic time the open transaction began
        self._pending = 0  # documents written in the open transaction
        self._flusher: threading.Thread | None = None
        self._closed = False
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
        with self._lock:
            self._closed = True
            self._changed.notify_all()
        if self._flusher is not None:
            self._flusher.join()
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
        it waits for :meth:`answer_outputs` (committed meanwhile with others waiting, every
        ``commit_every`` or after ``commit_after``). Returns its execution-wide index, from 1."""
        clean = self.scrubber.data(data) if data is not None else None
        moment = now()
        with self._lock:
            self._begin()
            index = self._next_index
            self._next_index += 1
            self.db.execute(
                "INSERT INTO documents (execution_id, idx, step_seq, batch, batch_index,"
                " direction, status, status_code, message, data, size, properties, started_at,"
                " answered_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    moment if answer else None,
                    moment,
                ),
            )
            self.db.executemany(
                "INSERT INTO tracked_fields (execution_id, idx, name, value) VALUES (?, ?, ?, ?)",
                [
                    (self.execution_id, index, name, self.scrubber.text(value))
                    for name, value in fields.items()
                ],
            )
            self._pending += 1
            if answer is not None or self._pending >= self.commit_every:
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
        if self._opened_at is None:
            self.db.execute("BEGIN IMMEDIATE")
            self._opened_at = time.monotonic()
            self._pending = 0
            if self._flusher is None:
                self._flusher = threading.Thread(
                    target=self._flush, name="reporting-flusher", daemon=True
                )
                self._flusher.start()
            self._changed.notify_all()

    def commit(self) -> None:
        with self._lock:
            if self._opened_at is not None:
                self.db.execute("COMMIT")
                self._opened_at = None
                self._pending = 0

    def _flush(self) -> None:
        """Commit a transaction left open ``commit_after`` seconds (the connector is busy
        fetching, say), so neither the write lock nor the outputs wait on it."""
        with self._changed:
            while not self._closed:
                if self._opened_at is None:
                    self._changed.wait()
                    continue
                due = self._opened_at + self.commit_after - time.monotonic()
                if due > 0:
                    self._changed.wait(due)
                    continue
                try:
                    self.commit()
                except sqlite3.Error as exc:  # the next write on the run's thread reports it
                    log.warning("process reporting: commit failed: %s", exc)
                    return
