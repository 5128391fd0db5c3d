"""``atomsphere test-connection``: one authenticated call, and a message that says what happened."""

from __future__ import annotations

import argparse
from pathlib import Path

from connector.atomsphere.connection import Connection, resolve_connection
from connector.atomsphere.pool import DEFAULT_POOL
from connector.cli.output import ExitCode, fail
from connector.engine.check import check_connection
from connector.errors import ConfigError

HELP_ORDER = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "test-connection",
        help="check that a connection reaches the API and its credentials are accepted",
        description=(
            "Read the connection's own Account: proves the URL, the account id and the "
            "credentials in one cheap call. The connection comes from --connection or the "
            "ATOMSPHERE_* environment variables."
        ),
        epilog="Exit codes: 0 connected (the Account was read), 1 the API refused (the HTTP "
        "status and the API's message are shown: 401 credentials, 403 an account id these "
        "credentials may not use, 404, 5xx) or could not be reached, 2 no usable connection "
        "configuration.",
    )
    parser.add_argument("--connection", type=Path, metavar="FILE", help="connection YAML")
    parser.set_defaults(handler=_test_connection)


def _test_connection(args: argparse.Namespace) -> int:
    connection = resolve_connection(args.connection)
    if connection is None:
        raise ConfigError("no connection: pass --connection FILE or set the ATOMSPHERE_* variables")
    check = check_connection(DEFAULT_POOL.client(connection))
    if not check.ok:
        shown = (
            check.message if check.target in check.message else f"{check.message} ({check.target})"
        )
        return fail(shown)
    print(f"ok: {check.message}")
    print(f"target: {check.target}, {_auth(connection)}")
    return ExitCode.OK


def _auth(connection: Connection) -> str:
    """Which credentials were sent, never their value."""
    used = "an API token" if connection.auth_type == "token" else "a password"
    return f"with {used}" + (" and a one-time code" if connection.otp else "")
