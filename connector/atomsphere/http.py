"""Sending one API request: rate limit, retries, error mapping, deprecation notices.

Every request takes a slot from the account's :class:`~connector.atomsphere.ratelimit.RateLimiter`
(each retry too). What is retried depends on whether the request can have been processed:

* a 503 (busy or rate limit) or a failure to connect: the server did not act on it, so any
  request is retried, up to the policy's limit, honouring ``Retry-After``;
* a timeout, a dropped connection, a 502 or 504 after the request was sent: retried only when
  the request is idempotent (reads, Update, Delete). A Create or Execute is **never** sent twice
  once it may have reached the server; the caller gets a failure that says so. When a retry
  then gets a 4xx, the error says an earlier attempt may have taken effect
  (``ApplicationError.after_lost_answer``);
* a 2xx that is an HTML page (a proxy's or portal's, not the API's) is a failure, never data;
* any other 4xx, 401 included: never retried.

A non-2xx answer becomes an exception from :mod:`connector.errors` carrying the HTTP status, the
API's message (from any of its error body shapes) and the raw body, scrubbed of secrets.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

import httpx

from connector.atomsphere.connection import Connection, require_partner
from connector.atomsphere.partner import OVERRIDE_PARAMETER
from connector.atomsphere.ratelimit import RateLimiter, Sleep
from connector.atomsphere.responses import error_message, media_type, raw_excerpt
from connector.atomsphere.retry import RetryPolicy, parse_retry_after
from connector.errors import (
    ApplicationError,
    AuthenticationError,
    FatalRemoteError,
    RateLimitedError,
    RemoteError,
    RetriableError,
)

log = logging.getLogger("connector.atomsphere")

XML: Final = "application/xml"
TEXT: Final = "text/plain"
DEPRECATION_HEADERS: Final = ("Deprecation", "Sunset", "Link", "Warning")

#: Why a request that may have reached the server is not sent again.
NOT_RETRIED: Final = (
    "not retried because the server may already have processed it (check before sending it again)"
)

#: Why an unreadable 2xx answer to a write must not simply be sent again.
PROCESSED: Final = "the request was processed, so check its effect before sending it again"

_deprecations_logged: set[str] = set()
_deprecations_lock = threading.Lock()


@dataclass(frozen=True)
class Reply:
    """A 2xx answer: status, media type (without parameters) and body."""

    status: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class _Failure:
    error: RemoteError
    may_retry: bool
    retry_after: float | None = None
    #: The request may have reached the server and taken effect: its answer was lost.
    lost_answer: bool = False


@dataclass
class _Counts:
    """The counters behind :class:`CallStats`, shared by a sender and its sub-account views."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: int = 0
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class CallStats:
    """HTTP calls made (retries included), retries, and answers by status."""

    calls: int
    retries: int
    statuses: dict[int, int]


