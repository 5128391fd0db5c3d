"""The Partner API end to end: operations acting on a managed sub-account of the sandbox."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.partner import PROCESS_PROPERTY
from connector.atomsphere.ratelimit import RateLimiter
from connector.atomsphere.retry import RetryPolicy
from connector.cli import main
from connector.contract import ExecutionContext
from connector.documents import Status
from connector.errors import ConfigError
from connector.sandbox import fixtures
from connector.xml import API_NS
from tests.engine.helpers import doc, run, summary
from tests.engine.sandboxed import Sandboxed, load, sandbox_connection

SUB, OTHER = "sub-acct-1", "sub-acct-2"
ENV = f'<bns:Environment xmlns:bns="{API_NS}" name="{{name}}" classification="TEST"/>'
FIND = """
action: QUERY
object: Environment
filter: {{property: name, operator: EQUALS, arguments: [{name}]}}
"""


class Recording(httpx.BaseTransport):
    """The sandbox's transport, remembering every URL sent through it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.urls: list[httpx.URL] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return self.inner.handle_request(request)


class Partner(Sandboxed):
    """A sandbox with two sub-accounts, and clients for the Partner and the Platform API."""

    def __init__(self, **config: Any) -> None:
        super().__init__(sub_accounts=(SUB, OTHER), **config)
        self.platform = self.client
        self.transport = Recording(self.sandbox.transport())
        self.client = AtomSphereClient(
            sandbox_connection(api="partner"),
            transport=self.transport,
            limiter=RateLimiter(0),
            retry=RetryPolicy(jitter=lambda: 0.0),
            clock=self.clock,
            sleep=self.clock.sleep,
        )

    def overrides(self) -> set[str | None]:
        return {url.params.get("overrideAccount") for url in self.transport.urls}


def _names(
    client: AtomSphereClient, folder: Path, name: str, account: str | None = None
) -> list[str]:
    """The names of the Environments called ``name`` in ``account`` (None: the partner's)."""
    text = FIND.format(name=name) + (f"override_account: {account}\n" if account else "")
    (result,) = run(load(folder, text), client, [doc()])
    assert result.status is Status.SUCCESS, result.message
    return [o.data.split(b'name="')[1].split(b'"')[0].decode() for o in result.outputs]


def test_a_create_and_a_query_on_a_sub_account_stay_in_it(tmp_path: Path) -> None:
    box = Partner()
    create = load(tmp_path, f"action: CREATE\nobject: Environment\noverride_account: {SUB}\n")
    (created,) = box.run(create, [doc(ENV.format(name="Sub env"))])
    assert created.status is Status.SUCCESS, created.message
    assert box.overrides() == {SUB}
    assert box.transport.urls[0].path.startswith("/partner/api/rest/v1/")
    assert _names(box.client, tmp_path, "Sub env", SUB) == ["Sub env"]
    assert _names(box.client, tmp_path, "Sub env") == []  # the partner account itself
    assert _names(box.client, tmp_path, "Sub env", OTHER) == []


def test_the_override_account_may_come_from_a_parameter(tmp_path: Path) -> None:
    box = Partner()
    create = load(
        tmp_path,
        "action: CREATE\nobject: Environment\noverride_account: {param: account}\n"
        "parameters: {account: {from: document_property, name: account}}\n",
    )
    results = box.run(
        create, [doc(ENV.format(name="Spread"), account=a) for a in (SUB, OTHER, SUB)]
    )
    assert summary(results) == [("SUCCESS", "200")] * 3
    assert _names(box.client, tmp_path, "Spread", SUB) == ["Spread", "Spread"]
    assert _names(box.client, tmp_path, "Spread", OTHER) == ["Spread"]


def test_the_process_property_wins_over_the_operation_field(tmp_path: Path) -> None:
    box = Partner()
    create = load(tmp_path, f"action: CREATE\nobject: Environment\noverride_account: {OTHER}\n")
    context = ExecutionContext(process_properties={PROCESS_PROPERTY: SUB})
    (created,) = box.run(create, [doc(ENV.format(name="Dynamic"))], context)
    assert created.status is Status.SUCCESS
    assert _names(box.client, tmp_path, "Dynamic", SUB) == ["Dynamic"]
    assert _names(box.client, tmp_path, "Dynamic", OTHER) == []
    # An empty process property leaves the operation's field in force.
    empty = ExecutionContext(process_properties={PROCESS_PROPERTY: ""})
    box.run(create, [doc(ENV.format(name="Static"))], empty)
    assert _names(box.client, tmp_path, "Static", OTHER) == ["Static"]


def test_every_page_of_a_query_names_the_sub_account(tmp_path: Path) -> None:
    box = Partner(records=250)
    query = load(tmp_path, f"action: QUERY\nobject: ExecutionRecord\noverride_account: {SUB}\n")
    (result,) = box.run(query, [doc()])
    assert (result.status, result.output_count) == (Status.SUCCESS, 250)
    assert box.calls("POST /ExecutionRecord/queryMore") == 2
    assert [u.path.rsplit("/", 1)[1] for u in box.transport.urls] == ["query", *["queryMore"] * 2]
    assert box.overrides() == {SUB}


