"""Random query filters over a few objects' filterable fields, and a reference evaluation.

The reference covers the operators whose meaning docs/sandbox.md pins down without ambiguity:
text equality, substrings and LIKE on strings (case-sensitive), equality on enumerations (case
ignored), every comparison on numbers and on dates (as instants), equality on booleans, and the
null tests. A missing or empty value matches only IS_NULL; on a repeated field a record matches
when any value does (NOT_EQUALS/NOT_CONTAINS: when none does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.catalog.model import FilterProperty
from connector.sandbox.shapes import Record
from tests.properties.harness import sandbox
from tests.properties.records import held

CATALOG = load_catalog()
OBJECTS = ("ExecutionRecord", "Atom", "Process", "Deployment", "Role", "Environment")
_NUMBERS = {"xs:int", "xs:long"}
_ORDERED = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "BETWEEN")
_BY_KIND = {
    "string": ("EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS", "LIKE"),
    "enum": ("EQUALS", "NOT_EQUALS"),
    "number": ("EQUALS", "NOT_EQUALS", *_ORDERED),
    "datetime": ("EQUALS", *_ORDERED),
    "boolean": ("EQUALS",),
}
_NULL_TESTS = ("IS_NULL", "IS_NOT_NULL")

Condition = dict[str, Any]

#: The sandbox every filter test runs against, and the records it holds (read once).
CONFIG: dict[str, Any] = {"records": 40, "page_size": 7}
with sandbox(**CONFIG) as _reference:
    RECORDS: dict[str, list[Record]] = {obj: held(_reference.sandbox, obj) for obj in OBJECTS}


def kind(prop: FilterProperty) -> str | None:
    if prop.type in _NUMBERS:
        return "number"
    if prop.type == "xs:dateTime":
        return "datetime"
    if prop.type == "xs:boolean":
        return "boolean"
    if prop.type in CATALOG.enums:
        return "enum"
    return "string" if prop.type == "xs:string" else None


def value_of(record: Record, prop: FilterProperty) -> Any:
    return record.get(prop.field or prop.name)


@st.composite
def conditions(draw: st.DrawFn, obj: str) -> Condition:
    """One ``property operator arguments`` the object accepts, with arguments drawn mostly from
    values its records hold (so that filters select something)."""
    query = CATALOG.object(obj).query
    assert query is not None
    usable = [p for p in query.properties if kind(p) is not None]
    prop = draw(st.sampled_from(usable))
    what = kind(prop)
    assert what is not None
    allowed = [o for o in (*_BY_KIND[what], *_NULL_TESTS) if o in query.operators]
    operator = draw(st.sampled_from(allowed))
    values = [v for r in RECORDS[obj] for v in _values(value_of(r, prop))]
    arguments = [draw(_argument(what, operator, values)) for _ in range(_arity(operator))]
    if operator == "BETWEEN":
        arguments.sort(key=_sort_key(what))
    return {"property": prop.name, "operator": operator, "arguments": arguments}


def trees(obj: str) -> st.SearchStrategy[dict[str, Any]]:
    """Nested and/or groups of conditions, up to three levels."""
    return st.recursive(
        conditions(obj),
        lambda inner: st.builds(
            lambda op, items: {op: items},
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=1, max_size=3),
        ),
        max_leaves=5,
    )


def matches(tree: dict[str, Any], record: Record, obj: str) -> bool:
    if "and" in tree:
        return all(matches(t, record, obj) for t in tree["and"])
    if "or" in tree:
        return any(matches(t, record, obj) for t in tree["or"])
    query = CATALOG.object(obj).query
    assert query is not None
    prop = query.property(tree["property"])
    assert prop is not None
    what = kind(prop)
    assert what is not None
    operator, arguments = tree["operator"], tree["arguments"]
    values = _values(value_of(record, prop))
    if operator == "IS_NULL":
        return not values
    if operator == "IS_NOT_NULL":
        return bool(values)
    if not values:
        return False
    test = _test(what, operator, arguments)
    hits = [test(v) for v in values]
    return all(hits) if operator in ("NOT_EQUALS", "NOT_CONTAINS") else any(hits)


def _values(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def _arity(operator: str) -> int:
    return 0 if operator in _NULL_TESTS else 2 if operator == "BETWEEN" else 1


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _sort_key(what: str) -> Callable[[str], Any]:
    if what == "number":
        return float
    if what == "datetime":
        return _instant
    if what == "enum":
        return str.lower
    return str


def _test(what: str, operator: str, arguments: list[str]) -> Callable[[str], bool]:
    if operator == "LIKE":
        pattern = "".join(
            ".*" if c == "%" else "." if c == "_" else re.escape(c) for c in arguments[0]
        )
        return lambda v: re.fullmatch(pattern, v, re.DOTALL) is not None
    if operator == "CONTAINS":
        return lambda v: arguments[0] in v
    if operator == "NOT_CONTAINS":
        return lambda v: arguments[0] not in v
    key = _sort_key(what)
    bounds = [key(a) for a in arguments]
    compare: dict[str, Callable[[Any], bool]] = {
        "EQUALS": lambda v: v == bounds[0],
        "NOT_EQUALS": lambda v: v != bounds[0],
        "GREATER_THAN": lambda v: v > bounds[0],
        "GREATER_THAN_OR_EQUAL": lambda v: v >= bounds[0],
        "LESS_THAN": lambda v: v < bounds[0],
        "LESS_THAN_OR_EQUAL": lambda v: v <= bounds[0],
        "BETWEEN": lambda v: bounds[0] <= v <= bounds[1],
    }
    return lambda v: compare[operator](key(v))


def _argument(what: str, operator: str, held: list[str]) -> st.SearchStrategy[str]:
    known = st.sampled_from(held) if held else st.nothing()
    if what == "number":
        return known | st.integers(-5, 200_000).map(str)
    if what == "datetime":
        return known | st.datetimes(
            min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31)
        ).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if what == "boolean":
        return st.sampled_from(["true", "false"])
    if what == "enum":
        return (known | st.sampled_from(["ONLINE", "prod", "x"])).map(
            lambda v: v.swapcase() if len(v) % 2 else v
        )
    plain = st.text("abcdeAB- _%", min_size=1, max_size=4)
    if operator in ("CONTAINS", "NOT_CONTAINS"):
        return known.flatmap(lambda v: st.sampled_from([v[: len(v) // 2], v[-3:]])) | plain
    if operator == "LIKE":
        return known.map(lambda v: "%" + v[2:6] + "%") | known.map(lambda v: v[:-1] + "_") | plain
    return known | plain
