"""Query filters as the API takes them: a tree of simple and grouping expressions → QueryConfig.

The tree mirrors Boomi's Connector SDK (``SimpleExpression`` / ``GroupingExpression``) and is
translated 1:1 into the API's ``QueryConfig``: grouping operators in lower case, every expression
typed with ``xsi:type``, arguments as repeated ``argument`` elements. No filter at all is sent as
an empty ``QueryFilter``, the form Boomi's own client uses for "every record".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from lxml import etree

from connector.xml import API_NS, XSI_NS, XSI_TYPE, api, to_bytes

GroupingOperator = Literal["and", "or"]

#: Requests are written with the API namespace as the default namespace, so the unprefixed
#: ``xsi:type`` values resolve to the API's types.
_NSMAP: Final[dict[str | None, str]] = {None: API_NS, "xsi": XSI_NS}


@dataclass(frozen=True)
class SimpleExpression:
    """``property operator arguments…`` (argument counts are checked before this is built)."""

    property: str
    operator: str
    arguments: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupingExpression:
    """``and`` / ``or`` over nested expressions; nesting is unbounded."""

    operator: GroupingOperator
    expressions: tuple[Expression, ...]


Expression = SimpleExpression | GroupingExpression


def query_config(expression: Expression | None) -> bytes:
    """The ``QueryConfig`` body for ``expression`` (None: no filter, every record)."""
    root = etree.Element(api("QueryConfig"), nsmap=_NSMAP)  # type: ignore[arg-type]
    query_filter = etree.SubElement(root, api("QueryFilter"))
    if expression is not None:
        _append(query_filter, "expression", expression)
    return to_bytes(root)


def _append(parent: etree._Element, tag: str, expression: Expression) -> None:
    element = etree.SubElement(parent, api(tag))
    if isinstance(expression, SimpleExpression):
        element.set("operator", expression.operator)
        element.set("property", expression.property)
        element.set(XSI_TYPE, "SimpleExpression")
        for argument in expression.arguments:
            etree.SubElement(element, api("argument")).text = argument
        return
    element.set("operator", expression.operator.lower())
    element.set(XSI_TYPE, "GroupingExpression")
    for nested in expression.expressions:
        _append(element, "nestedExpression", nested)


def describe(expression: Expression | None) -> str:
    """A one-line, human form of a filter for messages: ``(status EQUALS 'ERROR') and (…)``."""
    if expression is None:
        return "every record"
    if isinstance(expression, SimpleExpression):
        args = " ".join(repr(a) for a in expression.arguments)
        return f"{expression.property} {expression.operator}{' ' + args if args else ''}"
    return f" {expression.operator} ".join(f"({describe(e)})" for e in expression.expressions)
