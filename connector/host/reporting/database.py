"""The process reporting database: SQLite in WAL mode, and the repair of runs that were killed.

WAL lets ``atomsphere executions`` read while a process runs, and with ``synchronous=NORMAL`` a
commit is an append to the log, not an fsync, which is what makes committing every answered
document affordable (``benchmarks/host_reporting_commits.py`` measures it). The commands that only
read open the file read-only: they never wait for a run's write lock, never create anything, and
refuse a file that is not a reporting database.

A killed run cannot mark its own execution, so every run holds an exclusive lock on a file named
after its execution; whoever opens the database next and can take that lock knows the run is
gone. The next run marks such an execution INCOMPLETE, ended at the last thing it recorded (each
document row says when it was written); a reader shows it so without writing. Documents it had
answered (and outputs already streamed) were committed and stay.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from connector.errors import ConfigError

SCHEMA_VERSION: Final = 2
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
    recorded_at TEXT,
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


#: What brings a database of an older schema version to the next one (a run does it; readers
#: read version 1 as it is). Version 2 records when each document row was written.
_UPGRADES: Final = {1: ("ALTER TABLE documents ADD COLUMN recorded_at TEXT",)}


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
    """The reporting database at ``path``, for a run (``create``) or for reading.

    A run creates the file when missing and marks the executions of dead runs INCOMPLETE. A
    reader opens it read-only (no write lock, so it never waits for a run), and sees dead runs
    as INCOMPLETE without writing; either refuses a file that is not a reporting database.
    """
    if not create and not path.is_file():
        raise ConfigError(
            f"no process reporting database at {path} (run a process first, or pass --db)"
        )
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        else:
            # mode=ro: SQLite itself refuses every write, and takes no write lock.
            uri = path.resolve().as_uri() + "?mode=ro"
            db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise _unusable(path, exc) from None
    try:
        _prepare(db, path, create=create)
    except (sqlite3.DatabaseError, OSError) as exc:
        db.close()
        raise _unusable(path, exc) from None
    except BaseException:
        db.close()
        raise
    return db


def _create_private(path: Path) -> None:
    """Create a missing database file readable by its owner only (0600), like the archive: it
    holds the same documents. SQLite gives its -wal and -shm files the database file's mode."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _prepare(db: sqlite3.Connection, path: Path, *, create: bool) -> None:
    db.row_factory = sqlite3.Row
    if create:
        _check_schema(db, path, empty_ok=True)  # before WAL changes a file that is not ours
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        _ensure_schema(db, path)
    else:
        _check_schema(db, path, empty_ok=False)
    db.execute(_ENDED_RUNS)
    if create:
        recover(db, path)
    else:
        _show_dead_runs(db, path)


def _unusable(path: Path, exc: sqlite3.DatabaseError | OSError) -> ConfigError:
    if isinstance(exc, OSError):
        return ConfigError(f"{path}: cannot open the process reporting database ({exc.strerror})")
    return ConfigError(f"{path}: not a usable process reporting database ({exc})")


#: Executions whose run is gone but that nobody has marked yet, as a read-only reader sees them
#: (private to the connection: a reader writes nothing to the database).
_ENDED_RUNS: Final = (
    "CREATE TEMP TABLE ended_runs (id TEXT PRIMARY KEY, message TEXT NOT NULL, ended_at TEXT)"
)

_TABLES: Final = frozenset({"meta", "executions", "steps", "documents", "tracked_fields"})


def _check_schema(db: sqlite3.Connection, path: Path, *, empty_ok: bool) -> int | None:
    """The schema version of the reporting database at ``path`` (this one, or an older one a
    run upgrades), None when it is empty (allowed only with ``empty_ok``); refuses anything
    else, naming the file."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables and empty_ok:
        return None
    version = None
    if tables >= _TABLES:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else None
    if version is None:
        raise ConfigError(
            f"{path}: not a process reporting database (it lacks the reporting tables); "
            "give --db a reporting database, or a new file for a run to create"
        )
    readable = {str(v) for v in _UPGRADES} | {str(SCHEMA_VERSION)}
    if version not in readable:
        raise ConfigError(
            f"{path}: reporting schema version {version}; this version of "
            f"atomsphere reads version {SCHEMA_VERSION} (and upgrades older ones)"
        )
    return int(version)


def _ensure_schema(db: sqlite3.Connection, path: Path) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _check_schema(db, path, empty_ok=True)
        if version is None:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif version < SCHEMA_VERSION:
            for older in range(version, SCHEMA_VERSION):
                for statement in _UPGRADES[older]:
                    db.execute(statement)
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
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


def _run_lock_is_held(database: Path, execution_id: str) -> bool:
    """:func:`_run_is_alive` for readers: creates and removes nothing. A missing lock file
    means the run is gone (a run creates it before its execution exists and removes it after
    recording its end)."""
    try:
        fd = os.open(lock_folder(database) / f"{execution_id}.lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return False


ENDED_MESSAGE: Final = (
    "the run ended before it finished (killed or crashed); documents answered before that "
    "are recorded"
)


def _inprocess(db: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM executions WHERE status = ?", (ExecutionStatus.INPROCESS.value,)
        )
    ]


def _last_activity(db: sqlite3.Connection, execution_id: str) -> str | None:
    """When a dead run last recorded anything (a step begun or ended, a document answered, or
    one written still waiting for its answer): the end its execution is given."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    written = "recorded_at, " if "recorded_at" in columns else ""  # a version 1 file, read only
    row = db.execute(
        f"SELECT MAX(t) FROM (SELECT MAX(COALESCE(answered_at, {written}started_at)) AS t"
        " FROM documents WHERE execution_id = ?"
        " UNION ALL SELECT MAX(COALESCE(ended_at, started_at)) FROM steps"
        " WHERE execution_id = ?)",
        (execution_id, execution_id),
    ).fetchone()
    return row[0] if row else None


def recover(db: sqlite3.Connection, database: Path) -> list[str]:
    """Mark INCOMPLETE every INPROCESS execution whose run is gone; returns their ids."""
    repaired = []
    for execution_id in _inprocess(db):
        if _run_is_alive(database, execution_id):
            continue
        db.execute("BEGIN IMMEDIATE")
        ended = _last_activity(db, execution_id)
        changed = db.execute(
            "UPDATE executions SET status = ?, message = ?, ended_at = COALESCE(?, started_at)"
            " WHERE id = ? AND status = ?",
            (
                ExecutionStatus.INCOMPLETE.value,
                ENDED_MESSAGE,
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


def _show_dead_runs(db: sqlite3.Connection, database: Path) -> None:
    """What :func:`recover` would mark, kept in the reader's own temporary table. Executions are
    read again after the probe: a run records its end before dropping its lock, so one still
    INPROCESS then is really gone, not just finished since the first read."""
    gone = [i for i in _inprocess(db) if not _run_lock_is_held(database, i)]
    for execution_id in set(gone) & set(_inprocess(db)):
        db.execute(
            "INSERT INTO temp.ended_runs VALUES (?, ?, COALESCE(?, (SELECT started_at"
            " FROM executions WHERE id = ?)))",
            (execution_id, ENDED_MESSAGE, _last_activity(db, execution_id), execution_id),
        )
