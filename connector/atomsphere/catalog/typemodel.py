"""Build the XML type model (complex types and enumerations) from the spec's component schemas.

Rules, all taken from the spec's own metadata:

* a property flagged ``xml.attribute`` is an attribute, everything else a qualified child element;
* an ``array`` is a repeated element, unwrapped, named after the property, except an array of
  ``format: byte`` strings: that is Java's ``byte[]``, one ``xs:base64Binary`` value on the wire;
* ``allOf: [$ref, {...}]`` is an extension of the referenced type;
* an inline ``object`` with properties becomes a named type ``<Parent><Property>``; one without
  properties is open content (Component ``object`` and ``processOverrides`` carry XML in no
  namespace that must pass through untouched);
* a type the account names the content of (``customFields``) is open, see ``facts``;
* per-object query, bulk and async envelopes (``EnvironmentQueryConfig``...) are not types: they
  all share one wire shape, written once by :mod:`connector.atomsphere.catalog.xsd`.

Fields are listed alphabetically, as the spec lists them, unless an element order (the API's own
XSD, :mod:`connector.atomsphere.catalog.order`) knows the type: then its elements come first, in
the API's order.

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
from connector.atomsphere.catalog.openapi import (
    ENVELOPE_NAMES,
    OpenAPIDocument,
    child,
    json_path,
    ref_name,
)
from connector.atomsphere.catalog.order import ElementOrder

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
#: Characters XML 1.0 cannot carry (control characters, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


def build_type_model(
    doc: OpenAPIDocument,
    *,
    include_descriptions: bool = False,
    element_order: ElementOrder | None = None,
) -> TypeModel:
    """The type model of ``doc``; fields follow ``element_order`` where it knows the type."""
    builder = _Builder(doc, include_descriptions)
    for name in sorted(doc.schemas):
        schema = doc.schemas[name]
        if not isinstance(schema, Mapping):
            raise doc.error(json_path("components", "schemas", name), "expected a schema object")
        if is_envelope_schema(name, schema) or "oneOf" in schema:
            continue
        if schema.get("type", "object") != "object" and "allOf" not in schema:
            continue
        builder.add_schema(name, schema, json_path("components", "schemas", name))
        builder.model.top_level.add(name)
    if element_order is not None:
        builder.model.types = element_order.order_types(builder.model.types)
    return builder.model


class _Builder:
    def __init__(self, doc: OpenAPIDocument, include_descriptions: bool) -> None:
        self.doc = doc
        self.include_descriptions = include_descriptions
        self.model = TypeModel()
        #: Types whose allOf base is being added: a base among them is a cycle.
        self._extending: list[str] = []

    def add_schema(self, name: str, schema: Mapping[str, Any], where: str) -> None:
        """Add the type ``name`` from ``schema``, found at the JSON path ``where``."""
        if name in self.model.types:
            return
        if name in facts.OPEN_CONTENT_TYPES:
            self.model.types[name] = TypeInfo(name, None, (), open_content=True)
            return
        if not _NCNAME.match(name):
            raise self.doc.error(where, f"schema name {name!r} is not a valid XML name")
        base: str | None = None
        parts: list[Mapping[str, Any]] = [schema]
        places = [where]
        if "allOf" in schema:
            parts, places = [], []
            for i, part in enumerate(_sequence(self.doc, schema["allOf"], f"{where}.allOf")):
                ref = ref_name(part)
                if ref and base is None:
                    base = ref
                    if ref in (*self._extending, name):
                        chain = " -> ".join((*self._extending, name, ref))
                        raise self.doc.error(f"{where}.allOf[{i}]", f"allOf cycle: {chain}")
                    self._extending.append(name)
                    try:
                        self._ensure(ref, f"{where}.allOf[{i}]")
                    finally:
                        self._extending.pop()
                else:
                    parts.append(self.doc.resolve(part, f"{where}.allOf[{i}]"))
                    places.append(f"{where}.allOf[{i}]")
        required = set(_strings(self.doc, schema.get("required", ()), f"{where}.required"))
        props: dict[str, tuple[Mapping[str, Any], str]] = {}
        for part, place in zip(parts, places, strict=True):
            found = part.get("properties") or {}
            if not isinstance(found, Mapping):
                raise self.doc.error(f"{place}.properties", "expected an object of properties")
            for prop, spec in found.items():
                props[prop] = (spec, child(f"{place}.properties", str(prop)))
            required |= set(_strings(self.doc, part.get("required", ()), f"{place}.required"))
        # Reserve the name first so self-references terminate.
        self.model.types[name] = TypeInfo(name, base, ())
        fields = tuple(
            self._field(name, prop, spec, prop in required, at)
            for prop, (spec, at) in sorted(props.items())
        )
        inherited = {f.name for f in self._all_fields(base)} if base else set()
        fields = tuple(f for f in fields if f.name not in inherited)
        open_content = not props and base is None
        self.model.types[name] = TypeInfo(name, base, fields, open_content)

    def _all_fields(self, name: str | None) -> tuple[FieldInfo, ...]:
        if name is None:
            return ()
        info = self.model.types.get(name)  # an envelope base is not a type of the model
        return (*self._all_fields(info.base), *info.fields) if info is not None else ()

    def _target(self, name: str, where: str) -> Mapping[str, Any]:
        """The component schema a ``$ref`` at ``where`` names."""
        schema = self.doc.schemas.get(name)
        if not isinstance(schema, Mapping):
            what = "names no schema" if schema is None else "names a schema that is not an object"
            raise self.doc.error(where, f"$ref '#/components/schemas/{name}' {what}")
        return schema

    def _ensure(self, name: str, where: str) -> None:
        schema = self._target(name, where)
        if not is_envelope_schema(name, schema):
            self.add_schema(name, schema, json_path("components", "schemas", name))

    def _field(
        self, owner: str, prop: str, spec: Mapping[str, Any], required: bool, where: str
    ) -> FieldInfo:
        if not _NCNAME.match(prop):
            raise self.doc.error(where, f"property name {prop!r} is not a valid XML name")
        if not isinstance(spec, Mapping):
            raise self.doc.error(where, "expected a schema object")
        repeated = spec.get("type") == "array"
        item = spec.get("items", {}) if repeated else spec
        if not isinstance(item, Mapping):
            raise self.doc.error(f"{where}.items", "expected an object")
        at = f"{where}.items" if repeated else where
        if repeated and _is_bytes(item):
            # Java's byte[] read as an array of bytes by the spec's generator: the API sends one
            # base64 string (Jackson), one xs:base64Binary element in its XSD and its examples.
            repeated = False
        type_name, simple = self._type_of(owner, prop, item, at)
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

    def _type_of(
        self, owner: str, prop: str, spec: Mapping[str, Any], where: str
    ) -> tuple[str, bool]:
        """(type name, is simple) for a property or array item schema at ``where``."""
        ref = ref_name(spec)
        if ref is not None:
            target = self._target(ref, where)
            if target.get("type") not in (None, "object") or "enum" in target:
                return self._type_of(owner, prop, target, json_path("components", "schemas", ref))
            self._ensure(ref, where)
            return ref, False
        kind = spec.get("type")
        if kind == "object" or "allOf" in spec or "properties" in spec:
            if not spec.get("properties") and "allOf" not in spec:
                return "xs:anyType", False
            nested = f"{owner}{prop[:1].upper()}{prop[1:]}"
            nested = re.sub(r"[^A-Za-z0-9_]", "", nested)
            self.add_schema(nested, spec, where)
            return nested, False
        values = spec.get("enum") or []
        if not isinstance(values, list):
            raise self.doc.error(f"{where}.enum", "expected a list of values")
        enum = [str(v) for v in values if v is not None]
        for i, value in enumerate(enum):
            if _NOT_XML.search(value):
                raise self.doc.error(
                    f"{where}.enum[{i}]", f"{value!r} has characters XML cannot carry"
                )
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
    "xs:base64Binary": "base64-encoded bytes",
}


def _is_bytes(spec: Mapping[str, Any]) -> bool:
    return spec.get("type") in (None, "string") and spec.get("format") == "byte"


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
    if fmt == "byte":
        return "xs:base64Binary"
    return "xs:string"


def _sequence(doc: OpenAPIDocument, value: Any, where: str) -> list[Mapping[str, Any]]:
    """``value`` as a list of schema objects, or a located error."""
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise doc.error(where, "expected a list of schema objects")
    return value


def _strings(doc: OpenAPIDocument, value: Any, where: str) -> list[str]:
    """``value`` as a list of strings (a ``required`` list), or a located error."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise doc.error(where, "expected a list of property names")
    return list(value)
