"""A gateway that echoes the request's ``Authorization`` header in its error body: the Basic-auth
base64 of the credentials never reaches stdout, stderr, output files or the reporting database
(its WAL included), through ``run``, ``test-connection`` or ``process run``."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from connector.cli import main
from tests.conftest import ROOT

USER = "sandbox@example.com"
PASSWORD = "Zq9SecretPw!Xy"
HEADER = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        echo = f"Bad request from {self.headers.get('Authorization', '')}"
        body = json.dumps({"@type": "Error", "message": echo}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _assert_clean(where: str, text: str | bytes) -> None:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    assert PASSWORD not in shown, where
    assert HEADER not in shown, f"the echoed Basic credentials appear in {where}"


def test_echoed_basic_credentials_are_masked_everywhere_they_are_written(
    tmp_path: Path,
    gateway: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"BASE_URL": gateway, "ACCOUNT_ID": "acct-1", "USERNAME": USER, "PASSWORD": PASSWORD}
    for name, value in env.items():
        monkeypatch.setenv(f"ATOMSPHERE_{name}", value)
    monkeypatch.delenv("ATOMSPHERE_API_TOKEN", raising=False)
    monkeypatch.delenv("ATOMSPHERE_OTP", raising=False)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "reporting.db"
    (tmp_path / "in.xml").write_text("<request/>")
    (tmp_path / "in.xml.properties.json").write_text('{"processId": "p-1"}')
    operation = str(ROOT / "operations" / "get-process-errors-returned.yaml")
    assert main(["test-connection"]) != 0
    run = ["run", operation, "--input", str(tmp_path / "in.xml"), "--json"]
    assert main([*run, "--output", str(tmp_path / "out")]) != 0
    assert main(run) != 0
    process = str(ROOT / "processes" / "process-lookup.yaml")
    main(["-vv", "process", "run", process, "--db", str(db)])
    captured = capsys.readouterr()
    seen = captured.out + captured.err
    _assert_clean("stdout", captured.out)
    _assert_clean("stderr", captured.err)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            _assert_clean(str(path), path.read_bytes())
            seen += path.read_bytes().decode("utf-8", "replace")
    connection = sqlite3.connect(db)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, (str, bytes)):
                        _assert_clean(f"table {table}", value)
                        seen += value.decode() if isinstance(value, bytes) else value
    finally:
        connection.close()
    assert "Bad request from Basic ***" in seen, "the gateway's echo is kept, masked"
