"""Connections: from files with ${ENV} references, from the environment, never leaking secrets."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import jsonschema
import pytest

from connector.atomsphere.connection import (
    Connection,
    Secret,
    connection_from_environment,
    connection_from_mapping,
    load_connection_file,
)
from connector.atomsphere.urls import BaseUrl, parse_base_url, split_base_url
from connector.errors import ConfigError
from connector.yamlfiles import load_yaml_file, packaged_schema
from tests.conftest import sent_request

TIMEOUT = "must be a number of seconds from 0.001 to 86400"
RATE = "must be 0 (no limit) or a number from 0.001 to 1000000"


def test_password_auth_is_basic_user_password() -> None:
    conn = connection_from_mapping(
        {"account_id": "acct-1", "username": "u@example.com", "password": "pw"}
    )
    request = sent_request(conn)
    expected = base64.b64encode(b"u@example.com:pw").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert str(request.url) == "https://api.boomi.com/api/rest/v1/acct-1/Account/x"


def test_token_auth_uses_the_boomi_token_prefix() -> None:
    conn = connection_from_mapping(
        {"account_id": "a", "username": "u@example.com", "api_token": "tok"}
    )
    assert conn.auth_type == "token"
    request = sent_request(conn)
    expected = base64.b64encode(b"BOOMI_TOKEN.u@example.com:tok").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert "X-Boomi-OTP" not in request.headers


def test_password_auth_sends_the_otp_header() -> None:
    conn = connection_from_mapping(
        {"account_id": "a", "username": "u@example.com", "password": "pw", "otp": "123456"}
    )
    assert sent_request(conn).headers["X-Boomi-OTP"] == "123456"


@pytest.mark.parametrize("auth", [{"auth_type": "token"}, {}])
def test_an_otp_with_token_auth_is_refused_in_one_line(auth: dict[str, str]) -> None:
    """plugin.yaml shows otp only with password authentication; a token never sends it."""
    values = {"account_id": "a", "username": "u", "api_token": "tok", "otp": "123456", **auth}
    with pytest.raises(ConfigError) as info:
        connection_from_mapping(values, source="c.yaml")
    assert str(info.value) == (
        "c.yaml: otp: a one-time password goes with password authentication; "
        "token authentication takes none"
    )
    assert "123456" not in str(info.value)
    # A Connection made directly with both still sends no OTP header.
    direct = Connection("a", "u", Secret("tok"), auth_type="token", otp=Secret("123456"))
    assert "X-Boomi-OTP" not in sent_request(direct).headers


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


def test_a_connection_file_may_state_its_format_version(tmp_path: Path) -> None:
    path = tmp_path / "conn.yaml"
    path.write_text(
        "kind: AtomSphereConnection\nversion: 1\naccount_id: a\nusername: u\npassword: p\n"
    )
    assert load_connection_file(path, env={}).account_id == "a"
    path.write_text("version: 2\naccount_id: a\nusername: u\npassword: p\n")
    with pytest.raises(ConfigError, match=r"conn.yaml:1: version: "):
        load_connection_file(path, env={})


def test_the_connection_file_in_the_operations_doc_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[1] / "docs" / "operations.md").read_text("utf-8")
    text = doc.split("```yaml\n# connection.yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "connection.yaml"
    path.write_text(text, "utf-8")
    conn = load_connection_file(path, env={"ATOMSPHERE_PASSWORD": "sandbox-password"})
    assert (conn.account_id, conn.username, conn.auth_type) == (
        "sandbox-A1B2C3",
        "sandbox@example.com",
        "password",
    )
    assert conn.secret.reveal() == "sandbox-password"


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
        {"account_id": "p-1", "username": "u", "password": "p", "api": " partner "}
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
        ("Partner", "", "must be 'platform' or 'partner'"),
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


#: Connection files as users write them, and whether they are acceptable. The published schema and
#: the loader's own checks must give the same answer on each (the schema is what editors and the
#: designer check a file against; the loader is what runs).
FILES = [
    ("account_id: a", True),
    ("base_url: https://api.boomi.com/api/soap/v1/acct-1?wsdl", True),
    ("base_url: https://api.boomi.com/api/rest/v1/acct-1", True),
    ("base_url: https://api.boomi.com/partner/api/rest/v1/acct-1", True),
    ("base_url: HTTPS://API.BOOMI.COM/API/SOAP/V1/acct-1?wsdl", True),
    ("base_url: https://api.boomi.com/api/soap/v1/acct-1?wsdl\naccount_id: ''", True),
    ("base_url: https://api.boomi.com", False),
    ("base_url: https://api.boomi.com/api/rest/v1/", False),
    ("base_url: https://api.boomi.com\naccount_id: '  '", False),
    ("", False),
    ("account_id: a\nbase_url: ftp://api.boomi.com", False),
    ("account_id: a\nbase_url: api.boomi.com", False),
    ("account_id: a\napi: partner", True),
    ("account_id: a\napi: platform", True),
    ("account_id: a\napi: foo", False),
    ("account_id: a\napi: Partner", False),
    ("base_url: https://api.boomi.com/partner/api/rest/v1/a\napi: partner", True),
    ("base_url: https://api.boomi.com/partner/api/rest/v1/a\napi: platform", False),
    ("base_url: https://api.boomi.com/api/soap/v1/a?wsdl\napi: partner", False),
    ("base_url: https://api.boomi.com/api/rest/v1/a\napi: partner", False),
    ("account_id: a\nverify_tls: false", True),
    ("account_id: a\nverify_tls: 0", False),
    ("account_id: a\ntimeout_seconds: 0.5\nrate_limit: 0", True),
    ("account_id: a\ntimeout_seconds: 0", False),
    ("account_id: a\nrate_limit: -1", False),
    ("account_id: a\ntimeout_seconds: true", False),
    ("account_id: a\nauth_type: token\napi_token: t", True),
    ("account_id: a\nauth_type: token", False),
    ("account_id: a\nauth_type: password\napi_token: t", False),
    ("account_id: a\nauth_type: sso", False),
    ("account_id: a\nbase_url: https://user:s3cret@api.boomi.com", False),
    ("account_id: a\nbase_url: https://user@api.boomi.com", False),
    ("base_url: https://u:p@api.boomi.com/api/rest/v1/acct-1", False),
    ("account_id: a\nbase_url: 'http://[::1'", False),
    ("account_id: a\nbase_url: 'http://[::1]:8080/'", True),
    ("account_id: a\nbase_url: http://127.0.0.1:9090", True),
    ("account_id: a\nbase_url: https://api.boomi.com:443", True),
    ("account_id: a\nbase_url: https://api.boomi.com:65535", True),
    ("account_id: a\nbase_url: https://api.boomi.com:65536", False),
    ("account_id: a\nbase_url: https://api.boomi.com:0", False),
    ("account_id: a\nbase_url: 'https://api.boomi.com:'", False),
    ("account_id: a\nbase_url: https://api.boomi.com:http", False),
    ("account_id: a\nbase_url: 'https://api.boomi.com/a b'", False),
    ("account_id: a\nbase_url: 'https:///api'", False),
    ("account_id: a\nbase_url: ftp://x", False),
    ("account_id: a\ntimeout_seconds: 1e400", False),
    ("account_id: a\ntimeout_seconds: .inf", False),
    ("account_id: a\ntimeout_seconds: .nan", False),
    ("account_id: a\ntimeout_seconds: -1", False),
    ("account_id: a\ntimeout_seconds: 0.001", True),
    ("account_id: a\ntimeout_seconds: 0.0009", False),
    ("account_id: a\ntimeout_seconds: 86400", True),
    ("account_id: a\ntimeout_seconds: 86400.5", False),
    (f"account_id: a\nrate_limit: {10**400}", False),
    ("account_id: a\nrate_limit: .nan", False),
    ("account_id: a\nrate_limit: -.inf", False),
    ("account_id: a\nrate_limit: 0.0005", False),
    ("account_id: a\nrate_limit: 0.001", True),
    ("account_id: a\nrate_limit: 1000000", True),
    ("account_id: a\nrate_limit: 1000001", False),
]


def _file(tmp_path: Path, text: str) -> Path:
    body = text if "auth_type" in text else f"{text}\npassword: p"
    path = tmp_path / "c.yaml"
    path.write_text(f"kind: AtomSphereConnection\nusername: u\n{body}\n")
    return path


@pytest.mark.parametrize(("text", "acceptable"), FILES)
def test_the_schema_accepts_exactly_what_the_loader_accepts(
    tmp_path: Path, text: str, acceptable: bool
) -> None:
    path = _file(tmp_path, text)
    data = load_yaml_file(path).data
    schema = jsonschema.Draft202012Validator(packaged_schema("connection"))
    assert schema.is_valid(data) is acceptable, "the schema"
    try:
        connection_from_mapping(data, source=str(path))  # the loader's checks, without the schema
        loader = True
    except ConfigError:
        loader = False
    assert loader is acceptable, "the loader's own checks"
    try:
        load_connection_file(path, env={})
        loads = True
    except ConfigError as exc:
        loads = False
        assert all(p.line for p in exc.problems), f"every problem has its line: {exc}"
    assert loads is acceptable, "the file"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('verify_tls: "maybe"', "c.yaml:4: verify_tls: must be true or false, unquoted"),
        ('verify_tls: "false"', "c.yaml:4: verify_tls: must be true or false, unquoted"),
        ('timeout_seconds: "30"', "c.yaml:4: timeout_seconds: must be a number of seconds from"),
        ("timeout_seconds: 1e400", "c.yaml:4: timeout_seconds: must be a number of seconds from"),
        ("rate_limit: .nan", "c.yaml:4: rate_limit: must be 0 (no limit) or a number from 0.001"),
        (
            "account_id: a\nbase_url: 'http://[::1'",
            "c.yaml:4: base_url: must be an http(s) URL: a host name or [IPv6] address",
        ),
        ("api: soap", "c.yaml:4: api: must be 'platform' or 'partner'"),
        ("base_url: https://api.boomi.com", "c.yaml:1: an account id is required: set account_id"),
        (
            "base_url: https://api.boomi.com/partner/api/rest/v1/a\napi: platform",
            "c.yaml:4: api: api is 'platform', but base_url is a partner API URL",
        ),
    ],
)
def test_a_wrong_value_in_a_connection_file_names_file_line_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    if "base_url" not in text:
        text = f"account_id: a\n{text}"
    with pytest.raises(ConfigError) as info:
        load_connection_file(_file(tmp_path, text), env={})
    (problem,) = info.value.problems
    assert str(problem).split("/")[-1].startswith(message)


@pytest.mark.parametrize(
    ("value", "verify"), [("false", False), (" TRUE ", True), ("False", False), ("true", True)]
)
def test_a_boolean_from_the_environment_is_true_or_false(
    tmp_path: Path, value: str, verify: bool
) -> None:
    path = _file(tmp_path, "account_id: a\nverify_tls: ${TLS}")
    assert load_connection_file(path, env={"TLS": value}).verify_tls is verify


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("verify_tls: ${V}", "maybe", "c.yaml:4: verify_tls: must be true or false"),
        ("verify_tls: ${V}", "no", "c.yaml:4: verify_tls: must be true or false"),
        ("verify_tls: ${V}", "", "c.yaml:4: verify_tls: must be true or false"),
        ("timeout_seconds: ${V}", "abc", f"c.yaml:4: timeout_seconds: {TIMEOUT}"),
        ("timeout_seconds: ${V}", "nan", f"c.yaml:4: timeout_seconds: {TIMEOUT}"),
        ("timeout_seconds: ${V}", "1e400", f"c.yaml:4: timeout_seconds: {TIMEOUT}"),
        ("timeout_seconds: ${V}", "86401", f"c.yaml:4: timeout_seconds: {TIMEOUT}"),
        ("rate_limit: ${V}", "-1", f"c.yaml:4: rate_limit: {RATE}"),
        ("rate_limit: ${V}", "0.0001", f"c.yaml:4: rate_limit: {RATE}"),
        ("rate_limit: ${V}", "9" * 400, f"c.yaml:4: rate_limit: {RATE}"),
        (
            "base_url: ${V}",
            "http://[::1",
            "c.yaml:4: base_url: has an invalid IPv6 address (write it as [::1])",
        ),
        ("base_url: ${V}", "ftp://x", "c.yaml:4: base_url: must be an http(s) URL, not 'ftp'"),
        (
            "base_url: ${V}",
            "https://h:99999",
            "c.yaml:4: base_url: port must be a number from 1 to 65535",
        ),
        ("api: ${V}", "soap", "c.yaml:4: api: must be 'platform' or 'partner'"),
        ("account_id: ${V}", "", "c.yaml:3: account_id: an account id is required"),
    ],
)
def test_a_referenced_value_is_checked_once_expanded_with_its_line(
    tmp_path: Path, text: str, value: str, message: str
) -> None:
    if "account_id" not in text:
        text = f"account_id: a\n{text}"
    with pytest.raises(ConfigError) as info:
        load_connection_file(_file(tmp_path, text), env={"V": value})
    assert [str(p).split("/")[-1] for p in info.value.problems] == [message]


def test_typed_values_from_hosts_and_the_environment_are_strict() -> None:
    values = {"account_id": "a", "username": "u", "password": "p"}
    assert connection_from_mapping({**values, "timeout_seconds": "2.5"}).timeout_seconds == 2.5
    for key, value in [
        ("verify_tls", "maybe"),
        ("verify_tls", "off"),
        ("verify_tls", 0),
        ("timeout_seconds", True),
        ("timeout_seconds", "inf"),
        ("rate_limit", "1_000"),
        ("rate_limit", 10**400),
        ("rate_limit", float("nan")),
        ("timeout_seconds", 0),
        ("timeout_seconds", -1),
        ("timeout_seconds", 1e400),
        ("base_url", "http://[::1"),
        ("base_url", "https://x:0"),
    ]:
        with pytest.raises(ConfigError, match=key):
            connection_from_mapping({**values, key: value})


USERINFO_URLS = [
    "https://user:hunter2-secret@api.boomi.com",
    "https://user:hunter2-secret@api.boomi.com/api/rest/v1/acct-1",
    "http://user:hunter2-secret@[::1",
    " HTTPS://user:hunter2-secret@api.boomi.com:99999 ",
]


@pytest.mark.parametrize("url", USERINFO_URLS)
def test_a_base_url_with_a_password_is_refused_without_echoing_it(tmp_path: Path, url: str) -> None:
    def check(exc: ConfigError, where: str) -> None:
        assert len(exc.problems) == 1
        text = str(exc)
        assert "hunter2" not in text and "user:hunter2" not in text, text
        assert text.startswith(where) and "must not carry a user name or password" in text, text

    path = _file(tmp_path, f"account_id: a\nbase_url: '{url}'")
    with pytest.raises(ConfigError) as info:
        load_connection_file(path, env={})
    check(info.value, f"{path}:4: base_url: ")
    path = _file(tmp_path, "account_id: a\nbase_url: ${URL}")
    with pytest.raises(ConfigError) as info:
        load_connection_file(path, env={"URL": url})
    check(info.value, f"{path}:4: base_url: ")
    env = {"ATOMSPHERE_BASE_URL": url, "ATOMSPHERE_ACCOUNT_ID": "a"}
    env |= {"ATOMSPHERE_USERNAME": "u", "ATOMSPHERE_PASSWORD": "p"}
    with pytest.raises(ConfigError) as info:
        connection_from_environment(env)
    check(info.value, "environment: ATOMSPHERE_BASE_URL: ")
    with pytest.raises(ConfigError) as info:
        connection_from_mapping(
            {"base_url": url, "account_id": "a", "username": "u"} | {"password": "p"}
        )
    check(info.value, "base_url: ")


def test_the_schema_and_the_loader_share_the_url_rules() -> None:
    from connector.atomsphere.urls import HTTP_URL, USERINFO

    base_url = packaged_schema("connection")["properties"]["base_url"]
    assert base_url["allOf"][0]["not"]["pattern"] == USERINFO
    assert base_url["allOf"][1]["then"]["anyOf"][0]["pattern"] == HTTP_URL


def test_text_fields_keep_the_text_written_and_yaml_1_1_booleans_are_refused(
    tmp_path: Path,
) -> None:
    path = _file(tmp_path, "account_id: 0123\npassword: 0777")
    path.write_text(path.read_text().replace("password: p\n", ""))
    conn = load_connection_file(path, env={})
    assert (conn.account_id, conn.secret.reveal()) == ("0123", "0777")
    for word in ("yes", "no", "on", "off"):
        with pytest.raises(ConfigError) as info:
            load_connection_file(_file(tmp_path, f"account_id: a\nverify_tls: {word}"), env={})
        assert str(info.value).endswith(
            "c.yaml:4: verify_tls: must be true or false, unquoted (or a ${VAR} reference)"
        )
