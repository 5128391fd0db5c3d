"""The sandbox application: ``handle(request) -> response``, everything else hangs off it.

One call goes through: the admin API (loopback only) → fault injection → authentication (401)
→ the account in the path (403) → the rate limiter (503) → on the Partner API path, the
``overrideAccount`` sub-account (403, 400; :mod:`connector.sandbox.partner`) → the schema
endpoints or the route generated from the catalog (404, 405) → the handler for the endpoint's
wire action, on the effective account's state. Errors are
Boomi's bodies in the format the client asked for. State changes happen under one lock, so the
threaded server and the in-process transport see the same sequence of events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from connector.atomsphere.catalog import WireAction, load_catalog
from connector.sandbox import admin, wsdl
from connector.sandbox.auth import (
    FORBIDDEN_MESSAGE,
    UNAUTHORIZED_MESSAGE,
    Caller,
    authenticate,
)
from connector.sandbox.bodies import Renderer
from connector.sandbox.codec_xml import BodyProblem
from connector.sandbox.config import SandboxConfig
from connector.sandbox.evaluate import QueryProblem
from connector.sandbox.faults import FaultKind, FaultRule, Faults
from connector.sandbox.handlers import ApiError, Call, dispatch
from connector.sandbox.partner import PARTNER_PREFIX, SubAccounts, effective_account
from connector.sandbox.persist import SQLiteBackend
from connector.sandbox.ratelimit import TokenBucket
from connector.sandbox.routing import MethodNotAllowed, Router
from connector.sandbox.seed import SeedData
from connector.sandbox.shapes import shapes
from connector.sandbox.state import State
from connector.sandbox.stats import UNROUTED_LABEL, Stats
from connector.sandbox.store import Backend, MemoryBackend, Store
from connector.sandbox.validation import check_response
from connector.sandbox.wire import HTML_TYPE, Abort, Request, Response

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("connector.sandbox")

#: What the API says when it fails on its side.
INTERNAL_MESSAGE: Final = "Internal server error: the request could not be processed."

REST_PREFIX: Final = "/api/rest/v1/"
SOAP_PREFIX: Final = "/api/soap/v1/"
BUSY_MESSAGE: Final = (
    "The Boomi server is currently unavailable or your account's rate limits have been "
    "exceeded. Retry later."
)
_GATEWAY_PAGE: Final = (
    "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}"
    "</h1></center><hr><center>nginx</center></body></html>"
)
_REASONS: Final = {
    200: "OK",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class Sandbox:
    """An emulated AtomSphere account.

    ``Sandbox(SandboxConfig(rate_limit=0)).transport()`` for in-process tests;
    ``with Sandbox(config).serve() as url:`` for a real server on loopback. ``data`` keeps state
    in SQLite; ``clock`` (monotonic seconds), ``wall_clock`` (epoch seconds) and ``sleep`` are
    injectable so tests of rate limits, expiry and latency never wait.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        data: Path | str | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.catalog = load_catalog()
        self.shapes = shapes()
        self.clock = clock or time.monotonic
        self.wall_clock = wall_clock or time.time
        self.sleep = sleep or time.sleep
        self.seed = SeedData(self.shapes, self.config)
        backend: Backend = MemoryBackend()
        if data is not None:
            identity = {
                "seed": str(self.config.seed),
                "records": str(self.config.records),
                "account-id": self.config.account_id,
            }
            backend = SQLiteBackend(Path(data), identity)
        self.store = Store(self.seed.source, backend)
        self.router = Router(self.catalog)
        self.limiter = TokenBucket(self.config.rate_limit, self.config.burst, self.clock)
        self.faults = Faults(self.config.seed)
        self.stats = Stats()
        self.state = State(self)
        self.sub_accounts = SubAccounts(self, None if data is None else Path(data))
        self.lock = threading.RLock()
        deprecated = self.config.deprecated_objects
        self.deprecated = frozenset(
            deprecated if deprecated is not None else (o.name for o in self.catalog if o.deprecated)
        )

    # -- adapters -------------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport that answers in-process, for any host (routing on the path)."""
        from connector.sandbox.transport import SandboxTransport

        return SandboxTransport(self)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve over HTTP on ``host:port`` (0: a free port) in a background thread; yields the
        REST base URL ``http://host:port/api/rest/v1/{accountId}``."""
        from connector.sandbox.server import start_server

        server = start_server(self, host, port)
        try:
            yield server.rest_url
        finally:
            server.stop()

    def close(self) -> None:
        self.store.close()
        self.sub_accounts.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def rest_path(self) -> str:
        return f"{REST_PREFIX}{self.config.account_id}"

    # -- the application ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.startswith(admin.PREFIX):
            return admin.handle(self, request)
        render = Renderer(self.shapes, request.wants_json)
        account, sub_path, soap, partner = _split(request.path)
        label, action = self._label(request, account, sub_path, soap)
        fault = self.faults.pick(
            request.method,
            sub_path or request.path,
            request.path,
            query_more=action is WireAction.QUERY_MORE,
        )
        early = self._early_fault(fault, render)
        if early is not None:
            self.stats.count(label, early.status, fault=True)
            return early
        with self.lock:
            try:
                where = (account, sub_path, soap, partner)
                response, route = self._answer(request, render, where, fault)
            except Exception:
                # A bug of the emulator, not of the caller: answer as Boomi does (500 with its
                # error body) and keep serving; the traceback goes to the log, not the client.
                log.exception(
                    "sandbox: internal error answering %s %s", request.method, request.path
                )
                response, route = render.error(500, INTERNAL_MESSAGE), ""
        if response.status == 200 and route in self.deprecated:
            response = response.with_headers(*_deprecation_headers(route))
        if self.config.validate_responses:
            check_response(response, f"{request.method} {request.path}")
        response = _late_fault(fault, response)
        self.stats.count(label, response.status, fault=bool(fault))
        return response

    def _label(
        self, request: Request, account: str | None, sub_path: str | None, soap: bool
    ) -> tuple[str, WireAction | None]:
        """How the stats name a call: its route template, else one label for every call no
        route answers (their raw paths would be a new key per path a client makes up); and
        what the route does, which decides the faults that can apply."""
        if soap:
            routed = account is not None and sub_path == "" and request.method == "GET"
            return (f"GET {SOAP_PREFIX}{{accountId}}" if routed else UNROUTED_LABEL), None
        try:
            match = self.router.match(request.method, sub_path) if sub_path else None
        except MethodNotAllowed:
            match = None
        if match is None:
            return UNROUTED_LABEL, None
        endpoint = match.route.endpoint
        return f"{request.method} {endpoint.path}", endpoint.wire_action

    def _early_fault(self, fault: FaultRule | None, render: Renderer) -> Response | None:
        if fault is None:
            return None
        if fault.kind is FaultKind.BUSY:
            return render.error(503, BUSY_MESSAGE)
        if fault.kind is FaultKind.RESET and fault.at == "start":
            return Response(0, abort=Abort.RESET)
        if fault.kind is FaultKind.HTML:
            reason = _REASONS.get(fault.status, "Error")
            page = _GATEWAY_PAGE.format(status=fault.status, reason=reason).encode()
            return Response(fault.status, (("Content-Type", f"{HTML_TYPE}; charset=utf-8"),), page)
        return None

    def _answer(
        self,
        request: Request,
        render: Renderer,
        where: tuple[str | None, str | None, bool, bool],
        fault: FaultRule | None,
    ) -> tuple[Response, str]:
        account, sub_path, soap, partner = where
        if account is None or sub_path is None:
            return render.error(404, f"No such resource: {request.path}"), ""
        caller = authenticate(self.config, request.header("authorization"))
        if caller is Caller.ANONYMOUS:
            response = render.error(401, UNAUTHORIZED_MESSAGE)
            return response.with_headers(("WWW-Authenticate", 'Basic realm="AtomSphere"')), ""
        if caller is Caller.UNPRIVILEGED or account != self.config.account_id:
            return render.error(403, FORBIDDEN_MESSAGE), ""
        if not self.limiter.allow(account):
            return render.error(503, BUSY_MESSAGE), ""
        target = self
        if partner:
            try:
                target = effective_account(self, request, sub_path)
            except ApiError as exc:
                return render.error(exc.status, exc.message), ""
        if soap:
            return wsdl.answer(self, request, render), "soap"
        if request.method in ("PUT", "PATCH"):
            return _not_allowed(render, request, ("DELETE", "GET", "POST")), ""
        try:
            match = self.router.match(request.method, sub_path)
        except MethodNotAllowed as exc:
            if request.method == "DELETE":
                return _no_delete(render, sub_path), ""
            return _not_allowed(render, request, exc.allowed), ""
        if match is None:
            if request.method == "DELETE" and sub_path.strip("/").count("/") == 1:
                return _no_delete(render, sub_path), ""
            return render.error(404, f"No such resource: {request.path}"), ""
        info, endpoint = match.route.object, match.route.endpoint
        if info.name in _XML_ONLY and endpoint.wire_action is WireAction.GET:
            render = Renderer(self.shapes, as_json=False)
        call = Call(target, request, info, endpoint, match.params, render, fault)
        try:
            response = dispatch(call)
        except ApiError as exc:
            response = render.error(exc.status, exc.message)
        except (BodyProblem, QueryProblem) as exc:
            response = render.error(400, str(exc))
        return response, info.name


