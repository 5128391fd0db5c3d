"""The ``atomsphere`` command: argument parsing and printing only.

Each sub-command lives in its own module of this package with a ``register(subparsers)``
function and a ``HELP_ORDER`` number (the order ``--help`` lists them); it calls one function of
the layer below. Every error the user can cause ends here as one line on stderr and a documented
exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from types import ModuleType

from connector._version import __version__
from connector.cli._logging import configure as configure_logging
from connector.cli.output import ExitCode, fail
from connector.errors import (
    ConfigError,
    ConnectorError,
    PluginError,
    Terminated,
    UnknownNameError,
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atomsphere",
        description=(
            "Connector for Boomi's AtomSphere Platform API: run operations, import profiles, "
            "emulate the API locally, and browse its catalog."
        ),
        epilog=(
            "Exit codes: 0 success, 1 failure, 2 bad input or configuration, "
            "3 some documents were application errors, 4 some documents failed, 130 interrupted, "
            "143 terminated (SIGTERM, while process run or demo runs a process)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress (retries, pages) on stderr; twice for debug detail",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="log only errors (warnings are shown by default); run's summary lists only the "
        "documents that did not succeed, process run prints only an execution that did not "
        "complete",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in command_modules():
        module.register(subparsers)
    return parser


def command_modules() -> list[ModuleType]:
    """Every module of this package that defines a command, in ``HELP_ORDER``."""
    modules = [
        import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    commands = [m for m in modules if hasattr(m, "register")]
    return sorted(commands, key=lambda m: (getattr(m, "HELP_ORDER", 100), m.__name__))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    return dispatch(build_parser().parse_args(argv))


def dispatch(args: argparse.Namespace) -> int:
    """Run the command ``args`` names, turning every error into one line and an exit code."""
    handler: Handler = args.handler
    configure_logging(getattr(args, "verbose", 0), getattr(args, "quiet", False))
    try:
        return handler(args)
    except UnknownNameError as exc:
        return fail(str(exc), ExitCode.USAGE)
    except (ConfigError, PluginError) as exc:
        return fail(str(exc), ExitCode.USAGE)
    except ConnectorError as exc:
        return fail(str(exc), ExitCode.FAILURE)
    except Terminated as exc:
        return fail(str(exc) or "terminated", ExitCode.TERMINATED)
    except KeyboardInterrupt:
        return fail("interrupted", ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``atomsphere catalog objects | head``): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except OSError as exc:  # a file or folder the system refused: say which, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{exc.strerror or exc}", ExitCode.FAILURE)


def run() -> None:  # pragma: no cover - thin wrapper for ``python -m connector``
    sys.exit(main())
