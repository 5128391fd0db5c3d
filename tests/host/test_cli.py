"""``atomsphere process run``, ``executions``, ``execution`` and ``document``."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from connector.cli import main
from connector.cli.output import ExitCode
from connector.plugins import get_plugin_manager
from tests.host import fake_connector
from tests.host.conftest import write

PROCESS = """
kind: Process
version: 1
name: cli-demo
properties: {outcome: SUCCESS}
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake", token: cli-SECRET}}
start:
  documents:
    - {data: "<in n='0'/>", properties: {thingId: a}}
    - {data: "<in n='1'/>", properties: {thingId: b}}
steps:
  - name: Decide
    set_properties: {outcome: {from: process_property, name: outcome}}
  - {name: Fetch, operation: fetch.yaml}
"""

FETCH = """
kind: FakeOperation
name: fetch
action: GET
tracked_fields:
  thing: {from: document_property, name: thingId}
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "process.yaml", PROCESS)
    write(tmp_path, "fetch.yaml", FETCH)
    monkeypatch.setattr(
        "connector.cli.process.get_plugin_manager",
        lambda: get_plugin_manager(plugins=[fake_connector]),
    )
    monkeypatch.setenv("ATOMSPHERE_REPORTING_DB", str(tmp_path / "default.db"))
    return tmp_path


def _run(files: Path, *extra: str) -> int:
    return main(["process", "run", str(files / "process.yaml"), *extra])


