"""Query expressions checked against an object and compiled into record predicates.

Checks, each a 400 with a message naming what is wrong: the operator exists and the object
accepts it (the catalog's per-object operator list), the argument count is the operator's, the
property is one the object filters on (case and underscores ignored, as ``QueryInfo.property``
does), grouping operators are ``and``/``or``, and arguments fit the property's type.

Semantics (docs/sandbox.md): string comparisons are case-sensitive; enum-typed properties match
their enum values case-insensitively; ``LIKE`` takes ``%`` (any run) and ``_`` (one character);
``BETWEEN`` is inclusive; dates compare as instants (date-typed properties, and string
properties whose value and argument both look like dates); numbers as numbers; a missing value
matches only ``IS_NULL``; on a repeated property a record matches when any value does
(``NOT_EQUALS``/``NOT_CONTAINS``: when none does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from connector.atomsphere.catalog import FieldInfo, ObjectInfo
from connector.atomsphere.catalog.facts import GROUPING_OPERATORS, OPERATOR_ARGUMENTS
from connector.atomsphere.catalog.model import normalise_property
from connector.sandbox.query import Expression, Group, Simple
from connector.sandbox.shapes import OPEN_KEY, Record, Shapes
from connector.sandbox.values import (
    DATE_TYPES,
    DECIMAL_TYPES,
    INTEGER_TYPES,
    ValueProblem,
    looks_like_date,
    parse_datetime,
)

Predicate = Callable[[Record], bool]


class QueryProblem(ValueError):
    """A filter the API would refuse (answered 400 with this message)."""


def match_all(_record: Record) -> bool:
    return True


def compile_filter(
    shapes: Shapes, info: ObjectInfo, record_type: str, expression: Expression | None
) -> Predicate:
    if expression is None:
        return match_all
    return _Compiler(shapes, info, record_type).compile(expression)


class _Compiler:
    def __init__(self, shapes: Shapes, info: ObjectInfo, record_type: str) -> None:
        self.shapes = shapes
        self.info = info
        self.record_type = record_type
        self.allowed = info.query.operators if info.query else tuple(OPERATOR_ARGUMENTS)

    def compile(self, expression: Expression) -> Predicate:
        if isinstance(expression, Group):
            return self._group(expression)
        return self._simple(expression)

    def _group(self, group: Group) -> Predicate:
        if group.operator not in GROUPING_OPERATORS:
            raise QueryProblem(
                f"Invalid grouping operator {group.operator!r}: expected 'and' or 'or'"
            )
        parts = [self.compile(n) for n in group.nested]
        if group.operator == "and":
            return lambda record: all(p(record) for p in parts)
        if not parts:
            return match_all
        return lambda record: any(p(record) for p in parts)

    def _simple(self, simple: Simple) -> Predicate:
        operator = simple.operator
        expected = OPERATOR_ARGUMENTS.get(operator)
        if expected is None:
            raise QueryProblem(f"Unknown query operator {operator!r}")
        if operator not in self.allowed:
            raise QueryProblem(
                f"Operator {operator} is not supported for {self.info.name} queries; "
                f"use one of {', '.join(self.allowed)}"
            )
        if len(simple.arguments) != expected:
            raise QueryProblem(
                f"Operator {operator} takes {expected} argument{'s' if expected != 1 else ''}, "
                f"got {len(simple.arguments)} (property {simple.property})"
            )
        getter, kind, enum = self._property(simple.property)
        try:
            test = _operator_test(operator, kind, enum, simple.arguments)
        except ValueProblem as exc:
            raise QueryProblem(
                f"Invalid argument for {operator} on {simple.property}: {exc}"
            ) from None
        if operator == "STARTS_WITH" and " " in simple.arguments[0]:
            raise QueryProblem("The STARTS_WITH argument must not contain spaces")

        def predicate(record: Record) -> bool:
            value = getter(record)
            if operator == "IS_NULL":
                return _empty(value)
            if operator == "IS_NOT_NULL":
                return not _empty(value)
            if _empty(value):
                return False
            if isinstance(value, list):
                hits = [test(v) for v in value if isinstance(v, str)]
                if operator in ("NOT_EQUALS", "NOT_CONTAINS"):
                    return all(hits)
                return any(hits)
            return isinstance(value, str) and test(value)

        return predicate

    def _property(self, name: str) -> tuple[Callable[[Record], Any], str, tuple[str, ...] | None]:
        """A value getter for ``name``, the type to compare as, and the enum if any."""
        head, _, custom = name.partition("/")
        if custom and normalise_property(head) == "customfields":
            return (lambda record: _custom(record, custom)), "xs:string", None
        query = self.info.query
        declared = query.property(name) if query else None
        field_name = declared.field if declared else None
        field = self._record_field(field_name or name)
        if declared is None and (query is None or query.properties_declared or field is None):
            raise QueryProblem(f"Unknown property {name!r} for {self.info.name} queries")
        if field is None and declared is not None:
            # Declared by the spec but not a field of the record type: a context the service
            # filters on (ListenerStatus by containerId); records may carry it unwritten.
            hidden = declared.name
            return (lambda record: record.get(hidden)), declared.type, None
        if field is None:
            return (lambda _record: None), "xs:string", None
        enum = self.shapes.enum(field)
        kind = self.shapes.simple_type(field)
        key = field.name
        return (lambda record: record.get(key)), kind, enum

    def _record_field(self, name: str) -> FieldInfo | None:
        wanted = normalise_property(name)
        for field in self.shapes.fields(self.record_type):
            if normalise_property(field.name) == wanted:
                return field
        return None


def _custom(record: Record, name: str) -> Any:
    holder = record.get("customFields")
    if isinstance(holder, dict):
        extra = holder.get(OPEN_KEY)
        if isinstance(extra, dict):
            return extra.get(name)
    return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _operator_test(
    operator: str, kind: str, enum: tuple[str, ...] | None, arguments: tuple[str, ...]
) -> Callable[[str], bool]:
    if operator in ("IS_NULL", "IS_NOT_NULL"):
        return lambda _value: True
    if operator == "LIKE":
        pattern = _like(arguments[0])
        return lambda value: pattern.fullmatch(value) is not None
    if operator in ("CONTAINS", "NOT_CONTAINS"):
        needle = arguments[0]
        if operator == "CONTAINS":
            return lambda value: needle in value
        return lambda value: needle not in value
    if operator == "STARTS_WITH":
        prefix = arguments[0]
        return lambda value: value.startswith(prefix)
    key = _sort_key(kind, enum, arguments)
    bounds = [key(a) for a in arguments]

    def compare(value: str) -> bool:
        try:
            mine = key(value)
        except ValueProblem:
            return False
        if isinstance(mine, datetime) is not isinstance(bounds[0], datetime):
            return False
        return _COMPARE[operator](mine, bounds)

    return compare


def _sort_key(
    kind: str, enum: tuple[str, ...] | None, arguments: tuple[str, ...]
) -> Callable[[str], Any]:
    if kind in DATE_TYPES:
        return parse_datetime
    if kind in INTEGER_TYPES or kind in DECIMAL_TYPES:
        return _number
    if kind == "xs:boolean":
        return _boolean
    if enum is not None:
        return str.lower
    if arguments and all(looks_like_date(a) for a in arguments):
        return lambda text: parse_datetime(text) if looks_like_date(text) else text
    return str


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not a number") from None


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueProblem(f"{text!r} is not true or false")
    return lowered == "true"


def _like(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


_COMPARE: dict[str, Callable[[Any, list[Any]], bool]] = {
    "EQUALS": lambda v, b: v == b[0],
    "NOT_EQUALS": lambda v, b: v != b[0],
    "GREATER_THAN": lambda v, b: v > b[0],
    "GREATER_THAN_OR_EQUAL": lambda v, b: v >= b[0],
    "LESS_THAN": lambda v, b: v < b[0],
    "LESS_THAN_OR_EQUAL": lambda v, b: v <= b[0],
    "BETWEEN": lambda v, b: b[0] <= v <= b[1],
}
