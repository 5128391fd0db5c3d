"""Build the object list from the spec's paths: endpoints, ids, query filters, connector actions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from connector.atomsphere.catalog import facts
from connector.atomsphere.catalog.model import (
    Endpoint,
    FieldInfo,
    FilterProperty,
    ObjectInfo,
    QueryInfo,
    WireAction,
    normalise_property,
)
from connector.atomsphere.catalog.openapi import OpenAPIDocument, child, json_path, ref_name
from connector.atomsphere.catalog.typemodel import TypeModel, is_envelope_schema
from connector.contract import Action

_HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_PREFERRED_MEDIA = ("application/xml", "application/json", "text/plain")

_CONNECTOR_ACTIONS: dict[WireAction, Action] = {
    WireAction.GET: Action.GET,
    WireAction.QUERY: Action.QUERY,
    WireAction.CREATE: Action.CREATE,
    WireAction.UPDATE: Action.UPDATE,
    WireAction.DELETE: Action.DELETE,
    WireAction.EXECUTE: Action.EXECUTE,
    WireAction.ACTION: Action.EXECUTE,
}


def object_of(path: str) -> str:
    """``/async/AtomDiskSpace/{id}`` → ``AtomDiskSpace``; ``/Role/query`` → ``Role``."""
    parts = path.strip("/").split("/")
    return parts[1] if parts[0] == "async" and len(parts) > 1 else parts[0]


def _where(method: str, path: str) -> str:
    """The JSON path of an operation: ``paths["/Account/{id}"].get``."""
    return json_path("paths", path, method.lower())


def label_of(name: str) -> str:
    """``ExecutionRecord`` → ``Execution Record``; ``AS2Connector`` → ``AS2 Connector``."""
    words = re.findall(r"[A-Z0-9]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z0-9]+|[A-Z0-9]+", name)
    return " ".join(w[:1].upper() + w[1:] for w in words)


def build_objects(
    doc: OpenAPIDocument, types: TypeModel, include_descriptions: bool
) -> list[ObjectInfo]:
    raw: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = defaultdict(list)
    for path, item in doc.paths.items():
        if not isinstance(item, Mapping):
            raise doc.error(json_path("paths", path), "expected a path item object")
        for method in _HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                if not isinstance(op.get("responses", {}), Mapping):
                    where = f"{_where(method, path)}.responses"
                    raise doc.error(where, "expected an object of responses")
                raw[object_of(path)].append((method.upper(), path, op))
    for i, tag in enumerate(doc.data.get("tags", [])):
        if not isinstance(tag, Mapping) or not isinstance(tag.get("name"), str):
            raise doc.error(json_path("tags", i), "expected a tag object with a name")
    tags = {t["name"]: t.get("description", "") for t in doc.data.get("tags", [])}
    groups = {tag: g["name"] for g in doc.data.get("x-tagGroups", []) for tag in g.get("tags", [])}
    objects = []
    for name in sorted(raw, key=str.lower):
        ops = raw[name]
        tag = next((t for _, _, op in ops for t in op.get("tags", ())), name)
        objects.append(
            _ObjectBuilder(doc, types, name, ops).build(
                tags.get(tag, ""), groups.get(tag, ""), include_descriptions
            )
        )
    return objects


class _ObjectBuilder:
    def __init__(
        self,
        doc: OpenAPIDocument,
        types: TypeModel,
        name: str,
        ops: list[tuple[str, str, Mapping[str, Any]]],
    ) -> None:
        self.doc = doc
        self.types = types
        self.name = name
        self.ops = sorted(ops, key=lambda o: (o[1], o[0]))

    def build(self, tag_text: str, group: str, include_descriptions: bool) -> ObjectInfo:
        stores = any(self._plain_kind(m, p, op) in _STORE_KINDS for m, p, op in self.ops)
        endpoints = tuple(
            sorted(
                (self._endpoint(m, p, op, stores) for m, p, op in self.ops),
                key=lambda e: (list(WireAction).index(e.wire_action), e.path, e.method),
            )
        )
        record = self._record_type(endpoints)
        actions = self._actions(endpoints)
        deprecated = bool(facts.DEPRECATION_PATTERN.search(tag_text))
        return ObjectInfo(
            name=self.name,
            label=label_of(self.name),
            group=group,
            description=self._description(tag_text, actions, deprecated, include_descriptions),
            deprecated=deprecated,
            record_type=record,
            id_field=self._id_field(endpoints, record),
            endpoints=endpoints,
            query=self._query(record),
            actions=actions,
        )

    # -- endpoints ------------------------------------------------------------------------------

    def _plain_kind(self, method: str, path: str, op: Mapping[str, Any]) -> WireAction | None:
        parts = path.strip("/").split("/")
        if method == "DELETE":
            return WireAction.DELETE
        if method == "GET":
            if parts[0] == "async":
                return WireAction.ASYNC_RESULT if "response" in parts else WireAction.ASYNC_REQUEST
            # /ExecutionRecord/async/{id}: the poll that follows an ExecutionRequest.
            return WireAction.ASYNC_RESULT if "async" in parts else WireAction.GET
        last = parts[-1]
        if parts[0] == "async":
            return WireAction.ASYNC_REQUEST
        if last == "query":
            return WireAction.QUERY
        if last == "queryMore":
            return WireAction.QUERY_MORE
        if last == "bulk":
            return WireAction.BULK
        if len(parts) >= 3 and parts[-2] == "execute":
            return WireAction.EXECUTE
        return None

    def _endpoint(self, method: str, path: str, op: Mapping[str, Any], stores: bool) -> Endpoint:
        kind = self._plain_kind(method, path, op)
        request = self._body_type(op.get("requestBody"), f"{_where(method, path)}.requestBody")
        response = self._response_type(op, _where(method, path))
        if kind is None:  # a POST to /{Object} or /{Object}/{param}
            same = request == self.name
            if path.endswith("}"):
                kind = WireAction.UPDATE if same else WireAction.ACTION
            else:
                kind = (
                    WireAction.CREATE
                    if same and response == self.name and stores
                    else (WireAction.ACTION)
                )
        param = re.search(r"\{(\w+)\}$", path)
        return Endpoint(
            wire_action=kind,
            method=method,
            path=path,
            operation_id=str(op.get("operationId", "")),
            request_type=self._wire_root(request),
            response_type=self._wire_root(response),
            request_content_types=_media_types((op.get("requestBody") or {}).get("content")),
            response_content_types=tuple(
                sorted(
                    {
                        mt
                        for r, _ in self._ok_responses(op, _where(method, path))
                        for mt in (r.get("content") or {})
                    }
                )
            ),
            response_codes=tuple(sorted(int(c) for c in op.get("responses", {}) if c.isdigit())),
            path_parameter=param.group(1) if param else None,
            bulk_limits=self._bulk_limits(op) if kind is WireAction.BULK else (),
        )

    def _body_type(self, body: Mapping[str, Any] | None, where: str) -> str | None:
        """The schema a request or response body (at the JSON path ``where``) refers to."""
        if not body:
            return None
        body = self.doc.resolve(body, where)
        content = body.get("content") or {}
        for media in _PREFERRED_MEDIA:
            if media in content:
                schema = content[media].get("schema") or {}
                name = ref_name(schema)
                if name is not None and not isinstance(self.doc.schemas.get(name), Mapping):
                    at = f"{child(f'{where}.content', media)}.schema"
                    raise self.doc.error(at, f"$ref '{schema['$ref']}' names no schema")
                return name
        return None

    def _response_type(self, op: Mapping[str, Any], where: str) -> str | None:
        for response, at in self._ok_responses(op, where):
            found = self._body_type(response, at)
            if found:
                return found
        return None

    def _wire_root(self, schema_name: str | None) -> str | None:
        if schema_name is None:
            return None
        schema = self.doc.schemas.get(schema_name, {})
        xml_name = (schema.get("xml") or {}).get("name")
        if xml_name in facts.ENVELOPE_ROOTS:
            return facts.ENVELOPE_ROOTS[xml_name]
        return str(xml_name or schema_name)

    def _bulk_limits(self, op: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
        text = f"{op.get('description', '')} {op.get('summary', '')}"
        limit = facts.DEFAULT_BULK_GET_LIMIT
        for pattern in facts.BULK_LIMIT_PATTERNS:
            match = pattern.search(text)
            if match:
                limit = int(match.group(1))
                break
        extra = facts.BULK_EXTRA_TYPES.get(self.name, {})
        return (("GET", limit), *sorted(extra.items()))

    def _ok_responses(
        self, op: Mapping[str, Any], where: str
    ) -> Iterator[tuple[Mapping[str, Any], str]]:
        """Each 2xx response of ``op`` (at ``where``), resolved, with its JSON path."""
        for code in sorted(op.get("responses", {})):
            if code.startswith("2"):
                at = child(f"{where}.responses", code)
                yield self.doc.resolve(op["responses"][code], at), at

    # -- record, id, query -----------------------------------------------------------------------

    def _record_type(self, endpoints: tuple[Endpoint, ...]) -> str | None:
        by_kind = {e.wire_action: e for e in endpoints}
        for kind in (WireAction.GET, WireAction.CREATE, WireAction.UPDATE):
            ep = by_kind.get(kind)
            if ep and ep.response_type in self.types.types:
                return ep.response_type
        for method, path, op in self.ops:
            item = self._result_item(op, _where(method, path))
            if item:
                return item
        if self.name in self.types.types:
            return self.name
        return None

    def _result_item(self, op: Mapping[str, Any], where: str) -> str | None:
        """The ``result`` item type of a QueryResult or async result response."""
        for response, at in self._ok_responses(op, where):
            name = self._body_type(response, at)
            schema = self.doc.schemas.get(name or "", {})
            if not is_envelope_schema(name or "", schema):
                continue
            items = ((schema.get("properties") or {}).get("result") or {}).get("items") or {}
            ref = ref_name(items)
            if ref in self.types.types:
                return ref
        return None

    def _fields(self, type_name: str | None) -> tuple[FieldInfo, ...]:
        if type_name is None or type_name not in self.types.types:
            return ()
        info = self.types.types[type_name]
        return (*self._fields(info.base), *info.fields)

    def _id_field(self, endpoints: tuple[Endpoint, ...], record: str | None) -> str | None:
        names = {f.name for f in self._fields(record)}
        override = facts.ID_FIELD_OVERRIDES.get(self.name)
        if override is not None:
            if override not in names:
                where = json_path("components", "schemas", record or self.name)
                raise self.doc.error(
                    where, f"{self.name}'s id field {override} is not a field of {record}"
                )
            return override
        params = [
            e.path_parameter
            for e in endpoints
            if e.wire_action in (WireAction.GET, WireAction.UPDATE, WireAction.DELETE)
        ]
        for param in params:
            if param and param != "id" and param in names:
                return param
        if "id" in names:
            return "id"
        own = f"{self.name[:1].lower()}{self.name[1:]}Id"
        return own if own in names else None

    def _query(self, record: str | None) -> QueryInfo | None:
        for method, path, op in self.ops:
            if not (path.endswith("/query") and method == "POST"):
                continue
            config = self._body_type(op.get("requestBody"), f"{_where(method, path)}.requestBody")
            if config is None:
                return None
            return self._query_info(config, record)
        return None

    def _query_info(self, config_name: str, record: str | None) -> QueryInfo:
        config = self.doc.schemas[config_name]
        where = json_path("components", "schemas", config_name, "properties", "QueryFilter")
        props = config.get("properties") or {}
        qf = self.doc.resolve(props.get("QueryFilter") or {}, where)
        where = f"{where}.properties.expression"
        expression = self.doc.resolve((qf.get("properties") or {}).get("expression") or {}, where)
        simple: Mapping[str, Any] = {}
        for i, option in enumerate(expression.get("oneOf", ())):
            schema = self.doc.resolve(option, f"{where}.oneOf[{i}]")
            if (schema.get("xml") or {}).get("name") == "SimpleExpression":
                simple = schema
        simple_props = simple.get("properties") or {}
        operators = tuple(
            str(o) for o in (simple_props.get("operator") or {}).get("enum", ()) if o
        ) or tuple(facts.OPERATOR_ARGUMENTS)
        spec_names = [str(p) for p in (simple_props.get("property") or {}).get("enum", ()) if p]
        fields = {normalise_property(f.name): f for f in self._fields(record)}
        properties = []
        for spec_name in dict.fromkeys(spec_names):
            matched = fields.get(normalise_property(spec_name))
            # Send the spec's spelling unless it is the upper-case form of a camelCase field
            # (the Account enum): Boomi's own examples use the camelCase names.
            shouted = spec_name.upper() == spec_name
            properties.append(
                FilterProperty(
                    name=matched.name if matched and shouted else spec_name,
                    spec_name=spec_name,
                    field=matched.name if matched else None,
                    type=matched.type if matched else "xs:string",
                )
            )
        return QueryInfo(
            operators=operators,
            properties=tuple(properties),
            properties_declared=bool(spec_names),
            sortable="QuerySort" in props,
        )

    # -- connector view --------------------------------------------------------------------------

    def _actions(self, endpoints: tuple[Endpoint, ...]) -> tuple[Action, ...]:
        found: set[Action] = set()
        for ep in endpoints:
            if ep.wire_action is WireAction.ASYNC_REQUEST:
                found.add(Action.QUERY if ep.method == "POST" else Action.GET)
            elif ep.wire_action in _CONNECTOR_ACTIONS:
                found.add(_CONNECTOR_ACTIONS[ep.wire_action])
        return tuple(a for a in Action if a in found)

    def _description(
        self, tag_text: str, actions: tuple[Action, ...], deprecated: bool, include: bool
    ) -> str:
        if include and tag_text:
            return re.split(r"(?<=[.!?])\s", " ".join(tag_text.split()), maxsplit=1)[0]
        verbs = ", ".join(a.value.title() for a in actions) or "no connector action"
        text = f"{label_of(self.name)}: {verbs}."
        return f"{text} Deprecated by Boomi." if deprecated else text


_STORE_KINDS = {WireAction.GET, WireAction.QUERY, WireAction.DELETE}


def _media_types(content: Mapping[str, Any] | None) -> tuple[str, ...]:
    return tuple(sorted(content or ()))