def test_process_run_prints_its_steps_and_exits_by_outcome(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(files) == ExitCode.OK
    out, err = capsys.readouterr()
    assert "Fetch" in out and "fetch" in out
    assert re.search(
        r"^execution exec-\S+: COMPLETE, 4 tracked documents \(0 application errors, 0 "
        r"failures\)$",
        out,
        re.MULTILINE,
    )
    assert f"--db {files / 'default.db'}" in err, "the default database is the environment's"
    assert _run(files, "--property", "outcome=APPLICATION_ERROR") == ExitCode.APPLICATION_ERRORS
    assert _run(files, "-p", "outcome=FAILURE", "--report") == ExitCode.DOCUMENT_FAILURES
    out, _ = capsys.readouterr()
    assert "FAILURE" in out and "thing=a" in out
    assert "cli-SECRET" not in out


def test_process_run_refuses_bad_input_with_one_line(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(files, "--property", "nope") == ExitCode.USAGE
    assert capsys.readouterr().err == "error: --property 'nope': write NAME=VALUE\n"
    write(files, "process.yaml", PROCESS.replace("fetch.yaml", "gone.yaml"))
    assert _run(files) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert (
        err.startswith("error: ") and "process.yaml:14: steps[1].operation: file not found" in err
    )
    assert main(["process", "check", str(files / "process.yaml")]) == ExitCode.USAGE


def test_executions_lists_and_filters(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(files / "x.db")
    assert _run(files, "--db", db) == ExitCode.OK
    assert _run(files, "--db", db, "-p", "outcome=APPLICATION_ERROR") == 3
    capsys.readouterr()

    def listed(*args: str) -> list[dict[str, object]]:
        assert main(["executions", "--db", db, "--json", *args]) == ExitCode.OK
        return list(json.loads(capsys.readouterr().out))

    everything = listed()
    assert [e["status"] for e in everything] == ["ERROR", "COMPLETE"]
    assert [e["application_errors"] for e in everything] == [2, 0]
    assert listed("--status", "complete") == everything[1:]
    assert listed("--status", "ERROR", "--status", "COMPLETE") == everything
    assert listed("--process", "other") == []
    assert listed("--field", "thing=b") == everything
    assert listed("--field", "thing=z") == []
    assert listed("--limit", "1") == everything[:1]
    assert main(["executions", "--db", db]) == ExitCode.OK
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "EXECUTION",
        "PROCESS",
        "STATUS",
        "STARTED",
        "ENDED",
        "DOCS",
        "ERRORS",
        "FAILED",
    ]
    assert len(table) == 4


def test_execution_shows_one_table_of_documents(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(files / "x.db")
    assert _run(files, "--db", db, "-p", "outcome=APPLICATION_ERROR") == 3
    capsys.readouterr()
    assert main(["execution", "latest", "--db", db]) == ExitCode.OK
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[2].startswith("status     ERROR: step 'Fetch': 2 documents were application")
    header = next(i for i, line in enumerate(lines) if line.startswith("#"))
    assert lines[header].split() == [
        "#",
        "STEP",
        "TRACKED",
        "STATUS",
        "CODE",
        "MESSAGE",
        "BYTES",
        "FIELDS",
    ]
    rows = [line.split() for line in lines[header + 2 :]]
    assert [r[:5] for r in rows] == [
        ["1", "Start", "output", "SUCCESS", "-"],
        ["2", "Start", "output", "SUCCESS", "-"],
        ["3", "Fetch", "output", "APPLICATION_ERROR", "404"],
        ["4", "Fetch", "output", "APPLICATION_ERROR", "404"],
    ]
    assert rows[2][-1] == "thing=a"
    execution_id = lines[0].split()[1]
    assert main(["execution", execution_id[:-2], "--db", db, "--json"]) == ExitCode.OK
    details = json.loads(capsys.readouterr().out)
    assert details["id"] == execution_id
    assert [d["status_code"] for d in details["tracked_documents"]] == ["", "", "404", "404"]


def test_document_prints_the_tracked_bytes(
    files: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    db = str(files / "x.db")
    assert _run(files, "--db", db) == ExitCode.OK
    capsysbinary.readouterr()
    assert main(["document", "latest", "3", "--db", db]) == ExitCode.OK
    assert capsysbinary.readouterr().out == b'<thing id="a" n="0" by="fetch" start="no"/>'
    assert main(["document", "latest", "3", "--db", db, "--properties"]) == ExitCode.OK
    details = json.loads(capsysbinary.readouterr().out)
    assert details["fields"] == {"thing": "a"}
    assert details["properties"]["seenBy"] == "fetch"
    assert main(["document", "latest", "9", "--db", db]) == ExitCode.USAGE
    assert capsysbinary.readouterr().err == (
        b"error: execution " + details["execution"].encode() + b" has no document 9 (it has 4, "
        b"numbered from 1)\n"
    )


def test_reading_commands_without_a_database_say_so(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["executions", "--db", str(files / "none.db")]) == ExitCode.USAGE
    assert capsys.readouterr().err == (
        f"error: no process reporting database at {files / 'none.db'} (run a process first, or "
        "pass --db)\n"
    )
    assert main(["execution", "nope", "--db", str(files / "none.db")]) == ExitCode.USAGE
    assert not (files / "none.db").exists(), "a reader creates nothing"


def test_reading_commands_refuse_a_database_that_is_not_a_reporting_one(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = files / "other.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE inventory (item TEXT)")
    raw.commit()
    raw.close()
    before = other.read_bytes()
    for command in (["executions"], ["execution", "latest"], ["document", "latest", "1"]):
        assert main([*command, "--db", str(other)]) == ExitCode.USAGE
        assert capsys.readouterr().err == (
            f"error: {other}: not a process reporting database (it lacks the reporting tables); "
            "give --db a reporting database, or a new file for a run to create\n"
        )
    assert _run(files, "--db", str(other)) == ExitCode.USAGE, "a run will not adopt it either"
    assert "not a process reporting database" in capsys.readouterr().err
    assert other.read_bytes() == before, "nothing was written to it"
    assert not other.with_name("other.sqlite.runs").exists()


def test_count_options_refuse_numbers_below_their_meaning(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(files / "x.db")
    assert _run(files, "--db", db) == ExitCode.OK
    capsys.readouterr()
    for value in ("0", "-2", "two"):
        with pytest.raises(SystemExit) as exit_:
            main(["execution", "latest", "--db", db, "--per-step", value])
        assert exit_.value.code == ExitCode.USAGE
        assert "argument --per-step: " in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["executions", "--db", db, "--limit", "-1"])
    assert capsys.readouterr().err.endswith("argument --limit: -1: give 0 or more (0: all)\n")
    assert main(["executions", "--db", db, "--limit", "0", "--json"]) == ExitCode.OK
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["execution", "latest", "--db", db, "--per-step", "1"]) == ExitCode.OK
    rows = capsys.readouterr().out.splitlines()
    assert [r.split()[:2] for r in rows if r.startswith("…")] == [["…", "Start"], ["…", "Fetch"]]
    assert [r.split()[2:4] for r in rows if r.startswith("…")] == [["1", "more"], ["1", "more"]]


def test_quiet_process_run_prints_only_what_did_not_go_well(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-q", "process", "run", str(files / "process.yaml")]) == ExitCode.OK
    assert capsys.readouterr() == ("", "")
    code = main(["-q", "process", "run", str(files / "process.yaml"), "-p", "outcome=FAILURE"])
    assert code == ExitCode.DOCUMENT_FAILURES
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines()[0].endswith(
        ": ERROR, 4 tracked documents (0 application errors, 2 failures)"
    )
    assert out.splitlines()[1:] == [
        "step 'Fetch': 2 documents failed; the process stopped after the step"
    ]


def test_a_plugin_calling_sys_exit_fails_its_documents_not_the_run(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SystemExit from plugin code is the plugin failing: FAILURE, ERROR, exit 4, one line."""
    assert _run(files, "-p", "outcome=EXIT", "--report") == ExitCode.DOCUMENT_FAILURES
    out, err = capsys.readouterr()
    assert "status     ERROR: step 'Fetch': 2 documents failed" in out
    assert out.count("FAILURE  -     SystemExit: 3") == 2
    assert err.splitlines()[:-1] == [
        "warning: step 'Fetch': connector 'fake' raised SystemExit: 3; "
        "its unanswered documents failed"
    ]
    assert err.splitlines()[-1].startswith("details: atomsphere execution ")


def test_a_file_that_is_not_a_database_is_refused_as_docs_host_md_says(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    some = files / "some.json"
    some.write_text('{"not": "a database"}\n', "utf-8")
    before = some.read_bytes()
    for command in (["executions"], ["execution", "latest"], ["document", "latest", "1"]):
        assert main([*command, "--db", str(some)]) == ExitCode.USAGE
        assert capsys.readouterr().err == (
            f"error: {some}: not a usable process reporting database (file is not a database)\n"
        )
    assert _run(files, "--db", str(some)) == ExitCode.USAGE, "a run will not overwrite it"
    assert "not a usable process reporting database" in capsys.readouterr().err
    assert some.read_bytes() == before
    documented = (Path(__file__).parents[2] / "docs" / "host.md").read_text("utf-8")
    assert (
        "error: some.json: not a usable process reporting database (file is not a database)"
        in documented
    )
    assert "error: other.db: not a process reporting database (it lacks the reporting tables)" in (
        documented
    )
