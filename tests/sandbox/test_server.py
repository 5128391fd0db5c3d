"""The sandbox over real loopback HTTP: the CLI process, the threaded server, the admin API."""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.cli import main
from connector.errors import ConfigError
from connector.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, Sandbox, SandboxConfig, fixtures
from tests.sandbox.helpers import NS, xml

AUTH = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
LINE_PREFIX = "AtomSphere sandbox listening on "


def _read_line(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the sandbox printed nothing"
    return process.stdout.readline()


@pytest.mark.slow
def test_cli_server_pages_through_1000_results_and_stops_on_sigterm(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "connector", "sandbox", "--port", "0", "--records", "1000",
        "--rate-limit", "0", "--seed", "5", "--data", str(tmp_path / "state.db"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        line = _read_line(process)
        assert line.startswith(LINE_PREFIX) and line.endswith("/api/rest/v1/sandbox-A1B2C3\n")
        url = line[len(LINE_PREFIX) :].strip()
        assert url.startswith("http://127.0.0.1:")
        seen: list[str] = []
        with httpx.Client(base_url=url, auth=AUTH, timeout=30) as client:
            page = xml(client.post("/ExecutionRecord/query"))
            while True:
                seen += [
                    str(r.findtext("bns:executionId", namespaces=NS))
                    for r in page.findall("bns:result", NS)
                ]
                token = page.findtext("bns:queryToken", namespaces=NS)
                if not token:
                    break
                more = client.post(
                    "/ExecutionRecord/queryMore",
                    content=token,
                    headers={"Content-Type": "text/plain"},
                )
                assert more.status_code == 200
                page = xml(more)
        assert len(seen) == len(set(seen)) == 1000
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out == ""  # nothing after the one line
    assert "sandbox-password" not in err and "sandbox-token" not in err


@pytest.mark.slow
def test_cli_refuses_a_bad_fault_spec_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "connector", "sandbox", "--port", "0", "--fault", "explode"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: fault 'explode': unknown kind")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_cli_refuses_a_port_out_of_range_as_usage(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("sandbox", "designer"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--port", port])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert "argument --port: " in err and "Traceback" not in err


@pytest.mark.parametrize("option", ["--rate-limit", "--records", "--request-timeout"])
def test_cli_refuses_a_bad_option_value_as_every_command_does(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", option, "abc"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: atomsphere sandbox ")  # argparse's form, as documented
    assert f"atomsphere sandbox: error: argument {option}: invalid" in err


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--rate-limit", "-1", "invalid value '-1': must be >= 0"),
        ("--rate-limit", "nan", "invalid value 'nan': must be a finite number"),
        ("--request-timeout", "inf", "invalid value 'inf': must be a finite number"),
        ("--request-timeout", "1e400", "invalid value '1e400': must be a finite number"),
        ("--request-timeout", "0", "invalid value '0': must be > 0 and <= 86400"),
        ("--records", "-1", "invalid value '-1': must be >= 0"),
        ("--max-connections", "0", "invalid value '0': must be >= 1"),
        ("--max-body-bytes", "-1", "invalid value '-1': must be >= 0"),
        ("--username", "", "invalid value '': must not be empty"),
        ("--username", "a:b", "invalid value 'a:b': must not contain ':'"),
        ("--account-id", "", "invalid value '': must be a non-empty path segment"),
        ("--sub-account", "a/b", "invalid value 'a/b': letters, digits,"),
        ("--host", "", "must not be empty (0.0.0.0 listens on every interface)"),
    ],
)
def test_cli_refuses_a_value_out_of_range_as_usage_naming_the_option(
    option: str, value: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", f"{option}={value}"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: atomsphere sandbox ")  # argparse's form, as documented
    assert err.splitlines()[-1].startswith(
        f"atomsphere sandbox: error: argument {option}: {problem}"
    )
    assert "Traceback" not in err


