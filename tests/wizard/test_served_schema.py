"""Fetching and loading the served schema: ?xsd=1, the WSDL fallback, and every way it fails."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from connector.atomsphere.connection import Connection
from connector.errors import AuthenticationError, RemoteError, RetriableError, XMLInputError
from connector.wizard import SchemaDocument, fetch_schema, load_served_schema
from tests.wizard.conftest import ACCOUNT, PASSWORD, serving
from tests.wizard.helpers import run_import

SMALL = (
    b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    b'xmlns:tns="http://api.platform.boomi.com/" '
    b'targetNamespace="http://api.platform.boomi.com/" elementFormDefault="qualified">'
    b'<xs:element name="Thing" type="tns:Thing"/>'
    b'<xs:complexType name="Thing"><xs:attribute name="id" type="xs:string"/></xs:complexType>'
    b"</xs:schema>"
)


def wsdl(types: bytes) -> bytes:
    return (
        b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" '
        b'xmlns:xs="http://www.w3.org/2001/XMLSchema"><types>' + types + b"</types></definitions>"
    )


def test_the_schema_comes_from_xsd_1_with_the_connection_credentials(
    connection: Connection,
) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=SMALL)

    document = fetch_schema(connection, httpx.MockTransport(handle))
    assert document.data == SMALL
    assert document.origin == f"https://api.test.example/api/soap/v1/{ACCOUNT}?xsd=1"
    assert seen[0].headers["Authorization"].startswith("Basic ")


def test_without_xsd_1_the_wsdl_import_is_followed_on_the_same_origin(
    connection: Connection,
) -> None:
    seen: list[str] = []
    imported = wsdl(
        b'<xs:schema><xs:import namespace="http://api.platform.boomi.com/" '
        b'schemaLocation="https://api.test.example/api/soap/v1/acct-1?xsd=1"/></xs:schema>'
    )

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.query.decode()}")
        if request.url.query == b"wsdl":
            return httpx.Response(200, content=imported)
        if len(seen) == 1:
            return httpx.Response(404)  # this server only answers ?xsd=1 when the WSDL says so
        return httpx.Response(200, content=SMALL)

    document = fetch_schema(connection, httpx.MockTransport(handle))
    assert seen == ["xsd=1", "wsdl", "xsd=1"]
    assert document.data == SMALL


def test_a_schema_inside_the_wsdl_is_used_as_it_is(connection: Connection) -> None:
    inline = SMALL.replace(b'xmlns:xs="http://www.w3.org/2001/XMLSchema" ', b"")
    document = fetch_schema(connection, serving(None, wsdl=wsdl(inline)))
    served = load_served_schema(document)
    assert served.has_root("Thing")
    assert document.origin.endswith("?wsdl")


OTHER = (
    b'<xs:schema targetNamespace="urn:common" elementFormDefault="qualified">'
    b'<xs:element name="Fault" type="xs:string"/></xs:schema>'
)


def test_an_inline_schema_of_another_namespace_before_the_apis_is_passed_over(
    connection: Connection,
) -> None:
    inline = SMALL.replace(b'xmlns:xs="http://www.w3.org/2001/XMLSchema" ', b"")
    document = fetch_schema(connection, serving(None, wsdl=wsdl(OTHER + inline)))
    served = load_served_schema(document)
    assert served.namespace == "http://api.platform.boomi.com/"
    assert served.has_root("Thing") and not served.has_root("Fault")


def test_a_wrapper_importing_another_namespace_first_is_followed_to_the_apis(
    connection: Connection,
) -> None:
    wrapper = wsdl(
        b'<xs:schema targetNamespace="urn:wrap">'
        b'<xs:import namespace="urn:common" schemaLocation="schemas/common.xsd"/>'
        b'<xs:import namespace="http://api.platform.boomi.com/" schemaLocation="schemas/api.xsd"/>'
        b"</xs:schema>"
    )
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.query == b"wsdl":
            return httpx.Response(200, content=wrapper)
        if request.url.path.endswith("/common.xsd"):
            return httpx.Response(200, content=OTHER)
        if request.url.path.endswith("/api.xsd"):
            return httpx.Response(200, content=SMALL)
        return httpx.Response(404)

    document = fetch_schema(connection, httpx.MockTransport(handle))
    assert document.data == SMALL
    assert document.origin == "https://api.test.example/api/soap/v1/schemas/api.xsd"
    assert "/api/soap/v1/schemas/common.xsd" not in seen


def test_a_wsdl_without_the_api_namespace_says_which_it_has(connection: Connection) -> None:
    with pytest.raises(
        XMLInputError, match=r"no XML Schema for the API namespace .*only urn:common"
    ):
        fetch_schema(connection, serving(None, wsdl=wsdl(OTHER)))


def test_an_import_for_the_api_namespace_of_another_namespace_is_refused(
    connection: Connection,
) -> None:
    wrapper = wsdl(
        b'<xs:schema><xs:import namespace="http://api.platform.boomi.com/" '
        b'schemaLocation="schemas/api.xsd"/></xs:schema>'
    )

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.query == b"wsdl":
            return httpx.Response(200, content=wrapper)
        if request.url.path.endswith("/api.xsd"):
            return httpx.Response(
                200,
                content=b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                + OTHER[len(b"<xs:schema ") :],
            )
        return httpx.Response(404)

    with pytest.raises(
        XMLInputError,
        match="api.xsd: the WSDL imports it for .*, but its targetNamespace is urn:common",
    ):
        fetch_schema(connection, httpx.MockTransport(handle))


def test_a_wsdl_pointing_elsewhere_is_refused(connection: Connection) -> None:
    elsewhere = wsdl(
        b'<xs:schema><xs:import namespace="http://api.platform.boomi.com/" '
        b'schemaLocation="https://evil.example/schema.xsd"/></xs:schema>'
    )
    with pytest.raises(XMLInputError, match="outside the connection.*refusing"):
        fetch_schema(connection, serving(None, wsdl=elsewhere))


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthenticationError), (403, RemoteError), (500, RemoteError), (503, RetriableError)],
)
def test_http_errors_name_the_url_and_status_without_the_password(
    connection: Connection, status: int, error: type[RemoteError]
) -> None:
    with pytest.raises(error) as caught:
        fetch_schema(connection, serving(SMALL, status=status))
    assert caught.value.status == status
    assert f"?xsd=1: HTTP {status}" in str(caught.value)
    assert str(caught.value).endswith(": denied")  # the API's message, from its error body
    assert PASSWORD not in str(caught.value)


def test_an_unreachable_host_is_a_retriable_error(connection: Connection) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(RetriableError, match="cannot connect"):
        fetch_schema(connection, httpx.MockTransport(refuse))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>login</body></html>", "not an XML Schema"),
        (b"not xml at all", "not well-formed"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xs:schema '
            b'xmlns:xs="http://www.w3.org/2001/XMLSchema"/>',
            "DOCTYPE is not allowed",
        ),
        (SMALL.replace(b'type="tns:Thing"', b'type="tns:Missing"'), "does not load as XML Schema"),
        (
            SMALL.replace(
                b"<xs:element", b'<xs:include schemaLocation="file:///etc/x.xsd"/><xs:element'
            ),
            "refers to another document",
        ),
    ],
)
def test_a_schema_that_does_not_load_is_reported(data: bytes, message: str) -> None:
    with pytest.raises(XMLInputError, match=message):
        load_served_schema(SchemaDocument(data, "served"))


def test_the_cli_reports_an_unreachable_connection_with_its_status(
    connection_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import(
        "--all",
        "--connection",
        str(connection_file),
        "--profiles-dir",
        str(tmp_path / "p"),
        transport=serving(SMALL, status=401),
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "HTTP 401" in err and PASSWORD not in err
    assert not (tmp_path / "p").exists()


def test_the_cli_reports_a_broken_schema_in_one_line(
    connection_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_import(
        "--list",
        "--action",
        "GET",
        "--connection",
        str(connection_file),
        transport=serving(b"<xs:schema"),
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("error:") == 1 and "not well-formed" in err