def test_bulk_gets_and_execution_polls_name_the_sub_account(tmp_path: Path) -> None:
    box = Partner()
    get = load(
        tmp_path,
        f"action: GET\nobject: Process\nid: {{param: p}}\noverride_account: {SUB}\n"
        "parameters: {p: {from: document_property, name: p}}\n",
    )
    ids = [fixtures.ORDER_INTAKE.id, fixtures.FAILING_PROCESS.id]
    assert summary(box.run(get, [doc(p=i) for i in ids])) == [("SUCCESS", "200")] * 2
    assert box.calls("POST /Process/bulk") == 1
    request = (
        f'<ExecutionRequest xmlns="{API_NS}" processId="{fixtures.ORDER_INTAKE.id}" '
        f'atomId="{fixtures.PRODUCTION_ATOM.id}"/>'
    )
    execute = load(
        tmp_path, f"action: EXECUTE\nobject: ExecutionRequest\noverride_account: {SUB}\n"
    )
    (ran,) = box.run(execute, [doc(request)])
    assert (ran.status, ran.message) == (Status.SUCCESS, "COMPLETE")
    assert any("/ExecutionRecord/async/" in u.path for u in box.transport.urls)
    assert box.overrides() == {SUB}


def test_an_account_outside_the_hierarchy_is_an_application_error(tmp_path: Path) -> None:
    box = Partner()
    query = load(tmp_path, "action: QUERY\nobject: Environment\noverride_account: stranger\n")
    (result,) = box.run(query, [doc()])
    assert (result.status, result.status_code) == (Status.APPLICATION_ERROR, "403")
    assert "stranger is not in the account hierarchy" in result.message


@pytest.mark.parametrize(
    ("action", "name", "field", "problem"),
    [
        ("CREATE", "Account", "action", "Account does not support CREATE; it supports GET, QUERY"),
        ("DELETE", "Account", "action", "Account does not support DELETE; it supports GET, QUERY"),
        ("EXECUTE", "AccountProvision", "object", "unknown object 'AccountProvision'"),
    ],
)
def test_the_actions_that_refuse_an_override_are_not_in_the_catalog(
    tmp_path: Path, action: str, name: str, field: str, problem: str
) -> None:
    """The API refuses overrideAccount only on Partner-only actions the connector cannot load:
    one precise problem says so, without a second one about the override."""
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, f"action: {action}\nobject: {name}\noverride_account: {SUB}\n")
    (only,) = raised.value.problems
    assert only.field == field and only.message.startswith(problem)


def test_an_override_needs_a_partner_connection(tmp_path: Path) -> None:
    box = Partner()
    box.client = box.platform
    query = load(tmp_path, f"action: QUERY\nobject: Environment\noverride_account: {SUB}\n")
    results = box.run(query, [doc(), doc()])
    assert summary(results) == [("FAILURE", "")] * 2
    assert all("needs a Partner API connection (api: partner)" in r.message for r in results)
    plain = load(tmp_path, "action: QUERY\nobject: Environment\n")
    context = ExecutionContext(process_properties={PROCESS_PROPERTY: SUB})
    (dynamic,) = box.run(plain, [doc()], context)
    assert dynamic.status is Status.FAILURE
    assert "needs a Partner API connection (api: partner)" in dynamic.message
    assert box.calls("POST /Environment/query") == 0


@pytest.mark.slow
def test_the_cli_sandbox_serves_sub_accounts_to_a_partner_url_connection(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "connector", "sandbox", "--port", "0", "--records", "10",
        "--rate-limit", "0", "--sub-account", SUB,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    pipe = subprocess.PIPE
    with subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True, env=env) as process:
        try:
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready, "the sandbox printed nothing"
            url = process.stdout.readline().split(" on ", 1)[1].strip()
            partner_url = url.replace("/api/rest/v1/", "/partner/api/rest/v1/")
            connection = sandbox_connection(partner_url, account_id="")
            assert connection.partner and connection.rest_url == partner_url
            with AtomSphereClient(connection, limiter=RateLimiter(0)) as client:
                text = f"action: CREATE\nobject: Environment\noverride_account: {SUB}\n"
                (created,) = run(load(tmp_path, text), client, [doc(ENV.format(name="Looped"))])
                assert created.status is Status.SUCCESS, created.message
                assert _names(client, tmp_path, "Looped", SUB) == ["Looped"]
                assert _names(client, tmp_path, "Looped") == []
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"Partner API on {partner_url} (sub-accounts: {SUB})" in err


def test_the_cli_refuses_a_bad_sub_account_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:  # one id alone: argparse's usage error
        main(["sandbox", "--port", "0", "--sub-account", "a/b"])
    assert exited.value.code == 2
    assert "argument --sub-account: invalid value 'a/b'" in capsys.readouterr().err
    # The set (a repeat, the account itself): one error line, said once.
    assert main(["sandbox", "--port", "0", "--sub-account", "s-1", "--sub-account", "s-1"]) == 2
    assert capsys.readouterr().err == (
        "error: sub-account 's-1' is the account itself or given twice\n"
    )
