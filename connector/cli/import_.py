"""``atomsphere import``: the Import Operation wizard (browse, profiles, operation files, drift)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import httpx

from connector.atomsphere.connection import resolve_connection
from connector.cli.output import ExitCode, print_table
from connector.contract import Action
from connector.engine import load_operation
from connector.errors import ConfigError
from connector.wizard import (
    FileWrite,
    ImportPlan,
    PendingImport,
    Prompter,
    ServedSchema,
    Workspace,
    browse,
    check,
    default_name,
    open_schema,
    operation_identity,
    prepare_all,
    prepare_import,
    prepare_refresh,
    resolve,
)
from connector.wizard.browse import REGENERATE

HELP_ORDER = 20
#: Columns of the description (the epilog is laid out by hand to the same width).
_WIDTH = 96

EPILOG = """\
examples:
  atomsphere import                                   (interactive, on a terminal)
  atomsphere import --action QUERY --object ExecutionRecord --name failed-executions
  atomsphere import --list --action GET --offline
  atomsphere import --all --profiles-dir build/profiles
  atomsphere import --refresh                         (re-import every operation file
                                                       that loads; exit 2 if one does not)
  atomsphere import --check                           (CI: exit 1 if profiles drifted,
                                                       2 if an operation file does not load)

The schema comes from the connection (--connection FILE, else the ATOMSPHERE_* variables), read
from {base}/api/soap/v1/{account}?xsd=1 (or ?wsdl), or from the bundled schema with --offline.

