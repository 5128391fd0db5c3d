"""Reading process reporting: executions, their steps and documents, one tracked document.

These are what ``atomsphere executions``, ``atomsphere execution`` and ``atomsphere document``
print, and what tests assert on; they return frozen values, never database rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.errors import ConfigError, UnknownNameError
from connector.host.reporting.database import UNANSWERED, ExecutionStatus

LATEST = "latest"


@dataclass(frozen=True)
class ExecutionSummary:
    id: str
    process: str
    process_file: str
    status: str
    message: str
    started_at: str
    ended_at: str | None
    documents: int
    application_errors: int
    failures: int
    properties: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StepSummary:
    seq: int
    name: str
    location: str
    kind: str
    operation: str
    connector: str
    tracking: str
    inputs: int
    outputs: int
    started_at: str
    ended_at: str | None


@dataclass(frozen=True)
class TrackedDocument:
    """One row of process reporting: a tracked document (or an answer with no document)."""

    index: int
    step: int
    step_name: str
    operation: str
    batch: int
    batch_index: int
    direction: str
    status: str | None
    status_code: str
    message: str
    size: int
    has_data: bool
    properties: Mapping[str, str]
    fields: Mapping[str, str]
    started_at: str
    answered_at: str | None


#: An execution's status as shown: INCOMPLETE for one whose run is gone, even before the next
#: run marks it (``temp.ended_runs``, filled when a reader connects).
_STATUS = f"CASE WHEN x.id IS NULL THEN e.status ELSE '{ExecutionStatus.INCOMPLETE.value}' END"

_EXECUTION_COLUMNS = f"""
    e.id, e.process, e.process_file, {_STATUS} AS status, COALESCE(x.message, e.message) AS message,
    e.started_at, COALESCE(x.ended_at, e.ended_at) AS ended_at, e.properties,
    (SELECT COUNT(*) FROM documents d WHERE d.execution_id = e.id) AS documents,
    (SELECT COUNT(*) FROM documents d WHERE d.execution_id = e.id
        AND d.status = 'APPLICATION_ERROR') AS application_errors,
    (SELECT COUNT(*) FROM documents d WHERE d.execution_id = e.id
        AND d.status = 'FAILURE') AS failures
"""

_EXECUTIONS = (
    f"SELECT {_EXECUTION_COLUMNS} FROM executions e LEFT JOIN temp.ended_runs x ON x.id = e.id"
)


def _execution(row: sqlite3.Row) -> ExecutionSummary:
    return ExecutionSummary(
        id=row["id"],
        process=row["process"],
        process_file=row["process_file"],
        status=row["status"],
        message=row["message"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        documents=row["documents"],
        application_errors=row["application_errors"],
        failures=row["failures"],
        properties=json.loads(row["properties"]),
    )


def list_executions(
    db: sqlite3.Connection,
    *,
    process: str | None = None,
    statuses: Sequence[str] = (),
    fields: Mapping[str, str] | None = None,
    limit: int = 0,
) -> list[ExecutionSummary]:
    """Executions, newest first; ``fields`` keeps those with a document whose tracked field
    ``name`` has exactly ``value`` (every pair must match)."""
    where: list[str] = []
    args: list[Any] = []
    if process is not None:
        where.append("e.process = ?")
        args.append(process)
    if statuses:
        unknown = sorted(set(statuses) - {s.value for s in ExecutionStatus})
        if unknown:
            raise UnknownNameError(
                "execution status", unknown[0], [s.value for s in ExecutionStatus]
            )
        where.append(f"{_STATUS} IN ({', '.join('?' * len(statuses))})")
        args.extend(statuses)
    for name, value in (fields or {}).items():
        where.append(
            "EXISTS (SELECT 1 FROM tracked_fields f WHERE f.execution_id = e.id"
            " AND f.name = ? AND f.value = ?)"
        )
        args.extend((name, value))
    sql = _EXECUTIONS
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY e.started_at DESC, e.id DESC"
    if limit:
        sql += " LIMIT ?"
        args.append(limit)
    return [_execution(row) for row in db.execute(sql, args)]


def find_execution(db: sqlite3.Connection, reference: str) -> ExecutionSummary:
    """An execution by id, unique id prefix, or ``latest``."""
    if reference == LATEST:
        rows = db.execute(f"{_EXECUTIONS} ORDER BY e.started_at DESC, e.id DESC LIMIT 1").fetchall()
    else:
        rows = db.execute(
            f"{_EXECUTIONS} WHERE e.id = ? OR e.id LIKE ? ESCAPE '\\' ORDER BY e.id LIMIT 3",
            (reference, _escape_like(reference) + "%"),
        ).fetchall()
        exact = [r for r in rows if r["id"] == reference]
        rows = exact or rows
    if not rows:
        raise ConfigError(f"no execution {reference!r} in process reporting")
    if len(rows) > 1:
        ids = ", ".join(r["id"] for r in rows)
        raise ConfigError(f"execution {reference!r} is ambiguous: {ids}, ...")
    return _execution(rows[0])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def execution_steps(db: sqlite3.Connection, execution_id: str) -> list[StepSummary]:
    return [
        StepSummary(
            seq=row["seq"],
            name=row["name"],
            location=row["location"],
            kind=row["kind"],
            operation=row["operation"],
            connector=row["connector"],
            tracking=row["tracking"],
            inputs=row["inputs"],
            outputs=row["outputs"],
            started_at=row["started_at"],
            ended_at=row["ended_at"],
        )
        for row in db.execute(
            "SELECT * FROM steps WHERE execution_id = ? ORDER BY seq", (execution_id,)
        )
    ]


#: A document never answered shows INCOMPLETE once its run is gone, like its execution.
_DOCUMENT_SQL = f"""
SELECT d.idx, d.step_seq, s.name AS step_name, s.operation, d.batch, d.batch_index, d.direction,
       CASE WHEN d.status IS NULL AND d.execution_id IN (SELECT id FROM temp.ended_runs)
            THEN '{UNANSWERED}' ELSE d.status END AS status,
       d.status_code, d.message, d.size, d.data IS NOT NULL AS has_data, d.properties,
       d.started_at, d.answered_at
