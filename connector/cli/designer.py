"""``atomsphere designer``: the reference designer page, served locally until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from connector.atomsphere.connection import resolve_connection
from connector.cli.output import ExitCode, fail, port_number
from connector.designer.launch import serve_designer
from connector.errors import ConfigError
from connector.loopback import LOOPBACK_BINDS

HELP_ORDER = 30

EPILOG = """\
The page draws a process: drag the AtomSphere shape from the palette onto the canvas, choose an
action, press Import Operation to pick an object type (written to WORKDIR/operations and
WORKDIR/profiles), adjust the form, save, and run the process: each document's status, code
and message are shown. Without --connection (or the ATOMSPHERE_* variables) a sandbox is started
on a free loopback port, so nothing leaves this machine.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "designer",
        help="a local web page to draw processes and configure operations from plugin.yaml",
        description=(
            "Serve the reference designer: a palette built from plugin.yaml, a canvas, the "
            "operation form, Import Operation and process runs, on http://HOST:PORT/."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=port_number, default=8765, help="default: 8765 (0: a free port)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="where operations/, profiles/ and processes/ are (default: the current folder)",
    )
    parser.add_argument("--connection", type=Path, metavar="FILE", help="connection YAML file")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help=(
            "process reporting database (default: DIR/reporting.db); opened, or created, at "
            "start: one that cannot be used stops the start"
        ),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    connection = resolve_connection(args.connection)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with ExitStack() as stack:
            try:
                server = stack.enter_context(
                    serve_designer(
                        args.workdir,
                        connection=connection,
                        host=args.host,
                        port=args.port,
                        database=args.db,
                    )
                )
            except ConfigError as exc:  # the work folder or --db: nothing was started
                return fail(str(exc), ExitCode.USAGE)
            except OSError as exc:
                return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
            target = server.workspace.target
            print(f"AtomSphere designer on {server.url}", flush=True)
            print(f"  connection: {target.kind}, {target.target}", flush=True)
            print(f"  work folder: {server.workspace.root}", flush=True)
            if args.host not in LOOPBACK_BINDS:
                print(
                    f"warning: listening on {args.host}: anyone who can reach it can run "
                    "processes with this connection",
                    file=sys.stderr,
                )
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("designer: stopped", file=sys.stderr)
    return ExitCode.OK
