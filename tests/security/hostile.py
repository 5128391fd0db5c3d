"""Hostile inputs and the checks every security test shares: a loopback listener that proves no
connection was made, a canary file that proves nothing was read, and a snapshot of a folder tree
that proves nothing was written outside the intended folder."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

#: What a canary file holds; it must never appear in any answer, message or output.
CANARY = "CANARY-7f3a-should-never-be-read"


@dataclass(frozen=True)
class Bait:
    """A local file and a loopback URL that hostile documents point at."""

    file: Path
    url: str
    listener: socket.socket

    def xml(self) -> dict[str, bytes]:
        return hostile_xml(self.file, self.url)

    def assert_untouched(self, *texts: str | bytes) -> None:
        """No connection reached the listener and no text carries the canary."""
        self.listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            self.listener.accept()
        for text in texts:
            shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            assert CANARY not in shown


def hostile_xml(file: Path, url: str) -> dict[str, bytes]:
    """Every kind of hostile XML, by name; each must be refused without reading ``file`` or
    connecting to ``url``."""
    laughs = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">'.encode()
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    return {
        "xxe-file": f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{file}">]><a>&x;</a>'.encode(),
        "xxe-network": f'<!DOCTYPE a [<!ENTITY x SYSTEM "{url}">]><a>&x;</a>'.encode(),
        "external-dtd": f'<!DOCTYPE a SYSTEM "{url}"><a/>'.encode(),
        "parameter-entity": f'<!DOCTYPE a [<!ENTITY % p SYSTEM "{url}"> %p;]><a/>'.encode(),
        "billion-laughs": b"<!DOCTYPE l [" + laughs + b"]><l>&i;</l>",
        "quadratic-blowup": b'<!DOCTYPE a [<!ENTITY x "'
        + b"x" * 50_000
        + b'">]><a>'
        + b"&x;" * 50_000
        + b"</a>",
        "doctype": b"<!DOCTYPE a><a/>",
        "deep-nesting": b"<a>" * 10_000 + b"</a>" * 10_000,
        "huge-attribute": b'<a x="' + b"x" * (11 * 1024 * 1024) + b'"/>',
        "huge-text": b"<a>" + b"x" * (11 * 1024 * 1024) + b"</a>",
        "non-utf8": b'<?xml version="1.0" encoding="UTF-8"?><a>caf\xe9</a>',
        "wrong-declared-encoding": b'<?xml version="1.0" encoding="UTF-16"?><a>x</a>',
        "unknown-encoding": b'<?xml version="1.0" encoding="x-no-such"?><a/>',
    }


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and link (its target) under ``root``, by relative path."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[key] = f"-> {path.readlink()}"
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


def changed_outside(
    before: dict[str, bytes | str], after: dict[str, bytes | str], *inside: str
) -> list[str]:
    """Paths added, removed or changed that are not below one of the folders ``inside``."""
    prefixes = tuple(folder.rstrip("/") + "/" for folder in inside)
    keys = before.keys() | after.keys()
    return sorted(k for k in keys if before.get(k) != after.get(k) and not k.startswith(prefixes))


def one_line_error(stderr: str) -> str:
    """The CLI's error: one ``error:`` line and no traceback."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) >= 1, stderr
    return lines[0]
