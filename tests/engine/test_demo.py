"""``atomsphere demo``: the tour against a local sandbox, or a configured account."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.cli import main
from connector.cli.output import ExitCode
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)

STEPS = (
    "1. Query execution records with a filter",
    "2. Get the account",
    "3. Create an environment",
    "4. Update the environment",
    "5. Delete the environment",
    "6. Read a process that does not exist",
)


@pytest.mark.slow
def test_demo_without_configuration_tours_a_local_sandbox(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("ATOMSPHERE_ACCOUNT_ID", "ATOMSPHERE_USERNAME", "ATOMSPHERE_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    assert main(["demo"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("Target: a local sandbox at http://127.0.0.1:")
    positions = [out.index(step) for step in STEPS]
    assert positions == sorted(positions)
    assert "SUCCESS 200: accountId=sandbox-A1B2C3, name=Sandbox Account" in out
    assert "APPLICATION_ERROR 400: No such process" in out
    assert "returned as a document: <error><message>No such process" in out
    assert "FAILURE" not in out


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
def test_demo_runs_the_same_tour_against_a_configured_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", DEFAULT_PASSWORD)
    with Sandbox(SandboxConfig(rate_limit=0)) as sandbox, sandbox.serve("127.0.0.1", 0) as url:
        connection = tmp_path / "connection.yaml"
        connection.write_text(
            f"base_url: {url}\naccount_id: {DEFAULT_ACCOUNT_ID}\n"
            f"username: {DEFAULT_USERNAME}\npassword: ${{DEMO_PASSWORD}}\n"
        )
        assert main(["demo", "--connection", str(connection), "--yes"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith(f"Target: YOUR account, {url} as {DEFAULT_USERNAME}")
    assert all(step in out for step in STEPS)
    assert DEFAULT_PASSWORD not in out
