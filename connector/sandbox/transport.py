"""The sandbox as an httpx transport: in-process, no sockets, any host.

Faults look as they would over a network: a reset raises the error httpx raises for a reset
connection (before the answer, or while its body is read), a truncated body raises while the
body is read, latency sleeps (with the sandbox's injectable sleep) and, when it is longer than
the request's read timeout, sleeps that long and raises ``httpx.ReadTimeout`` as a socket would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx

from connector.sandbox.wire import Abort, Request

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox


RESET_MESSAGE = "[Errno 104] Connection reset by peer"


class _CutStream(httpx.SyncByteStream):
    """Part of a body, then the error the connection ends with."""

    def __init__(self, part: bytes, error: httpx.TransportError) -> None:
        self._part = part
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        yield self._part
        raise self._error


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
            read_timeout = request.extensions.get("timeout", {}).get("read")
            if read_timeout is not None and response.delay > read_timeout:
                self.sandbox.sleep(read_timeout)
                raise httpx.ReadTimeout("timed out", request=request)
            self.sandbox.sleep(response.delay)
        body = response.body
        headers = [*response.headers, ("Content-Length", str(len(body)))]
        if request.method == "HEAD":
            body = b""  # headers only, as over loopback
        if response.abort is Abort.RESET or (response.abort is Abort.RESET_BODY and not body):
            raise httpx.ReadError(RESET_MESSAGE, request=request)
        error: httpx.TransportError | None = None
        if response.abort is Abort.TRUNCATE and body:
            error = httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body "
                f"(received {response.truncate_at} bytes, expected {len(body)})"
            )
        elif response.abort is Abort.RESET_BODY:
            error = httpx.ReadError(RESET_MESSAGE)
        if error is not None:
            stream = _CutStream(body[: response.truncate_at], error)
            return httpx.Response(response.status, headers=headers, stream=stream, request=request)
        return httpx.Response(response.status, headers=headers, content=body, request=request)
