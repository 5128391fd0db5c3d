"""The AtomSphere plugin's engine hooks, reached through a host's plugin manager."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pluggy
import pytest

from connector.contract import ExecutionContext
from connector.documents import Document, OperationResponse, Status
from connector.engine import OperationConfig
from connector.errors import ConfigError, ContractError
from tests.client.fakeapi import ACCOUNT, BASE_URL, NS, PASSWORD, FakeApi, error, xml
from tests.conftest import ROOT

CONNECTION = {
    "base_url": BASE_URL,
    "account_id": ACCOUNT,
    "username": "user@example.com",
    "password": PASSWORD,
}
ACCOUNT_XML = f'<bns:Account {NS} accountId="{ACCOUNT}" name="Test Account" status="active"/>'


def test_load_operation_hook(plugin_manager: pluggy.PluginManager) -> None:
    path = ROOT / "operations" / "query-failed-executions.yaml"
    op = plugin_manager.hook.connector_load_operation(connector_id="atomsphere", path=path)
    assert isinstance(op, OperationConfig) and op.settings.object_type == "ExecutionRecord"
    assert plugin_manager.hook.connector_load_operation(connector_id="other", path=path) is None


def test_load_operation_hook_reports_problems(
    plugin_manager: pluggy.PluginManager, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: AtomSphereOperation\nversion: 1\nname: x\naction: GET\nobject: Nope\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:5: object: unknown object 'Nope'"):
        plugin_manager.hook.connector_load_operation(connector_id="atomsphere", path=bad)


def test_execute_hook_runs_the_operation_through_the_pooled_client(
    plugin_manager: pluggy.PluginManager, api: FakeApi
) -> None:
    api.on("GET", "/Account/acct-1", xml(ACCOUNT_XML.replace(ACCOUNT, "acct-1")))
    api.on("GET", "/Account/acct-2", error(403, "Access denied due to insufficient permissions."))
    op = plugin_manager.hook.connector_load_operation(
        connector_id="atomsphere", path=ROOT / "operations" / "get-account.yaml"
    )
    op = replace(op, options=replace(op.options, bulk_get=False))
    documents = [Document(b"", {"accountId": "acct-1"}), Document(b"", {"accountId": "acct-2"})]
    response = OperationResponse(documents)
    handled = plugin_manager.hook.connector_execute(
        connector_id="atomsphere",
        operation=op,
        connection=CONNECTION,
        documents=documents,
        response=response,
        context=ExecutionContext(),
    )
    assert handled is True
    assert [(r.status, r.status_code) for r in response.results] == [
        (Status.SUCCESS, "200"),
        (Status.APPLICATION_ERROR, "403"),
    ]


def test_execute_hook_answers_every_document_when_the_connection_is_unusable(
    plugin_manager: pluggy.PluginManager,
) -> None:
    op = plugin_manager.hook.connector_load_operation(
        connector_id="atomsphere", path=ROOT / "operations" / "get-account.yaml"
    )
    documents = [Document(b""), Document(b"")]
    response = OperationResponse(documents)
    plugin_manager.hook.connector_execute(
        connector_id="atomsphere",
        operation=op,
        connection={"username": "u"},
        documents=documents,
        response=response,
        context=ExecutionContext(),
    )
    assert {r.status for r in response.results} == {Status.FAILURE}
    assert "account_id: an account id is required" in response.results[0].message


def test_execute_hook_refuses_an_operation_it_did_not_load(
    plugin_manager: pluggy.PluginManager,
) -> None:
    with pytest.raises(ContractError, match="did not load"):
        plugin_manager.hook.connector_execute(
            connector_id="atomsphere",
            operation=object(),
            connection=CONNECTION,
            documents=[],
            response=OperationResponse([]),
            context=ExecutionContext(),
        )


def test_test_connection_hook_reads_the_account(
    plugin_manager: pluggy.PluginManager, api: FakeApi
) -> None:
    api.on("GET", f"/Account/{ACCOUNT}", xml(ACCOUNT_XML))
    check = plugin_manager.hook.connector_test_connection(
        connector_id="atomsphere", connection=CONNECTION
    )
    assert check.ok
    assert check.message == f"connected to account {ACCOUNT} (Test Account) as user@example.com"
    assert check.target == f"{BASE_URL}/api/rest/v1/{ACCOUNT} as user@example.com"


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (error(401, f"Unauthorized {PASSWORD}"), "HTTP 401: credentials refused for "),
        # Valid credentials on an account id they may not use: every call would be refused.
        (error(403, "Access denied"), "HTTP 403: Access denied (the credentials were accepted"),
        (error(400, "Invalid account"), "HTTP 400: Invalid account"),
        (error(404, "No such resource"), "HTTP 404: No such resource"),
        (error(500, "Internal error"), "HTTP 500: Internal error"),
        (error(503, "Busy"), "HTTP 503: Busy (gave up after 3 attempts)"),
        (xml("<bns:Account", 200), f"account {ACCOUNT}: unreadable answer: GetAccount: not well"),
        (httpx.ConnectError("name or service not known"), "could not reach the API"),
    ],
)
def test_test_connection_hook_explains_failures_without_secrets(
    plugin_manager: pluggy.PluginManager, api: FakeApi, answer: object, text: str
) -> None:
    api.on("GET", f"/Account/{ACCOUNT}", *[answer] * 3)  # type: ignore[arg-type]
    check = plugin_manager.hook.connector_test_connection(
        connector_id="atomsphere", connection=CONNECTION
    )
    assert not check.ok and text in check.message, check.message
    assert PASSWORD not in check.message and PASSWORD not in check.target


def test_test_connection_hook_with_bad_settings(plugin_manager: pluggy.PluginManager) -> None:
    check = plugin_manager.hook.connector_test_connection(
        connector_id="atomsphere", connection={"account_id": "a", "username": "u"}
    )
    assert not check.ok and "password: required for password authentication" in check.message
    assert plugin_manager.hook.connector_test_connection(connector_id="x", connection={}) is None
