"""Bulk GET: ``BulkRequest`` out, ``BulkResult`` back, one item per requested id.

Per-item failures come back inside an HTTP 200 (``statusCode`` and ``errorMessage`` on the item
instead of a ``Result``), so the caller gets one :class:`BulkItem` per id, in request order, and
decides per item. Items are paired with ids by position when the counts agree (the API answers in
request order) and by id otherwise; an id left without an item is reported as such, never
silently dropped.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Final

from lxml import etree

from connector.atomsphere.responses import (
    children,
    field_value,
    first_child,
    record_type,
    reroot,
)
from connector.errors import FatalRemoteError
from connector.xml import API_NS, API_PREFIX, XSI_NS, XSI_TYPE, api, local_name, to_bytes

_NSMAP: Final[dict[str, str]] = {API_PREFIX: API_NS, "xsi": XSI_NS}


@dataclass(frozen=True)
class BulkItem:
    """One item of a ``BulkResult``: a record with a 2xx ``status_code``, or an error."""

    status_code: int
    record: bytes | None = None
    id: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300 and self.record is not None


def bulk_get_request(ids: Sequence[str]) -> bytes:
    """``<bns:BulkRequest type="GET">`` with one ``BulkId`` per id."""
    root = etree.Element(api("BulkRequest"), nsmap=_NSMAP)
    root.set("type", "GET")
    for item in ids:
        request = etree.SubElement(root, api("request"))
        request.set(XSI_TYPE, f"{API_PREFIX}:BulkId")
        request.set("id", item)
    return to_bytes(root)


def parse_bulk_result(
    root: etree._Element, default_type: str, id_field: str | None, known_types: Container[str] = ()
) -> tuple[BulkItem, ...]:
    """Every ``response`` of a ``BulkResult``, records re-rooted as their object element.

    An item's ``id`` is the response's ``id`` attribute (failed items carry it) or the record's
    ``id_field``.
    """
    if local_name(root.tag) != "BulkResult":
        raise FatalRemoteError(f"expected a BulkResult, got <{local_name(root.tag)}>")
    items = []
    for response in children(root, "response"):
        result = first_child(response, "Result")
        record = None
        item_id = response.get("id")
        if result is not None:
            element = reroot(result, record_type(result, default_type), known_types)
            if item_id is None and id_field:
                item_id = field_value(element, id_field)
            record = to_bytes(element)
        code = response.get("statusCode")
        try:
            status = int(code) if code is not None else (200 if record is not None else 0)
        except ValueError:
            status = 0
        items.append(BulkItem(status, record, item_id, response.get("errorMessage")))
    return tuple(items)


def match_items(ids: Sequence[str], items: Sequence[BulkItem]) -> list[BulkItem | None]:
    """The item answering each id, in the order of ``ids``; None where the API gave none."""
    if len(items) == len(ids):
        return list(items)
    by_id: dict[str, BulkItem] = {}
    for item in items:
        if item.id is not None:
            by_id.setdefault(item.id, item)
    return [by_id.get(wanted) for wanted in ids]
