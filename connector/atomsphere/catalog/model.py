"""The catalog's data model: objects, their endpoints and query filters, and the XML type model.

Everything is a frozen dataclass built from the generated ``catalog.json``; the same classes are
what the generator produces before it writes that file, so reading and writing cannot disagree.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from connector.contract import Action
from connector.errors import UnknownNameError


class WireAction(StrEnum):
    """What an endpoint does on the wire (finer than Boomi's six connector actions)."""

    GET = "GET"
    QUERY = "QUERY"
    QUERY_MORE = "QUERY_MORE"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    BULK = "BULK"
    EXECUTE = "EXECUTE"
    ASYNC_REQUEST = "ASYNC_REQUEST"
    ASYNC_RESULT = "ASYNC_RESULT"
    ACTION = "ACTION"


class FieldKind(StrEnum):
    ATTRIBUTE = "attribute"
    ELEMENT = "element"


@dataclass(frozen=True)
class Operator:
    """A query operator and how many arguments it takes."""

    name: str
    arguments: int


@dataclass(frozen=True)
class FieldInfo:
    """One property of an XML type: where it goes on the wire and what it holds.

    ``type`` is an XML Schema built-in (``xs:string``, ``xs:dateTime``...), the name of an
    enumeration in :attr:`Catalog.enums`, the name of a complex type in :attr:`Catalog.types`, or
    ``"xs:anyType"`` for open content (Component ``object``: passed through untouched).
    """

    name: str
    kind: FieldKind
    type: str
    repeated: bool = False
    required: bool = False
    documentation: str = ""
    #: True when the API is known to send this field in the other placement too.
    dual_placement: bool = False

    @property
    def is_complex(self) -> bool:
        return not self.type.startswith("xs:") and self.kind is FieldKind.ELEMENT


@dataclass(frozen=True)
class TypeInfo:
    """A complex type. ``base`` is the type it extends (fields inherited are not repeated)."""

    name: str
    base: str | None
    fields: tuple[FieldInfo, ...]
    open_content: bool = False


@dataclass(frozen=True)
class Endpoint:
    """One HTTP operation of the API."""

    wire_action: WireAction
    method: str
    path: str
    operation_id: str
    request_type: str | None
    response_type: str | None
    request_content_types: tuple[str, ...]
    response_content_types: tuple[str, ...]
    response_codes: tuple[int, ...]
    path_parameter: str | None = None
    #: For BULK endpoints: the bulk types that work and how many items each accepts.
    bulk_limits: tuple[tuple[str, int], ...] = ()

    def bulk_limit(self, bulk_type: str = "GET") -> int | None:
        return dict(self.bulk_limits).get(bulk_type)


@dataclass(frozen=True)
class FilterProperty:
    """A property a query may filter on.

    ``name`` is what the connector sends; ``spec_name`` is how the spec's enum spells it (the
    Account enum is upper case, for instance); ``field`` is the record field it matches and
    ``type`` that field's type, used to compare dates as dates.
    """

    name: str
    spec_name: str
    field: str | None
    type: str


@dataclass(frozen=True)
class QueryInfo:
    """What a QUERY on the object accepts."""

    operators: tuple[str, ...]
    properties: tuple[FilterProperty, ...]
    properties_declared: bool
    sortable: bool = False

    def property(self, name: str) -> FilterProperty | None:
        """Look a filter property up as Boomi does: case and underscores do not matter."""
        wanted = normalise_property(name)
        for prop in self.properties:
            if (
                normalise_property(prop.name) == wanted
                or normalise_property(prop.spec_name) == wanted
            ):
                return prop
        return None


def normalise_property(name: str) -> str:
    return name.replace("_", "").lower()


#: The endpoints that put an action's id in their path, in the order the engine picks them.
_ID_ENDPOINTS: Final = {
    Action.GET: (WireAction.GET, WireAction.ASYNC_REQUEST),
    Action.UPDATE: (WireAction.UPDATE,),
    Action.DELETE: (WireAction.DELETE,),
    Action.EXECUTE: (WireAction.EXECUTE, WireAction.ACTION),
}


@dataclass(frozen=True)
class ObjectInfo:
    """One object of the API, with every endpoint it has."""

    name: str
    label: str
    group: str
    description: str
    deprecated: bool
    record_type: str | None
    id_field: str | None
    endpoints: tuple[Endpoint, ...]
    query: QueryInfo | None
    actions: tuple[Action, ...]

    def endpoint(self, wire_action: WireAction) -> Endpoint | None:
        for ep in self.endpoints:
            if ep.wire_action is wire_action:
                return ep
        return None

    def endpoints_for(self, wire_action: WireAction) -> tuple[Endpoint, ...]:
        return tuple(ep for ep in self.endpoints if ep.wire_action is wire_action)

    @property
    def wire_actions(self) -> tuple[WireAction, ...]:
        return tuple(dict.fromkeys(ep.wire_action for ep in self.endpoints))

    def id_only_from_operation(self, action: Action) -> Endpoint | None:
        """The endpoint of ``action`` whose path takes an id that no input document can give
        (the object has no id field to read it from), so the operation's ``id:`` must; else
        None. Shared by the loader (which refuses such an operation without ``id:``) and the
        wizard (which writes one)."""
        if self.id_field is not None or action not in _ID_ENDPOINTS:
            return None
        kinds = _ID_ENDPOINTS[action]
        endpoint = next((ep for kind in kinds for ep in self.endpoints_for(kind)), None)
        return endpoint if endpoint is not None and endpoint.path_parameter is not None else None

    def bulk_limit(self, bulk_type: str = "GET") -> int | None:
        """How many items one bulk request may carry, None when the object has no such bulk."""
        ep = self.endpoint(WireAction.BULK)
        return ep.bulk_limit(bulk_type) if ep else None


@dataclass(frozen=True)
class SpecSource:
    """Which spec the catalog came from, and which XSD gave its element order (if any)."""

    title: str
    version: str
    sha256: str
    element_order_sha256: str = ""


@dataclass(frozen=True)
class Catalog:
    """Every object, endpoint, operator and XML type of the API, as generated from the spec."""

    source: SpecSource
    namespace: str
    operators: tuple[Operator, ...]
    objects: tuple[ObjectInfo, ...]
    types: Mapping[str, TypeInfo]
    enums: Mapping[str, tuple[str, ...]]
    _by_name: Mapping[str, ObjectInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", MappingProxyType(dict(self.types)))
        object.__setattr__(self, "enums", MappingProxyType(dict(self.enums)))
        object.__setattr__(
            self, "_by_name", MappingProxyType({o.name.lower(): o for o in self.objects})
        )

    def __iter__(self) -> Iterator[ObjectInfo]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    def object(self, name: str) -> ObjectInfo:
        """The object called ``name`` (case-insensitive), or UnknownNameError with suggestions."""
        found = self._by_name.get(name.lower())
        if found is None:
            raise UnknownNameError("object", name, self.suggest(name))
        return found

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        names = [o.name for o in self.objects]
        lowered = {n.lower(): n for n in names}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)
        return [lowered[c] for c in close]

    def operator(self, name: str) -> Operator:
        for op in self.operators:
            if op.name == name:
                return op
        raise UnknownNameError(
            "operator", name, difflib.get_close_matches(name, [o.name for o in self.operators])
        )

    def objects_for(self, action: Action) -> tuple[ObjectInfo, ...]:
        return tuple(o for o in self.objects if action in o.actions)

    def type(self, name: str) -> TypeInfo:
        return self.types[name]

    def all_fields(self, type_name: str) -> tuple[FieldInfo, ...]:
        """Fields of a type including those inherited from its bases, base first."""
        info = self.types[type_name]
        inherited = self.all_fields(info.base) if info.base else ()
        return (*inherited, *info.fields)


# -- JSON round trip -------------------------------------------------------------------------


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """A plain, deterministic JSON form of the catalog (keys sorted by the writer)."""
    return {
        "format": 1,
        "source": _dc(catalog.source),
        "namespace": catalog.namespace,
        "operators": [_dc(o) for o in catalog.operators],
        "objects": [_object_json(o) for o in catalog.objects],
        "types": {name: _type_json(t) for name, t in sorted(catalog.types.items())},
        "enums": {name: list(values) for name, values in sorted(catalog.enums.items())},
    }


def catalog_from_json(data: Mapping[str, Any]) -> Catalog:
    if data.get("format") != 1:
        raise ValueError(f"unsupported catalog format {data.get('format')!r}")
    return Catalog(
        source=SpecSource(**data["source"]),
        namespace=data["namespace"],
        operators=tuple(Operator(**o) for o in data["operators"]),
        objects=tuple(_object_from(o) for o in data["objects"]),
        types={name: _type_from(name, t) for name, t in data["types"].items()},
        enums={name: tuple(v) for name, v in data["enums"].items()},
    )


def _dc(value: Any) -> dict[str, Any]:
    return {k: v for k, v in value.__dict__.items() if not k.startswith("_")}


def _object_json(o: ObjectInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": o.name,
        "label": o.label,
        "group": o.group,
        "description": o.description,
        "deprecated": o.deprecated,
        "record_type": o.record_type,
        "id_field": o.id_field,
        "actions": [a.value for a in o.actions],
        "endpoints": [_endpoint_json(e) for e in o.endpoints],
    }
    if o.query is not None:
        out["query"] = {
            "operators": list(o.query.operators),
            "properties_declared": o.query.properties_declared,
            "sortable": o.query.sortable,
            "properties": [_dc(p) for p in o.query.properties],
        }
    return out


def _endpoint_json(e: Endpoint) -> dict[str, Any]:
    out = _dc(e)
    out["wire_action"] = e.wire_action.value
    for key in ("request_content_types", "response_content_types", "response_codes"):
        out[key] = list(out[key])
    out["bulk_limits"] = dict(e.bulk_limits)
    return {k: v for k, v in out.items() if v not in (None, [], {})}


def _type_json(t: TypeInfo) -> dict[str, Any]:
    fields = []
    for f in t.fields:
        item: dict[str, Any] = {"name": f.name, "kind": f.kind.value, "type": f.type}
        if f.repeated:
            item["repeated"] = True
        if f.required:
            item["required"] = True
        if f.documentation:
            item["documentation"] = f.documentation
        if f.dual_placement:
            item["dual_placement"] = True
        fields.append(item)
    out: dict[str, Any] = {"fields": fields}
    if t.base:
        out["base"] = t.base
    if t.open_content:
        out["open_content"] = True
    return out


def _object_from(o: Mapping[str, Any]) -> ObjectInfo:
    query = o.get("query")
    return ObjectInfo(
        name=o["name"],
        label=o["label"],
        group=o["group"],
        description=o["description"],
        deprecated=o["deprecated"],
        record_type=o["record_type"],
        id_field=o["id_field"],
        actions=tuple(Action(a) for a in o["actions"]),
        endpoints=tuple(_endpoint_from(e) for e in o["endpoints"]),
        query=QueryInfo(
            operators=tuple(query["operators"]),
            properties=tuple(FilterProperty(**p) for p in query["properties"]),
            properties_declared=query["properties_declared"],
            sortable=query["sortable"],
        )
        if query
        else None,
    )


def _endpoint_from(e: Mapping[str, Any]) -> Endpoint:
    return Endpoint(
        wire_action=WireAction(e["wire_action"]),
        method=e["method"],
        path=e["path"],
        operation_id=e["operation_id"],
        request_type=e.get("request_type"),
        response_type=e.get("response_type"),
        request_content_types=tuple(e.get("request_content_types", ())),
        response_content_types=tuple(e.get("response_content_types", ())),
        response_codes=tuple(e.get("response_codes", ())),
        path_parameter=e.get("path_parameter"),
        bulk_limits=tuple(e.get("bulk_limits", {}).items()),
    )


def _type_from(name: str, t: Mapping[str, Any]) -> TypeInfo:
    return TypeInfo(
        name=name,
        base=t.get("base"),
        open_content=t.get("open_content", False),
        fields=tuple(
            FieldInfo(
                name=f["name"],
                kind=FieldKind(f["kind"]),
                type=f["type"],
                repeated=f.get("repeated", False),
                required=f.get("required", False),
                documentation=f.get("documentation", ""),
                dual_placement=f.get("dual_placement", False),
            )
            for f in t["fields"]
        ),
    )
