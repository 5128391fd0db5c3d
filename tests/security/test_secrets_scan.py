"""A known password and a known API token never appear anywhere: the full demo (by password and by
token), failing runs (wrong credentials, a server error, a gateway page), ``test-connection`` and
``run --output``, at debug log level (``-vv``: every request on stderr). Every log line, stdout
and stderr, every file left under the temporary folders (outputs, the demo's process files),
every row of every reporting table and the text of every exception is scanned for each secret
and its Basic-auth base64 forms."""

from __future__ import annotations

import base64
import contextlib
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.atomsphere.connection import load_connection_file
from connector.cli import main
from connector.errors import ConnectorError
from connector.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_USERNAME, Sandbox, SandboxConfig
from connector.wizard import fetch_schema
from tests.conftest import ROOT

PASSWORD = "S3cr3t-pa55-XYZ"
TOKEN = "tok-123-SECRET"


def _forms() -> list[str]:
    """Each secret, and the Basic-auth credentials it travels in, base64-encoded."""
    users = [DEFAULT_USERNAME, f"BOOMI_TOKEN.{DEFAULT_USERNAME}", "nobody@example.com"]
    found = [PASSWORD, TOKEN]
    for secret in (PASSWORD, TOKEN, PASSWORD + "-wrong"):
        for user in users:
            found.append(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return found


FORMS = _forms()


def _assert_clean(where: str, text: str | bytes) -> None:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for form in FORMS:
        assert form not in shown, f"a secret ({form[:4]}…) appears in {where}"


@pytest.fixture
def sandbox() -> Iterator[tuple[Sandbox, str]]:
    config = SandboxConfig(rate_limit=0, password=PASSWORD, api_token=TOKEN)
    with Sandbox(config) as running, running.serve("127.0.0.1", 0) as url:
        yield running, url


def _connection_file(folder: Path, name: str, url: str, **fields: str) -> Path:
    path = folder / f"{name}.yaml"
    lines = [f"base_url: {url}", f"account_id: {DEFAULT_ACCOUNT_ID}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    path.write_text("kind: AtomSphereConnection\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture
def kept_temporary_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's temporary folder, kept under ``tmp_path`` so its files can be scanned."""
    kept = tmp_path / "kept"
    kept.mkdir()

    @contextlib.contextmanager
    def keep(prefix: str = "tmp", **_: object) -> Iterator[str]:
        yield tempfile.mkdtemp(prefix=prefix, dir=kept)

    monkeypatch.setattr(tempfile, "TemporaryDirectory", keep)
    return kept


def test_no_secret_appears_in_logs_output_files_reports_or_exceptions(
    tmp_path: Path,
    sandbox: tuple[Sandbox, str],
    kept_temporary_folders: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("BASE_URL", "ACCOUNT_ID", "USERNAME", "PASSWORD", "API_TOKEN", "OTP"):
        monkeypatch.delenv(f"ATOMSPHERE_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    server, url = sandbox
    user = DEFAULT_USERNAME
    by_password = _connection_file(tmp_path, "pw", url, username=user, password=PASSWORD)
    by_token = _connection_file(tmp_path, "tok", url, username=user, api_token=TOKEN)
    wrong_user = _connection_file(
        tmp_path, "who", url, username="nobody@example.com", password=PASSWORD
    )
    wrong_secret = _connection_file(
        tmp_path, "bad", url, username=user, password=PASSWORD + "-wrong"
    )
    db = str(tmp_path / "reporting.db")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "doc.xml").write_text("<request/>")
    (inputs / "doc.xml.properties.json").write_text('{"processId": "p-1"}')

    def demo(connection: Path) -> int:
        return main(["-vv", "demo", "--connection", str(connection), "--yes", "--db", db])

    def run(connection: Path) -> int:
        get_process = str(ROOT / "operations" / "get-process-errors-returned.yaml")
        out = str(tmp_path / "out" / connection.stem)
        argv = ["-vv", "run", get_process, "--connection", str(connection), "--input", str(inputs)]
        return main([*argv, "--output", out, "--json"])

    def test_connection(connection: Path) -> int:
        return main(["-vv", "test-connection", "--connection", str(connection)])

    assert [demo(by_password), demo(by_token)] == [0, 0]
    assert [test_connection(by_password), test_connection(by_token)] == [0, 0]
    assert [run(by_password), run(by_token)] == [3, 3], "a missing process is an application error"
    for refused in (wrong_user, wrong_secret):
        assert demo(refused) != 0 and test_connection(refused) != 0 and run(refused) != 0
    server.faults.add("malformed:method=GET")
    assert demo(by_password) == 4, "a malformed answer fails the tour's documents"
    assert run(by_token) != 0

    # exceptions raised in-process, as a host embedding the client would see them
    exceptions: list[BaseException] = []
    for connection_file in (wrong_user, wrong_secret):
        try:
            fetch_schema(load_connection_file(connection_file))
        except ConnectorError as exc:
            exceptions.append(exc)
    assert len(exceptions) == 2

    captured = capsys.readouterr()
    # -vv shows every request, refused ones included, so the scan below covers them
    assert "-> 200 in " in captured.err and "-> 401 (AuthenticationError) in " in captured.err
    assert "debug: document 1: checked; sending" in captured.err
    _assert_clean("stdout", captured.out)
    _assert_clean("stderr", captured.err)
    for record in caplog.records:
        _assert_clean(f"log record {record.name}", record.getMessage() + repr(record.args))
    for exc in exceptions:
        _assert_clean("an exception", f"{exc} {exc!r} {vars(exc)!r}")
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    files += [p for p in kept_temporary_folders.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xml" for p in files)
    for path in files:
        _assert_clean(str(path), path.read_bytes())
    _assert_every_row_clean(Path(db))


def _assert_every_row_clean(database: Path) -> None:
    db = sqlite3.connect(database)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = 0
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                rows += 1
                for value in row:
                    if isinstance(value, (str, bytes)):
                        _assert_clean(f"table {table}", value)
        assert rows > 0
    finally:
        db.close()
