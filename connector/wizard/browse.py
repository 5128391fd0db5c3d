"""Browsing: which object types a served schema offers for an action, and what importing one needs.

Two sources meet here. The catalog's action table says which connector actions an object has and
which document each side of the action carries (its endpoints' request and response roots). The
served schema says which of those documents this connection can describe today. An object is
offered for an action when the catalog lists the action and the served schema defines every
document it needs.

An object type the served schema defines but the catalog does not know (Boomi added it after the
catalog was generated) is reported, never offered: the operation loader goes by the catalog, so
an operation on it would not load until the catalog is regenerated from the account's spec.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final

from connector.atomsphere.catalog import (
    Catalog,
    ObjectInfo,
    QueryInfo,
    WireAction,
    load_catalog,
)
from connector.atomsphere.catalog.model import normalise_property
from connector.atomsphere.catalog.operators import filter_type
from connector.atomsphere.client import FOLLOWED_EXECUTES
from connector.contract import Action, ObjectType
from connector.errors import ConfigError, UnknownNameError
from connector.wizard.served import ServedSchema, bundled_type_names
from connector.xml import XS_NS

#: Objects whose records the API delivers as another type than the spec's result items: the
#: spec types ListQueues' async results as the ``ListQueues`` wrapper, but Boomi's own examples
#: (``AsyncGetListQueues``) and the API answer one ``QueueRecord`` per result, which is what the
#: connector re-roots (by ``xsi:type``) and so what the records' profile must describe.
RECORD_ELEMENTS: dict[str, str] = {"ListQueues": "QueueRecord"}
#: What to do about an object type only the served schema knows.
REGENERATE: Final = (
    "regenerate the catalog from the account's OpenAPI spec: atomsphere catalog generate "
    "--spec PATH_OR_URL --element-order XSD_PATH_OR_URL"
)

_ENDPOINTS: dict[Action, tuple[WireAction, ...]] = {
    Action.CREATE: (WireAction.CREATE,),
    Action.UPDATE: (WireAction.UPDATE,),
    Action.EXECUTE: (WireAction.EXECUTE, WireAction.ACTION),
}


@dataclass(frozen=True)
class ServedField:
    """A record field as the served schema declares it: its name, type and filter type."""

    name: str
    type: str
    #: What :func:`~connector.atomsphere.catalog.operators.filter_type` would call the type.
    kind: str

    @property
    def qualified_type(self) -> str:
        """The type as a profile names it (``xs:`` or ``tns:``)."""
        return self.type if self.type.startswith(("xs:", "(")) else f"tns:{self.type}"


@dataclass(frozen=True)
class TypeDisagreement:
    """A filter property whose served field takes other operators than the catalog's type."""

    property: str
    catalog_type: str
    catalog_kind: str
    served: ServedField

    def message(self, object_name: str) -> str:
        return (
            f"filter property {self.property} of {object_name}: the served schema types it "
            f"{self.served.type} (a {self.served.kind}), the connector's catalog "
            f"{self.catalog_type} (a {self.catalog_kind}); the operators offered are those the "
            f"loader accepts on a {self.catalog_kind} (regenerate the catalog if the API "
            "changed)"
        )


@dataclass(frozen=True)
class ImportPlan:
    """What importing ``action`` on ``object`` produces: the root of each side's document.

    ``request``/``response`` are root element names in the served schema, None when that side
    carries no document (a Get or Delete takes an id, a Query takes filter values, a Delete
    returns nothing). ``records`` is true when the response is one document per object record.
    """

    object: str
    label: str
    description: str
    action: Action
    request: str | None
    response: str | None
    records: bool
    query: QueryInfo | None
    id_field: str | None
    deprecated: bool
    #: Filter properties whose served field takes other operators than the catalog's type.
    type_disagreements: tuple[TypeDisagreement, ...] = ()

    @property
    def object_type(self) -> ObjectType:
        return ObjectType(self.object, self.label, self.description, self.deprecated)


@dataclass(frozen=True)
class Browse:
    """The object types offered for one action, and what the served schema could not offer."""

    action: Action
    plans: tuple[ImportPlan, ...]
    #: Catalog objects with this action whose documents the served schema does not define.
    missing: tuple[str, ...]
    #: Object types only the served schema knows: not importable until the catalog knows them.
    unknown: tuple[str, ...]

    @property
    def object_types(self) -> list[ObjectType]:
        return [p.object_type for p in self.plans]


def catalog_plan(info: ObjectInfo, action: Action) -> ImportPlan:
    """The documents ``action`` on a catalog object carries, per the catalog's endpoints."""
    request = response = None
    if action in (Action.GET, Action.QUERY):
        response = RECORD_ELEMENTS.get(info.name, info.record_type)
    elif action in _ENDPOINTS:
        endpoint = next(
            (ep for kind in _ENDPOINTS[action] for ep in info.endpoints_for(kind)), None
        )
        if endpoint is not None:
            request, response = endpoint.request_type, endpoint.response_type
            if action is Action.EXECUTE:  # the connector answers with what it follows to
                response = FOLLOWED_EXECUTES.get(info.name, response)
    return ImportPlan(
        object=info.name,
        label=info.label,
        description=info.description,
        action=action,
        request=request,
        response=response,
        records=action in (Action.GET, Action.QUERY),
        query=info.query if action is Action.QUERY else None,
        id_field=info.id_field,
        deprecated=info.deprecated,
    )


