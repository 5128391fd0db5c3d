"""Browsing: which object types a served schema offers for an action, and what importing one needs.

Two sources meet here. The catalog's action table says which connector actions an object has and
which document each side of the action carries (its endpoints' request and response roots). The
served schema says which of those documents this connection can describe today. An object is
offered for an action when the catalog lists the action and the served schema defines every
document it needs.

An object type the served schema defines but the catalog does not know (Boomi added it after the
catalog was generated) is offered for Query when the schema marks filterable fields on it, the
way Boomi's own schema annotates queryable types; no other action can be inferred from a schema,
so such types are reported as unknown until the catalog is regenerated.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from connector.atomsphere.catalog import (
    Catalog,
    FilterProperty,
    ObjectInfo,
    QueryInfo,
    WireAction,
    load_catalog,
)
from connector.atomsphere.catalog.model import normalise_property
from connector.atomsphere.catalog.objects import label_of
from connector.atomsphere.client import FOLLOWED_EXECUTES
from connector.contract import Action, ObjectType
from connector.errors import ConfigError, UnknownNameError
from connector.wizard.served import ServedSchema, bundled_type_names

#: Objects whose records the API delivers as another type than the spec's result items: the
#: spec types ListQueues' async results as the ``ListQueues`` wrapper, but Boomi's own examples
#: (``AsyncGetListQueues``) and the API answer one ``QueueRecord`` per result, which is what the
#: connector re-roots (by ``xsi:type``) and so what the records' profile must describe.
RECORD_ELEMENTS: dict[str, str] = {"ListQueues": "QueueRecord"}

_ENDPOINTS: dict[Action, tuple[WireAction, ...]] = {
    Action.CREATE: (WireAction.CREATE,),
    Action.UPDATE: (WireAction.UPDATE,),
    Action.EXECUTE: (WireAction.EXECUTE, WireAction.ACTION),
}


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
    in_catalog: bool
    deprecated: bool

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
    #: Object types only the served schema knows, with no action that can be inferred.
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
        in_catalog=True,
        deprecated=info.deprecated,
    )


def browse(served: ServedSchema, action: Action, catalog: Catalog | None = None) -> Browse:
    """Every object type ``served`` offers for ``action``, sorted by name (case-insensitive)."""
    catalog = catalog or load_catalog()
    plans: list[ImportPlan] = []
    missing: list[str] = []
    for info in catalog.objects_for(action):
        plan = _served_plan(served, catalog_plan(info, action))
        if _missing_roots(served, plan):
            missing.append(info.name)
        else:
            plans.append(plan)
    inferred, unknown = _schema_only_objects(served, catalog)
    if action is Action.QUERY:
        plans.extend(inferred)
    plans.sort(key=lambda p: p.object.lower())
    return Browse(action, tuple(plans), tuple(missing), tuple(unknown))


def resolve(
    served: ServedSchema, object_name: str, action: Action, catalog: Catalog | None = None
) -> ImportPlan:
    """The plan for one object and action, or a ConfigError that says what is wrong."""
    catalog = catalog or load_catalog()
    try:
        info = catalog.object(object_name)
    except UnknownNameError as exc:
        inferred, unknown = _schema_only_objects(served, catalog)
        for plan in inferred:
            if plan.object.lower() == object_name.lower():
                if action is Action.QUERY:
                    return plan
                raise _unsupported(plan.object, action, (Action.QUERY,), inferred=True) from None
        match = next((n for n in unknown if n.lower() == object_name.lower()), None)
        if match is not None:
            raise ConfigError(
                f"object {match!r} is defined by {served.origin} but not in the catalog, and no "
                "action can be inferred for it; regenerate the catalog (atomsphere catalog "
                "generate) to import it"
            ) from None
        names = [o.name for o in catalog.objects] + [p.object for p in inferred]
        suggestions = exc.suggestions or tuple(_close(names, object_name))
        raise UnknownNameError("object", object_name, suggestions) from None
    if action not in info.actions:
        raise _unsupported(info.name, action, info.actions, inferred=False)
    plan = _served_plan(served, catalog_plan(info, action))
    absent = _missing_roots(served, plan)
    if absent:
        raise ConfigError(
            f"{served.origin} defines no {' or '.join(absent)}, needed for {action.value} "
            f"{info.name}: the account's API schema predates this object or action"
        )
    return plan


def _served_plan(served: ServedSchema, plan: ImportPlan) -> ImportPlan:
    """``plan`` as the served schema sees it: its deprecation notes, and filter properties
    matched to the record fields it serves (a field it no longer has filters on nothing)."""
    roots = [r for r in (plan.response, plan.request) if r]
    deprecated = plan.deprecated or any(served.deprecated(r) for r in (plan.object, *roots))
    query = plan.query
    if query is not None and plan.response and served.has_root(plan.response):
        properties = tuple(_served_property(served, plan.response, p) for p in query.properties)
        query = replace(query, properties=properties)
    return replace(plan, deprecated=deprecated, query=query)


def _served_property(served: ServedSchema, record: str, prop: FilterProperty) -> FilterProperty:
    found = _record_field(served, record, prop.field or prop.name)
    if found is None:
        return replace(prop, field=None)
    return replace(prop, field=found[0], type=found[1])


def _missing_roots(served: ServedSchema, plan: ImportPlan) -> list[str]:
    return [r for r in (plan.request, plan.response) if r and not served.has_root(r)]


def _schema_only_objects(
    served: ServedSchema, catalog: Catalog
) -> tuple[list[ImportPlan], list[str]]:
    """Object types the served schema defines and the catalog does not: (queryable, others)."""
    known = {o.name.lower() for o in catalog.objects}
    for info in catalog.objects:
        for endpoint in info.endpoints:
            known.update(n.lower() for n in (endpoint.request_type, endpoint.response_type) if n)
        if info.record_type:
            known.add(info.record_type.lower())
    operators = tuple(op.name for op in catalog.operators)
    inferred: list[ImportPlan] = []
    unknown: list[str] = []
    for name in served.iter_object_types():
        if name.lower() in known:
            continue
        fields = served.filter_fields(name)
        if not fields:
            # Parts of other documents have no element of their own; the catalog's own types
            # are not new objects either.
            new = name not in catalog.types and name not in bundled_type_names()
            if new and ("element", name) in served.definitions:
                unknown.append(name)
            continue
        inferred.append(
            ImportPlan(
                object=name,
                label=label_of(name),
                description=(
                    f"{label_of(name)}: Query (only in the served schema; inferred from its "
                    "filter annotation)."
                ),
                action=Action.QUERY,
                request=None,
                response=name,
                records=True,
                query=QueryInfo(
                    operators=operators,
                    properties=tuple(_filter_property(served, name, f) for f in fields),
                    properties_declared=True,
                ),
                id_field=None,
                in_catalog=False,
                deprecated=served.deprecated(name),
            )
        )
    return inferred, unknown


def _filter_property(served: ServedSchema, type_name: str, field: str) -> FilterProperty:
    found = _record_field(served, type_name, field)
    if found is None:
        return FilterProperty(field, field, None, "xs:string")
    return FilterProperty(field, field, found[0], found[1])


def _record_field(served: ServedSchema, record: str, wanted: str) -> tuple[str, str] | None:
    """(field name, type name) of the record's field ``wanted`` names, matched as Boomi
    matches filter properties (case and underscores do not matter)."""
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
            name = kind.local_name or "xs:string"
            return (
                candidate.local_name,
                name if kind.target_namespace == served.namespace else f"xs:{name}",
            )
    return None


def _unsupported(
    name: str, action: Action, actions: tuple[Action, ...], *, inferred: bool
) -> ConfigError:
    offered = ", ".join(a.value for a in actions) or "no connector action"
    how = " (inferred from the served schema)" if inferred else ""
    return ConfigError(f"{name} does not support {action.value}; it supports {offered}{how}")


def _close(names: list[str], wanted: str) -> list[str]:
    lowered = {n.lower(): n for n in names}
    return [lowered[m] for m in difflib.get_close_matches(wanted.lower(), list(lowered), n=3)]
