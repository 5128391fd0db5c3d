"""Records to and from the API's JSON: ``@type`` on every object, arrays for repeated fields
(even empty), numbers and booleans typed by the schema; input coerced the way the API's own
examples need (strings for numbers, ``["Long", n]`` pairs)."""

from __future__ import annotations

from typing import Any

from connector.sandbox.codec_xml import BodyProblem
from connector.sandbox.shapes import ANY_TYPE, OPEN_KEY, Record, Shapes
from connector.sandbox.values import ValueProblem, canonical, json_value


def to_json(shapes: Shapes, type_name: str, record: Record) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": type_name}
    for field in shapes.fields(type_name):
        value = record.get(field.name)
        if field.repeated:
            items = value if isinstance(value, list) else ([] if value is None else [value])
            out[field.name] = [_json_item(shapes, field.type, item) for item in items]
        elif value is not None and not isinstance(value, list):
            out[field.name] = _json_item(shapes, field.type, value)
    extra = record.get(OPEN_KEY)
    if isinstance(extra, dict):
        out.update(extra)
    return out


def _json_item(shapes: Shapes, type_name: str, value: Any) -> Any:
    if type_name == ANY_TYPE:
        return str(value)
    if type_name.startswith("xs:"):
        return json_value(str(value), type_name)
    if type_name in shapes.catalog.enums:
        return str(value)
    return to_json(shapes, type_name, value if isinstance(value, dict) else {})


def from_json(shapes: Shapes, type_name: str, data: Any, path: str = "") -> Record:
    """Read a JSON object as ``type_name``; raises :class:`BodyProblem` naming the bad field."""
    where = path or type_name
    if not isinstance(data, dict):
        raise BodyProblem(f"{where}: expected a JSON object")
    record: Record = {}
    declared = set()
    for field in shapes.fields(type_name):
        declared.add(field.name)
        if field.name not in data:
            continue
        raw = data[field.name]
        if field.repeated and not _is_long_pair(raw):
            items = raw if isinstance(raw, list) else [raw]
        elif isinstance(raw, list) and not shapes.is_simple(field):
            items = [item for item in raw if item is not None]  # [obj] or [null, null]
            if len(items) > 1:
                raise BodyProblem(f"{where}.{field.name}: one object expected, got {len(items)}")
        else:
            items = [raw]
        values = []
        for item in items:
            try:
                value = _read_item(shapes, field.type, item, f"{where}.{field.name}")
            except ValueProblem as exc:
                raise BodyProblem(f"invalid value for {where}.{field.name}: {exc}") from None
            if value is not None:
                values.append(value)
        if field.repeated:
            if values:
                record[field.name] = values
        elif values:
            record[field.name] = values[0]
    if shapes.is_open(type_name):
        extra = {k: str(v) for k, v in data.items() if k not in declared and k != "@type"}
        if extra:
            record[OPEN_KEY] = extra
    return record


def _is_long_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and value[0] == "Long"


def _read_item(shapes: Shapes, type_name: str, item: Any, path: str) -> Any:
    if type_name == ANY_TYPE:
        return None if item is None else str(item)
    if type_name.startswith("xs:"):
        return canonical(item, type_name)
    if type_name in shapes.catalog.enums:
        return canonical(item, "xs:string", shapes.catalog.enums[type_name])
    if item is None:
        return None
    return from_json(shapes, type_name, item, path)
