"""The catalog's XML type model, seen the way the codecs need it (fields by type, fast)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from connector.atomsphere.catalog import Catalog, FieldInfo, FieldKind, load_catalog

#: A record: field name → canonical text, nested record, list of either, or (``xs:anyType``)
#: raw XML text. Open-content types keep undeclared children under :data:`OPEN_KEY`.
Record = dict[str, Any]

OPEN_KEY = "#any"
ANY_TYPE = "xs:anyType"


class Shapes:
    """Field lists per type with inheritance resolved, plus enum lookups."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._fields: dict[str, tuple[FieldInfo, ...]] = {}
        self._by_name: dict[str, Mapping[str, FieldInfo]] = {}

    def fields(self, type_name: str) -> tuple[FieldInfo, ...]:
        found = self._fields.get(type_name)
        if found is None:
            found = self.catalog.all_fields(type_name) if type_name in self.catalog.types else ()
            self._fields[type_name] = found
        return found

    def field(self, type_name: str, name: str) -> FieldInfo | None:
        table = self._by_name.get(type_name)
        if table is None:
            table = {f.name: f for f in self.fields(type_name)}
            self._by_name[type_name] = table
        return table.get(name)

    def has_type(self, type_name: str) -> bool:
        return type_name in self.catalog.types

    def is_open(self, type_name: str) -> bool:
        info = self.catalog.types.get(type_name)
        return bool(info and info.open_content)

    def enum(self, field: FieldInfo) -> tuple[str, ...] | None:
        return self.catalog.enums.get(field.type)

    def simple_type(self, field: FieldInfo) -> str:
        """The XML Schema built-in a simple field holds (enums are strings)."""
        return field.type if field.type.startswith("xs:") else "xs:string"

    def is_simple(self, field: FieldInfo) -> bool:
        return field.type.startswith("xs:") or field.type in self.catalog.enums

    def is_attribute(self, field: FieldInfo) -> bool:
        return field.kind is FieldKind.ATTRIBUTE


@cache
def shapes() -> Shapes:
    """The shapes of the bundled catalog, built once per process."""
    return Shapes(load_catalog())
