"""The process reporting database: SQLite in WAL mode, and the repair of runs that were killed.

WAL lets ``atomsphere executions`` read while a process runs, and with ``synchronous=NORMAL`` a
commit is an append to the log, not an fsync, which is what makes committing every answered
document affordable (``benchmarks/host_reporting_commits.py`` measures it). A killed run cannot
mark its own execution, so every run holds an exclusive lock on a file named after its
execution; whoever opens the database next and can take that lock knows the run is gone and
marks the execution INCOMPLETE. Documents it had answered were committed one by one and stay.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from connector.errors import ConfigError

SCHEMA_VERSION: Final = 1
ENV_VAR: Final = "ATOMSPHERE_REPORTING_DB"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
    id TEXT PRIMARY KEY,
    process TEXT NOT NULL,
    process_file TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    properties TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS executions_by_process ON executions (process, started_at);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
CREATE TABLE IF NOT EXISTS steps (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    kind TEXT NOT NULL,
    operation TEXT NOT NULL DEFAULT '',
    connector TEXT NOT NULL DEFAULT '',
    tracking TEXT NOT NULL DEFAULT '',
    inputs INTEGER NOT NULL DEFAULT 0,
    outputs INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    PRIMARY KEY (execution_id, seq)
);
CREATE TABLE IF NOT EXISTS documents (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    step_seq INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    batch_index INTEGER NOT NULL,
    direction TEXT NOT NULL,
    status TEXT,
    status_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    data BLOB,
    size INTEGER NOT NULL DEFAULT 0,
    properties TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    answered_at TEXT,
    PRIMARY KEY (execution_id, idx)
);
CREATE INDEX IF NOT EXISTS documents_by_input
    ON documents (execution_id, step_seq, batch, batch_index);
CREATE TABLE IF NOT EXISTS tracked_fields (
    execution_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (execution_id, idx, name),
    FOREIGN KEY (execution_id, idx) REFERENCES documents (execution_id, idx) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tracked_fields_by_value ON tracked_fields (name, value);
"""


class ExecutionStatus(StrEnum):
    """An execution's status, in Boomi's words where Boomi has one."""

    INPROCESS = "INPROCESS"
    COMPLETE = "COMPLETE"
    ERROR = "ERROR"
    ABORTED = "ABORTED"
    INCOMPLETE = "INCOMPLETE"


#: Status of a tracked document whose input was never answered because the run was killed.
UNANSWERED: Final = "INCOMPLETE"


def now() -> str:
    """The current UTC time as stored: ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def default_database_path(env: dict[str, str] | None = None) -> Path:
    """``$ATOMSPHERE_REPORTING_DB``, else ``$XDG_STATE_HOME/atomsphere-connector/reporting.db``
    (``~/.local/state/…`` when XDG_STATE_HOME is unset)."""
    source = os.environ if env is None else env
    if source.get(ENV_VAR):
        return Path(source[ENV_VAR]).expanduser()
    state = source.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state).expanduser() / "atomsphere-connector" / "reporting.db"


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open (or, with ``create``, create) the database and repair executions of dead runs."""
    if not create and not path.is_file():
        raise ConfigError(
            f"no process reporting database at {path} (run a process first, or pass --db)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        _ensure_schema(db, path)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: not a usable process reporting database ({exc})") from None
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot open the process reporting database ({exc.strerror})"
        ) from None
    recover(db, path)
    return db


def _ensure_schema(db: sqlite3.Connection, path: Path) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise ConfigError(
                f"{path}: reporting schema version {row[0]}; this version of "
                f"atomsphere reads version {SCHEMA_VERSION}"
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# -- run locks and recovery -----------------------------------------------------------------


def lock_folder(path: Path) -> Path:
    return path.with_name(path.name + ".runs")


class RunLock:
    """An exclusive lock that lives exactly as long as the run holding it (the kernel drops it
    when the process dies, however it dies)."""

    def __init__(self, database: Path, execution_id: str) -> None:
        folder = lock_folder(database)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{execution_id}.lock"
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise

    def release(self) -> None:
        if self._fd is None:
            return
        with suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None


def _run_is_alive(database: Path, execution_id: str) -> bool:
    """False only when the run's lock can be taken: its process is gone. A lock that cannot be
    checked (a read-only folder) counts as alive, so nothing is marked on a guess."""
    try:
        probe = RunLock(database, execution_id)
    except OSError:
        return True
    probe.release()
    return False


def recover(db: sqlite3.Connection, database: Path) -> list[str]:
    """Mark INCOMPLETE every INPROCESS execution whose run is gone; returns their ids."""
    running = [
        row[0]
        for row in db.execute(
            "SELECT id FROM executions WHERE status = ?", (ExecutionStatus.INPROCESS.value,)
        )
    ]
    repaired = []
    for execution_id in running:
        if _run_is_alive(database, execution_id):
            continue
        db.execute("BEGIN IMMEDIATE")
        ended = db.execute(
            "SELECT MAX(t) FROM (SELECT MAX(answered_at) AS t FROM documents WHERE execution_id = ?"
            " UNION ALL SELECT MAX(COALESCE(ended_at, started_at)) FROM steps"
            " WHERE execution_id = ?)",
            (execution_id, execution_id),
        ).fetchone()[0]
        changed = db.execute(
            "UPDATE executions SET status = ?, message = ?, ended_at = COALESCE(?, started_at)"
            " WHERE id = ? AND status = ?",
            (
                ExecutionStatus.INCOMPLETE.value,
                "the run ended before it finished (killed or crashed); documents answered "
                "before that are recorded",
                ended,
                execution_id,
                ExecutionStatus.INPROCESS.value,
            ),
        ).rowcount
        if changed:
            db.execute(
                "UPDATE documents SET status = ? WHERE execution_id = ? AND status IS NULL",
                (UNANSWERED, execution_id),
            )
            repaired.append(execution_id)
        db.execute("COMMIT")
    return repaired