exit codes: 0 done (or in sync), 1 drift found / the connection or its schema failed,
2 bad arguments, unknown object, unsupported action, invalid operation file (--check and
--refresh: any in --operations-dir, each problem listed; --refresh still re-imports the others)
or nothing to check, 130 cancelled.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="Import Operation wizard: browse objects, write profiles and operation files",
        description=textwrap.fill(
            "Browse the object types a connection's API schema offers for an action, and write "
            "the operation's request/response profiles (profiles/*.xsd) and its configuration "
            "(operations/NAME.yaml). Re-importing refreshes the profiles and keeps your edits.",
            _WIDTH,
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--action", type=str.upper, choices=[a.value for a in Action], help="connector action"
    )
    parser.add_argument("--object", metavar="OBJECT", help="object type, e.g. ExecutionRecord")
    parser.add_argument(
        "--name", metavar="NAME", help="operation name (default: ACTION-object, e.g. get-account)"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--connection", type=Path, metavar="FILE", help="connection YAML file")
    source.add_argument("--offline", action="store_true", help="use the bundled schema")
    for folder, holds in (("profiles", "profiles (*.xsd)"), ("operations", "operation files")):
        parser.add_argument(
            f"--{folder}-dir",
            type=Path,
            default=Path(folder),
            metavar="DIR",
            help=f"where the {holds} are written (default: ./{folder})",
        )
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--force", action="store_true", help="replace an operation file of another object/action"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the objects offered for --action")
    mode.add_argument("--all", action="store_true", help="profiles for every object and action")
    mode.add_argument(
        "--refresh",
        action="store_true",
        help="re-import every operation in --operations-dir; exit 2 after listing each problem "
        "of the files that do not load (the others are still re-imported)",
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if committed profiles differ from the schema, 2 if an operation file in "
        "--operations-dir does not load (each problem listed)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """The command. Tests inject ``args.transport`` (an httpx transport) and ``args.prompter``."""
    transport: httpx.BaseTransport | None = getattr(args, "transport", None)
    prompter: Prompter | None = getattr(args, "prompter", None)
    interactive = prompter is not None or (sys.stdin.isatty() and sys.stdout.isatty())
    prompter = prompter or Prompter()
    workspace = Workspace(args.profiles_dir, args.operations_dir)
    served = _schema(args, transport)
    if args.list:
        return _list(served, args)
    if args.all:
        return _all(served, workspace)
    if args.check:
        return _check(served, workspace)
    if args.refresh:
        return _refresh(served, workspace)
    if not interactive and not (args.action and args.object):
        raise ConfigError("--action and --object are required when not on a terminal")
    action = Action(args.action) if args.action else prompter.choose_action()
    if args.object:
        plan = resolve(served, args.object, action)
    else:
        found = browse(served, action)
        if not found.plans:  # nothing to choose from: say so, as --list does
            _notes(found.missing, found.unknown)
            raise ConfigError(f"no object type offers {action.value} in {served.origin}")
        plan = prompter.choose_object(found)
    name = args.name or (prompter.ask_name(default_name(plan)) if interactive else "")
    name = name or default_name(plan)
    force = args.force
    existing = operation_identity(workspace.operation_path(name))
    same = (
        existing and existing[0] == plan.action.value and existing[1].lower() == plan.object.lower()
    )
    if interactive and not force and existing and not same:
        shown = _shown(workspace.operation_path(name))
        if not prompter.confirm(f"{shown} is {' '.join(existing)}; replace it?", default=False):
            prompter.say("Nothing written.")
            return ExitCode.OK
        force = True
    pending = prepare_import(served, plan, name, workspace, force=force)
    if interactive:
        _describe(pending, prompter.out)
        if not args.yes and not prompter.confirm("Write these files?"):
            prompter.say("Nothing written.")
            return ExitCode.OK
    pending.write()
    _report((*pending.profiles, pending.operation), pending)
    return ExitCode.OK


def _schema(args: argparse.Namespace, transport: httpx.BaseTransport | None) -> ServedSchema:
    if args.offline:
        served = open_schema(None)
    else:
        connection = resolve_connection(args.connection)
        if connection is None:
            raise ConfigError(
                "no connection: pass --connection FILE, set the ATOMSPHERE_* variables, or use "
                "--offline for the bundled schema"
            )
        served = open_schema(connection, transport)
    print(f"schema: {served.origin}", file=sys.stderr)
    return served


def _list(served: ServedSchema, args: argparse.Namespace) -> int:
    if not args.action:
        raise ConfigError("--list needs --action")
    found = browse(served, Action(args.action))
    print_table(("OBJECT", "LABEL", "NOTE"), ((p.object, p.label, _note(p)) for p in found.plans))
    print(f"\n{len(found.plans)} object types offer {found.action.value}", file=sys.stderr)
    _notes(found.missing, found.unknown)
    return ExitCode.OK


def _note(plan: ImportPlan) -> str:
    """Deprecation, and the spec's prose when the catalog carries it (``catalog generate
    --include-descriptions``); not the catalog's stand-in ("Account: Get, Query."), which
    repeats the label."""
    note = "" if plan.description.startswith(f"{plan.label}: ") else plan.description
    return ("deprecated by Boomi. " if plan.deprecated else "") + note


def _all(served: ServedSchema, workspace: Workspace) -> int:
    everything = prepare_all(served, workspace)
    for write in everything.writes:
        write.write()
    counts = {s: sum(w.status == s for w in everything.writes) for s in ("created", "updated")}
    print(
        f"{len(everything.writes)} profiles in {workspace.profiles_dir}: {counts['created']} "
        f"created, {counts['updated']} updated, "
        f"{len(everything.writes) - sum(counts.values())} unchanged"
    )
    missing = sorted({n for names in everything.missing.values() for n in names})
    _notes(tuple(missing), everything.unknown)
    return ExitCode.OK


def _check(served: ServedSchema, workspace: Workspace) -> int:
    report = check(served, workspace, load_operation)
    if not report.checked and not report.drift and not report.invalid:
        # A guard that checks nothing must not pass silently.
        raise ConfigError(f"no profiles to check in {workspace.profiles_dir}")
    for problem in report.invalid:
        print(f"invalid: {problem}")
    for drift in report.drift:
        print(f"drift: {_shown(drift.path)}: {drift.problem}")
        for line in drift.changes.lines() if drift.changes else ():
            print(f"    {line}")
    for path in report.skipped:
        print(
            f"note: {_shown(path)} is not named OBJECT.action.role.xsd; not checked",
            file=sys.stderr,
        )
    verdict = f"{len(report.drift)} drifted" if report.drift else "in sync"
    if report.invalid:
        files = len({problem.source for problem in report.invalid})
        verdict += f"; operation files that do not load: {files}"
    print(f"{len(report.checked)} profiles checked against {served.origin}: {verdict}")
    if report.invalid:
        return ExitCode.USAGE
    return ExitCode.FAILURE if report.drift else ExitCode.OK


def _refresh(served: ServedSchema, workspace: Workspace) -> int:
    files = sorted(workspace.operations_dir.glob("*.yaml"))
    if not files:
        raise ConfigError(f"no operation files in {workspace.operations_dir}")
    refresh = prepare_refresh(served, workspace, load_operation)
    for item in refresh.pending:
        item.write()
        _report((*item.profiles, item.operation), item)
    if not refresh.invalid:
        return ExitCode.OK
    for problem in refresh.invalid:
        print(f"invalid: {problem}")
    broken = len({problem.source for problem in refresh.invalid})
    print(f"{len(refresh.pending)} operation files refreshed; {broken} not (problems above)")
    return ExitCode.USAGE


def _describe(pending: PendingImport, out: TextIO) -> None:
    plan = pending.plan
    verb = "Re-import" if pending.reimport else "Import"
    print(f"{verb} {plan.action.value} {plan.object} ({plan.label}):", file=out)
    for write in (*pending.profiles, pending.operation):
        print(f"  {_shown(write.path)}: {_status(write)}", file=out)
    for line in _kept(pending):
        print(f"    {line}", file=out)
    for disagreement in plan.type_disagreements:
        print(f"  warning: {disagreement.message(plan.object)}", file=out)


def _report(writes: Iterable[FileWrite], pending: PendingImport) -> None:
    for write in writes:
        print(f"{_shown(write.path)}: {_status(write)}")
        for line in write.changes.lines() if write.changes else ():
            print(f"    {line}")
        if write.note:
            print(f"    {write.note}")
    for line in _kept(pending):
        print(f"    {line}")
    for disagreement in pending.plan.type_disagreements:
        print(f"warning: {disagreement.message(pending.plan.object)}", file=sys.stderr)
    if not pending.comments_kept:
        print(
            f"warning: {_shown(pending.operation.path)} was rewritten from its data; its "
            "comments could not be kept",
            file=sys.stderr,
        )


def _kept(pending: PendingImport) -> Iterator[str]:
    """What the user wrote inside the filter template, which the re-import moved below it."""
    if not pending.kept:
        return
    first, last = pending.kept[0].number, pending.kept[-1].number
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    yield f"kept what you wrote inside the filter template ({lines}), now below it:"
    for kept in pending.kept:
        yield f"  {kept.text}".rstrip()


def _status(write: FileWrite) -> str:
    if write.status == "updated" and write.changes is not None:
        # No field changed: the same fields, in another order or with other documentation.
        what = write.changes.summary() if write.changes else "no field changed"
        return f"{write.status} ({what})"
    return write.status


def _notes(missing: tuple[str, ...], unknown: tuple[str, ...]) -> None:
    if missing:
        print(
            f"note: the schema lacks the documents of {len(missing)} catalog objects "
            f"(not offered): {', '.join(missing)}",
            file=sys.stderr,
        )
    if unknown:
        print(
            f"note: {len(unknown)} object types of the schema are not in the connector's catalog "
            f"and cannot be imported: {', '.join(unknown)}; to import them, {REGENERATE}",
            file=sys.stderr,
        )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
