"""Handlers, one module per family of wire actions; :func:`dispatch` picks by the endpoint."""

from __future__ import annotations

from collections.abc import Callable

from connector.atomsphere.catalog import WireAction
from connector.sandbox.handlers import actions, asynchronous, bulk, queries, records
from connector.sandbox.handlers.common import ApiError, Call
from connector.sandbox.wire import Response

__all__ = ["ApiError", "Call", "dispatch"]

_HANDLERS: dict[WireAction, Callable[[Call], Response]] = {
    WireAction.GET: records.get,
    WireAction.CREATE: records.create,
    WireAction.UPDATE: records.update,
    WireAction.DELETE: records.delete,
    WireAction.QUERY: queries.query,
    WireAction.QUERY_MORE: queries.query_more,
    WireAction.BULK: bulk.bulk,
    WireAction.ASYNC_REQUEST: asynchronous.request,
    WireAction.ASYNC_RESULT: asynchronous.result,
    WireAction.EXECUTE: actions.execute,
    WireAction.ACTION: actions.action,
}


def dispatch(call: Call) -> Response:
    return _HANDLERS[call.endpoint.wire_action](call)
