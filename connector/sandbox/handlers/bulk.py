"""``POST /{Object}/bulk``: GET by up to the object's limit of ids (Component: 5), UPDATE for
ProcessSchedules (up to 15 objects). Per-item failures are answered inside an HTTP 200, in
request order; more items than the limit, or a bulk type the object does not support, is 400."""

from __future__ import annotations

from typing import Any

from connector.sandbox.bodies import BulkItem
from connector.sandbox.codec_json import from_json
from connector.sandbox.codec_xml import BodyProblem, declared_type, read_record
from connector.sandbox.handlers.common import ApiError, Call, no_such, stamp
from connector.sandbox.reading import body_json, body_root
from connector.sandbox.shapes import Record
from connector.sandbox.wire import Response
from connector.xml import local_name


def bulk(call: Call) -> Response:
    kind, items = _read(call)
    limit = call.endpoint.bulk_limit(kind)
    if limit is None:
        supported = ", ".join(k for k, _ in call.endpoint.bulk_limits)
        raise ApiError(400, f"Bulk {kind} is not supported for {call.info.name} ({supported})")
    if len(items) > limit:
        raise ApiError(
            400, f"A bulk {kind} of {call.info.name} takes at most {limit} items, got {len(items)}"
        )
    if kind == "GET":
        return call.render.bulk_result([_get(call, item) for item in items])
    return call.render.bulk_result([_update(call, item) for item in items])


def _read(call: Call) -> tuple[str, list[Record]]:
    """(bulk type, items as records: ``{"id": ...}`` for GET, whole objects for UPDATE)."""
    shapes, record_type = call.sandbox.shapes, call.record_type
    if call.request.body_is_json:
        data: Any = body_json(call.request, "BulkRequest")
        if isinstance(data, dict) and list(data) == ["BulkRequest"]:
            data = data["BulkRequest"]  # {"BulkRequest": {...}}, as Boomi's example wraps it
        if not isinstance(data, dict):
            raise BodyProblem("BulkRequest: expected a JSON object")
        kind = str(data.get("type") or "").upper()
        if not kind:
            raise BodyProblem("BulkRequest: the type (GET, UPDATE...) is missing")
        raw = data.get("request") or []
        raw = raw if isinstance(raw, list) else [raw]
        item_type = "BulkId" if kind == "GET" else record_type
        return kind, [from_json(shapes, item_type, item) for item in raw]
    root = body_root(call.request, "BulkRequest")
    kind = (root.get("type") or "").upper()
    items = []
    for child in root:
        if not isinstance(child.tag, str) or local_name(child.tag) != "request":
            continue
        declared = declared_type(child)
        item_type = declared if declared in (record_type, "BulkId") else "BulkId"
        if kind != "GET":
            item_type = record_type
        items.append(read_record(shapes, item_type, child))
    if not kind:
        raise BodyProblem("BulkRequest: the type attribute (GET, UPDATE...) is missing")
    return kind, items


def _get(call: Call, item: Record) -> BulkItem:
    key = str(item.get("id", ""))
    record = call.collection().get(key)
    if record is None:
        return BulkItem(400, id=key, error=no_such(call.info, key).message)
    return BulkItem(200, result=call.typed(record))


def _update(call: Call, item: Record) -> BulkItem:
    id_field = call.info.id_field or "id"
    key = str(item.get(id_field, ""))
    collection = call.collection()
    current = collection.get(key)
    if current is None:
        return BulkItem(400, id=key, error=no_such(call.info, key).message)
    record = {**current, **item}
    stamp(call, record, creating=False)
    collection.put(key, record)
    return BulkItem(200, result=call.typed(record))
