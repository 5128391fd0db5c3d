"""plugin.yaml's connection form and the runtime that builds the connection agree.

A host draws the connection form from ``connection.fields``: what it marks required, the default
it preselects and the fields it shows for each authentication type must be what
``connection_from_mapping`` (and the connection file's schema) really needs, picks and sends.
"""

from __future__ import annotations

import pytest

from connector.atomsphere.connection import OTP_HEADER, connection_from_mapping
from connector.descriptor import FieldSpec, bundled_descriptor
from connector.errors import ConfigError
from connector.yamlfiles import packaged_schema
from tests.conftest import sent_request

FIELDS = {f.id: f for f in bundled_descriptor().connection_fields}
#: The least a connection needs, with password authentication.
MINIMAL = {"account_id": "acct-1", "username": "u@example.com", "password": "pw"}
#: Base URLs in Boomi's forms that carry the account id.
ACCOUNT_URLS = [
    "https://api.boomi.com/api/soap/v1/acct-9?wsdl",
    "https://api.boomi.com/api/rest/v1/acct-9",
    "https://api.boomi.com/partner/api/rest/v1/acct-9",
]


def _field(field_id: str) -> FieldSpec:
    return FIELDS[field_id]


def test_the_required_fields_are_those_the_connection_file_requires() -> None:
    required = {f.id for f in FIELDS.values() if f.required}
    assert required == set(packaged_schema("connection")["required"]) == {"username"}
    for field_id in required:  # and the runtime refuses a connection without one
        values = {k: v for k, v in MINIMAL.items() if k != field_id}
        with pytest.raises(ConfigError, match=field_id):
            connection_from_mapping(values)


@pytest.mark.parametrize("url", ACCOUNT_URLS)
def test_account_id_is_optional_when_the_base_url_carries_the_account(url: str) -> None:
    assert not _field("account_id").required
    values = {k: v for k, v in MINIMAL.items() if k != "account_id"}
    assert connection_from_mapping({**values, "base_url": url}).account_id == "acct-9"


def test_account_id_is_needed_when_the_base_url_carries_none() -> None:
    values = {k: v for k, v in MINIMAL.items() if k != "account_id"}
    with pytest.raises(ConfigError, match="account_id: an account id is required"):
        connection_from_mapping({**values, "base_url": "https://api.boomi.com"})


def test_auth_type_left_out_is_the_declared_default_or_token_as_its_help_says() -> None:
    spec = _field("auth_type")
    assert connection_from_mapping(MINIMAL).auth_type == spec.default == "password"
    token = {"account_id": "a", "username": "u", "api_token": "tok"}
    assert connection_from_mapping(token).auth_type == "token"
    assert "token when an API token is given" in spec.help
    assert "default unless api_token is set" in str(
        packaged_schema("connection")["properties"]["auth_type"]["description"]
    )


@pytest.mark.parametrize("choice", [c.value for c in _field("auth_type").choices])
def test_otp_is_sent_exactly_where_the_form_shows_it(choice: str) -> None:
    """``otp`` is shown for some authentication types: with those it is sent, else refused."""
    shown = _field("otp").visible_when
    assert shown is not None and shown.field == "auth_type"
    secret = "password" if choice == "password" else "api_token"
    values = {"account_id": "a", "username": "u", "auth_type": choice, secret: "s", "otp": "12"}
    if shown.matches(choice):
        assert sent_request(connection_from_mapping(values)).headers[OTP_HEADER] == "12"
    else:
        with pytest.raises(ConfigError, match="otp: a one-time password goes with password"):
            connection_from_mapping(values)
