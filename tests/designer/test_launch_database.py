"""``atomsphere designer`` refuses a work folder or ``--db`` it cannot use before serving anything.

Each case is one ``error:`` line and exit 1, and neither the sandbox nor the designer's server is
started: before this check the page came up and only the first run failed.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from connector.cli import main
from connector.designer.launch import serve_designer
from connector.errors import ConfigError
from connector.host.reporting import connect, list_executions
from connector.sandbox import SandboxConfig


@pytest.fixture
def nothing_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting the sandbox or serving the page fails the test (taking the port is first)."""

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("the designer started serving")

    monkeypatch.setattr("connector.designer.launch.Sandbox", started)
    monkeypatch.setattr("connector.designer.launch.DesignerServer.start", started)
    for name in [n for n in os.environ if n.startswith("ATOMSPHERE_")]:
        monkeypatch.delenv(name)


def _folder(tmp: Path) -> Path:
    (tmp / "reports").mkdir()
    return tmp / "reports"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "notes.txt").write_text("notes\n")
    return tmp / "notes.txt" / "reporting.db"


def _text_file(tmp: Path) -> Path:
    (tmp / "text.db").write_text("not a database\n")
    return tmp / "text.db"


_NOT_REPORTING = "not a process reporting database (it lacks the reporting tables)"


def _other_sqlite(tmp: Path) -> Path:
    db = sqlite3.connect(tmp / "other.db")
    db.execute("CREATE TABLE executions (job TEXT)")  # another program's table of that name
    db.commit()
    db.close()
    return tmp / "other.db"


def _unrelated_sqlite(tmp: Path) -> Path:
    db = sqlite3.connect(tmp / "unrelated.db")
    db.execute("CREATE TABLE jobs (job TEXT)")  # another program's database, left untouched
    db.commit()
    db.close()
    return tmp / "unrelated.db"


def _newer_schema(tmp: Path) -> Path:
    connect(tmp / "newer.db", create=True).close()
    db = sqlite3.connect(tmp / "newer.db")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    return tmp / "newer.db"


@pytest.mark.usefixtures("nothing_served")
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_folder, "{db}: a folder; the process reporting database is a file"),
        (_under_a_file, "{db}: cannot be created, {db.parent} is a file, not a folder"),
        (_text_file, "{db}: not a usable process reporting database (file is not a database)"),
        (_other_sqlite, "{db}: " + _NOT_REPORTING),
        (_unrelated_sqlite, "{db}: " + _NOT_REPORTING),
        (_newer_schema, "{db}: reporting schema version 99; this version of atomsphere reads"),
    ],
)
def test_a_db_that_cannot_be_used_stops_the_start_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], Path],
    message: str,
) -> None:
    db = make(tmp_path)
    before = db.read_bytes() if db.is_file() else None
    argv = ["designer", "--port", "0", "--workdir", str(tmp_path / "work"), "--db", str(db)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {message.format(db=db)}"), err
    if before is not None:  # a refused file is left as it was
        assert db.read_bytes() == before
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.usefixtures("nothing_served")
def test_a_work_folder_that_is_a_file_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.write_text("")
    assert main(["designer", "--port", "0", "--workdir", str(work)]) == 2
    assert capsys.readouterr().err == f"error: work folder {work}: a file, not a folder\n"
    # The default database, DIR/reporting.db, is checked like --db.
    (tmp_path / "fine").mkdir()
    (tmp_path / "fine" / "reporting.db").mkdir()
    assert main(["designer", "--port", "0", "--workdir", str(tmp_path / "fine")]) == 2
    assert "reporting.db: a folder" in capsys.readouterr().err


def test_serve_designer_refuses_before_serving_and_creates_a_new_database(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match="a folder; the process reporting database is a file"),
        serve_designer(tmp_path / "work", database=_folder(tmp_path)),
    ):
        pytest.fail("served")
    db = tmp_path / "new" / "reporting.db"
    with serve_designer(tmp_path / "work", database=db, sandbox_config=SandboxConfig()) as server:
        assert server.workspace.database == db
        opened = connect(db, create=False)  # created at start, the way the host creates it
        try:
            assert list_executions(opened) == []
        finally:
            opened.close()


@pytest.mark.usefixtures("nothing_served")
def test_a_port_in_use_stops_the_start_before_the_work_folder_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "new"
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert main(["designer", "--port", str(port), "--workdir", str(work)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n", err
    assert not work.exists()  # neither the folder nor its reporting.db
