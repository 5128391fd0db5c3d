"""The Partner API path: the primary account, its sub-accounts' own data, 403 and 400."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.errors import ConfigError
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    fixtures,
)
from tests.sandbox.conftest import BASE, JSON, FakeClock, make_sandbox
from tests.sandbox.helpers import all_results, error_message, simple

SUB, OTHER = "sub-acct-1", "sub-acct-2"
PARTNER = f"{BASE}/partner/api/rest/v1/{DEFAULT_ACCOUNT_ID}"
PLATFORM = f"{BASE}/api/rest/v1/{DEFAULT_ACCOUNT_ID}"


@pytest.fixture
def partner() -> Iterator[httpx.Client]:
    with (
        make_sandbox(sub_accounts=(SUB, OTHER)) as sandbox,
        httpx.Client(
            transport=sandbox.transport(),
            base_url=PARTNER,
            auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        ) as client,
    ):
        yield client


def _create(client: httpx.Client, name: str, account: str | None) -> str:
    params = {"overrideAccount": account} if account else None
    body = {"name": name, "classification": "TEST"}
    created = client.post("/Environment", json=body, headers=JSON, params=params)
    assert created.status_code == 200, created.text
    return str(created.json()["id"])


def _names(client: httpx.Client, name: str, account: str | None) -> list[str]:
    if account:
        client.params = httpx.QueryParams({"overrideAccount": account})
    try:
        return [
            e["name"] for e in all_results(client, "Environment", simple("EQUALS", "name", name))
        ]
    finally:
        client.params = httpx.QueryParams()


def test_a_sub_account_keeps_its_own_records(partner: httpx.Client) -> None:
    _create(partner, "In the sub-account", SUB)
    _create(partner, "In the partner", None)
    assert _names(partner, "In the sub-account", SUB) == ["In the sub-account"]
    assert _names(partner, "In the sub-account", None) == []
    assert _names(partner, "In the sub-account", OTHER) == []
    assert _names(partner, "In the partner", SUB) == []
    assert _names(partner, "In the partner", None) == ["In the partner"]


def test_a_sub_account_sees_its_own_account_record(partner: httpx.Client) -> None:
    own = partner.get(f"/Account/{SUB}", headers=JSON, params={"overrideAccount": SUB})
    assert own.status_code == 200, own.text
    assert own.json()["accountId"] == SUB


def test_an_account_outside_the_hierarchy_is_forbidden(partner: httpx.Client) -> None:
    for accept in ("application/json", "application/xml"):
        answer = partner.post(
            "/Environment/query",
            json={"QueryFilter": {}},
            headers={"Accept": accept},
            params={"overrideAccount": "stranger"},
        )
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith(accept)
        assert "stranger is not in the account hierarchy" in error_message(answer)


@pytest.mark.parametrize(
    ("method", "path", "what"),
    [
        ("POST", "/Account", "Account CREATE"),
        ("DELETE", f"/Account/{SUB}", "Account DELETE"),
        ("POST", "/AccountProvision/execute", "AccountProvision"),
    ],
)
def test_override_on_account_management_is_a_bad_request(
    partner: httpx.Client, method: str, path: str, what: str
) -> None:
    answer = partner.request(
        method, path, content=b"<x/>", headers=JSON, params={"overrideAccount": SUB}
    )
    assert answer.status_code == 400
    assert f"overrideAccount parameter is not supported for {what}" in error_message(answer)


def test_the_plain_path_ignores_override_account(partner: httpx.Client) -> None:
    _create(partner, "Primary only", None)
    partner.base_url = httpx.URL(PLATFORM)
    assert _names(partner, "Primary only", SUB) == ["Primary only"]


def test_the_partner_path_names_the_primary_account() -> None:
    with make_sandbox(sub_accounts=(SUB,)) as sandbox:
        client = httpx.Client(
            transport=sandbox.transport(),
            base_url=f"{BASE}/partner/api/rest/v1/{SUB}",
            auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        )
        assert client.get("/Environment/x", headers=JSON).status_code == 403


def test_rate_limit_is_per_primary_account() -> None:
    clock = FakeClock()
    with make_sandbox(clock, sub_accounts=(SUB,), rate_limit=1, rate_burst=2) as sandbox:
        client = httpx.Client(
            transport=sandbox.transport(),
            base_url=PARTNER,
            auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        )
        statuses = [
            client.get("/Environment/x", headers=JSON, params=params).status_code
            for params in ({"overrideAccount": SUB}, {}, {"overrideAccount": SUB})
        ]
        assert statuses == [400, 400, 503]


def test_sub_accounts_persist_in_files_of_their_own(tmp_path: Path) -> None:
    data = tmp_path / "state.sqlite"
    with Sandbox(SandboxConfig(rate_limit=0, sub_accounts=(SUB,)), data=data) as sandbox:
        client = httpx.Client(
            transport=sandbox.transport(),
            base_url=PARTNER,
            auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        )
        _create(client, "Kept", SUB)
    assert (tmp_path / f"state.{SUB}.sqlite").exists()
    with Sandbox(SandboxConfig(rate_limit=0, sub_accounts=(SUB,)), data=data) as sandbox:
        client = httpx.Client(
            transport=sandbox.transport(),
            base_url=PARTNER,
            auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        )
        assert _names(client, "Kept", SUB) == ["Kept"]
        assert _names(client, "Kept", None) == []


@pytest.mark.parametrize("subs", [("a/b",), (DEFAULT_ACCOUNT_ID,), ("x", "x")])
def test_bad_sub_account_ids_are_refused(subs: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError, match="sub-account"):
        SandboxConfig(sub_accounts=subs)


def test_created_records_and_tokens_get_ids_of_their_own_account(partner: httpx.Client) -> None:
    created = [_create(partner, "Same request", account) for account in (None, SUB, OTHER)]
    assert len(set(created)) == 3  # the seed is shared, new ids are not
    tokens = []
    for account in (None, SUB, OTHER):
        params = {"overrideAccount": account} if account else None
        path = f"/async/AtomCounters/{fixtures.PRODUCTION_ATOM.id}"
        atom = partner.get(path, headers=JSON, params=params)
        tokens.append(atom.json()["asyncToken"]["token"])
    assert len(set(tokens)) == 3


def test_seeded_records_keep_their_ids_in_every_account(partner: httpx.Client) -> None:
    """As documented: sub-accounts are seeded like the primary, so seeded ids coincide."""
    primary = [e["id"] for e in all_results(partner, "Environment", None)]
    partner.params = httpx.QueryParams({"overrideAccount": SUB})
    try:
        sub = [e["id"] for e in all_results(partner, "Environment", None)]
    finally:
        partner.params = httpx.QueryParams()
    assert primary == sub and fixtures.PRODUCTION.id in primary
