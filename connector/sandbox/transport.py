"""The sandbox as an httpx transport: in-process, no sockets, any host.

Faults look as they would over a network: a reset raises the error httpx raises for a reset
connection, a truncated body raises while the body is read, latency sleeps (with the sandbox's
injectable sleep).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx

from connector.sandbox.wire import Abort, Request

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox


class _TruncatedStream(httpx.SyncByteStream):
    def __init__(self, part: bytes, expected: int) -> None:
        self._part = part
        self._expected = expected

    def __iter__(self) -> Iterator[bytes]:
        yield self._part
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body "
            f"(received {len(self._part)} bytes, expected {self._expected})"
        )


class SandboxTransport(httpx.BaseTransport):
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        ours = Request(
            method=request.method,
            path=url.path,
            query=url.query.decode("ascii"),
            headers=tuple(request.headers.multi_items()),
            body=request.read(),
            client="127.0.0.1",
            origin=origin,
        )
        response = self.sandbox.handle(ours)
        if response.delay:
            self.sandbox.sleep(response.delay)
        if response.abort is Abort.RESET:
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        if response.abort is Abort.TRUNCATE:
            stream = _TruncatedStream(response.body[: response.truncate_at], len(response.body))
            return httpx.Response(response.status, headers=headers, stream=stream, request=request)
        return httpx.Response(
            response.status, headers=headers, content=response.body, request=request
        )
