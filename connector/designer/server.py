"""The designer's small HTTP server: the page's static files and a JSON API, on loopback.

Stdlib ``http.server``, one thread per request. It answers only requests addressed to it by a
loopback name (or the host it was told to bind; see :meth:`DesignerServer.serves`), takes JSON
bodies only (so another site's page cannot post a form to it), sends no CORS headers, and passes
every answer through a scrubber built from the connection's secrets. Every answer, errors
included, is JSON (or a page file); a failure is logged here and reaches the client as
``internal error: TYPE``, never as a traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

from connector.designer.bodies import import_request, run_request, save_request
from connector.designer.workspace import DesignerWorkspace
from connector.errors import ConfigError, ConnectorError, UnknownNameError
from connector.loopback import HostNames, cross_origin
from connector.scrub import Scrubber

log = logging.getLogger("connector.designer")

MAX_BODY: Final = 1024 * 1024
CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'none'"
    ),
}


class HttpError(Exception):
    def __init__(self, status: HTTPStatus, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problems = problems or [message]


def static_files() -> dict[str, tuple[bytes, str]]:
    """The page's files by name, read once from the package."""
    folder = resources.files("connector.designer").joinpath("static")
    files = {}
    for item in folder.iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1]
        if item.is_file() and suffix in CONTENT_TYPES:
            files[item.name] = (item.read_bytes(), CONTENT_TYPES[suffix])
    return files


Route = Callable[[DesignerWorkspace, dict[str, str], Any], Any]


def _query(params: dict[str, str], name: str) -> str:
    if not params.get(name):
        raise HttpError(HTTPStatus.BAD_REQUEST, f"the request needs ?{name}=")
    return params[name]


def _import(ws: DesignerWorkspace, params: dict[str, str], body: Any) -> Any:
    request = import_request(body)
    return ws.import_operation(request.action, request.object, request.name)


def _run(ws: DesignerWorkspace, params: dict[str, str], body: Any) -> Any:
    request = run_request(body)
    return ws.run(request.name, request.shapes)


ROUTES: Final[dict[tuple[str, str], Route]] = {
    ("GET", "descriptor"): lambda ws, q, b: ws.descriptor.to_dict(),
    ("GET", "connection"): lambda ws, q, b: {"kind": ws.target.kind, "target": ws.target.target},
    ("GET", "objects"): lambda ws, q, b: ws.object_types(_query(q, "action")),
    ("GET", "filter"): lambda ws, q, b: ws.filter_fields(_query(q, "object")),
    ("GET", "operations"): lambda ws, q, b: ws.operations(),
    ("POST", "import"): _import,
    ("POST", "run"): _run,
}


