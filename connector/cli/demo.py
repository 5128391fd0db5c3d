"""``atomsphere demo``: the tour of the example operations, against a sandbox or an account.

With no connection configured it starts the sandbox on a free loopback port, so the first command
a newcomer runs needs no account and sends nothing off the machine. With ``--connection`` or the
``ATOMSPHERE_*`` variables it runs the same tour against that account; because the tour creates
and deletes an environment there, it asks for ``--yes`` first.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection, connection_from_mapping, resolve_connection
from connector.cli.output import ExitCode, fail
from connector.documents import Status
from connector.engine.tour import TourStep, iter_tour, operations_dir
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
            "and read a process that does not exist (its error comes back as a document). "
            "Without a connection it starts the sandbox on a free loopback port."
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
            print("  (no connection configured; nothing leaves this machine)\n")
            return _tour(local, folder)
    if not args.yes:
        return fail(
            f"the demo would create, update and delete a temporary environment in account "
            f"{connection.account_id} at {connection.base_url}: re-run with --yes to go ahead, "
            "or with --sandbox to use a local sandbox",
            ExitCode.USAGE,
        )
    print(f"Target: YOUR account, {connection.target}\n")
    return _tour(connection, folder)


def _tour(connection: Connection, folder: Path) -> int:
    started = time.perf_counter()
    calls = 0
    failed = 0
    with AtomSphereClient(connection) as client:
        for number, step in enumerate(iter_tour(client, folder), start=1):
            _print(number, step, folder)
            calls += step.calls
            failed += sum(1 for r in step.results if r.status is Status.FAILURE)
    seconds = time.perf_counter() - started
    print(f"Done in {seconds:.1f} s: {calls} HTTP calls to {connection.target}.")
    print("Next: `atomsphere run --help` and docs/operations.md.")
    return ExitCode.DOCUMENT_FAILURES if failed else ExitCode.OK


def _print(number: int, step: TourStep, folder: Path) -> None:
    print(f"{number}. {step.title}")
    calls = f"{step.calls} HTTP call{'' if step.calls == 1 else 's'}"
    print(f"   {folder.name}/{step.operation}.yaml: {step.statuses}, {calls}")
    for line in step.lines:
        print(f"   {line}")
    print()
