"""The sandbox over HTTP: a threaded stdlib server on loopback, started and stopped cleanly.

Faults break the connection for real: a reset closes the socket with SO_LINGER 0 (the client
sees ECONNRESET), before the answer or after its headers and part of its body; a truncated body
announces its full length and closes cleanly half-way.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from connector.sandbox.wire import Abort, Request

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as they are written
    server_version = "AtomSphereSandbox"
    sys_version = ""

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        host = self.headers.get("Host") or f"{self.server.host}:{self.server.port}"
        request = Request(
            method=self.command,
            path=path,
            query=query,
            headers=tuple(self.headers.items()),
            body=body,
            client=self.client_address[0],
            origin=f"http://{host}",
        )
        response = sandbox.handle(request)
        if response.delay:
            sandbox.sleep(response.delay)
        if response.abort is Abort.RESET or (
            response.abort is Abort.RESET_BODY and not response.body
        ):
            self._reset()
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.abort is Abort.RESET_BODY:
            self.wfile.write(response.body[: response.truncate_at])
            self.wfile.flush()
            self._reset()
            return
        if response.abort is Abort.TRUNCATE:
            self.wfile.write(response.body[: response.truncate_at])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_WR)  # a clean close, short of the length
            return
        self.wfile.write(response.body)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the CLI logs nothing per request (and never credentials)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sandbox: Sandbox, host: str, port: int) -> None:
        self.sandbox = sandbox
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), _Handler)
        self.host = host
        self.port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Close the connections still open (kept alive by clients): a stopped server answers
        nothing more, on new connections or old ones."""
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for connection in still_open:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)


class RunningServer:
    """A server thread; ``stop()`` shuts it down and joins it."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="atomsphere-sandbox", daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host = self._server.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self._server.port}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}{self._server.sandbox.rest_path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        self._thread.join(timeout=10)


def start_server(sandbox: Sandbox, host: str, port: int) -> RunningServer:
    return RunningServer(_Server(sandbox, host, port))
