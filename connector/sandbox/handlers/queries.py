"""QUERY and queryMore: filters compiled from the QueryConfig, pages of ``page_size`` results,
opaque tokens that expire.

A page holds at most ``page_size`` matches; a queryToken is issued only when another match
exists (so the last page never comes back empty). ``numberOfResults`` is the count on the page,
or the total of the query with ``number_of_results="total"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from connector.atomsphere.catalog.model import normalise_property
from connector.sandbox.bodies import Typed
from connector.sandbox.evaluate import compile_filter
from connector.sandbox.handlers.common import ApiError, Call
from connector.sandbox.query import Expression, Simple, parse_query
from connector.sandbox.shapes import Record
from connector.sandbox.state import Cursor
from connector.sandbox.store import Collection
from connector.sandbox.wire import Response


def query(call: Call) -> Response:
    expression = parse_query(call.request.body, call.request.body_is_json)
    predicate = compile_filter(call.sandbox.shapes, call.info, call.record_type, expression)
    if call.info.name == "ExecutionRecord":
        call.sandbox.state.advance_executions()
    collection = call.collection()
    keys = _pinned_keys(call, expression)
    total = None
    if call.sandbox.config.number_of_results == "total":
        total = sum(1 for _, _, record in _scan(collection, keys, 0) if predicate(record))
    cursor = Cursor(call.info.name, collection.name, call.record_type, predicate, 0, total)
    return page(call, replace(cursor, keys=keys))


def _pinned_keys(call: Call, expression: Expression | None) -> tuple[str, ...] | None:
    """The id an ``EQUALS`` on the id field asks for: looked up, not scanned for (a filter on
    one execution id among 100,000 records answers at once)."""
    id_field = call.info.id_field
    if not isinstance(expression, Simple) or expression.operator != "EQUALS" or not id_field:
        return None
    if normalise_property(expression.property) != normalise_property(id_field):
        return None
    return expression.arguments[:1]


def _scan(
    collection: Collection, keys: tuple[str, ...] | None, start: int
) -> Iterator[tuple[int, str, Record]]:
    if keys is None:
        yield from collection.scan(start)
        return
    for position in range(start, len(keys)):
        record = collection.get(keys[position])
        if record is not None:
            yield position, keys[position], record


def query_more(call: Call) -> Response:
    token = call.request.body.decode("utf-8", "replace").strip()
    if not token:
        raise ApiError(400, "queryMore needs the queryToken of the previous page as its body")
    state = call.sandbox.state
    fault = call.fault.kind.value if call.fault is not None else None
    if fault == "expire-token":
        state.expire_cursor(token)
    cursor = state.cursor(token)
    if cursor.object_name != call.info.name:
        raise ApiError(400, f"The queryToken was issued for {cursor.object_name} queries")
    return page(call, cursor, repeat=token if fault == "repeat-token" else None)


def page(call: Call, cursor: Cursor, *, repeat: str | None = None) -> Response:
    """The page at ``cursor``; ``repeat``: the token it carries instead of the next page's
    (the ``repeat-token`` fault: a server that loops)."""
    size = call.sandbox.config.page_size
    collection = call.sandbox.store.collection(cursor.collection)
    items: list[Typed] = []
    next_position: int | None = None
    for position, _key, record in _scan(collection, cursor.keys, cursor.position):
        if not cursor.predicate(record):
            continue
        if len(items) == size:
            next_position = position
            break
        items.append(call.typed(record, cursor.record_type))
    token = repeat
    if next_position is not None and repeat is None:
        token = call.sandbox.state.issue_cursor(cursor.at(next_position))
    number = cursor.total if cursor.total is not None else len(items)
    return call.render.query_result(items, token, number)
