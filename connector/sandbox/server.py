"""The sandbox over HTTP: a threaded stdlib server on loopback, started and stopped cleanly.

Faults break the connection for real: a reset closes the socket with SO_LINGER 0 (the client
sees ECONNRESET), before the answer or after its headers and part of its body; a truncated body
announces its full length and closes cleanly half-way.

Hostile clients are refused without holding up the others (see :mod:`connector.sandbox.limits`
and docs/sandbox.md, "Limits"): a body over ``max_body_bytes`` is 413 before any of it is read,
a request not complete within ``request_timeout`` is dropped, at most ``max_connections`` are
served at once. Refusals carry Boomi's error body and close the connection. A stopped server
hangs up every connection, kept-alive ones included.
"""

from __future__ import annotations

import http.client
import io
import logging
import re
import socket
import struct
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final

from connector.loopback import HostNames
from connector.sandbox.bodies import Renderer
from connector.sandbox.limits import DeadlineReader, Slots
from connector.sandbox.stats import REFUSED_LABEL
from connector.sandbox.wire import Abort, Request, Response

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox

log = logging.getLogger("connector.sandbox")

_DIGITS: Final = re.compile(r"[0-9]{1,18}")
#: Connections waiting to be accepted (the listen backlog; socketserver's default is 5).
_BACKLOG: Final = 128


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as they are written
    server_version = "AtomSphereSandbox"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the makefile() reader would keep the socket open after close()
        self._reader = DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        self._reader.start(self.server.sandbox.config.request_timeout)
        # A refusal before this request's headers are parsed must not answer in the format the
        # previous request on this kept-alive connection asked for.
        self.headers = http.client.HTTPMessage()
        if not self.server.slots.set_receiving(self.connection, True):
            self.close_connection = True
            return
        super().handle_one_request()

    def _serve(self) -> None:
        if not self.server.slots.set_receiving(self.connection, False):
            self.close_connection = True  # evicted while its head arrived
            return
        body = self._body()
        if body is None:
            return
        sandbox = self.server.sandbox
        self.connection.settimeout(sandbox.config.request_timeout)  # for the answer's writes
        path, _, query = self.path.partition("?")
        named = self.headers.get("Host")
        host = named or f"{self.server.host}:{self.server.port}"
        request = Request(
            method=self.command,
            path=path,
            query=query,
            headers=tuple(self.headers.items()),
            body=body,
            client=self.client_address[0],
            origin=f"http://{host}",
            host_served=self.server.names.serves((named or "").lower()),
        )
        response = sandbox.handle(request)
        if response.delay:
            sandbox.sleep(response.delay)
        try:
            self._answer(response)
        except _GONE as exc:
            self.close_connection = True
            _client_gone(self.client_address, exc, f"answering {self.command} {path}")

    def _answer(self, response: Response) -> None:
        if response.abort is Abort.RESET or (
            response.abort is Abort.RESET_BODY and not response.body
        ):
            self._reset()
            return
        self._send(response)
        # A HEAD answer has headers only (RFC 9110 §9.3.2): a body would be read as the next
        # answer on a kept-alive connection.
        body = b"" if self.command == "HEAD" else response.body
        if response.abort is Abort.RESET_BODY:
            self.wfile.write(body[: response.truncate_at])
            self.wfile.flush()
            self._reset()
            return
        if response.abort is Abort.TRUNCATE:
            self.wfile.write(body[: response.truncate_at])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_WR)  # a clean close, short of the length
            return
        self.wfile.write(body)

    def _body(self) -> bytes | None:
        """The request body, or None when the request was refused (or its client went away)."""
        limit = self.server.sandbox.config.max_body_bytes
        if self.headers.get("Transfer-Encoding") is not None:
            self._refuse(411, "Length Required: send the body with a Content-Length.")
            return None
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or ()}
        if not lengths:
            return b""
        text = lengths.pop()
        if lengths or not text.isascii() or not text.isdigit():
            self._refuse(400, "Bad request: the Content-Length header is not valid.")
            return None
        length = int(text) if _DIGITS.fullmatch(text) else limit + 1
        if length > limit:
            self._refuse(413, f"Request body too large: the limit is {limit} bytes.")
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True  # the client closed before sending it all
            return None
        return body

    def _refuse(self, status: int, message: str) -> None:
        """Boomi's error body for a request refused before the application saw it; the
        connection closes (what is left of the request is never read)."""
        wants_json = Request("GET", "/", headers=tuple(self.headers.items())).wants_json
        sandbox = self.server.sandbox
        response = Renderer(sandbox.shapes, wants_json).error(status, message)
        sandbox.stats.count(REFUSED_LABEL, status)  # refused before the application saw it
        self.close_connection = True
        self._send(response.with_headers(("Connection", "close")))
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's refusals (request line or header too long, too many headers, a bad
        request line) with Boomi's error body instead of an HTML page."""
        if self.request_version == "HTTP/0.9":
            self.request_version = self.protocol_version  # a status line, whatever was sent
        self._refuse(code, (message or HTTPStatus(code).phrase)[:200])

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the CLI logs nothing per request (and never credentials)."""


#: What a client that goes away (times out, resets, closes) raises in the thread serving it.
_GONE: Final = (ConnectionError, TimeoutError)


def _client_gone(client: Any, exc: BaseException, doing: str) -> None:
    """The client hung up: its business, not an error of the sandbox. One debug line."""
    log.debug("sandbox: client %s went away while %s (%s)", client[0], doing, exc)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = _BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        """socketserver prints a traceback to stderr for whatever a request's thread raises:
        a client that went away is one debug line, anything else an error in the log."""
        exc = sys.exc_info()[1]
        if isinstance(exc, _GONE):
            _client_gone(client_address, exc, "being served")
            return
        log.error("sandbox: error serving %s", client_address[0], exc_info=True)

    def __init__(self, sandbox: Sandbox, host: str, port: int) -> None:
        self.sandbox = sandbox
        self.slots = Slots(sandbox.config.max_connections)
        if ":" in host:  # an IPv6 address (::1); the URL shows it in brackets
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.host = host
        self.port = int(self.server_address[1])
        self.names = HostNames.bound(host, self.port)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.admit(request):
            _answer_busy(self.sandbox, request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except RuntimeError:  # no thread could be started: refuse this one
            self.slots.release(request)
            self.shutdown_request(request)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release(request)


def _answer_busy(sandbox: Sandbox, sock: socket.socket) -> None:
    """Every place is busy answering: Boomi's 503, written from the accepting thread (a few
    hundred bytes, well inside the socket's buffer), then the connection closes.

    Always XML: nothing of the request is read, so its ``Accept`` is unknown. Reading the head
    here would let one slow client stall every new connection, and a thread to read it is what
    the limit exists to refuse."""
    from connector.sandbox.app import BUSY_MESSAGE

    response = Renderer(sandbox.shapes, as_json=False).error(503, BUSY_MESSAGE)
    sandbox.stats.count(REFUSED_LABEL, 503)
    head = [f"HTTP/1.1 503 {HTTPStatus(503).phrase}"]
    head += [f"{name}: {value}" for name, value in response.headers]
    head += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
    try:
        sock.settimeout(1.0)
        sock.sendall("\r\n".join(head).encode("latin-1") + response.body)
    except OSError:
        pass  # the client is gone already


class RunningServer:
    """A server thread; ``stop()`` shuts it down, hangs up every connection and joins it."""

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
        self._server.slots.hang_up_all()
        self._server.slots.wait_empty(timeout=10)
        self._thread.join(timeout=10)


def start_server(sandbox: Sandbox, host: str, port: int) -> RunningServer:
    return RunningServer(_Server(sandbox, host, port))
