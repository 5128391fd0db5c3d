"""``atomsphere demo``: the tour, run as a process of the reference host, against a local sandbox
or a configured account, ending with its process report."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.cli import main
from connector.cli.output import ExitCode
from connector.host.reporting import connect, execution_documents, list_executions
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)

STEPS = (
    "Create an environment",
    "Update the environment",
    "Delete the environment",
    "Get the account",
    "Read a process that does not exist",
    "Query execution records with a filter",
)


@pytest.fixture(autouse=True)
def reporting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the tour's executions out of the user's own process reporting."""
    database = tmp_path / "reporting.db"
    monkeypatch.setenv("ATOMSPHERE_REPORTING_DB", str(database))
    return database


@pytest.mark.slow
def test_demo_without_configuration_tours_a_local_sandbox_as_a_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, reporting: Path
) -> None:
    for var in ("ATOMSPHERE_ACCOUNT_ID", "ATOMSPHERE_USERNAME", "ATOMSPHERE_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    assert main(["demo"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("Target: a local sandbox at http://127.0.0.1:")
    assert "(no connection configured; nothing leaves this machine)" in out
    assert "The tour ran as process 'demo-tour-sandbox'" in out
    report = out[out.index("execution  exec-") :]
    positions = [report.index(step) for step in STEPS]
    assert positions == sorted(positions), "the report lists the steps in the order they ran"
    assert "No such process: 00000000-0000-0000-0000-000000000000" in report
    assert "more" in report, "the Query's many records are counted, not all listed"
    assert "FAILURE" not in out

    db = connect(reporting, create=False)
    try:
        (execution,) = list_executions(db, process="demo-tour-sandbox")
        assert (execution.status, execution.application_errors) == ("COMPLETE", 1)
        by_step = {d.step_name: d for d in execution_documents(db, execution.id)}
        assert by_step["Get the account"].status == "SUCCESS"
        assert by_step["Create an environment"].direction == "output"
    finally:
        db.close()
    assert "last run date" not in " ".join(out.split())

    # Run again: the query reads only failures since the first tour, and the demo says why.
    assert main(["demo"]) == ExitCode.OK
    again = capsys.readouterr().out
    flowing = " ".join(again.split())  # the note is wrapped
    assert "Boomi's last run date" in flowing and f"({execution.started_at[:19]}" in flowing
    query_row = next(line for line in again.splitlines() if "query-failed-executions" in line)
    assert query_row.split()[-2:] == ["1", "0"]


def test_demo_against_an_account_asks_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATOMSPHERE_ACCOUNT_ID", "acme-X1")
    monkeypatch.setenv("ATOMSPHERE_USERNAME", "me@example.com")
    monkeypatch.setenv("ATOMSPHERE_PASSWORD", "secret-pw")
    monkeypatch.setenv("ATOMSPHERE_BASE_URL", "http://127.0.0.1:9")  # nothing may be sent
    assert main(["demo"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "account acme-X1" in err and "--yes" in err and "secret-pw" not in err


@pytest.mark.slow
def test_demo_sandbox_flag_says_the_configured_connection_is_ignored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATOMSPHERE_ACCOUNT_ID", "acme-X1")
    monkeypatch.setenv("ATOMSPHERE_USERNAME", "me@example.com")
    monkeypatch.setenv("ATOMSPHERE_PASSWORD", "secret-pw")
    monkeypatch.setenv("ATOMSPHERE_BASE_URL", "http://127.0.0.1:9")  # nothing may be sent
    assert main(["demo", "--sandbox"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("Target: a local sandbox at http://127.0.0.1:")
    assert "(--sandbox: any configured connection is ignored; nothing leaves this machine)" in out
    assert "acme-X1" not in out


def _connection(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEMO_PASSWORD", DEFAULT_PASSWORD)
    connection = tmp_path / "connection.yaml"
    connection.write_text(
        f"base_url: {url}\naccount_id: {DEFAULT_ACCOUNT_ID}\n"
        f"username: {DEFAULT_USERNAME}\npassword: ${{DEMO_PASSWORD}}\n"
    )
    return connection


@pytest.mark.slow
def test_demo_runs_the_same_tour_against_a_configured_connection(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    reporting: Path,
) -> None:
    with Sandbox(SandboxConfig(rate_limit=0)) as sandbox, sandbox.serve("127.0.0.1", 0) as url:
        connection = _connection(tmp_path, url, monkeypatch)
        assert main(["demo", "--connection", str(connection), "--yes"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith(f"Target: YOUR account, {url} as {DEFAULT_USERNAME}")
    assert "The tour ran as process 'demo-tour'" in out
    assert all(step in out for step in STEPS)
    assert DEFAULT_PASSWORD not in out
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("reporting.db*") if p.is_file())
    assert DEFAULT_PASSWORD.encode() not in stored


@pytest.mark.slow
def test_the_tour_deletes_its_environment_when_a_step_in_between_fails(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    reporting: Path,
) -> None:
    with Sandbox(SandboxConfig(rate_limit=0)) as sandbox, sandbox.serve("127.0.0.1", 0) as url:
        sandbox.faults.add("html:status=400,method=POST,path=/Environment/?*")
        connection = _connection(tmp_path, url, monkeypatch)
        code = main(["demo", "--connection", str(connection), "--yes"])
    out = capsys.readouterr().out
    assert code in (ExitCode.APPLICATION_ERRORS, ExitCode.DOCUMENT_FAILURES)
    assert "(the tour stopped early: environment atomsphere-demo-" in out
    db = connect(reporting, create=False)
    try:
        cleanup, tour = list_executions(db)
        assert (tour.process, tour.status) == ("demo-tour", "ERROR")
        assert (cleanup.process, cleanup.status) == ("demo-tour-cleanup", "COMPLETE")
        (deleted,) = [d for d in execution_documents(db, cleanup.id) if d.step_name == STEPS[2]]
        assert deleted.status == "SUCCESS"
    finally:
        db.close()
