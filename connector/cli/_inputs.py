"""The documents ``atomsphere run`` reads: files, folders, stdin, and each file's properties.

``FILE.properties.json`` is where JSON meets document properties, which are text: this module
is the one place that decides how a JSON value becomes one, or why it cannot.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from connector.documents import Document
from connector.errors import ConfigError, Problem

PROPERTIES_SUFFIX: Final = ".properties.json"
#: The key of ``FILE.properties.json`` whose object holds the document's dynamic operation
#: properties (per-document overrides of the operation's fields, by field id), not a property.
DYNAMIC_KEY: Final = "dynamic_operation_properties"
#: What a properties file may hold, for the message that refuses anything else.
PROPERTY_VALUES: Final = "properties are text: a string, a number, true/false, or null for unset"


@dataclass(frozen=True)
class InputDocument:
    document: Document
    source: str
    #: The file it was read from; None for stdin and the empty document.
    path: Path | None = None


def read_inputs(paths: Sequence[str]) -> list[InputDocument]:
    """Documents from files, folders (sorted, sidecars skipped) and stdin; one empty if none.

    Every input is read before any is sent, and every unreadable one is reported at once: a run
    either has all its documents or sends none.
    """
    if not paths:
        return [InputDocument(Document(b""), "(no input)")]
    if list(paths).count("-") > 1:
        # The first would read all of stdin, and the next an empty document no one sent.
        raise ConfigError([Problem("stdin ('-') can be read once only", field="--input")])
    found: list[InputDocument] = []
    problems: list[Problem] = []
    for raw in paths:
        if raw == "-":
            found.append(InputDocument(Document(sys.stdin.buffer.read()), "-"))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.is_file() and not p.name.endswith(PROPERTIES_SUFFIX)
            )
        else:
            files = [path]
        for file in files:
            try:
                found.append(_read_file(file))
            except ConfigError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return found


def _read_file(path: Path) -> InputDocument:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Problem("input file not found", str(path))]) from None
    except OSError as exc:
        raise ConfigError([Problem(f"cannot read input: {exc.strerror}", str(path))]) from None
    sidecar = path.with_name(path.name + PROPERTIES_SUFFIX)
    properties, dynamic = read_properties(sidecar) if sidecar.is_file() else ({}, {})
    return InputDocument(Document(data, properties, dynamic), str(path), path)


def read_properties(sidecar: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A ``FILE.properties.json``: its document properties and dynamic operation properties.

    A JSON object whose values become text properties, except ``dynamic_operation_properties``:
    an object whose values, by the same rules, become the document's dynamic operation
    properties. Document properties are text, so a value is taken as its JSON text: a string as
    it is, a number exactly as written (``1.50`` stays ``1.50``), ``true``/``false``; ``null``
    leaves the property unset. A list or an object has no text form and is refused, naming the
    file and the property, never sent as some rendering of it.
    """
    source = str(sidecar)
    try:
        # Numbers keep their source text; NaN and Infinity are not JSON and are refused.
        raw = json.loads(
            sidecar.read_text("utf-8"), parse_int=str, parse_float=str, parse_constant=_no_constant
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(f"not valid JSON: {exc}", source)]) from None
    except OSError as exc:
        raise ConfigError([Problem(f"cannot read: {exc.strerror}", source)]) from None
    if not isinstance(raw, dict):
        raise ConfigError([Problem("expected a JSON object of properties", source)])
    problems: list[Problem] = []
    dynamic_raw = raw.pop(DYNAMIC_KEY, None)
    if dynamic_raw is not None and not isinstance(dynamic_raw, dict):
        message = "expected a JSON object: operation field id -> its value for this document"
        problems.append(Problem(message, source, field=DYNAMIC_KEY))
        dynamic_raw = None
    properties = _text_values(raw, source, "", "a document property", problems)
    dynamic = _text_values(
        dynamic_raw or {}, source, f"{DYNAMIC_KEY}.", "a dynamic operation property", problems
    )
    if problems:
        raise ConfigError(problems)
    return properties, dynamic


def _text_values(
    raw: dict[str, object], source: str, prefix: str, what: str, problems: list[Problem]
) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in raw.items():
        if value is None:
            continue  # unset: a parameter reading it sees no value, as if the key were absent
        if isinstance(value, str):  # numbers too: parse_int/parse_float kept their text
            values[name] = value
        elif isinstance(value, bool):
            values[name] = "true" if value else "false"
        else:
            kind = "a list" if isinstance(value, list) else "an object"
            message = f"{kind} cannot be {what} ({PROPERTY_VALUES})"
            problems.append(Problem(message, source, field=prefix + name))
    return values


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")
