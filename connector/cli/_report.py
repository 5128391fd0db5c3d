"""Printing process reporting, shared by ``process run``, ``execution(s)`` and ``demo``."""

from __future__ import annotations

import argparse
import sqlite3
from itertools import groupby
from pathlib import Path

from connector.cli.output import ExitCode, print_table
from connector.host import ExecutionStatus, RunResult, StopReason
from connector.host.reporting import (
    ExecutionSummary,
    TrackedDocument,
    default_database_path,
    execution_documents,
    execution_steps,
)

_DB_HELP = (
    "process reporting database (default: $ATOMSPHERE_REPORTING_DB, else "
    "$XDG_STATE_HOME/atomsphere-connector/reporting.db, i.e. "
    "~/.local/state/atomsphere-connector/reporting.db)"
)

_EXIT_CODES = {
    StopReason.APPLICATION_ERRORS: ExitCode.APPLICATION_ERRORS,
    StopReason.FAILURES: ExitCode.DOCUMENT_FAILURES,
}


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, metavar="FILE", help=_DB_HELP)


def database_path(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else default_database_path()


def exit_code(result: RunResult) -> ExitCode:
    """0 complete, 3 stopped by application errors, 4 by failures, 1 any other error."""
    if result.status is ExecutionStatus.COMPLETE:
        return ExitCode.OK
    if result.stopped_by is None:
        return ExitCode.FAILURE
    return _EXIT_CODES.get(result.stopped_by, ExitCode.FAILURE)


def print_steps(db: sqlite3.Connection, execution_id: str) -> None:
    print_table(
        ("STEP", "KIND", "OPERATION", "TRACKING", "IN", "OUT"),
        (
            (s.name, s.kind, s.operation or "-", s.tracking or "-", s.inputs, s.outputs)
            for s in execution_steps(db, execution_id)
        ),
    )


def print_execution(
    db: sqlite3.Connection, execution: ExecutionSummary, per_step: int | None = None
) -> None:
    """The execution's header and its tracked documents, one table (at most ``per_step`` rows
    for each step, when given)."""
    print(f"execution  {execution.id}")
    print(f"process    {execution.process}  ({execution.process_file})")
    message = f": {execution.message}" if execution.message else ""
    print(f"status     {execution.status}{message}")
    print(f"started    {execution.started_at}")
    print(f"ended      {execution.ended_at or '-'}")
    print()
    rows: list[tuple[object, ...]] = []
    documents = execution_documents(db, execution.id)
    for _, group in groupby(documents, key=lambda d: d.step):
        shown = list(group)
        hidden = len(shown) - per_step if per_step is not None else 0
        rows.extend(_row(d) for d in shown[: per_step if per_step is not None else None])
        if hidden > 0:
            rows.append(("…", shown[0].step_name, "", f"{hidden} more", "", "", "", ""))
    print_table(("#", "STEP", "TRACKED", "STATUS", "CODE", "MESSAGE", "BYTES", "FIELDS"), rows)


def _row(d: TrackedDocument) -> tuple[object, ...]:
    return (
        d.index,
        d.step_name,
        d.direction,
        d.status or "-",
        d.status_code or "-",
        _short(d.message) or "-",
        d.size if d.has_data else "-",
        " ".join(f"{k}={v}" for k, v in d.fields.items()) or "-",
    )


def moment(stamp: str | None) -> str:
    """``2024-05-01T08:30:00.123+00:00`` → ``2024-05-01 08:30:00`` (UTC) for tables."""
    return stamp[:19].replace("T", " ") if stamp else "-"


def summary(execution: ExecutionSummary) -> str:
    """One line: id, status and counts."""
    documents = _count(execution.documents, "tracked document")
    errors = _count(execution.application_errors, "application error")
    failures = _count(execution.failures, "failure")
    return f"execution {execution.id}: {execution.status}, {documents} ({errors}, {failures})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _short(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