class ApiHttp:
    """Sends requests for one connection through its pooled ``httpx.Client``. Thread-safe."""

    def __init__(
        self,
        connection: Connection,
        client: httpx.Client,
        limiter: RateLimiter,
        retry: RetryPolicy,
        *,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.connection = connection
        self.client = client
        self.limiter = limiter
        self.retry = retry
        self._sleep = sleep
        self._counts = _Counts()
        #: The sub-account every request names (Partner API ``overrideAccount``), if any.
        self.override_account: str | None = None

    def overriding(self, account: str) -> ApiHttp:
        """This sender acting on sub-account ``account``: the same pool, limiter and counts,
        with ``?overrideAccount=account`` on every request."""
        require_partner(self.connection, account)
        view = copy.copy(self)
        view.override_account = account
        return view

    def retrying(self, retry: RetryPolicy) -> ApiHttp:
        """This sender with another retry policy: the same pool, limiter and counts."""
        view = copy.copy(self)
        view.retry = retry
        return view

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = XML,
        idempotent: bool,
        timeout: float | None = None,
    ) -> Reply:
        """Send ``method path`` (relative to the account's REST URL) and return a 2xx reply."""
        url = self.connection.rest_url + path
        params = {OVERRIDE_PARAMETER: self.override_account} if self.override_account else None
        headers = {"Accept": XML}
        if body is not None:
            headers["Content-Type"] = content_type
        what = f"{method} {path}"
        attempt = 0
        lost_answer = False
        while True:
            self.limiter.acquire()
            self._count(None)
            started = time.perf_counter()
            outcome = self._attempt(method, (url, params), what, headers, body, idempotent, timeout)
            if log.isEnabledFor(logging.DEBUG):
                self._log_attempt(what, outcome, time.perf_counter() - started, attempt + 1)
            if isinstance(outcome, Reply):
                return outcome
            error = outcome.error
            if isinstance(error, ApplicationError):
                error.after_lost_answer = lost_answer
            lost_answer = lost_answer or outcome.lost_answer
            if not outcome.may_retry or attempt >= self.retry.max_retries:
                if attempt and isinstance(error, RetriableError):
                    raise type(error)(
                        f"{error} (gave up after {attempt + 1} attempts)",
                        status=error.status,
                        body=error.body,
                    )
                raise error
            delay = self.retry.delay(attempt, outcome.retry_after)
            shown = str(error) if str(error).startswith(what) else f"{what}: {error}"
            shown = shown.rstrip(". ")  # the API's message ends a sentence; "; retry" goes on
            log.info(
                "%s; retry %d of %d in %.2fs", shown, attempt + 1, self.retry.max_retries, delay
            )
            with self._counts.lock:
                self._counts.retries += 1
            attempt += 1
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        target: tuple[str, dict[str, str] | None],
        what: str,
        headers: dict[str, str],
        body: bytes | None,
        idempotent: bool,
        timeout: float | None,
    ) -> Reply | _Failure:
        """One try: a reply, or an error with its Retry-After and whether a retry is safe."""
        scrub = self.connection.scrub
        limit = httpx.Timeout(timeout) if timeout else httpx.USE_CLIENT_DEFAULT
        url, params = target
        try:
            response = self.client.request(
                method, url, params=params, headers=headers, content=body, timeout=limit
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached the server: safe to retry whatever the request is.
            return _Failure(RetriableError(scrub(f"{what}: could not connect: {exc}")), True)
        except httpx.TransportError as exc:
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
            if idempotent:
                return _Failure(RetriableError(scrub(f"{what}: {kind}: {exc}")), True, None, True)
            unsafe = f"{what}: {kind} after the request was sent: {exc}; {NOT_RETRIED}"
            return _Failure(FatalRemoteError(scrub(unsafe)), False, None, True)
        self._count(response.status_code)
        self._note_deprecation(what, response)
        status = response.status_code
        kind = media_type(response.headers.get("content-type"))
        if 200 <= status < 300 and kind != "text/html":
            return Reply(status, kind, response.content)
        if 200 <= status < 300:
            return _Failure(self._web_page(response, what, idempotent), False)
        error = self._error(response, what)
        gateway = status in (502, 504)
        if gateway and not idempotent:
            error = RetriableError(
                f"{what}: {error}; {NOT_RETRIED}", status=status, body=error.body
            )
        return _Failure(
            error,
            status == 503 or (gateway and idempotent),
            parse_retry_after(response.headers.get("Retry-After")),
            gateway,
        )

    def _web_page(self, response: httpx.Response, what: str, idempotent: bool) -> RemoteError:
        """A 2xx HTML page: a proxy or portal answered, not the API; never read as data."""
        title = error_message(response.content, response.headers.get("content-type"))
        message = (
            f"{what}: HTTP {response.status_code}, but the answer is a web page"
            f"{f' ({title!r})' if title else ''}, not the API's XML"
        )
        if not idempotent:
            message += f"; {NOT_RETRIED}"
        scrub = self.connection.scrub
        return FatalRemoteError(
            scrub(message), status=response.status_code, body=scrub(raw_excerpt(response.content))
        )

    def _error(self, response: httpx.Response, what: str) -> RemoteError:
        status = response.status_code
        scrub = self.connection.scrub
        body = response.content
        message = error_message(body, response.headers.get("content-type"))
        message = scrub(message or f"HTTP {status} {response.reason_phrase}".strip())
        raw = scrub(raw_excerpt(body))
        if status == 401:
            return AuthenticationError(
                f"credentials refused for {self.connection.target}: {message}",
                status=status,
                body=raw,
            )
        if status == 503:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitedError(message, status=status, body=raw, retry_after=retry_after)
        if status in (502, 504):
            return RetriableError(message, status=status, body=raw)
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            moved = f"{what}: the API moved this object ({status})"
            return FatalRemoteError(
                f"{moved}{' to ' + location if location else ''}: {message}",
                status=status,
                body=raw,
            )
        if 400 <= status < 500:
            return ApplicationError(message, status=status, body=raw)
        return FatalRemoteError(f"{what}: HTTP {status}: {message}", status=status, body=raw)

    def _log_attempt(
        self, what: str, outcome: Reply | _Failure, seconds: float, attempt: int
    ) -> None:
        """``POST /Process/query -> 200 in 0.042s (attempt 1)``: never a header, body or URL
        with credentials, and scrubbed all the same."""
        if isinstance(outcome, Reply):
            answer = str(outcome.status)
        elif outcome.error.status is not None:
            answer = f"{outcome.error.status} ({type(outcome.error).__name__})"
        else:
            answer = f"no answer ({outcome.error})"
        account = f" for {self.override_account}" if self.override_account else ""
        line = f"{what}{account} -> {answer} in {seconds:.3f}s (attempt {attempt})"
        log.debug("%s", self.connection.scrub(line))

    def _count(self, status: int | None) -> None:
        counts = self._counts
        with counts.lock:
            if status is None:
                counts.calls += 1
            else:
                counts.statuses[status] += 1

    def stats(self) -> CallStats:
        counts = self._counts
        with counts.lock:
            return CallStats(counts.calls, counts.retries, dict(counts.statuses))

    def _note_deprecation(self, what: str, response: httpx.Response) -> None:
        if "Deprecation" not in response.headers and "Sunset" not in response.headers:
            return
        path = what.partition(" ")[2].strip("/").split("/")
        name = path[1] if path[0] == "async" and len(path) > 1 else path[0]
        with _deprecations_lock:
            if name in _deprecations_logged:
                return
            _deprecations_logged.add(name)
        details = "; ".join(
            f"{h}: {response.headers[h]}" for h in DEPRECATION_HEADERS if h in response.headers
        )
        log.warning("%s is deprecated by the API (%s)", name, self.connection.scrub(details))
