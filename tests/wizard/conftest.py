"""Fixtures for the wizard: served schemas, transports that serve them, connection files."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from connector.atomsphere.catalog import schema_bytes
from connector.atomsphere.connection import Connection, Secret
from connector.wizard import SchemaDocument, ServedSchema, load_served_schema
from tests.conftest import REFERENCE

ACCOUNT = "acct-1"
BASE_URL = "https://api.test.example"
USER = "wizard@example.com"
PASSWORD = "s3cret-wizard-password"
BOOMI_2021 = REFERENCE / "atomsphere-2021.xsd"


def schema_handler(
    xsd: bytes | None,
    *,
    wsdl: bytes | None = None,
    status: int = 200,
    seen: list[str] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """Answer ``/api/soap/v1/{ACCOUNT}?xsd=1`` (and ``?wsdl``) like the API does."""

    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        if request.url.path != f"/api/soap/v1/{ACCOUNT}":
            return httpx.Response(404, text="no such path")
        query = request.url.query.decode()
        if status != 200:
            return httpx.Response(status, text="<error><message>denied</message></error>")
        if query == "xsd=1" and xsd is not None:
            return httpx.Response(200, content=xsd, headers={"Content-Type": "text/xml"})
        if query == "wsdl" and wsdl is not None:
            return httpx.Response(200, content=wsdl, headers={"Content-Type": "text/xml"})
        return httpx.Response(404, text="not found")

    return handle


def serving(xsd: bytes | None, **kwargs: object) -> httpx.MockTransport:
    return httpx.MockTransport(schema_handler(xsd, **kwargs))  # type: ignore[arg-type]


@pytest.fixture
def connection() -> Connection:
    return Connection(ACCOUNT, USER, Secret(PASSWORD), base_url=BASE_URL)


def write_connection_file(path: Path, base_url: str = BASE_URL) -> Path:
    path.write_text(
        f"kind: AtomSphereConnection\nbase_url: {base_url}\naccount_id: {ACCOUNT}\n"
        f"username: {USER}\npassword: {PASSWORD}\n"
    )
    return path


@pytest.fixture
def connection_file(tmp_path: Path) -> Path:
    return write_connection_file(tmp_path / "connection.yaml")


@pytest.fixture(autouse=True)
def _no_connection_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASE_URL", "ACCOUNT_ID", "USERNAME", "PASSWORD", "API_TOKEN", "OTP"):
        monkeypatch.delenv(f"ATOMSPHERE_{name}", raising=False)


@pytest.fixture(scope="session")
def served_2021() -> ServedSchema:
    return load_served_schema(SchemaDocument(BOOMI_2021.read_bytes(), "Boomi's 2021 schema"))


@pytest.fixture(scope="session")
def bundled_bytes() -> bytes:
    return schema_bytes()


class _SchemaServer(BaseHTTPRequestHandler):
    xsd: bytes = b""

    def do_GET(self) -> None:
        if self.path != f"/api/soap/v1/{ACCOUNT}?xsd=1":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(self.xsd)))
        self.end_headers()
        self.wfile.write(self.xsd)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request log lines."""


@pytest.fixture
def loopback_server() -> Iterator[Callable[[bytes], str]]:
    """Start a real HTTP server on 127.0.0.1 serving a schema; yields a starter → base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(xsd: bytes) -> str:
        handler = type("Handler", (_SchemaServer,), {"xsd": xsd})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
