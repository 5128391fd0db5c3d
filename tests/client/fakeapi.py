"""A scripted stand-in for the AtomSphere API, answering with the documented wire shapes.

Bodies are written out literally, the way Boomi's documentation and examples show them (``bns:``
prefixes, ``xsi:type`` on polymorphic slots, the three error shapes), and never produced by the
connector's own serialisers: a fake that shared the client's code would agree with it even when
both are wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

import httpx

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection, connection_from_mapping
from connector.atomsphere.ratelimit import RateLimiter
from connector.atomsphere.retry import RetryPolicy

BASE_URL = "https://api.test.invalid"
ACCOUNT = "acct-T3ST01"
PREFIX = f"/api/rest/v1/{ACCOUNT}"
PASSWORD = "s3cret-Passw0rd"
NS = 'xmlns:bns="http://api.platform.boomi.com/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
XML_TYPE = "application/xml; charset=UTF-8"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def connection(**overrides: Any) -> Connection:
    values = {
        "base_url": BASE_URL,
        "account_id": ACCOUNT,
        "username": "user@example.com",
        "password": PASSWORD,
        **overrides,
    }
    return connection_from_mapping(values)


def xml(body: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, content=body.encode(), headers={"Content-Type": XML_TYPE, **(headers or {})}
    )


def json_body(text: str, status: int) -> httpx.Response:
    return httpx.Response(
        status, content=text.encode(), headers={"Content-Type": "application/json"}
    )


def error(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """The API's documented XML error shape."""
    return xml(f"<error><message>{message}</message></error>", status, headers)


def environment(
    env_id: str,
    name: str,
    classification: str = "TEST",
    *,
    tag: str = "bns:Environment",
    extra: str = "",
) -> str:
    return (
        f"<{tag} {extra} id={quoteattr(env_id)} name={quoteattr(name)} "
        f"classification={quoteattr(classification)}/>"
    )


def env_doc(env_id: str, name: str, classification: str = "TEST") -> str:
    return environment(env_id, name, classification, extra=NS)


def env_result(env_id: str, name: str, classification: str = "TEST") -> str:
    return environment(
        env_id, name, classification, tag="bns:result", extra='xsi:type="bns:Environment"'
    )


def query_result(results: list[str], token: str | None = None, number: int | None = None) -> str:
    token_xml = f"<bns:queryToken>{token}</bns:queryToken>" if token else ""
    count = len(results) if number is None else number
    body = token_xml + "".join(results)
    return f'<bns:QueryResult {NS} numberOfResults="{count}">{body}</bns:QueryResult>'


@dataclass
class FakeApi:
    """Routes by method and path (below the account's REST URL); each route is a queue of
    answers, the last one repeating. Every request is recorded."""

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    fallback: Callable[[httpx.Request], httpx.Response] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, method: str, path: str, *answers: Reply) -> FakeApi:
        self.routes.setdefault((method, path), []).extend(answers)
        return self

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode().split("?")[0]
        assert path.startswith(PREFIX), path
        path = path[len(PREFIX) :]
        request.read()
        with self.lock:
            self.requests.append(request)
            queue = self.routes.get((request.method, path))
            answer: Reply | None = None
            if queue:
                answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer is None:
            if self.fallback is not None:
                return self.fallback(request)
            return error(404, f"no route for {request.method} {path}")
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(
        self,
        *,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        clock: FakeClock | None = None,
        **conn: Any,
    ) -> AtomSphereClient:
        clock = clock or FakeClock()
        return AtomSphereClient(
            connection(**conn),
            transport=self.transport(),
            limiter=limiter or RateLimiter(0),
            retry=retry or RetryPolicy(jitter=lambda: 0.0),
            clock=clock,
            sleep=clock.sleep,
        )

    def calls(self, method: str | None = None, path: str | None = None) -> list[httpx.Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method)
                and (path is None or r.url.raw_path.decode().split("?")[0] == PREFIX + path)
            ]


class FakeClock:
    """A monotonic clock that only moves when someone sleeps; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def async_token(token: str) -> str:
    return (
        f'<bns:AsyncOperationTokenResult {NS} responseStatusCode="202">'
        f'<bns:asyncToken token="{token}"/></bns:AsyncOperationTokenResult>'
    )
