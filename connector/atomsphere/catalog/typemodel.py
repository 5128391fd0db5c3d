"""Build the XML type model (complex types and enumerations) from the spec's component schemas.

Rules, all taken from the spec's own metadata:

* a property flagged ``xml.attribute`` is an attribute, everything else a qualified child element;
* an ``array`` is a repeated element, unwrapped, named after the property;
* ``allOf: [$ref, {...}]`` is an extension of the referenced type;
* an inline ``object`` with properties becomes a named type ``<Parent><Property>``; one without
  properties is open content (Component ``object`` and ``processOverrides`` carry XML in no
  namespace that must pass through untouched);
* a type the account names the content of (``customFields``) is open, see ``facts``;
* per-object query, bulk and async envelopes (``EnvironmentQueryConfig``...) are not types: they
  all share one wire shape, written once by :mod:`connector.atomsphere.catalog.xsd`.

Documentation is generated from facts (kind, type, allowed values); Boomi's description prose is
copied only when the caller asks for it, because it is not ours to redistribute.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.atomsphere.catalog import facts
from connector.atomsphere.catalog.model import FieldInfo, FieldKind, TypeInfo
from connector.atomsphere.catalog.openapi import ENVELOPE_NAMES, OpenAPIDocument, ref_name

#: Types the XSD writer defines by hand because every object shares them.
ENVELOPE_TYPES = frozenset(
    {
        "BaseType",
        "QueryConfig",
        "QueryFilter",
        "QuerySort",
        "QuerySortField",
        "Expression",
        "SimpleExpression",
        "GroupingExpression",
        "QueryResult",
        "BulkRequest",
        "BulkResult",
        "BulkResponse",
        "AsyncOperationResult",
        "QueueMessageResponse",
    }
)

_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass
class TypeModel:
    """Complex types and enumerations, keyed by name, plus the names of top-level types."""

    types: dict[str, TypeInfo] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    top_level: set[str] = field(default_factory=set)


def is_envelope_schema(name: str, schema: Mapping[str, Any]) -> bool:
    """Per-object copies of the shared query/bulk/async envelopes."""
    xml_name = (schema.get("xml") or {}).get("name")
    if xml_name in ENVELOPE_NAMES or name in ENVELOPE_TYPES:
        return True
    return name.endswith("Expression") and "oneOf" in schema


def build_type_model(doc: OpenAPIDocument, *, include_descriptions: bool = False) -> TypeModel:
    builder = _Builder(doc, include_descriptions)
    for name in sorted(doc.schemas):
        schema = doc.schemas[name]
        if is_envelope_schema(name, schema) or "oneOf" in schema:
            continue
        if schema.get("type", "object") != "object" and "allOf" not in schema:
            continue
        builder.add_schema(name, schema)
        builder.model.top_level.add(name)
    return builder.model


class _Builder:
    def __init__(self, doc: OpenAPIDocument, include_descriptions: bool) -> None:
        self.doc = doc
        self.include_descriptions = include_descriptions
        self.model = TypeModel()

    def add_schema(self, name: str, schema: Mapping[str, Any]) -> None:
        if name in self.model.types:
            return
        if name in facts.OPEN_CONTENT_TYPES:
            self.model.types[name] = TypeInfo(name, None, (), open_content=True)
            return
        base: str | None = None
        parts: list[Mapping[str, Any]] = [schema]
        if "allOf" in schema:
            parts = []
            for part in schema["allOf"]:
                ref = ref_name(part)
                if ref and base is None:
                    base = ref
                    self._ensure(ref)
                else:
                    parts.append(self.doc.resolve(part))
        required = set(schema.get("required", ()))
        props: dict[str, Mapping[str, Any]] = {}
        for part in parts:
            props.update(part.get("properties") or {})
            required |= set(part.get("required", ()))
        # Reserve the name first so self-references terminate.
        self.model.types[name] = TypeInfo(name, base, ())
        fields = tuple(
            self._field(name, prop, spec, prop in required) for prop, spec in sorted(props.items())
        )
        inherited = {f.name for f in self._all_fields(base)} if base else set()
        fields = tuple(f for f in fields if f.name not in inherited)
        open_content = not props and base is None
        self.model.types[name] = TypeInfo(name, base, fields, open_content)

    def _all_fields(self, name: str | None) -> tuple[FieldInfo, ...]:
        if name is None:
            return ()
        info = self.model.types[name]
        return (*self._all_fields(info.base), *info.fields)

    def _ensure(self, name: str) -> None:
        schema = self.doc.schemas.get(name)
        if schema is None:
            raise KeyError(f"$ref to unknown schema {name!r}")
        if not is_envelope_schema(name, schema):
            self.add_schema(name, schema)

    def _field(self, owner: str, prop: str, spec: Mapping[str, Any], required: bool) -> FieldInfo:
        if not _NCNAME.match(prop):
            raise ValueError(f"{owner}.{prop} is not a valid XML name")
        repeated = spec.get("type") == "array"
        item = spec.get("items", {}) if repeated else spec
        type_name, simple = self._type_of(owner, prop, item)
        is_attribute = bool((spec.get("xml") or {}).get("attribute")) and simple and not repeated
        kind = FieldKind.ATTRIBUTE if is_attribute else FieldKind.ELEMENT
        return FieldInfo(
            name=prop,
            kind=kind,
            type=type_name,
            repeated=repeated,
            required=required,
            documentation=self._document(spec, item, kind, type_name, repeated),
            dual_placement=(owner, prop) in facts.DUAL_PLACEMENT and simple and not repeated,
        )

    def _type_of(self, owner: str, prop: str, spec: Mapping[str, Any]) -> tuple[str, bool]:
        """(type name, is simple) for a property or array item schema."""
        ref = ref_name(spec)
        if ref is not None:
            target = self.doc.schemas[ref]
            if target.get("type") not in (None, "object") or "enum" in target:
                return self._type_of(owner, prop, target)
            self._ensure(ref)
            return ref, False
        kind = spec.get("type")
        if kind == "object" or "allOf" in spec or "properties" in spec:
            if not spec.get("properties") and "allOf" not in spec:
                return "xs:anyType", False
            nested = f"{owner}{prop[:1].upper()}{prop[1:]}"
            nested = re.sub(r"[^A-Za-z0-9_]", "", nested)
            self.add_schema(nested, spec)
            return nested, False
        enum = [str(v) for v in spec.get("enum") or () if v is not None]
        if enum and kind in (None, "string"):
            name = re.sub(r"[^A-Za-z0-9_]", "", f"{owner}{prop[:1].upper()}{prop[1:]}") + "Enum"
            self.model.enums[name] = tuple(dict.fromkeys(enum))
            return name, True
        return _builtin(kind, spec.get("format")), True

    def _document(
        self,
        spec: Mapping[str, Any],
        item: Mapping[str, Any],
        kind: FieldKind,
        type_name: str,
        repeated: bool,
    ) -> str:
        if self.include_descriptions:
            text = str(spec.get("description") or item.get("description") or "")
            return " ".join(text.split())
        shown = self._describe_type(type_name)
        return f"{'repeated ' if repeated else ''}{kind.value}, {shown}"

    def _describe_type(self, type_name: str) -> str:
        if type_name in self.model.enums:
            return "one of " + ", ".join(self.model.enums[type_name])
        if type_name == "xs:anyType":
            return "open XML content, passed through as is"
        return _FRIENDLY.get(type_name, type_name)


_FRIENDLY = {
    "xs:string": "text",
    "xs:dateTime": "date-time in UTC (2016-01-31T15:32:00Z)",
    "xs:date": "date (2016-01-31)",
    "xs:int": "32-bit integer",
    "xs:long": "64-bit integer",
    "xs:double": "number",
    "xs:boolean": "true or false",
}


def _builtin(kind: str | None, fmt: str | None) -> str:
    if kind == "integer":
        return "xs:int" if fmt == "int32" else "xs:long"
    if kind == "number":
        return "xs:double"
    if kind == "boolean":
        return "xs:boolean"
    if fmt == "date-time":
        return "xs:dateTime"
    if fmt == "date":
        return "xs:date"
    return "xs:string"
