"""``atomsphere process``: check or run a process of the reference host."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from connector.cli._report import (
    add_database_argument,
    database_path,
    exit_code,
    print_execution,
    print_steps,
    summary,
)
from connector.cli._signals import sigterm_interrupts
from connector.cli.output import ExitCode
from connector.errors import ConfigError
from connector.host import ExecutionStatus, load_process, run_process
from connector.host.reporting import connect, find_execution
from connector.plugins import get_plugin_manager

HELP_ORDER = 40


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "process",
        help="run a process (start step, connector steps, routes...) and record it",
        description="Check or run a process file (kind: Process) with the reference host.",
    )
    sub = parser.add_subparsers(dest="process_command", metavar="SUBCOMMAND")
    sub.required = True

    run = sub.add_parser(
        "run",
        help="run a process once and record it in process reporting",
        description=(
            "Run a process once. Every step and tracked document is recorded in process "
            "reporting; see the results with `atomsphere executions` and `atomsphere execution`."
        ),
        epilog="With -q (atomsphere -q process run ...) it prints nothing for a COMPLETE "
        "execution, and only the summary and message otherwise. Exit codes: 0 complete, "
        "1 error, 2 bad process file, 3 stopped by application errors, 4 stopped by failed "
        "documents, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM); an interrupted or "
        "terminated run is recorded ABORTED and leaves no temporary files.",
    )
    run.add_argument("process", type=Path, metavar="PROCESS.yaml", help="the process file")
    add_database_argument(run)
    run.add_argument(
        "--property",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a process property the process declares (repeatable)",
    )
    run.add_argument(
        "--report",
        action="store_true",
        help="print the execution's tracked documents when it ends (even with -q)",
    )
    run.set_defaults(handler=_run)

    check = sub.add_parser(
        "check",
        help="load a process and its operations and connections, run nothing",
        description="Check a process file, its connections and operations; run nothing.",
    )
    check.add_argument("process", type=Path, metavar="PROCESS.yaml", help="the process file")
    check.set_defaults(handler=_check)


def parse_properties(values: list[str]) -> dict[str, str]:
    properties: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--property {value!r}: write NAME=VALUE")
        properties[name.strip()] = text
    return properties


def _run(args: argparse.Namespace) -> int:
    """The steps table, a summary line and where the details are; with ``-q`` only the summary
    and message of an execution that did not complete (``--report`` still prints its table)."""
    properties = parse_properties(args.property)
    quiet = getattr(args, "quiet", False)
    pm = get_plugin_manager()
    process = load_process(args.process, pm)
    database = database_path(args)
    with sigterm_interrupts():
        result = run_process(process, pm, database=database, properties=properties)
    db = connect(database, create=False)
    try:
        execution = find_execution(db, result.execution_id)
        if not quiet:
            print_steps(db, execution.id)
            print()
        if args.report:
            print_execution(db, execution)
        elif not quiet or result.status is not ExecutionStatus.COMPLETE:
            print(summary(execution))
            if execution.message:
                print(execution.message)
    finally:
        db.close()
    if not quiet:
        print(
            f"details: atomsphere execution {result.execution_id} --db {database}", file=sys.stderr
        )
    return exit_code(result)


def _check(args: argparse.Namespace) -> int:
    process = load_process(args.process, get_plugin_manager())
    print(f"{args.process}: process {process.name!r} is valid")
    return ExitCode.OK