#: Objects whose GET answers XML whatever the Accept header (the spec's own description).
_XML_ONLY: Final = frozenset({"Component"})


def _split(path: str) -> tuple[str | None, str | None, bool, bool]:
    """(account, path after the account, is the SOAP schema path, is the Partner API path)."""
    for prefix, soap, partner in (
        (REST_PREFIX, False, False),
        (SOAP_PREFIX, True, False),
        (PARTNER_PREFIX, False, True),
    ):
        if path.startswith(prefix):
            account, _, rest = path[len(prefix) :].partition("/")
            if not account:
                return None, None, soap, partner
            if soap:
                return account, "" if not rest else None, True, False
            return account, f"/{rest}", False, partner
    return None, None, False, False


def _not_allowed(render: Renderer, request: Request, allowed: tuple[str, ...]) -> Response:
    response = render.error(405, f"Method {request.method} is not allowed on {request.path}")
    return response.with_headers(("Allow", ", ".join(allowed)))


def _no_delete(render: Renderer, sub_path: str) -> Response:
    name = sub_path.strip("/").split("/")[0]
    return render.error(400, f"Unknown objectType for delete operation: {name}")


def _deprecation_headers(name: str) -> tuple[tuple[str, str], ...]:
    link = f"https://developer.boomi.com/docs/api/platformapi/{name}"
    return (
        ("Deprecation", 'version="1.0"; date="2024-01-31"'),
        ("Warning", f'299 - "You are using a deprecated API endpoint. {name} is deprecated."'),
        ("Link", f'<{link}>; rel="deprecation"'),
        ("Sunset", "Sat, 31 Jan 2026 00:00:00 GMT"),
    )


def _late_fault(fault: FaultRule | None, response: Response) -> Response:
    if fault is None:
        return response
    if fault.kind is FaultKind.LATENCY:
        return replace(response, delay=fault.seconds)
    if fault.kind is FaultKind.RESET:  # at=body: processed, the answer is lost on the way
        return replace(response, abort=Abort.RESET_BODY, truncate_at=len(response.body) // 2)
    if fault.kind is FaultKind.TRUNCATE and response.body:
        return replace(response, abort=Abort.TRUNCATE, truncate_at=len(response.body) // 2)
    if fault.kind is FaultKind.MALFORMED and response.body:
        cut = response.body[: max(len(response.body) * 2 // 3, 1)]
        return replace(response, body=cut + b"<")
    return response
