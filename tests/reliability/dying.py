"""A loopback sandbox that dies and comes back: its state in a data file, one port.

The client's transport stops the server just before a chosen request (so no request is caught
half-way); the client's retry sleep starts it again after a chosen number of sleeps. The
kept-alive connection dies with the server, as it would with a real one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx

from connector.sandbox import Sandbox, SandboxConfig
from connector.sandbox.server import RunningServer, start_server
from tests.client.fakeapi import FakeClock
from tests.reliability.matrix import SANDBOX_CONFIG


class DyingServer:
    """A loopback sandbox with its state in a data file, stopped and started on one port."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.sandboxes: list[Sandbox] = []
        self._server: RunningServer | None = None
        self.port = 0
        self.base_url = ""

    @property
    def sandbox(self) -> Sandbox:
        return self.sandboxes[-1]

    def start(self) -> None:
        sandbox = Sandbox(SandboxConfig(rate_limit=0, **SANDBOX_CONFIG), data=self.data)
        self.sandboxes.append(sandbox)
        self._server = start_server(sandbox, "127.0.0.1", self.port)
        self.base_url = self._server.base_url
        self.port = int(self.base_url.rsplit(":", 1)[1])

    def kill(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            self.sandbox.close()

    @property
    def running(self) -> bool:
        return self._server is not None


class KillingTransport(httpx.BaseTransport):
    """Real HTTP; the server dies just before the ``nth`` request matching ``start``."""

    def __init__(self, server: DyingServer, start: tuple[str, str], nth: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.server = server
        self.method, self.pattern = start[0], re.compile(start[1])
        self.nth = nth
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.split(self.server.sandbox.rest_path, 1)[-1]
        if request.method == self.method and self.pattern.fullmatch(path):
            self.seen += 1
            if self.seen == self.nth:
                self.server.kill()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def reviving_sleep(server: DyingServer, clock: FakeClock, back_at: int) -> Callable[[float], None]:
    """The client's sleep: while the server is down, the ``back_at``-th sleep starts it again."""
    slept_while_down = 0

    def sleep(seconds: float) -> None:
        nonlocal slept_while_down
        clock.sleep(seconds)
        if not server.running:
            slept_while_down += 1
            if slept_while_down >= back_at:
                server.start()
                slept_while_down = 0

    return sleep
