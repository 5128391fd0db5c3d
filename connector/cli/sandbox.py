"""``atomsphere sandbox``: serve the AtomSphere API emulator over HTTP until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import textwrap
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from connector.cli.output import ExitCode, fail, port_number
from connector.errors import ConfigError
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_TOKEN,
    DEFAULT_HOST,
    DEFAULT_PASSWORD,
    DEFAULT_PORT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_RECORDS,
    DEFAULT_SEED,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    parse_fault_spec,
)
from connector.sandbox.config import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    sub_account_problem,
)
from connector.sandbox.faults import ALIASES, KINDS, OPTIONS

HELP_ORDER = 60
#: Columns of the description and the fault grammar (printed as laid out, not re-wrapped).
_WIDTH = 88


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Defaults shown, and the fault grammar's table kept as laid out. An option whose default
    is nothing (``None``, ``[]``) says in its own help, in words, what that means."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default == []:
            return action.help
        return super()._get_help_string(action)


#: Options whose value is a secret: a refusal never repeats it.
_SECRETS = frozenset({"password", "api_token"})


def _checked(field: str, read: Callable[[str], object]) -> Callable[[str], object]:
    """An ``argparse`` type that reads a value and checks it against :class:`SandboxConfig`'s
    own rules, so a value out of range is argparse's usage error naming the option, and the
    CLI and the Python API cannot disagree on what is allowed."""

    def check(text: str) -> object:
        shown = "" if field in _SECRETS else f" {text!r}"
        try:
            value = read(text)
        except ValueError:
            expected = "a whole number" if read is int else "a number"
            raise argparse.ArgumentTypeError(f"invalid value{shown}: expected {expected}") from None
        try:
            SandboxConfig(**{field: value})  # type: ignore[arg-type]
        except ConfigError as exc:
            problem = str(exc).removeprefix(f"{field} ")  # the option is named already
            raise argparse.ArgumentTypeError(f"invalid value{shown}: {problem}") from None
        return value

    return check


def _host(text: str) -> str:
    """``--host``: an empty one would bind every interface yet print a URL with no host."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty (0.0.0.0 listens on every interface)")
    return text


def _sub_account(text: str) -> str:
    """One ``--sub-account``, checked alone; the config checks the set (repeats, the account)."""
    problem = sub_account_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: {problem}")
    return text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local emulator of the AtomSphere API",
        description=textwrap.fill(
            "Serve a faithful local emulator of Boomi's AtomSphere Platform API (every object "
            "and action of the catalog, deterministic seed data, fault injection). Prints one "
            "line, 'AtomSphere sandbox listening on URL', once it accepts connections, and "
            "serves until SIGINT or SIGTERM.",
            _WIDTH,
        ),
        formatter_class=_HelpFormatter,
        epilog=_fault_help(),
    )
    parser.add_argument(
        "--host",
        type=_host,
        default=DEFAULT_HOST,
        help="IPv4 address or host name to listen on (0.0.0.0: every interface)",
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="port (0: a free port)"
    )
    parser.add_argument(
        "--account-id",
        type=_checked("account_id", str),
        default=DEFAULT_ACCOUNT_ID,
        help="the account id",
    )
    parser.add_argument(
        "--sub-account",
        action="append",
        type=_sub_account,
        default=[],
        metavar="ID",
        help="a managed sub-account with data of its own, reached through the Partner API path "
        "/partner/api/rest/v1/ACCOUNT/...?overrideAccount=ID (repeatable; default: none)",
    )
    parser.add_argument(
        "--username",
        type=_checked("username", str),
        default=DEFAULT_USERNAME,
        help="the user name (not empty, no ':')",
    )
    parser.add_argument(
        "--password",
        type=_checked("password", str),
        default=DEFAULT_PASSWORD,
        help="the user's password (not empty)",
    )
    parser.add_argument(
        "--token",
        type=_checked("api_token", str),
        default=DEFAULT_API_TOKEN,
        help="the API token (not empty; user BOOMI_TOKEN.<username>)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="FILE",
        help="SQLite file that keeps state across restarts (new, or made by the sandbox with the "
        "same --seed, --records and --account-id) (default: in memory, lost on exit)",
    )
    parser.add_argument(
        "--records",
        type=_checked("records", int),
        default=DEFAULT_RECORDS,
        help="size of the large collections (ExecutionRecord, AuditLog, Event, ...)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_checked("rate_limit", float),
        default=DEFAULT_RATE_LIMIT,
        help="requests per second per account before 503 (0: no limit)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the data")
    parser.add_argument(
        "--max-body-bytes",
        type=_checked("max_body_bytes", int),
        default=DEFAULT_MAX_BODY_BYTES,
        help="largest request body; a larger one is refused with 413 before it is read",
    )
    parser.add_argument(
        "--request-timeout",
        type=_checked("request_timeout", float),
        default=DEFAULT_REQUEST_TIMEOUT,
        help="seconds a client has to send a whole request (idle connections too) "
        "before it is dropped (at most 86400)",
    )
    parser.add_argument(
        "--max-connections",
        type=_checked("max_connections", int),
        default=DEFAULT_MAX_CONNECTIONS,
        help="connections served at once (one thread each); when full the oldest one still "
        "sending its request makes room, else 503",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault (repeatable; grammar below; default: none)",
    )
    parser.set_defaults(handler=run)


