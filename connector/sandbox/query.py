"""QueryConfig bodies (XML or JSON) read into a small expression tree.

Grammar (atomsphere-api.md §6): an optional ``QueryFilter`` holding one ``expression``, either
a SimpleExpression (``operator``, ``property``, ``argument``\\*) or a GroupingExpression
(``and``/``or`` over ``nestedExpression``\\*, nested to any depth). In XML the node kind is the
``xsi:type``; in JSON there is no discriminator, so a node with ``nestedExpression`` is a group
and a node with ``property`` is simple. Every empty form means "everything": no body,
``<QueryConfig/>``, an empty ``QueryFilter``, ``{}``, ``{"QueryFilter":{}}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lxml import etree

from connector.atomsphere.catalog.facts import OPERATOR_ARGUMENTS
from connector.errors import XMLInputError
from connector.sandbox.codec_xml import BodyProblem, declared_type
from connector.xml import local_name, parse_xml


@dataclass(frozen=True)
class Simple:
    operator: str
    property: str
    arguments: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    operator: str
    nested: tuple[Simple | Group, ...]


Expression = Simple | Group


def parse_query(body: bytes, is_json: bool) -> Expression | None:
    """The filter of a QueryConfig body, None when it selects everything."""
    if not body.strip():
        return None
    if is_json:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise BodyProblem(f"the QueryConfig is not valid JSON: {exc}") from None
        return _json_config(data)
    try:
        root = parse_xml(body, source="QueryConfig")
    except XMLInputError as exc:
        raise BodyProblem(str(exc)) from None
    return _xml_config(root)


# -- XML -------------------------------------------------------------------------------------


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local_name(c.tag) == name]


def _xml_config(root: etree._Element) -> Expression | None:
    if local_name(root.tag) == "QueryFilter":
        query_filter: etree._Element | None = root
    else:
        filters = _children(root, "QueryFilter")
        query_filter = filters[0] if filters else None
    if query_filter is None:
        return None
    expressions = _children(query_filter, "expression")
    if not expressions:
        return None
    return _xml_expression(expressions[0])


def _xml_expression(node: etree._Element) -> Expression:
    kind = declared_type(node)
    nested = _children(node, "nestedExpression")
    operator = (node.get("operator") or "").strip()
    prop = node.get("property")
    if kind == "GroupingExpression" or (
        not kind
        and not _simple_without_property(operator, nested, prop)
        and (nested or prop is None)
    ):
        return Group(operator, tuple(_xml_expression(n) for n in nested))
    if kind and kind != "SimpleExpression":
        raise BodyProblem(f"unknown expression type {kind!r}")
    if prop is None:
        raise _no_property(operator)
    arguments = tuple((a.text or "") for a in _children(node, "argument"))
    return Simple(operator, prop.strip(), arguments)


# -- JSON ------------------------------------------------------------------------------------


def _json_config(data: Any) -> Expression | None:
    if not isinstance(data, dict):
        raise BodyProblem("the QueryConfig must be a JSON object")
    query_filter = data.get("QueryFilter")
    if query_filter in (None, {}, ""):
        return None
    if not isinstance(query_filter, dict):
        raise BodyProblem("QueryFilter must be a JSON object")
    expression = query_filter.get("expression")
    if expression in (None, {}):
        return None
    return _json_expression(expression)


def _json_expression(node: Any) -> Expression:
    if not isinstance(node, dict):
        raise BodyProblem("an expression must be a JSON object")
    operator = str(node.get("operator") or "").strip()
    if _simple_without_property(operator, node.get("nestedExpression"), node.get("property")):
        raise _no_property(operator)
    if "nestedExpression" in node or "property" not in node:
        nested = node.get("nestedExpression") or []
        if isinstance(nested, dict):
            nested = [nested]
        if not isinstance(nested, list):
            raise BodyProblem("nestedExpression must be a list of expressions")
        return Group(operator, tuple(_json_expression(n) for n in nested))
    arguments = node.get("argument", [])
    if not isinstance(arguments, list):
        arguments = [arguments]
    return Simple(operator, str(node["property"]).strip(), tuple(_text(a) for a in arguments))


def _simple_without_property(operator: str, nested: Any, prop: Any) -> bool:
    """A node with a simple operator (``EQUALS``...) and neither nested expressions nor a
    property: a simple expression that lost its property, not a grouping (whose operator
    would then be refused as not ``and``/``or``, which misleads)."""
    return operator.upper() in OPERATOR_ARGUMENTS and not nested and prop is None


def _no_property(operator: str) -> BodyProblem:
    return BodyProblem(
        f"the simple expression {operator or '(no operator)'} has no property: "
        "name the property it filters on"
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