class _Handler(BaseHTTPRequestHandler):
    server: DesignerServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        try:
            self._check_host()
            url = urlsplit(self.path)
            if method == "GET" and not url.path.startswith("/api/"):
                self._static(url.path)
                return
            if method == "GET" and url.path == "/api/icon":
                self._icon()
                return
            body = self._body() if method in ("POST", "PUT") else None
            self._json(HTTPStatus.OK, self._api(method, url.path, url.query, body))
        except HttpError as exc:
            self._error(exc.status, str(exc), exc.problems)
        except Exception as exc:
            log.exception("designer %s %s failed", method, self.path)
            with contextlib.suppress(OSError):  # the client may be gone
                self._error(
                    HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(exc).__name__}"
                )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What ``http.server`` refuses itself (a bad request line, an unknown method), as JSON."""
        self.log_error("code %d, message %s", code, message)
        status = HTTPStatus(code)
        self._error(status, message or status.phrase)

    def _error(self, status: HTTPStatus, message: str, problems: list[str] | None = None) -> None:
        # A refused request's body may be unread: never read it as the next request.
        self.close_connection = True
        self._json(status, {"error": message, "problems": problems or [message]})

    def _api(self, method: str, path: str, query: str, body: Any) -> Any:
        parts = [unquote(p) for p in path.split("/")[2:]]
        params = {k: v[0] for k, v in parse_qs(query).items()}
        workspace = self.server.workspace
        try:
            if len(parts) == 2 and parts[0] == "operations":
                if method == "GET":
                    return workspace.operation(parts[1])
                if method == "PUT":
                    return workspace.save_operation(parts[1], save_request(body))
            route = ROUTES.get((method, parts[0])) if len(parts) == 1 else None
            if route is None:
                raise HttpError(HTTPStatus.NOT_FOUND, f"no API {method} {path}")
            return route(workspace, params, body)
        except UnknownNameError as exc:
            raise HttpError(HTTPStatus.NOT_FOUND, str(exc)) from None
        except ConfigError as exc:
            problems = [str(p) for p in exc.problems]
            raise HttpError(HTTPStatus.BAD_REQUEST, problems[0], problems) from None
        except ConnectorError as exc:
            raise HttpError(HTTPStatus.BAD_GATEWAY, str(exc)) from None

    def _check_host(self) -> None:
        """Refuse requests for another name (DNS rebinding) and cross-site writes."""
        host = (self.headers.get("Host") or "").lower()
        if not self.server.serves(host):
            raise HttpError(HTTPStatus.MISDIRECTED_REQUEST, f"not served for host {host!r}")
        if cross_origin(self.headers.get("Origin"), f"http://{host}"):
            raise HttpError(HTTPStatus.FORBIDDEN, "cross-origin requests are refused")

    def _body(self) -> Any:
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON (application/json)")
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if not 0 < length <= MAX_BODY:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a body of 1 to {MAX_BODY} bytes")
        try:
            body = json.loads(
                self.rfile.read(length), parse_constant=_not_json, parse_float=_finite
            )
        except (ValueError, RecursionError) as exc:
            detail = f": {exc}" if isinstance(exc, ValueError) else ""
            raise HttpError(HTTPStatus.BAD_REQUEST, f"the body is not JSON{detail}") from None
        if not isinstance(body, dict):
            raise HttpError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        return body

    def _static(self, path: str) -> None:
        name = "index.html" if path in ("/", "/index.html") else path.removeprefix("/static/")
        found = self.server.files.get(name) if path == "/" or path.startswith("/static/") else None
        if found is None:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no page {path}")
        self._send(HTTPStatus.OK, found[0], found[1])

    def _icon(self) -> None:
        icon = self.server.workspace.descriptor.icon
        if icon is None:
            raise HttpError(HTTPStatus.NOT_FOUND, "the connector declares no icon")
        self._send(HTTPStatus.OK, icon.read_bytes(), CONTENT_TYPES[".svg"])

    def _json(self, status: HTTPStatus, value: Any) -> None:
        # Each string is scrubbed before serialising (a secret holding '"' or '\\' is escaped
        # by then), and the whole answer after it all the same.
        scrubber = self.server.scrubber
        text = scrubber.text(json.dumps(_scrubbed(value, scrubber), ensure_ascii=False))
        self._send(status, text.encode("utf-8"), "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("designer: " + format, *args)


def _scrubbed(value: Any, scrubber: Scrubber) -> Any:
    if isinstance(value, str):
        return scrubber.text(value)
    if isinstance(value, dict):
        return {scrubber.text(str(k)): _scrubbed(v, scrubber) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(v, scrubber) for v in value]
    return value


class DesignerServer(ThreadingHTTPServer):
    """Serves one workspace: made, it holds its port; :meth:`start` serves the workspace in a
    thread, :meth:`stop` ends it (:meth:`server_close` frees a port never served)."""

    daemon_threads = True
    workspace: DesignerWorkspace
    scrubber: Scrubber

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.files = static_files()
        self.port = int(self.server_address[1])
        self.names = HostNames.bound(host, self.port)
        self.wildcard = self.names.wildcard
        self.allowed_hosts = self.names.allowed
        self.url = self.names.url
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        if self.server_address[0] == "::":  # both IPv6 and IPv4, as http.server's own does
            with contextlib.suppress(AttributeError, OSError):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def serves(self, host: str) -> bool:
        """Whether a request's ``Host`` (lower case) names this server (see
        :meth:`connector.loopback.HostNames.serves`)."""
        return self.names.serves(host)

    def start(self, workspace: DesignerWorkspace) -> str:
        """Serve ``workspace``; every answer is scrubbed of its connection's secrets."""
        self.workspace = workspace
        self.scrubber = Scrubber(workspace.connection.secrets)
        self._thread = threading.Thread(
            target=self.serve_forever, name="atomsphere-designer", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)


def _not_json(constant: str) -> Any:
    """``NaN`` and ``Infinity`` are Python's extensions to JSON; the page's JSON has none."""
    raise ValueError(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    """A number too large for a float would come back as ``Infinity``, which is not JSON."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large a number")
    return value