def _fault_help() -> str:
    """The ``--fault`` grammar, from the tables the parser reads (so the two cannot drift)."""
    names = {kind: [kind.value] for kind in KINDS}
    for alias, kind in ALIASES.items():
        names[kind].append(alias)
    kinds = [(", ".join(names[kind]), meaning) for kind, meaning in KINDS.items()]
    options = []
    for option in OPTIONS:
        only = ", ".join(sorted(k.value for k in option.kinds))
        meaning = f"({only} only) {option.meaning}" if only else option.meaning
        options.append((f"{option.name}={option.value}", meaning))
    indent = " " * (max(len(name) for name, _ in kinds + options) + 4)

    def rows(entries: list[tuple[str, str]]) -> list[str]:
        return [
            textwrap.fill(
                meaning,
                _WIDTH,
                initial_indent=f"  {name}".ljust(len(indent)),
                subsequent_indent=indent,
            )
            for name, meaning in entries
        ]

    lines = [
        "fault SPEC: KIND[:key=value,...], e.g. --fault '503:path=/ExecutionRecord/*,times=3'",
        "kinds:",
        *rows(kinds),
        "keys:",
        *rows(options),
        "",
        "The first rule that fires applies. Admin API (loopback only): GET and DELETE",
        "/__sandbox/stats; GET, POST and DELETE /__sandbox/faults, a POST with Content-Type:",
        'application/json and {"faults": ["SPEC", ...]}; a foreign Origin or Host is refused.',
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    rules = [parse_fault_spec(spec) for spec in args.fault]
    config = SandboxConfig(
        account_id=args.account_id,
        sub_accounts=tuple(args.sub_account),
        username=args.username,
        password=args.password,
        api_token=args.token,
        records=args.records,
        rate_limit=args.rate_limit,
        seed=args.seed,
        max_body_bytes=args.max_body_bytes,
        request_timeout=args.request_timeout,
        max_connections=args.max_connections,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(config, data=args.data) as sandbox, ExitStack() as stack:
            sandbox.faults.add(*rules)
            try:
                url = stack.enter_context(sandbox.serve(args.host, args.port))
            except OSError as exc:
                return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
            print(f"AtomSphere sandbox listening on {url}", flush=True)
            if config.sub_accounts:
                partner = url.replace("/api/rest/v1/", "/partner/api/rest/v1/", 1)
                subs = ", ".join(config.sub_accounts)
                print(f"sandbox: Partner API on {partner} (sub-accounts: {subs})", file=sys.stderr)
            while not stop.wait(0.5):
                pass
            stack.close()
            total = sandbox.stats.snapshot()["total"]
            print(f"sandbox: stopped after {total} requests", file=sys.stderr)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return ExitCode.OK
