"""Exit codes, error lines and plain-text tables shared by every command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import Any, TextIO


class ExitCode(IntEnum):
    """The exit codes every ``atomsphere`` command uses."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    APPLICATION_ERRORS = 3
    DOCUMENT_FAILURES = 4
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, what a shell reports for a process SIGTERM ended


def fail(message: str, code: ExitCode = ExitCode.FAILURE) -> int:
    """Print an error (one line per problem) on stderr and return ``code``."""
    for line in message.splitlines() or [message]:
        print(f"error: {line}", file=sys.stderr)
    return int(code)


def print_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], out: TextIO | None = None
) -> None:
    """A left-aligned text table; the last column is not padded."""
    stream = out or sys.stdout
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(values: Sequence[str]) -> str:
        padded = [v.ljust(widths[i]) for i, v in enumerate(values[:-1])]
        return "  ".join([*padded, values[-1]]).rstrip()

    print(line(list(headers)), file=stream)
    print(line(["-" * w for w in widths]), file=stream)
    for row in cells:
        print(line(row), file=stream)


def print_json(value: Any, out: TextIO | None = None) -> None:
    print(json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False), file=out or sys.stdout)


def port_number(text: str) -> int:
    """An ``argparse`` type for ``--port``: 0 (a free port) to 65535, refused as a usage error."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535; 0 picks a free one)")
    return port


def at_least(minimum: int, meaning: str = "") -> Callable[[str], int]:
    """An ``argparse`` type for a count: a whole number, ``minimum`` or more (``meaning`` says
    what the smallest means, for the message), refused as a usage error."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            hint = f" ({minimum}: {meaning})" if meaning else ""
            raise argparse.ArgumentTypeError(f"{value}: give {minimum} or more{hint}")
        return value

    return whole_number


def plural(count: int, noun: str) -> str:
    """``1 document``, ``2 documents``: counts in messages read as English."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
