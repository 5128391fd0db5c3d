"""Raw-socket clients for the loopback server's security tests, and the well-behaved bystander
whose answers must not change while a hostile client misbehaves. Timeouts here are hang guards
only; no test asserts how fast anything is."""

from __future__ import annotations

import base64
import http.client
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from connector.sandbox import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    fixtures,
)
from tests.sandbox.helpers import xml

GUARD = 60.0  # seconds: a hang guard, never a speed assert
AUTH = (DEFAULT_USERNAME, DEFAULT_PASSWORD)


@dataclass(frozen=True)
class Served:
    sandbox: Sandbox
    url: str  # the REST base URL

    @property
    def address(self) -> tuple[str, int]:
        parsed = httpx.URL(self.url)
        return str(parsed.host), int(parsed.port or 80)

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path


@contextmanager
def serve(sleep: Callable[[float], None] | None = None, **settings: object) -> Iterator[Served]:
    config = SandboxConfig(rate_limit=0, **settings)  # type: ignore[arg-type]
    with Sandbox(config, sleep=sleep) as sandbox, sandbox.serve() as url:
        yield Served(sandbox, url)


def connect(served: Served) -> socket.socket:
    return socket.create_connection(served.address, timeout=GUARD)


def answer(sock: socket.socket) -> http.client.HTTPResponse:
    """Read one response from ``sock`` (its body too)."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def head(served: Served, method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {served.path}{path} HTTP/1.1", f"Host: {served.address[0]}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def basic(user: str, secret: str) -> str:
    return "Authorization: Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def hung_up(sock: socket.socket, guard: float = GUARD) -> bool:
    """True once the server has closed ``sock`` (end of file or reset), False if it sent data
    instead; waits at most ``guard`` seconds (then False)."""
    deadline = time.monotonic() + guard
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            continue
        try:
            return sock.recv(1) == b""
        except ConnectionResetError:
            return True
    return False


def closed_now(sock: socket.socket) -> bool:
    """True when the server has already closed ``sock`` (checked without waiting)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def good_calls(served: Served, count: int = 5) -> list[str]:
    """``count`` correct calls on fresh connections: a GET and a QUERY page, answers read."""
    names = []
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=served.url, auth=AUTH, limits=limits, timeout=GUARD) as client:
        for _ in range(count):
            got = client.get(f"/Process/{fixtures.ORDER_INTAKE.id}")
            assert got.status_code == 200, got.text
            names.append(str(xml(got).get("name")))
            page = client.post("/Environment/query")
            assert page.status_code == 200 and len(xml(page)) >= 3, page.text
    assert names == ["Order Intake"] * count
    return names


class Gate:
    """A ``sleep`` for the sandbox that blocks answers until the test opens the gate."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.waiting = threading.Semaphore(0)

    def __call__(self, _seconds: float) -> None:
        self.waiting.release()
        self.opened.wait(GUARD)

    def wait_for(self, count: int) -> None:
        for _ in range(count):
            assert self.waiting.acquire(timeout=GUARD), "the held requests never arrived"
