"""``atomsphere run``, ``schema`` and ``test-connection`` against the scripted API."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from connector.atomsphere.pool import DEFAULT_POOL
from connector.cli import main
from connector.cli._logging import configure, level_for
from connector.cli.output import ExitCode
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_UNPRIVILEGED_USERNAME,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
)
from connector.yamlfiles import packaged_schema
from tests.client.fakeapi import ACCOUNT, NS, PASSWORD, FakeApi, error, query_result, xml
from tests.conftest import ROOT
from tests.engine.helpers import GET_PROCESS_ONE_BY_ONE, process_inputs, write_operation


def test_run_writes_each_output_with_its_properties_and_exits_by_outcome(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api_env.on("GET", "/Process/p1", xml(f'<bns:Process {NS} id="p1" name="A"/>'))
    api_env.on("GET", "/Process/nope", error(400, "No such process"))
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    inputs = process_inputs(tmp_path / "in", ["p1", "nope"])
    out = tmp_path / "out"
    code = main(["run", str(op), "--input", str(inputs), "--output", str(out), "--json"])
    assert code == ExitCode.APPLICATION_ERRORS
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [(x["index"], x["status"], x["code"]) for x in lines] == [
        (0, "SUCCESS", "200"),
        (1, "APPLICATION_ERROR", "400"),
    ]
    assert lines[1]["message"] == "No such process" and lines[1]["outputs"] == 0
    (written,) = lines[0]["paths"]
    assert Path(written).read_bytes().startswith(b"<bns:Process")
    properties = json.loads(Path(written + ".properties.json").read_text())
    assert properties == {"applicationStatusCode": "200", "applicationStatusMessage": ""}
    assert "2 documents: 1 succeeded, 1 application error, 0 failed" in captured.err
    assert (
        "document 2 (" in captured.err and "APPLICATION_ERROR 400: No such process" in captured.err
    )
    assert PASSWORD not in captured.err + captured.out


def test_quiet_run_summary_lists_only_the_documents_that_did_not_succeed(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api_env.on("GET", "/Process/p1", xml(f'<bns:Process {NS} id="p1" name="A"/>'))
    api_env.on("GET", "/Process/nope", error(400, "No such process"))
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    inputs = process_inputs(tmp_path / "in", ["p1", "nope"])
    code = main(["-q", "run", str(op), "--input", str(inputs), "--output", str(tmp_path / "o")])
    assert code == ExitCode.APPLICATION_ERRORS
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("  document 2 (") and line.endswith(
        "APPLICATION_ERROR 400: No such process"
    )


def test_run_exits_4_when_a_document_failed(api_env: FakeApi, tmp_path: Path) -> None:
    api_env.on("GET", "/Process/p1", error(500, "boom"))
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    code = main(["run", str(op), "--input", str(process_inputs(tmp_path / "in", ["p1"])), "--json"])
    assert code == ExitCode.DOCUMENT_FAILURES


def test_run_a_query_with_params_prints_records_to_stdout(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        '<bns:result xsi:type="bns:ExecutionRecord">'
        f"<bns:executionId>x{n}</bns:executionId></bns:result>"
        for n in range(3)
    ]
    api_env.on("POST", "/ExecutionRecord/query", xml(query_result(records)))
    op = ROOT / "operations" / "query-failed-executions.yaml"
    code = main(
        [
            "run",
            str(op),
            "--param",
            "status=ABORTED",
            "--last-run-date",
            "2024-05-01T00:00:00+00:00",
        ]
    )
    assert code == ExitCode.OK
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all("<bns:ExecutionRecord" in line for line in out)
    sent = api_env.calls()[0].content
    assert b"<argument>ABORTED</argument>" in sent
    assert b"<argument>2024-05-01T00:00:00Z</argument>" in sent


def test_run_from_stdin(api_env: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    api_env.on("POST", "/Environment", xml(f'<bns:Environment {NS} id="e1" name="x"/>'))
    body = f'<bns:Environment {NS} name="x"/>'.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body)))
    op = ROOT / "operations" / "create-environment.yaml"
    assert main(["run", str(op), "--input", "-", "--output", str(tmp_path / "o")]) == 0
    assert api_env.calls()[0].content == body


def test_run_refuses_an_unknown_param_and_a_missing_connection(
    api_env: FakeApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert main(["run", str(op), "--param", "nope=1"]) == ExitCode.USAGE
    assert "has no parameter 'nope' (its parameters: process)" in capsys.readouterr().err
    assert main(["run", str(op), "--param", "broken"]) == ExitCode.USAGE
    for var in (
        "ATOMSPHERE_BASE_URL",
        "ATOMSPHERE_ACCOUNT_ID",
        "ATOMSPHERE_USERNAME",
        "ATOMSPHERE_PASSWORD",
    ):
        monkeypatch.delenv(var)
    assert main(["run", str(op)]) == ExitCode.USAGE
    assert "no connection" in capsys.readouterr().err
    assert api_env.requests == []


def test_run_reports_a_bad_operation_file_with_its_line(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op = write_operation(
        tmp_path,
        "action: QUERY\nobject: Atom\nfilter: {property: nope, operator: LIKE, arguments: [x]}\n",
    )
    assert main(["run", str(op)]) == ExitCode.USAGE
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(
        line.startswith("error: ") and "op.yaml:6: filter." in line for line in err
    )


def test_schema_operation_prints_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "operation"]) == 0
    assert json.loads(capsys.readouterr().out) == dict(packaged_schema("operation"))


def test_test_connection_command(
    api_env: FakeApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    api_env.on(
        "GET", f"/Account/{ACCOUNT}", xml(f'<bns:Account {NS} accountId="{ACCOUNT}" name="Acme"/>')
    )
    assert main(["test-connection"]) == 0
    out = capsys.readouterr().out
    assert f"ok: connected to account {ACCOUNT} (Acme)" in out
    assert re.search(r"^target: http\S+ as \S+, with a password$", out, re.MULTILINE), out
    assert PASSWORD not in out
    api_env.routes.clear()
    api_env.on("GET", f"/Account/{ACCOUNT}", error(401, "Unauthorized"))
    assert main(["test-connection"]) == ExitCode.FAILURE
    err = capsys.readouterr().err
    assert "credentials refused" in err and PASSWORD not in err


@pytest.mark.parametrize(
    ("account", "username", "code"),
    [
        (DEFAULT_ACCOUNT_ID, DEFAULT_USERNAME, ExitCode.OK),
        ("another-ACCT", DEFAULT_USERNAME, ExitCode.FAILURE),  # the sandbox: 403 for another id
        (DEFAULT_ACCOUNT_ID, DEFAULT_UNPRIVILEGED_USERNAME, ExitCode.FAILURE),  # 403 on every call
    ],
)
def test_test_connection_fails_when_the_account_id_is_not_usable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    account: str,
    username: str,
    code: ExitCode,
) -> None:
    base = "http://test-connection.sandbox.invalid"
    DEFAULT_POOL.mount(base, Sandbox(SandboxConfig(rate_limit=0)).transport())
    for name, value in [
        ("BASE_URL", base),
        ("ACCOUNT_ID", account),
        ("USERNAME", username),
        ("PASSWORD", DEFAULT_PASSWORD),
    ]:
        monkeypatch.setenv(f"ATOMSPHERE_{name}", value)
    try:
        assert main(["test-connection"]) == code
    finally:
        DEFAULT_POOL.unmount(base)
    captured = capsys.readouterr()
    if code is ExitCode.OK:
        assert captured.out.startswith(f"ok: connected to account {account} (Sandbox Account)")
        return
    (line,) = captured.err.splitlines()
    assert line.startswith(
        f"error: account {account}: HTTP 403: Access denied due to insufficient permissions. "
        f"(the credentials were accepted, but not for account {account}: "
    )
    assert captured.out == "" and DEFAULT_PASSWORD not in line


def test_test_connection_gives_up_quickly_when_the_api_stays_away(
    api_env: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    """A check is answered in about a second: two quick retries, not a run's five with backoff."""
    api_env.on("GET", f"/Account/{ACCOUNT}", *[error(503, "busy")] * 6)
    assert main(["test-connection"]) == ExitCode.FAILURE
    assert len(api_env.calls("GET")) == 3
    assert "gave up after 3 attempts" in capsys.readouterr().err