@pytest.mark.parametrize("option", ["--password", "--token"])
def test_cli_refuses_empty_secrets_without_repeating_any(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", f"{option}="])
    assert exited.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == f"atomsphere sandbox: error: argument {option}: invalid value: must not be empty"


def test_cli_refuses_a_non_finite_fault_value_before_serving(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sandbox", "--port", "0", "--fault", "latency:seconds=nan"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # it never listened
    assert err == (
        "error: fault 'latency:seconds=nan': seconds='nan' is not valid "
        "(expected a finite number)\n"
    )


def test_cli_bind_failure_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "--port", str(port), "--rate-limit", "0"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")  # as documented
    assert err.count("\n") == 1 and "Traceback" not in err


def test_empty_credentials_are_refused_from_python_too() -> None:
    for field in ("username", "password", "api_token", "unprivileged_username"):
        with pytest.raises(ConfigError, match=f"{field} must not be empty"):
            SandboxConfig(**{field: ""})  # type: ignore[arg-type]


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(SandboxConfig(rate_limit=0, validate_responses=True))
    with sandbox.serve() as url:
        yield sandbox, url


def test_serve_as_a_context_manager(served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    assert url.endswith(sandbox.rest_path)
    with httpx.Client(base_url=url, auth=AUTH) as client:
        response = client.get(f"/Process/{fixtures.ORDER_INTAKE.id}")
        assert response.status_code == 200 and xml(response).get("name") == "Order Intake"
        created = client.post("/ExecutionRequest", content=_execution_request())
        assert xml(created).get("recordUrl", "").startswith(url)


def _execution_request() -> bytes:
    return (
        f'<ExecutionRequest xmlns="http://api.platform.boomi.com/" '
        f'processId="{fixtures.ORDER_INTAKE.id}" atomId="{fixtures.PRODUCTION_ATOM.id}"/>'
    ).encode()


def test_faults_break_real_connections(served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    path = f"/Process/{fixtures.ORDER_INTAKE.id}"
    with httpx.Client(base_url=url, auth=AUTH) as client:
        sandbox.faults.add("reset:times=1")
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            client.get(path)
        sandbox.faults.add("truncate:times=1")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(path)
        assert client.get(path).status_code == 200


def test_reset_mid_body_over_loopback_after_processing(served: tuple[Sandbox, str]) -> None:
    sandbox, url = served
    sandbox.faults.add("reset:at=body,method=POST,times=1")
    with (
        httpx.Client(base_url=url, auth=AUTH) as client,
        pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)),
    ):
        client.post("/ExecutionRequest", content=_execution_request())
    assert len(sandbox.state.executions) == 1  # processed; only its answer was lost
    assert sandbox.faults.report()[0]["fired"] == 1


def test_a_head_answer_has_no_body_and_keeps_the_connection_usable(
    served: tuple[Sandbox, str],
) -> None:
    _sandbox, url = served
    path = f"/Environment/{fixtures.PRODUCTION.id}"
    root = url.split("/api/")[0]
    with httpx.Client(base_url=url, auth=AUTH) as client:
        for head in (path, f"{root}/__sandbox/stats"):
            assert client.head(head).content == b""
            after = client.get(path)  # the same kept-alive connection
            assert after.status_code == 200 and xml(after).get("name") == "Production"


def test_a_head_answer_has_no_body_in_process_either() -> None:
    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    with httpx.Client(transport=sandbox.transport(), base_url="http://x", auth=AUTH) as client:
        head = client.head(f"{sandbox.rest_path}/Environment/{fixtures.PRODUCTION.id}")
        assert head.content == b"" and int(head.headers["Content-Length"]) > 0


def test_a_client_that_goes_away_is_one_debug_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    sandbox.faults.add("latency:seconds=0.5")
    caplog.set_level(logging.DEBUG, logger="connector.sandbox")
    with sandbox.serve() as url:
        with pytest.raises(httpx.ReadTimeout):  # times out; the answer then meets a closed socket
            httpx.get(f"{url}/Process/{fixtures.ORDER_INTAKE.id}", auth=AUTH, timeout=0.1)
        host, port = url.split("//")[1].split("/")[0].split(":")
        with socket.create_connection((host, int(port))) as hung_up:
            hung_up.sendall(f"GET {url.split(port)[1]}/Atom HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            hung_up.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(1.5)  # both answers are written (and fail) before the server stops
    assert "Traceback" not in capsys.readouterr().err
    gone = [r for r in caplog.records if "went away" in r.getMessage()]
    assert len(gone) == 2 and {r.levelno for r in gone} == {logging.DEBUG}
    assert not [r for r in caplog.records if r.exc_info]


def test_an_internal_error_names_the_method_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_call: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("connector.sandbox.app.dispatch", broken)
    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    with httpx.Client(transport=sandbox.transport(), base_url="http://x", auth=AUTH) as client:
        assert client.post(f"{sandbox.rest_path}/Environment", json={}).status_code == 500
    assert [r.getMessage() for r in caplog.records] == [
        f"sandbox: internal error answering POST {sandbox.rest_path}/Environment"
    ]


def test_a_stopped_server_drops_kept_alive_connections() -> None:
    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    path = f"/Process/{fixtures.ORDER_INTAKE.id}"
    with httpx.Client(auth=AUTH) as client:
        with sandbox.serve() as url:
            assert client.get(url + path).status_code == 200  # the connection stays open
        with pytest.raises(httpx.TransportError):
            client.get(url + path)


def test_admin_api_switches_faults_and_reports_stats(served: tuple[Sandbox, str]) -> None:
    _sandbox, url = served
    root = url.split("/api/")[0]
    with httpx.Client(base_url=url, auth=AUTH) as client:
        added = client.post(
            f"{root}/__sandbox/faults", json={"faults": ["503:path=/Atom/*,times=2"]}
        )
        assert added.status_code == 200
        assert added.json()["faults"][0]["spec"] == "503:path=/Atom/*,times=2"
        atom = f"/Atom/{fixtures.PRODUCTION_ATOM.id}"
        assert [client.get(atom).status_code for _ in range(3)] == [503, 503, 200]
        stats = client.get(f"{root}/__sandbox/stats").json()
        assert stats["responses503"] == 2
        assert stats["requests"]["GET /Atom/{id}"] == 3
        bad = client.post(f"{root}/__sandbox/faults", json={"faults": ["nonsense"]})
        assert bad.status_code == 400 and "unknown kind" in json.loads(bad.text)["message"]
        assert client.delete(f"{root}/__sandbox/faults").json() == {"faults": []}
        assert client.get(f"{root}/__sandbox/nothing").status_code == 404


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def test_an_ipv6_loopback_host_is_served_in_brackets() -> None:
    """``--host ::1`` binds an IPv6 socket (it was refused: "Address family ... not supported");
    on a machine with no IPv6 loopback the refusal is the one-line bind error instead."""
    with Sandbox(SandboxConfig(rate_limit=0)) as sandbox:
        if not _ipv6_loopback():
            with pytest.raises(OSError), sandbox.serve("::1"):
                pass
            return
        with sandbox.serve("::1") as url:
            assert url.startswith("http://[::1]:")
            auth = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
            answer = httpx.get(f"{url}/Atom/{fixtures.ATOMS[0].id}", auth=auth, timeout=10)
            assert answer.status_code == 200 and b"<bns:Atom " in answer.content
