"""Connections: from files with ${ENV} references, from the environment, never leaking secrets."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from connector.atomsphere.connection import (
    BaseUrl,
    Connection,
    Secret,
    connection_from_environment,
    connection_from_mapping,
    load_connection_file,
    parse_base_url,
    split_base_url,
)
from connector.errors import ConfigError


def _captured_auth(conn: Connection) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with conn.http_client(httpx.MockTransport(handler)) as client:
        client.get(conn.rest_url + "/Account/x")
    return seen[0]


def test_password_auth_is_basic_user_password() -> None:
    conn = connection_from_mapping(
        {"account_id": "acct-1", "username": "u@example.com", "password": "pw"}
    )
    request = _captured_auth(conn)
    expected = base64.b64encode(b"u@example.com:pw").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert str(request.url) == "https://api.boomi.com/api/rest/v1/acct-1/Account/x"


def test_token_auth_uses_the_boomi_token_prefix_and_otp_header() -> None:
    conn = connection_from_mapping(
        {"account_id": "a", "username": "u@example.com", "api_token": "tok", "otp": "123456"}
    )
    assert conn.auth_type == "token"
    request = _captured_auth(conn)
    expected = base64.b64encode(b"BOOMI_TOKEN.u@example.com:tok").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["X-Boomi-OTP"] == "123456"


def test_wsdl_url_form_gives_base_url_and_account() -> None:
    assert split_base_url("https://api.boomi.com/api/soap/v1/acct-9?wsdl") == (
        "https://api.boomi.com",
        "acct-9",
    )
    conn = connection_from_mapping(
        {
            "base_url": "https://api.platform.gb.boomi.com/api/soap/v1/eu-1?wsdl",
            "username": "u",
            "password": "p",
        }
    )
    assert conn.rest_url == "https://api.platform.gb.boomi.com/api/rest/v1/eu-1"
    assert conn.soap_url.endswith("/api/soap/v1/eu-1")


def test_secrets_never_show_in_repr_str_or_target() -> None:
    conn = connection_from_mapping(
        {"account_id": "a", "username": "u", "password": "hunter2-secret", "otp": "999111"}
    )
    for text in (repr(conn), str(conn), conn.target, str(conn.secret)):
        assert "hunter2-secret" not in text and "999111" not in text
    assert conn.scrub("failed with hunter2-secret") == "failed with ***"
    assert Secret("x") == Secret("x")


def test_every_missing_field_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        connection_from_mapping({"auth_type": "token", "rate_limit": "fast"}, source="c.yaml")
    text = str(info.value)
    for field in ("account_id", "username", "api_token", "rate_limit"):
        assert field in text


def test_file_with_environment_references(tmp_path: Path) -> None:
    path = tmp_path / "conn.yaml"
    path.write_text(
        "kind: AtomSphereConnection\naccount_id: acct-7\nusername: ${USER_NAME}\n"
        "auth_type: token\napi_token: ${TOKEN}\nrate_limit: 5\n"
    )
    conn = load_connection_file(path, env={"USER_NAME": "me@example.com", "TOKEN": "t0k"})
    assert (conn.username, conn.secret.reveal(), conn.rate_limit) == ("me@example.com", "t0k", 5.0)
    with pytest.raises(ConfigError, match=r"conn.yaml:5: api_token: environment variable TOKEN"):
        load_connection_file(path, env={"USER_NAME": "x"})


def test_unknown_field_in_file(tmp_path: Path) -> None:
    path = tmp_path / "conn.yaml"
    path.write_text("account_id: a\nusername: u\npasword: typo\n")
    with pytest.raises(ConfigError, match="unknown field"):
        load_connection_file(path, env={})


def test_environment_variables() -> None:
    env = {
        "ATOMSPHERE_ACCOUNT_ID": "acct-3",
        "ATOMSPHERE_USERNAME": "u",
        "ATOMSPHERE_API_TOKEN": "tok",
        "ATOMSPHERE_BASE_URL": "http://127.0.0.1:9090",
    }
    conn = connection_from_environment(env)
    assert conn is not None
    assert conn.rest_url == "http://127.0.0.1:9090/api/rest/v1/acct-3"
    assert conn.auth_type == "token"
    assert connection_from_environment({}) is None


def test_the_partner_api_url_form_selects_the_partner_api() -> None:
    url = "https://api.boomi.com/partner/api/rest/v1/partner-1"
    assert parse_base_url(url) == BaseUrl("https://api.boomi.com", "partner-1", True)
    assert parse_base_url("https://api.boomi.com/api/rest/v1/a") == BaseUrl(
        "https://api.boomi.com", "a", False
    )
    conn = connection_from_mapping({"base_url": url, "username": "u", "password": "p"})
    assert (conn.api, conn.partner, conn.account_id) == ("partner", True, "partner-1")
    assert conn.rest_url == url
    assert conn.soap_url == "https://api.boomi.com/api/soap/v1/partner-1"  # the same schema


def test_the_api_field_and_its_environment_variable(tmp_path: Path) -> None:
    conn = connection_from_mapping(
        {"account_id": "p-1", "username": "u", "password": "p", "api": "Partner"}
    )
    assert conn.rest_url == "https://api.boomi.com/partner/api/rest/v1/p-1"
    env = {"ATOMSPHERE_ACCOUNT_ID": "p-2", "ATOMSPHERE_USERNAME": "u"}
    env |= {"ATOMSPHERE_PASSWORD": "p", "ATOMSPHERE_API": "partner"}
    from_env = connection_from_environment(env)
    assert from_env is not None and from_env.partner
    path = tmp_path / "conn.yaml"
    path.write_text("account_id: a\nusername: u\npassword: p\napi: ${API}\n")
    assert load_connection_file(path, env={"API": "partner"}).partner
    plain = {"account_id": "a", "username": "u", "password": "p"}
    assert not connection_from_mapping(plain).partner


@pytest.mark.parametrize(
    ("api", "base_url", "message"),
    [
        ("soap", "", "must be 'platform' or 'partner'"),
        ("partner", "https://api.boomi.com/api/soap/v1/a?wsdl", "a platform API URL"),
        ("platform", "https://api.boomi.com/partner/api/rest/v1/a", "a partner API URL"),
    ],
)
def test_a_contradictory_api_is_refused(api: str, base_url: str, message: str) -> None:
    values = {"account_id": "a", "username": "u", "password": "p", "api": api}
    if base_url:
        values["base_url"] = base_url
    with pytest.raises(ConfigError, match=message):
        connection_from_mapping(values, source="c.yaml")


def test_a_sub_account_needs_a_partner_connection() -> None:
    from connector.atomsphere.client import AtomSphereClient

    values = {"account_id": "a", "username": "u", "password": "p"}
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=b"<x/>", headers={"Content-Type": "application/xml"})

    platform = AtomSphereClient(connection_from_mapping(values))
    with pytest.raises(ConfigError, match="needs a Partner API connection"):
        platform.overriding("sub-1")
    assert platform.overriding(None) is platform
    partner = connection_from_mapping({**values, "api": "partner"})
    with AtomSphereClient(partner, transport=httpx.MockTransport(handler)) as client:
        view = client.overriding("sub-1")
        view.http.send("GET", "/Account/a", idempotent=True)
        client.http.send("GET", "/Account/a", idempotent=True)
        assert view.http.stats().calls == client.http.stats().calls == 2
    assert [u.params.get("overrideAccount") for u in seen] == ["sub-1", None]