def test_run_shows_progress_on_a_terminal(
    api_env: FakeApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    api_env.on("GET", "/Process/p1", xml(f'<bns:Process {NS} id="p1" name="A"/>'))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert (
        main(["run", str(op), "--input", str(process_inputs(tmp_path / "in", ["p1"])), "--json"])
        == 0
    )
    err = capsys.readouterr().err
    assert "\r" in err and "documents answered" in err


def test_run_json_without_output_folder_carries_the_documents(
    api_env: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api_env.on("GET", "/Process/p1", xml(f'<bns:Process {NS} id="p1" name="A"/>'))
    op = write_operation(tmp_path, GET_PROCESS_ONE_BY_ONE)
    assert (
        main(["run", str(op), "--input", str(process_inputs(tmp_path / "in", ["p1"])), "--json"])
        == 0
    )
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["outputs"] == 1 and line["paths"] == []
    assert 'id="p1"' in line["documents"][0]


def test_verbose_shows_retries_on_stderr_and_quiet_hides_warnings(
    api_env: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    account = xml(f'<bns:Account {NS} accountId="{ACCOUNT}" name="Acme"/>')
    api_env.on("GET", f"/Account/{ACCOUNT}", error(503, "Busy. Retry later."), account)
    assert main(["-v", "test-connection"]) == 0
    err = capsys.readouterr().err
    assert f"info: GET /Account/{ACCOUNT}: " in err and "retry 1 of 2 in " in err
    assert "Retry later; retry 1 of 2 in " in err and ".;" not in err

    api_env.routes.clear()
    api_env.on("GET", f"/Account/{ACCOUNT}", error(503, "busy"), account)
    assert main(["test-connection"]) == 0
    assert "retry" not in capsys.readouterr().err


def test_log_levels_follow_the_flags() -> None:
    assert [level_for(v, False) for v in (0, 1, 2, 5)] == [
        logging.WARNING,
        logging.INFO,
        logging.DEBUG,
        logging.DEBUG,
    ]
    assert level_for(3, True) == logging.ERROR


def test_a_logged_exception_shows_its_traceback_only_at_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = logging.getLogger("connector.sandbox")
    for verbose, traceback_shown in ((0, False), (2, True)):
        configure(verbose)
        try:
            raise RuntimeError("an emulator bug")
        except RuntimeError:
            log.exception("sandbox: internal error")
        err = capsys.readouterr().err
        assert err.startswith("error: sandbox: internal error")
        assert ("Traceback" in err) is traceback_shown


def test_a_last_run_date_that_is_not_a_date_is_told_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    op = write_operation(tmp_path, "action: GET\nobject: Account\n")
    with pytest.raises(SystemExit):
        main(["run", str(op), "--last-run-date", "yesterday"])
    err = capsys.readouterr().err
    assert (
        "--last-run-date: 'yesterday' is not an ISO 8601 date-time such as 2026-01-31T15:32:00Z"
    ) in err
    assert "fromisoformat" not in err