def browse(served: ServedSchema, action: Action, catalog: Catalog | None = None) -> Browse:
    """Every object type ``served`` offers for ``action``, sorted by name (case-insensitive)."""
    catalog = catalog or load_catalog()
    plans: list[ImportPlan] = []
    missing: list[str] = []
    for info in catalog.objects_for(action):
        plan = _served_plan(served, catalog_plan(info, action), catalog)
        if _missing_roots(served, plan):
            missing.append(info.name)
        else:
            plans.append(plan)
    plans.sort(key=lambda p: p.object.lower())
    return Browse(action, tuple(plans), tuple(missing), _schema_only_objects(served, catalog))


def resolve(
    served: ServedSchema, object_name: str, action: Action, catalog: Catalog | None = None
) -> ImportPlan:
    """The plan for one object and action, or a ConfigError that says what is wrong."""
    catalog = catalog or load_catalog()
    try:
        info = catalog.object(object_name)
    except UnknownNameError:
        unknown = _schema_only_objects(served, catalog)
        match = next((n for n in unknown if n.lower() == object_name.lower()), None)
        if match is not None:
            raise ConfigError(
                f"object {match!r} is defined by {served.origin} but is not in the connector's "
                f"catalog, so an operation on it would not load; {REGENERATE}"
            ) from None
        raise
    if action not in info.actions:
        raise _unsupported(info.name, action, info.actions)
    plan = _served_plan(served, catalog_plan(info, action), catalog)
    absent = _missing_roots(served, plan)
    if absent:
        raise ConfigError(
            f"{served.origin} defines no {' or '.join(absent)}, needed for {action.value} "
            f"{info.name}: the account's API schema predates this object or action"
        )
    return plan


def _served_plan(served: ServedSchema, plan: ImportPlan, catalog: Catalog) -> ImportPlan:
    """``plan`` as the served schema sees it: its deprecation notes, and filter properties
    matched to the record fields it serves (a field it no longer has filters on nothing).

    A property keeps the catalog's type, the one the operation loader checks operators against;
    where the served field's type would take other operators, the plan records it."""
    roots = [r for r in (plan.response, plan.request) if r]
    deprecated = plan.deprecated or any(served.deprecated(r) for r in (plan.object, *roots))
    query = plan.query
    disagreements: list[TypeDisagreement] = []
    if query is not None and plan.response and served.has_root(plan.response):
        properties = []
        for prop in query.properties:
            found = _record_field(served, plan.response, prop.field or prop.name, catalog)
            properties.append(replace(prop, field=found.name if found else None))
            if found is not None and found.kind != filter_type(prop.type, catalog):
                disagreements.append(
                    TypeDisagreement(prop.name, prop.type, filter_type(prop.type, catalog), found)
                )
        query = replace(query, properties=tuple(properties))
    return replace(
        plan, deprecated=deprecated, query=query, type_disagreements=tuple(disagreements)
    )


def _missing_roots(served: ServedSchema, plan: ImportPlan) -> list[str]:
    return [r for r in (plan.request, plan.response) if r and not served.has_root(r)]


def _schema_only_objects(served: ServedSchema, catalog: Catalog) -> tuple[str, ...]:
    """Object types the served schema defines and the catalog does not, in schema order.

    An object type extends the schema's object base and stands as a document: a global element
    of its own, or Boomi's ``<filter>`` annotation (which marks a queryable type).
    """
    known = {o.name.lower() for o in catalog.objects}
    for info in catalog.objects:
        for endpoint in info.endpoints:
            known.update(n.lower() for n in (endpoint.request_type, endpoint.response_type) if n)
        if info.record_type:
            known.add(info.record_type.lower())
    unknown: list[str] = []
    for name in served.iter_object_types():
        if name.lower() in known:
            continue
        # Parts of other documents have no element of their own; the catalog's own types are
        # not new objects either.
        new = name not in catalog.types and name not in bundled_type_names()
        if served.filter_fields(name) or (new and ("element", name) in served.definitions):
            unknown.append(name)
    return tuple(unknown)


def _record_field(
    served: ServedSchema, record: str, wanted: str, catalog: Catalog
) -> ServedField | None:
    """The record's field ``wanted`` names, matched as Boomi matches filter properties (case
    and underscores do not matter)."""
    xsd_type = served.root_type(record)
    if xsd_type is None or not xsd_type.is_complex():
        return None
    key = normalise_property(wanted)
    candidates = [a for name, a in xsd_type.attributes.items() if name is not None]
    if xsd_type.has_complex_content():
        candidates += [e for e in xsd_type.content.iter_elements() if hasattr(e, "type")]
    for candidate in candidates:
        if normalise_property(candidate.local_name or "") == key and candidate.type is not None:
            kind = candidate.type
            if kind.target_namespace == XS_NS:
                name = f"xs:{kind.local_name}"
            else:
                name = kind.local_name or "(anonymous type)"
            return ServedField(candidate.local_name, name, _served_kind(kind, catalog))
    return None


def _served_kind(xsd_type: Any, catalog: Catalog) -> str:
    """The filter type of a served field type: its own enumeration, else its primitive's."""
    if xsd_type.target_namespace == XS_NS and xsd_type.local_name:
        return filter_type(f"xs:{xsd_type.local_name}", catalog)
    if not xsd_type.is_simple():
        return "string"
    if getattr(xsd_type, "enumeration", None):
        return "enum"
    primitive = getattr(xsd_type, "primitive_type", None)
    if primitive is None or not primitive.local_name:
        return "string"
    return filter_type(f"xs:{primitive.local_name}", catalog)


def _unsupported(name: str, action: Action, actions: tuple[Action, ...]) -> ConfigError:
    offered = ", ".join(a.value for a in actions) or "no connector action"
    return ConfigError(f"{name} does not support {action.value}; it supports {offered}")
