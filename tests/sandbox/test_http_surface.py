"""Authentication, the account in the path, routing, errors, rate limit, deprecation headers."""

from __future__ import annotations

import httpx
import pytest

from connector.atomsphere.catalog import WireAction, load_catalog
from connector.atomsphere.connection import connection_from_mapping
from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_UNPRIVILEGED_USERNAME,
    DEFAULT_USERNAME,
    Sandbox,
    fixtures,
)
from connector.sandbox.stats import UNROUTED_LABEL
from tests.sandbox.conftest import BASE, JSON, FakeClock, make_client, make_sandbox
from tests.sandbox.helpers import error_message, xml

PROCESS = f"/Process/{fixtures.ORDER_INTAKE.id}"


@pytest.mark.parametrize(
    "auth",
    [
        None,
        (DEFAULT_USERNAME, "wrong"),
        ("someone@example.com", DEFAULT_PASSWORD),
        (f"BOOMI_TOKEN.{DEFAULT_USERNAME}", DEFAULT_PASSWORD),
    ],
)
def test_bad_or_missing_credentials_are_401(sandbox: Sandbox, auth: tuple[str, str] | None) -> None:
    with make_client(sandbox, auth=auth) as client:
        response = client.get(PROCESS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert error_message(response)


def test_token_auth_and_otp_header_are_accepted(sandbox: Sandbox) -> None:
    token_auth = (f"BOOMI_TOKEN.{DEFAULT_USERNAME}", DEFAULT_API_TOKEN)
    with make_client(sandbox, auth=token_auth) as client:
        assert client.get(PROCESS).status_code == 200
    with make_client(sandbox, headers={"X-Boomi-OTP": "123456"}) as client:
        assert client.get(PROCESS).status_code == 200


def test_connector_connection_reaches_the_sandbox(sandbox: Sandbox) -> None:
    connection = connection_from_mapping(
        {
            "base_url": BASE,
            "account_id": DEFAULT_ACCOUNT_ID,
            "username": DEFAULT_USERNAME,
            "api_token": DEFAULT_API_TOKEN,
        }
    )
    with connection.http_client(sandbox.transport()) as client:
        response = client.get(f"{connection.rest_url}{PROCESS}")
    assert response.status_code == 200 and xml(response).get("name") == "Order Intake"


def test_another_accounts_id_and_the_unprivileged_user_are_403(sandbox: Sandbox) -> None:
    with make_client(sandbox) as client:
        other = client.get(f"{BASE}/api/rest/v1/other-ZZZ999{PROCESS}")
    assert other.status_code == 403
    assert error_message(other) == "Access denied due to insufficient permissions."
    with make_client(sandbox, auth=(DEFAULT_UNPRIVILEGED_USERNAME, DEFAULT_PASSWORD)) as client:
        assert client.get(PROCESS).status_code == 403


def test_unknown_paths_are_404_and_put_patch_405(client: httpx.Client) -> None:
    assert client.get("/NoSuchObject/1").status_code == 404
    assert client.get(f"{BASE}/api/rest/v2/x").status_code == 404
    assert client.post("/Process/query/extra").status_code == 404
    for method in ("PUT", "PATCH"):
        response = client.request(method, PROCESS)
        assert response.status_code == 405 and "Allow" in response.headers
    not_allowed = client.get("/ExecutionRequest")
    assert not_allowed.status_code == 405 and not_allowed.headers["allow"] == "POST"


def test_a_literal_path_under_another_method_is_the_parameter_route(client: httpx.Client) -> None:
    # Documented choice (docs/sandbox.md, Routes): GET /Atom/query reads an atom called "query".
    answer = client.get("/Atom/query")
    assert answer.status_code == 400 and error_message(answer) == "No such atom: query"


def test_stats_count_calls_no_route_answers_under_one_label(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    for n in range(20):  # a scan of made-up paths
        assert client.get(f"/Scan{n}/{n}").status_code == 404
    assert client.get(f"{BASE}/scan/elsewhere").status_code == 404
    assert client.put(PROCESS).status_code == 405
    assert client.delete(PROCESS).status_code == 400  # Process has no DELETE
    assert client.get(PROCESS).status_code == 200
    assert client.get(f"{BASE}/api/soap/v1/{DEFAULT_ACCOUNT_ID}?xsd=1").status_code == 200
    assert client.post(f"{BASE}/api/soap/v1/{DEFAULT_ACCOUNT_ID}").status_code == 405
    assert sandbox.stats.snapshot()["requests"] == {
        UNROUTED_LABEL: 24,
        "GET /Process/{id}": 1,
        "GET /api/soap/v1/{accountId}": 1,
    }


def test_every_catalog_endpoint_is_routed() -> None:
    sandbox = make_sandbox()
    catalog = load_catalog()
    total = 0
    for info in catalog:
        for endpoint in info.endpoints:
            path = endpoint.path.replace("{", "").replace("}", "")
            match = sandbox.router.match(endpoint.method, path)
            assert match is not None, endpoint.path
            literal = match.route.endpoint
            if literal.path != endpoint.path:  # a literal route won over the parameter one
                assert literal.path.count("{") < endpoint.path.count("{"), endpoint.path
            total += 1
    assert total == 382
    assert {e.wire_action for o in catalog for e in o.endpoints} == set(WireAction)


def test_errors_in_xml_and_json(client: httpx.Client) -> None:
    as_xml = client.get("/Process/nope")
    assert as_xml.headers["content-type"] == "application/xml;charset=UTF-8"
    root = xml(as_xml)
    assert root.tag == "error" and root.findtext("message") == "No such process: nope"
    as_json = client.get("/Process/nope", headers=JSON)
    assert as_json.json() == {"@type": "Error", "message": "No such process: nope"}


def test_rate_limit_answers_503_on_a_fake_clock(clock: FakeClock) -> None:
    sandbox = make_sandbox(clock, rate_limit=10)
    with make_client(sandbox) as client:
        statuses = [client.get(PROCESS).status_code for _ in range(12)]
        assert statuses == [200] * 10 + [503] * 2
        busy = client.get(PROCESS)
        assert error_message(busy) == (
            "The Boomi server is currently unavailable or your account's rate limits have "
            "been exceeded. Retry later."
        )
        clock.advance(0.1)
        assert client.get(PROCESS).status_code == 200
        assert client.get(PROCESS).status_code == 503
        clock.advance(1.0)
        assert [client.get(PROCESS).status_code for _ in range(10)] == [200] * 10
    assert sandbox.stats.snapshot()["responses503"] == 4


def test_rate_limit_burst_and_off(clock: FakeClock) -> None:
    with make_client(make_sandbox(clock, rate_limit=2, rate_burst=5)) as client:
        assert [client.get(PROCESS).status_code for _ in range(6)] == [200] * 5 + [503]
    with make_client(make_sandbox(clock, rate_limit=0)) as client:
        assert {client.get(PROCESS).status_code for _ in range(50)} == {200}


def test_deprecated_objects_carry_deprecation_headers(client: httpx.Client) -> None:
    response = client.post("/Deployment/query")
    assert response.status_code == 200
    for header in ("Deprecation", "Warning", "Link", "Sunset"):
        assert header in response.headers
    assert response.headers["warning"].startswith("299 - ")
    assert "Deprecation" not in client.get(PROCESS).headers


def test_deprecation_headers_follow_the_configuration(clock: FakeClock) -> None:
    with make_client(make_sandbox(clock, deprecated_objects=("Process",))) as client:
        assert "Deprecation" in client.get(PROCESS).headers
        assert "Deprecation" not in client.post("/Deployment/query").headers


def test_schema_endpoints(client: httpx.Client) -> None:
    from connector.atomsphere.catalog import schema_bytes

    soap = f"{BASE}/api/soap/v1/{DEFAULT_ACCOUNT_ID}"
    xsd = client.get(soap, params={"xsd": "1"})
    assert xsd.status_code == 200 and xsd.content == schema_bytes()
    wsdl = client.get(f"{soap}?wsdl")
    root = xml(wsdl)
    assert root.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"
    imported = root.find(".//{http://www.w3.org/2001/XMLSchema}import")
    assert imported is not None and imported.get("schemaLocation") == f"{soap}?xsd=1"
    operations = root.findall(".//{http://schemas.xmlsoap.org/wsdl/}portType/*")
    assert {"queryExecutionRecord", "getProcess", "createEnvironment"} <= {
        o.get("name") for o in operations
    }
    with make_client(make_sandbox(), auth=None) as anonymous:
        assert anonymous.get(f"{soap}?wsdl").status_code == 401


def test_an_internal_error_is_a_500_with_boomis_body_and_the_sandbox_keeps_serving(
    sandbox: Sandbox,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import connector.sandbox.app as app

    def broken(_call: object) -> None:
        raise RuntimeError("a bug in a handler")

    with monkeypatch.context() as patched:
        patched.setattr(app, "dispatch", broken)
        response = client.get(PROCESS)
    assert response.status_code == 500
    assert error_message(response) == app.INTERNAL_MESSAGE
    assert "a bug in a handler" not in response.text  # the traceback is logged, not sent
    assert "RuntimeError: a bug in a handler" in caplog.text
    assert client.get(PROCESS).status_code == 200
