"""``atomsphere demo``: the tour of the example operations, against a sandbox or an account.

The tour runs as a process of the reference host (``connector/cli/_tour.py``) and ends by showing
its process report. With no connection configured it starts the sandbox on a free loopback port,
so the first command a newcomer runs needs no account and sends nothing off the machine. With
``--connection`` or the ``ATOMSPHERE_*`` variables it runs the same tour against that account;
because the tour creates and deletes an environment there, it asks for ``--yes`` first.
"""

from __future__ import annotations

import argparse
import secrets
import sqlite3
import tempfile
import textwrap
from datetime import datetime
from pathlib import Path

from connector.atomsphere.connection import Connection, connection_from_mapping, resolve_connection
from connector.cli._report import (
    add_database_argument,
    database_path,
    exit_code,
    print_execution,
    print_steps,
)
from connector.cli._signals import sigterm_interrupts
from connector.cli._tour import CREATE, DELETE, created_environment, write_cleanup, write_tour
from connector.cli.output import ExitCode, fail
from connector.examples import operations_dir
from connector.host import load_process, run_process
from connector.host.reporting import (
    connect,
    execution_documents,
    find_execution,
    last_run_date,
    tracked_document,
)
from connector.plugins import get_plugin_manager
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)

HELP_ORDER = 5


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="a short tour of the connector (a local sandbox unless a connection is configured)",
        description=(
            "Run the example operations of operations/ one after another: query execution "
            "records with a filter, get the account, create, update and delete an environment, "
            "and read a process that does not exist (its error comes back as a document), as "
            "one process of the reference host, then show its process report. Without a "
            "connection it starts the sandbox on a free loopback port."
        ),
    )
    parser.add_argument(
        "--connection", type=Path, metavar="FILE", help="run against this account instead"
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use a local sandbox even when ATOMSPHERE_* variables are set",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="allow the tour to create and delete a temporary environment in a real account",
    )
    add_database_argument(parser)
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    folder = operations_dir()
    connection = None if args.sandbox else resolve_connection(args.connection)
    if connection is None:
        with Sandbox(SandboxConfig()) as sandbox, sandbox.serve("127.0.0.1", 0) as url:
            local = connection_from_mapping(
                {
                    "base_url": url,
                    "account_id": DEFAULT_ACCOUNT_ID,
                    "username": DEFAULT_USERNAME,
                    "password": DEFAULT_PASSWORD,
                }
            )
            print(f"Target: a local sandbox at {url}")
            why = (
                "--sandbox: any configured connection is ignored"
                if args.sandbox
                else ("no connection configured")
            )
            print(f"  ({why}; nothing leaves this machine)\n")
            return _tour(local, folder, database_path(args), "demo-tour-sandbox")
    if not args.yes:
        return fail(
            f"the demo would create, update and delete a temporary environment in account "
            f"{connection.account_id} at {connection.base_url}: re-run with --yes to go ahead, "
            "or with --sandbox to use a local sandbox",
            ExitCode.USAGE,
        )
    print(f"Target: YOUR account, {connection.target}\n")
    return _tour(connection, folder, database_path(args), "demo-tour")


def _tour(connection: Connection, folder: Path, database: Path, name: str) -> int:
    """Run the tour as a process of the reference host, then show its process report."""
    pm = get_plugin_manager()
    environment = f"atomsphere-demo-{secrets.token_hex(3)}"
    since = _last_run(database, name)
    with sigterm_interrupts(), tempfile.TemporaryDirectory(prefix="atomsphere-demo-") as tmp:
        process, env = write_tour(Path(tmp), name, folder, connection, environment)
        result = run_process(load_process(process, pm, env=env), pm, database=database)
        db = connect(database, create=False)
        try:
            leftover = _leftover(db, result.execution_id)
            if leftover is not None:  # a step failed between the Create and the Delete
                cleanup = write_cleanup(Path(tmp), name, folder, leftover)
                run_process(load_process(cleanup, pm, env=env), pm, database=database)
                print(f"(the tour stopped early: environment {environment} was deleted again)\n")
            print(f"The tour ran as process {name!r}; every step is in process reporting:\n")
            print_steps(db, result.execution_id)
            if since is not None:
                note = (
                    "The query step reads failed executions since this process last ran "
                    f"successfully ({since.isoformat(timespec='seconds')}), Boomi's last run "
                    "date: a tour run again finds only failures newer than the previous one "
                    "(a sandbox starts with the same records, so none). `--db NEW_FILE` starts "
                    "over."
                )
                print("\n" + textwrap.fill(note, width=100))
            print()
            print_execution(db, find_execution(db, result.execution_id), per_step=3)
        finally:
            db.close()
    execution = result.execution_id
    print()
    print(f"Next: atomsphere execution {execution} --db {database}   (every tracked document)")
    print(f"      atomsphere document {execution} 2 --db {database}   (the created environment)")
    print("      docs/host.md (processes, process reporting), docs/operations.md (operations)")
    return exit_code(result)


def _last_run(database: Path, process: str) -> datetime | None:
    """The tour's last successful run in this database, which its query step reads from."""
    if not database.is_file():
        return None
    db = connect(database, create=False)
    try:
        return last_run_date(db, process)
    finally:
        db.close()


def _leftover(db: sqlite3.Connection, execution_id: str) -> bytes | None:
    """The environment the tour created but did not delete, as tracked by the Create step."""
    documents = execution_documents(db, execution_id)
    if any(d.step_name == DELETE and d.status == "SUCCESS" for d in documents):
        return None
    for document in documents:
        if document.step_name == CREATE and document.status == "SUCCESS":
            data = tracked_document(db, execution_id, document.index)[1]
            if created_environment(data):
                return data
    return None