FROM documents d JOIN steps s ON s.execution_id = d.execution_id AND s.seq = d.step_seq
WHERE d.execution_id = ?
"""


def execution_documents(db: sqlite3.Connection, execution_id: str) -> list[TrackedDocument]:
    """Every tracked document of an execution, in the order they were tracked."""
    fields: dict[int, dict[str, str]] = {}
    for row in db.execute(
        "SELECT idx, name, value FROM tracked_fields WHERE execution_id = ? ORDER BY idx, name",
        (execution_id,),
    ):
        fields.setdefault(row["idx"], {})[row["name"]] = row["value"]
    rows = db.execute(_DOCUMENT_SQL + " ORDER BY d.idx", (execution_id,))
    return [_document(row, fields.get(row["idx"], {})) for row in rows]


def tracked_document(
    db: sqlite3.Connection, execution_id: str, index: int
) -> tuple[TrackedDocument, bytes | None]:
    """One tracked document and its bytes (None when the answer had no document)."""
    row = db.execute(_DOCUMENT_SQL + " AND d.idx = ?", (execution_id, index)).fetchone()
    if row is None:
        count = db.execute(
            "SELECT COUNT(*) FROM documents WHERE execution_id = ?", (execution_id,)
        ).fetchone()[0]
        raise ConfigError(
            f"execution {execution_id} has no document {index} (it has {count}, numbered from 1)"
        )
    fields = {
        r["name"]: r["value"]
        for r in db.execute(
            "SELECT name, value FROM tracked_fields WHERE execution_id = ? AND idx = ?"
            " ORDER BY name",
            (execution_id, index),
        )
    }
    data = db.execute(
        "SELECT data FROM documents WHERE execution_id = ? AND idx = ?", (execution_id, index)
    ).fetchone()[0]
    return _document(row, fields), data


def _document(row: sqlite3.Row, fields: Mapping[str, str]) -> TrackedDocument:
    return TrackedDocument(
        index=row["idx"],
        step=row["step_seq"],
        step_name=row["step_name"],
        operation=row["operation"],
        batch=row["batch"],
        batch_index=row["batch_index"],
        direction=row["direction"],
        status=row["status"],
        status_code=row["status_code"],
        message=row["message"],
        size=row["size"],
        has_data=bool(row["has_data"]),
        properties=json.loads(row["properties"]),
        fields=dict(fields),
        started_at=row["started_at"],
        answered_at=row["answered_at"],
    )


def last_run_date(db: sqlite3.Connection, process: str) -> datetime | None:
    """The start of the process's last successful (COMPLETE) execution."""
    row = db.execute(
        "SELECT MAX(started_at) FROM executions WHERE process = ? AND status = ?",
        (process, ExecutionStatus.COMPLETE.value),
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
