"""The operation's query filter: parsed from YAML, checked against the catalog, bound per document.

In the file a filter is a tree of ``and``/``or`` groups and simple expressions whose arguments
are literals or ``{param: NAME}`` references. Loading checks everything a schema cannot — the
property exists for the object; the operator is one the object allows and applies to the
property's type (:func:`~connector.atomsphere.catalog.operators.usable_operators`, the rule the
wizard writes its filter templates from); the operator gets the right number of arguments — and
spells each property the way the API documents it. At run time the tree is bound once per input
document into the client's :class:`~connector.atomsphere.query.Expression`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from connector.atomsphere.catalog import Catalog, ObjectInfo
from connector.atomsphere.catalog.model import normalise_property
from connector.atomsphere.catalog.operators import filter_type, usable_operators
from connector.atomsphere.query import Expression, GroupingExpression, SimpleExpression
from connector.descriptor import bundled_descriptor
from connector.errors import Problem
from connector.yamlfiles import FieldPath, LoadedYaml


@dataclass(frozen=True)
class Value:
    """A literal argument, written in the operation file."""

    value: str


@dataclass(frozen=True)
class ParamRef:
    """``{param: NAME}``: the value of a parameter, resolved per document."""

    name: str


Argument = Value | ParamRef


@dataclass(frozen=True)
class Condition:
    """``property operator arguments``, with the property spelt as the API documents it."""

    property: str
    operator: str
    arguments: tuple[Argument, ...]


@dataclass(frozen=True)
class Group:
    operator: Literal["and", "or"]
    items: tuple[FilterNode, ...]


FilterNode = Condition | Group


def parse_argument(raw: Any) -> Argument:
    """A schema-valid argument: a scalar, or a mapping with ``param``."""
    if isinstance(raw, dict):
        return ParamRef(str(raw["param"]))
    if isinstance(raw, bool):
        return Value("true" if raw else "false")
    return Value(str(raw))


def parse_filter(
    loaded: LoadedYaml,
    path: FieldPath,
    obj: ObjectInfo,
    catalog: Catalog,
    problems: list[Problem],
) -> FilterNode:
    """Build the tree at ``path`` (already schema-valid), appending every problem found."""
    raw = _at(loaded.data, path)
    for operator in ("and", "or"):
        if operator in raw:
            items = tuple(
                parse_filter(loaded, (*path, operator, i), obj, catalog, problems)
                for i in range(len(raw[operator]))
            )
            return Group("and" if operator == "and" else "or", items)
    arguments = tuple(parse_argument(a) for a in raw.get("arguments", []))
    operator = str(raw["operator"])
    prop, type_name = _property(
        loaded, (*path, "property"), str(raw["property"]), obj, catalog, problems
    )
    allowed = obj.query.operators if obj.query else tuple(o.name for o in catalog.operators)
    if operator not in usable_operators(allowed, type_name, catalog):
        problems.append(
            loaded.problem((*path, "operator"), _refusal(operator, prop, type_name, obj, catalog))
        )
    expected = catalog.operator(operator).arguments
    if len(arguments) != expected:
        problems.append(
            loaded.problem(
                (*path, "arguments"),
                f"{operator} takes {_count(expected)}, not {len(arguments)}",
            )
        )
    return Condition(prop, operator, arguments)


def _refusal(operator: str, prop: str, type_name: str, obj: ObjectInfo, catalog: Catalog) -> str:
    """Why :func:`usable_operators` refused ``operator``: the object's list, or the grammar's."""
    query = obj.query
    if query is not None and operator not in query.operators:
        return f"{obj.name} does not allow {operator}; it allows {', '.join(query.operators)}"
    grammar = bundled_descriptor().query_filter
    specs = {spec.id: spec for spec in grammar.operators} if grammar is not None else {}
    if operator not in specs:
        return f"{operator} is not an operator of the connector's filter grammar"
    types = ", ".join(specs[operator].types)
    return (
        f"{operator} does not apply to {prop} (a {filter_type(type_name, catalog)} property); "
        f"it applies to {types}"
    )


def _property(
    loaded: LoadedYaml,
    path: FieldPath,
    name: str,
    obj: ObjectInfo,
    catalog: Catalog,
    problems: list[Problem],
) -> tuple[str, str]:
    """The property as the API spells it, and its type."""
    query = obj.query
    if query is None:
        return name, "xs:string"
    found = query.property(name)
    if found is not None:
        return found.name, found.type
    if not query.properties_declared:
        # The spec lists no filterable fields: any field of the record is worth sending, and
        # connector records filter on custom tracked fields as customFields/<name>.
        record = obj.record_type
        fields = (
            catalog.all_fields(record) if record is not None and record in catalog.types else ()
        )
        for field in fields:
            if normalise_property(field.name) == normalise_property(name):
                return field.name, field.type
        if name.startswith("customFields/") or not fields:
            return name, "xs:string"
        choices = [f.name for f in fields]
    else:
        choices = [p.name for p in query.properties]
    problems.append(
        loaded.problem(
            path,
            f"{obj.name} cannot be filtered on {name!r}; filterable: {', '.join(choices)}",
        )
    )
    return name, "xs:string"


def bind(node: FilterNode | None, value_of: Callable[[Argument], str]) -> Expression | None:
    """The concrete expression for one document; ``value_of`` raises when a value is missing."""
    if node is None:
        return None
    if isinstance(node, Group):
        bound = tuple(e for e in (bind(i, value_of) for i in node.items) if e is not None)
        return GroupingExpression(node.operator, bound)
    return SimpleExpression(
        node.property, node.operator, tuple(value_of(a) for a in node.arguments)
    )


def _at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _count(n: int) -> str:
    return "no arguments" if n == 0 else ("1 argument" if n == 1 else f"{n} arguments")
