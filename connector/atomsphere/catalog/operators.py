"""Which query operators a filter may apply to a property: the one rule, shared.

Two sources decide it: the operators the object allows (the catalog, from Boomi's spec) and the
property types each operator applies to (``plugin.yaml``'s ``query_filter``, Boomi's
``supportedType``). The operation loader refuses exactly what this refuses, and the wizard writes
down exactly what it allows (the profiles' ``ac:filterable``, the operation file's filter
template), so a line copied from the template always loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from connector.atomsphere.catalog.model import Catalog
from connector.descriptor import bundled_descriptor

_NUMBERS: Final = frozenset(
    {"xs:int", "xs:long", "xs:short", "xs:integer", "xs:byte", "xs:double", "xs:float"}
    | {"xs:decimal"}
)
_DATES: Final = frozenset({"xs:dateTime", "xs:date", "xs:time"})


def filter_type(type_name: str, catalog: Catalog) -> str:
    """The descriptor's filter type (``query_filter.operators[].types``) of a property type."""
    if type_name in _NUMBERS:
        return "number"
    if type_name in _DATES:
        return "datetime"
    if type_name == "xs:boolean":
        return "boolean"
    if type_name in catalog.enums:
        return "enum"
    return "string"


def usable_operators(allowed: Iterable[str], type_name: str, catalog: Catalog) -> tuple[str, ...]:
    """Those of ``allowed`` (an object's operators, kept in its order) that a filter may apply
    to a property of ``type_name``; an operator the grammar does not declare is never usable."""
    grammar = bundled_descriptor().query_filter
    if grammar is None:
        return tuple(allowed)
    kind = filter_type(type_name, catalog)
    declared = {spec.id: spec for spec in grammar.operators}
    return tuple(op for op in allowed if op in declared and declared[op].applies_to(kind))
