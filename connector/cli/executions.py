"""``atomsphere executions``, ``atomsphere execution`` and ``atomsphere document``: reading
process reporting."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from dataclasses import asdict
from typing import Any

from connector.cli._report import (
    add_database_argument,
    database_path,
    moment,
    print_execution,
)
from connector.cli.output import ExitCode, at_least, print_json, print_table
from connector.errors import ConfigError
from connector.host.reporting import (
    ExecutionStatus,
    connect,
    execution_documents,
    find_execution,
    list_executions,
    tracked_document,
)

HELP_ORDER = 41


def _add_execution_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "execution", metavar="EXEC_ID", help="execution id, a unique prefix of it, or 'latest'"
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    executions = subparsers.add_parser(
        "executions",
        help="list recorded executions (filter by process, status, tracked field)",
        description="List executions from process reporting, newest first.",
    )
    add_database_argument(executions)
    executions.add_argument("--process", metavar="NAME", help="only this process")
    executions.add_argument(
        "--status",
        action="append",
        default=[],
        type=str.upper,
        choices=[s.value for s in ExecutionStatus],
        help="only executions with this status (repeatable)",
    )
    executions.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="only executions with a document whose tracked field NAME is VALUE (repeatable)",
    )
    executions.add_argument(
        "--limit",
        type=at_least(0, "all"),
        default=50,
        metavar="N",
        help="at most N executions, newest first (default 50; 0: all)",
    )
    executions.add_argument("--json", action="store_true", help="print JSON instead of a table")
    executions.set_defaults(handler=_executions)

    execution = subparsers.add_parser(
        "execution",
        help="show one execution and its tracked documents",
        description="Show one execution and its tracked documents, one table.",
    )
    _add_execution_argument(execution)
    add_database_argument(execution)
    execution.add_argument(
        "--per-step",
        type=at_least(1),
        default=None,
        metavar="N",
        help="show at most N documents of each step, N from 1 (the rest are counted)",
    )
    execution.add_argument("--json", action="store_true", help="print JSON instead of a table")
    execution.set_defaults(handler=_execution)

    document = subparsers.add_parser(
        "document",
        help="print one tracked document",
        description="Print the tracked document INDEX of an execution (as stored: its bytes).",
    )
    _add_execution_argument(document)
    document.add_argument("index", type=int, metavar="INDEX", help="the document's # (from 1)")
    add_database_argument(document)
    document.add_argument(
        "--properties",
        action="store_true",
        help="print the document's status, properties and tracked fields as JSON instead",
    )
    document.set_defaults(handler=_document)


def _field_filters(values: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise ConfigError(f"--field {value!r}: write NAME=VALUE")
        fields[name] = text
    return fields


def _open(args: argparse.Namespace) -> sqlite3.Connection:
    return connect(database_path(args), create=False)


def _executions(args: argparse.Namespace) -> int:
    db = _open(args)
    try:
        found = list_executions(
            db,
            process=args.process,
            statuses=args.status,
            fields=_field_filters(args.field),
            limit=args.limit,
        )
    finally:
        db.close()
    if args.json:
        print_json([asdict(e) for e in found])
        return ExitCode.OK
    print_table(
        ("EXECUTION", "PROCESS", "STATUS", "STARTED", "ENDED", "DOCS", "ERRORS", "FAILED"),
        (
            (
                e.id,
                e.process,
                e.status,
                moment(e.started_at),
                moment(e.ended_at),
                e.documents,
                e.application_errors,
                e.failures,
            )
            for e in found
        ),
    )
    return ExitCode.OK


def _execution(args: argparse.Namespace) -> int:
    db = _open(args)
    try:
        execution = find_execution(db, args.execution)
        if args.json:
            documents = [asdict(d) for d in execution_documents(db, execution.id)]
            print_json({**asdict(execution), "tracked_documents": documents})
        else:
            print_execution(db, execution, args.per_step)
    finally:
        db.close()
    return ExitCode.OK


def _document(args: argparse.Namespace) -> int:
    db = _open(args)
    try:
        execution = find_execution(db, args.execution)
        document, data = tracked_document(db, execution.id, args.index)
    finally:
        db.close()
    if args.properties:
        details: dict[str, Any] = {"execution": execution.id, **asdict(document)}
        print_json(details)
        return ExitCode.OK
    if data is None:
        print(
            f"document {args.index} of {execution.id} has no tracked bytes: its answer carried "
            f"no document ({document.status} {document.status_code} {document.message})".rstrip(),
            file=sys.stderr,
        )
        return ExitCode.FAILURE
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return ExitCode.OK
