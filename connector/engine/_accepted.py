"""The parts of a file that its JSON Schema accepted, for the checks that come after the schema's.

A refusal takes away the unit it falls in: a top-level entry, one parameter, option or profile,
one filter condition (the groups around it stay, so the other conditions are still checked).
What is taken away has been told by the schema and is not checked again.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Final

from connector.yamlfiles import FieldPath

#: Top-level keys whose entries are checked one by one: a refused entry leaves the others checked.
_PER_ENTRY: Final = frozenset({"parameters", "tracked_fields", "options", "profiles"})


def accepted_parts(data: dict[str, Any], refused: Sequence[FieldPath]) -> dict[str, Any]:
    """``data`` without the parts the schema refused (the unit each refusal falls in)."""
    accepted = copy.deepcopy(data)
    for where in refused:
        if not where:
            continue  # a missing required key: nothing to take away
        unit = where[:2] if where[0] in _PER_ENTRY else where[:1]
        parent: Any = accepted
        for part in unit[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent.pop(unit[-1], None)
    return accepted


def filter_parts(data: Any, where: FieldPath, refused: Sequence[FieldPath]) -> list[FieldPath]:
    """The filter subtrees under ``where`` that the schema accepted: the whole filter when no
    refusal falls in it, else the accepted conditions of groups that are themselves well-formed."""
    inside = [r for r in refused if r[: len(where)] == where or where[: len(r)] == r]
    if not inside:
        return [where]
    if not (isinstance(data, dict) and len(data) == 1 and set(data) <= {"and", "or"}):
        return []
    ((operator, items),) = data.items()
    if not isinstance(items, list) or any(len(r) <= len(where) + 1 for r in inside):
        return []
    return [
        part
        for i, item in enumerate(items)
        for part in filter_parts(item, (*where, operator, i), inside)
    ]


def at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data
