"""The AtomSphere API client: each wire verb of an object, in catalog terms.

The engine asks for "a Get of Environment x" or "a query of ExecutionRecord with this filter";
this module knows which endpoint that is, how its path is built, which body it takes and how its
answer is read. Records come back as stand-alone XML documents (bytes), re-rooted as their
object element when the API wraps them in an envelope; single-object answers (a Get, a Create)
are passed through byte for byte, so Component XML is never rewritten.

One client per connection: it owns the pooled ``httpx.Client`` and shares the account's rate
limiter with every other client of that account. On a Partner API connection,
:meth:`AtomSphereClient.overriding` gives a view whose every request names a sub-account.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final
from urllib.parse import quote

import httpx

from connector.atomsphere.bulk import BulkItem, bulk_get_request, match_items, parse_bulk_result
from connector.atomsphere.catalog import Catalog, Endpoint, ObjectInfo, WireAction, load_catalog
from connector.atomsphere.connection import Connection
from connector.atomsphere.http import PROCESSED, TEXT, ApiHttp, Reply
from connector.atomsphere.paging import QueryPager
from connector.atomsphere.query import Expression, describe, query_config
from connector.atomsphere.ratelimit import Clock, RateLimiter, Sleep, shared_limiter
from connector.atomsphere.responses import (
    QueryPage,
    field_value,
    parse_async_result,
    parse_async_token,
    parse_envelope,
    parse_query_page,
    single_record,
)
from connector.atomsphere.retry import RetryPolicy
from connector.errors import ConfigError, FatalRemoteError, RetriableError
from connector.xml import to_bytes

log = logging.getLogger("connector.atomsphere")

#: Executes the client follows to another object's record, whose shape is then the answer's:
#: an ExecutionRequest is answered with the final ExecutionRecord of the execution it started.
FOLLOWED_EXECUTES: Final[Mapping[str, str]] = MappingProxyType(
    {"ExecutionRequest": "ExecutionRecord"}
)
#: ExecutionRecord statuses after which an execution will not change any more.
FINAL_EXECUTION_STATUSES: Final = frozenset(
    {"COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED", "DISCARDED"}
)


@dataclass(frozen=True)
class Polling:
    """How often to ask for an asynchronous result, and for how long at most."""

    interval: float = 1.0
    timeout: float = 300.0


class AtomSphereClient:
    """Calls the API for one connection. Thread-safe; close it (or use ``with``) when done."""

    def __init__(
        self,
        connection: Connection,
        *,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        catalog: Catalog | None = None,
    ) -> None:
        self.connection = connection
        self.catalog = catalog or load_catalog()
        self.limiter = limiter or shared_limiter(
            connection.base_url, connection.account_id, connection.rate_limit
        )
        self._httpx = connection.http_client(transport)
        self.http = ApiHttp(
            connection, self._httpx, self.limiter, retry or RetryPolicy(), sleep=sleep
        )
        self._clock = clock
        self._sleep = sleep
        self._types = frozenset(self.catalog.types)

    def close(self) -> None:
        self._httpx.close()

    def overriding(self, account: str | None) -> AtomSphereClient:
        """This client acting on sub-account ``account`` through the Partner API (itself for
        None). The view shares the pool, the rate limiter (Boomi limits the partner account)
        and the call counts; close the client, not the view."""
        if account is None:
            return self
        view = copy.copy(self)
        view.http = self.http.overriding(account)
        return view

    def retrying(self, retry: RetryPolicy) -> AtomSphereClient:
        """This client with another retry policy (a quick check need not wait out an outage).
        The view shares the pool, the rate limiter and the call counts."""
        view = copy.copy(self)
        view.http = self.http.retrying(retry)
        return view

    def __enter__(self) -> AtomSphereClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads ----------------------------------------------------------------------------------

    def get(self, obj: ObjectInfo, object_id: str, *, timeout: float | None = None) -> bytes:
        """``GET /{Object}/{id}``: the object's XML exactly as the API sent it."""
        endpoint = self._endpoint(obj, WireAction.GET)
        reply = self.http.send(
            "GET", self._path(endpoint, object_id), idempotent=True, timeout=timeout
        )
        parse_envelope(reply.body, reply.media_type, source=endpoint.operation_id)
        return reply.body

    def get_async(
        self, obj: ObjectInfo, object_id: str, polling: Polling, *, timeout: float | None = None
    ) -> tuple[bytes, ...]:
        """A Get of an asynchronous object: request a token, then poll for the records."""
        endpoint = self._endpoint(obj, WireAction.ASYNC_REQUEST)
        reply = self.http.send(
            "GET", self._path(endpoint, object_id), idempotent=True, timeout=timeout
        )
        return self._async_records(obj, reply, polling, timeout)

    def bulk_get(
        self, obj: ObjectInfo, ids: Sequence[str], *, timeout: float | None = None
    ) -> list[BulkItem | None]:
        """One bulk GET of up to the object's limit: the item for each id, in the order given."""
        limit = obj.bulk_limit("GET")
        endpoint = self._endpoint(obj, WireAction.BULK)
        if limit is None or len(ids) > limit:
            raise ConfigError(f"{obj.name}: a bulk GET takes at most {limit} ids, not {len(ids)}")
        log.debug("bulk GET %s: %d ids (limit %d)", obj.name, len(ids), limit)
        reply = self.http.send(
            "POST", endpoint.path, body=bulk_get_request(ids), idempotent=True, timeout=timeout
        )
        root = parse_envelope(reply.body, reply.media_type, source=f"{obj.name} bulk result")
        items = parse_bulk_result(root, self._record_type(obj), obj.id_field, self._types)
        matched = match_items(ids, items)
        failed = sum(1 for item in matched if item is None or not item.ok)
        log.debug("bulk GET %s: %d items, %d not ok", obj.name, len(items), failed)
        return matched

    def query(
        self,
        obj: ObjectInfo,
        expression: Expression | None,
        *,
        max_pages: int = 0,
        polling: Polling | None = None,
        timeout: float | None = None,
    ) -> Iterator[QueryPage]:
        """The pages of a query, fetched one at a time as they are consumed."""
        body = query_config(expression)
        what = f"query {obj.name} ({describe(expression)})"
        endpoint = obj.endpoint(WireAction.QUERY)
        if endpoint is None:
            # ListenerStatus: the query itself is asynchronous and answers in one go.
            return self._async_query(obj, body, polling or Polling(), timeout)
        more = self._endpoint(obj, WireAction.QUERY_MORE)

        def first() -> QueryPage:
            reply = self.http.send(
                "POST", endpoint.path, body=body, idempotent=True, timeout=timeout
            )
            return self._page(obj, reply)

        def next_page(token: str) -> QueryPage:
            reply = self.http.send(
                "POST",
                more.path,
                body=token.encode("utf-8"),
                content_type=TEXT,
                idempotent=True,
                timeout=timeout,
            )
            return self._page(obj, reply)

        return iter(QueryPager(first, next_page, max_pages=max_pages, what=what))

    def _async_query(
        self, obj: ObjectInfo, body: bytes, polling: Polling, timeout: float | None
    ) -> Iterator[QueryPage]:
        endpoint = self._endpoint(obj, WireAction.ASYNC_REQUEST)
        reply = self.http.send("POST", endpoint.path, body=body, idempotent=True, timeout=timeout)
        records = self._async_records(obj, reply, polling, timeout)
        yield QueryPage(records, None, len(records))

    # -- writes ---------------------------------------------------------------------------------

    def create(self, obj: ObjectInfo, body: bytes, *, timeout: float | None = None) -> Reply:
        """``POST /{Object}``: never re-sent once it may have reached the server."""
        endpoint = self._endpoint(obj, WireAction.CREATE)
        return self.http.send("POST", endpoint.path, body=body, idempotent=False, timeout=timeout)

    def update(
        self, obj: ObjectInfo, object_id: str, body: bytes, *, timeout: float | None = None
    ) -> Reply:
        """``POST /{Object}/{id}`` (the API has no PUT): a full replace, so safe to repeat."""
        endpoint = self._endpoint(obj, WireAction.UPDATE)
        path = self._path(endpoint, object_id)
        return self.http.send("POST", path, body=body, idempotent=True, timeout=timeout)

    def delete(self, obj: ObjectInfo, object_id: str, *, timeout: float | None = None) -> Reply:
        """``DELETE /{Object}/{id}``: the body, if any, means nothing."""
        endpoint = self._endpoint(obj, WireAction.DELETE)
        path = self._path(endpoint, object_id)
        return self.http.send("DELETE", path, idempotent=True, timeout=timeout)

    def execute(
        self,
        obj: ObjectInfo,
        object_id: str | None,
        body: bytes,
        polling: Polling,
        *,
        timeout: float | None = None,
    ) -> Reply:
        """The object's EXECUTE (``/{Object}/execute/{id}``) or action POST.

        An ExecutionRequest is followed to its end: the answer is the final ExecutionRecord.
        """
        endpoint = self.execute_endpoint(obj)
        path = self._path(endpoint, object_id)
        payload = body if endpoint.request_type else None
        reply = self.http.send("POST", path, body=payload, idempotent=False, timeout=timeout)
        if obj.name not in FOLLOWED_EXECUTES:
            return reply
        try:
            root = parse_envelope(reply.body, reply.media_type, source="ExecutionRequest response")
        except FatalRemoteError as exc:
            raise FatalRemoteError(f"HTTP {reply.status}, but {exc}; {PROCESSED}") from None
        request_id = root.get("requestId")
        if not request_id:
            raise FatalRemoteError("the ExecutionRequest response carries no requestId")
        record = self.wait_for_execution(request_id, polling, timeout=timeout)
        return Reply(200, reply.media_type, record)

    def execute_endpoint(self, obj: ObjectInfo) -> Endpoint:
        """The endpoint an Execute uses: the object's EXECUTE, else its action POST."""
        found = obj.endpoint(WireAction.EXECUTE) or obj.endpoint(WireAction.ACTION)
        if found is None:
            raise ConfigError(f"{obj.name} has no EXECUTE or action endpoint")
        return found

    def wait_for_execution(
        self, request_id: str, polling: Polling, *, timeout: float | None = None
    ) -> bytes:
        """Poll ``ExecutionRecord/async/{requestId}`` until the execution reaches a final status."""
        record_obj = self.catalog.object("ExecutionRecord")
        endpoint = self._endpoint(record_obj, WireAction.ASYNC_RESULT)
        path = self._path(endpoint, request_id)
        deadline = self._clock() + polling.timeout
        status = "not yet recorded"
        while True:
            reply = self.http.send("GET", path, idempotent=True, timeout=timeout)
            if reply.status == 200 and reply.body.strip():
                root = parse_envelope(reply.body, reply.media_type, source="ExecutionRecord")
                record = single_record(root, "ExecutionRecord", self._types)
                status = field_value(record, "status") or "unknown"
                if status.upper() in FINAL_EXECUTION_STATUSES:
                    return to_bytes(record)
            log.debug(
                "execution %s: status %s (HTTP %d); polling again in %gs",
                request_id,
                status,
                reply.status,
                polling.interval,
            )
            if self._clock() + polling.interval > deadline:
                raise RetriableError(
                    f"execution {request_id} did not finish within {polling.timeout:g}s "
                    f"(last status: {status})"
                )
            self._sleep(polling.interval)

    # -- helpers --------------------------------------------------------------------------------

    def _async_records(
        self, obj: ObjectInfo, reply: Reply, polling: Polling, timeout: float | None
    ) -> tuple[bytes, ...]:
        root = parse_envelope(reply.body, reply.media_type, source=f"{obj.name} async token")
        token = parse_async_token(root)
        endpoint = self._endpoint(obj, WireAction.ASYNC_RESULT)
        path = self._path(endpoint, token)
        deadline = self._clock() + polling.timeout
        while True:
            answer = self.http.send("GET", path, idempotent=True, timeout=timeout)
            if answer.status == 204:
                raise FatalRemoteError(
                    f"{obj.name}: the async result for token {token} is gone "
                    "(already fetched, or expired after 30 minutes)"
                )
            if answer.status != 202:
                result = parse_envelope(answer.body, answer.media_type, source=f"{obj.name} result")
                return parse_async_result(result, self._record_type(obj), self._types)
            log.debug(
                "%s: async result not ready (202); polling again in %gs", obj.name, polling.interval
            )
            if self._clock() + polling.interval > deadline:
                raise RetriableError(
                    f"{obj.name}: no async result within {polling.timeout:g}s (token {token})"
                )
            self._sleep(polling.interval)

    def _page(self, obj: ObjectInfo, reply: Reply) -> QueryPage:
        root = parse_envelope(reply.body, reply.media_type, source=f"{obj.name} query page")
        return parse_query_page(root, self._record_type(obj), self._types)

    def _record_type(self, obj: ObjectInfo) -> str:
        return obj.record_type or obj.name

    def _endpoint(self, obj: ObjectInfo, wire_action: WireAction) -> Endpoint:
        found = obj.endpoint(wire_action)
        if found is None:
            raise ConfigError(f"{obj.name} has no {wire_action.value} endpoint")
        return found

    def _path(self, endpoint: Endpoint, value: str | None) -> str:
        if endpoint.path_parameter is None:
            return endpoint.path
        if not value:
            raise ConfigError(f"{endpoint.path} needs a value for {{{endpoint.path_parameter}}}")
        return endpoint.path.replace(f"{{{endpoint.path_parameter}}}", quote(value, safe="~"))
