"""The designer API's request bodies, checked at the boundary and turned into typed values.

A body is JSON from the page or from anything else that reaches the server; past this module no
code sees a raw value. A wrong type is refused here with the field it is in
(``shapes[0]: expected an object``), as a :class:`~connector.errors.ConfigError` the server
answers with 400, rather than failing deep inside as an internal error. Every problem of a body
is reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from connector.errors import ConfigError, Problem


@dataclass(frozen=True)
class Shape:
    """One shape of the canvas; text the page left out is ``""``."""

    kind: str
    label: str = ""
    operation: str = ""
    folder: str = ""
    status: str = ""
    data: str = ""


@dataclass(frozen=True)
class RunRequest:
    """``POST /api/run``: the process's name and its shapes, Start first."""

    name: str
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class ImportRequest:
    """``POST /api/import``: the wizard's action, object type and operation name."""

    action: str
    object: str
    name: str


SHAPE_FIELDS: Final = tuple(f.name for f in fields(Shape))


class _Reader:
    """Reads fields out of JSON values, collecting a :class:`Problem` for each wrong one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(message, field=where or "the body"))

    def mapping(
        self, value: object, where: str, allowed: tuple[str, ...] | None
    ) -> Mapping[str, Any] | None:
        """``value`` as an object with only the ``allowed`` fields (any, for ``None``)."""
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, got {_json_type(value)}")
            return None
        for key in sorted(set(value) - set(value if allowed is None else allowed)):
            self.fail(where, f"unknown field {key[:40]!r} (expected: {', '.join(allowed or ())})")
        return value

    def body(self, value: object, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        """The body as an object; when it is none, nothing more can be read: refused at once."""
        data = self.mapping(value, "", allowed)
        if data is None:
            self.done()
        return data or {}

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool) -> str:
        """A string field; ``null`` is taken as absent, and neither is allowed when required."""
        here = f"{where}.{key}" if where else key
        value = data.get(key)
        if value is None:
            if required:
                self.fail(here, "missing (expected a non-empty string)")
            return ""
        if not isinstance(value, str):
            self.fail(here, f"expected a string, got {_json_type(value)}")
            return ""
        if required and not value:
            self.fail(here, "expected a non-empty string")
        return value

    def done(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


def run_request(body: object) -> RunRequest:
    """``{name, shapes: [{kind, label?, operation?, folder?, status?, data?}, ...]}``."""
    reader = _Reader()
    data = reader.body(body, ("name", "shapes"))
    name = reader.text(data, "name", "", required=True)
    raw_shapes = data.get("shapes")
    if not isinstance(raw_shapes, list):
        reader.fail("shapes", f"expected an array of shapes, got {_json_type(raw_shapes)}")
        raw_shapes = []
    shapes: list[Shape] = []
    for i, raw in enumerate(raw_shapes):
        where = f"shapes[{i}]"
        shape = reader.mapping(raw, where, SHAPE_FIELDS)
        if shape is not None:
            texts = {k: reader.text(shape, k, where, required=k == "kind") for k in SHAPE_FIELDS}
            shapes.append(Shape(**texts))
    reader.done()
    return RunRequest(name, tuple(shapes))


def import_request(body: object) -> ImportRequest:
    """``{action, object, name}``, all three non-empty strings."""
    reader = _Reader()
    data = reader.body(body, ("action", "object", "name"))
    action, object_name, name = (
        reader.text(data, key, "", required=True) for key in ("action", "object", "name")
    )
    reader.done()
    return ImportRequest(action, object_name, name)


def save_request(body: object) -> Mapping[str, Any]:
    """``{operation: {...}}``: the operation form's data, whose fields the engine checks."""
    reader = _Reader()
    data = reader.body(body, ("operation",))
    operation = reader.mapping(data.get("operation"), "operation", None)
    reader.done()
    return operation or {}


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for a message (never the value: it may be long)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
