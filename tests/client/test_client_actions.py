"""Each wire verb: the method, path and body the API documents, and how its answer is read."""

from __future__ import annotations

import httpx
import pytest

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.client import Polling
from connector.errors import ConfigError, FatalRemoteError, RetriableError
from connector.xml import API_NS, parse_xml
from tests.client.fakeapi import NS, FakeApi, FakeClock, async_token, env_doc, json_body, xml

CATALOG = load_catalog()
ENVIRONMENT = CATALOG.object("Environment")
ENV = env_doc("e1", "Prod", "PROD")


def test_get_passes_the_body_through_byte_for_byte_and_quotes_the_id() -> None:
    component = (
        f'<bns:Component {NS} componentId="c1" version="2" folderId="RjozMDk2OQ">'
        '<bns:object><process xmlns="" allowSimultaneous="false"><shapes/></process></bns:object>'
        "</bns:Component>"
    )
    api = FakeApi().on("GET", "/Component/c1~2%2Fx", xml(component))
    body = api.client().get(CATALOG.object("Component"), "c1~2/x")
    assert body == component.encode()


def test_get_refuses_a_json_answer() -> None:
    api = FakeApi().on("GET", "/Environment/e1", json_body('{"@type": "Environment"}', 200))
    with pytest.raises(FatalRemoteError, match="got JSON"):
        api.client().get(ENVIRONMENT, "e1")


def test_create_update_delete_use_the_documented_verbs() -> None:
    api = FakeApi()
    api.on("POST", "/Environment", xml(ENV))
    api.on("POST", "/Environment/e1", xml(ENV))
    api.on("DELETE", "/Environment/e1", httpx.Response(200, text="true"))
    client = api.client()
    assert client.create(ENVIRONMENT, ENV.encode()).body == ENV.encode()
    assert client.update(ENVIRONMENT, "e1", ENV.encode()).body == ENV.encode()
    client.delete(ENVIRONMENT, "e1")
    assert [(r.method, r.url.path.rsplit("/", 2)[-2:]) for r in api.requests] == [
        ("POST", ["acct-T3ST01", "Environment"]),
        ("POST", ["Environment", "e1"]),
        ("DELETE", ["Environment", "e1"]),
    ]
    assert api.requests[0].headers["Content-Type"] == "application/xml"
    assert api.requests[0].headers["Accept"] == "application/xml"
    assert not any(r.method in ("PUT", "PATCH") for r in api.requests)


def test_bulk_get_refuses_more_than_the_object_limit() -> None:
    with pytest.raises(ConfigError, match="at most 5 ids"):
        FakeApi().client().bulk_get(CATALOG.object("Component"), [f"c{i}" for i in range(6)])


def test_async_get_requests_a_token_then_polls_until_ready() -> None:
    token = async_token("AtomDiskSpace-12b08345")
    result = f"""<bns:AsyncOperationResult {NS} responseStatusCode="200" numberOfResults="1">
      <bns:result xsi:type="bns:AtomDiskSpace" quota="10" rawUsage="5"/>
    </bns:AsyncOperationResult>"""
    api = FakeApi().on("GET", "/async/AtomDiskSpace/atom-1", xml(token))
    api.on(
        "GET",
        "/async/AtomDiskSpace/response/AtomDiskSpace-12b08345",
        httpx.Response(202),
        httpx.Response(202),
        xml(result),
    )
    clock = FakeClock()
    (record,) = api.client(clock=clock).get_async(
        CATALOG.object("AtomDiskSpace"), "atom-1", Polling(interval=2, timeout=60)
    )
    assert parse_xml(record).tag == f"{{{API_NS}}}AtomDiskSpace"
    assert clock.sleeps == [2, 2]


def test_an_async_result_that_is_gone_is_an_error() -> None:
    token = async_token("T-1")
    api = FakeApi().on("GET", "/async/AtomDiskSpace/atom-1", xml(token))
    api.on("GET", "/async/AtomDiskSpace/response/T-1", httpx.Response(204))
    with pytest.raises(FatalRemoteError, match="is gone"):
        api.client().get_async(CATALOG.object("AtomDiskSpace"), "atom-1", Polling())


def test_an_async_result_that_never_comes_times_out() -> None:
    token = async_token("T-1")
    api = FakeApi().on("GET", "/async/AtomDiskSpace/atom-1", xml(token))
    api.on("GET", "/async/AtomDiskSpace/response/T-1", httpx.Response(202))
    clock = FakeClock()
    with pytest.raises(RetriableError, match="no async result within 5s"):
        api.client(clock=clock).get_async(
            CATALOG.object("AtomDiskSpace"), "atom-1", Polling(interval=1, timeout=5)
        )
    # the token request, then polls at t = 0, 1, 2, 3, 4 and 5 s
    assert len(api.calls("GET")) == 7


def test_listener_status_query_is_asynchronous() -> None:
    token = async_token("ListenerStatus-9")
    result = f"""<bns:AsyncOperationResult {NS} numberOfResults="2">
      <bns:result xsi:type="bns:ListenerStatus" status="listening" listenerId="l1"/>
      <bns:result xsi:type="bns:ListenerStatus" status="paused" listenerId="l2"/>
    </bns:AsyncOperationResult>"""
    api = FakeApi().on("POST", "/async/ListenerStatus/query", xml(token))
    api.on("GET", "/async/ListenerStatus/response/ListenerStatus-9", xml(result))
    pages = list(api.client().query(CATALOG.object("ListenerStatus"), None))
    assert [parse_xml(r).get("listenerId") for r in pages[0].records] == ["l1", "l2"]
    assert b"QueryConfig" in api.calls("POST")[0].content


def test_execution_request_is_followed_to_a_final_execution_record() -> None:
    request = f'<ExecutionRequest xmlns="{API_NS}" processId="p1" atomId="a1"/>'
    accepted = (
        f'<bns:ExecutionRequest {NS} processId="p1" atomId="a1" '
        'requestId="executionrecord-1234" recordUrl="https://x/ExecutionRecord/async/executionrecord-1234"/>'
    )

    def record(status: str) -> httpx.Response:
        return xml(
            f"<bns:ExecutionRecord {NS}><bns:executionId>execution-1</bns:executionId>"
            f"<bns:status>{status}</bns:status></bns:ExecutionRecord>"
        )

    api = FakeApi().on("POST", "/ExecutionRequest", xml(accepted))
    api.on(
        "GET",
        "/ExecutionRecord/async/executionrecord-1234",
        httpx.Response(202),
        record("INPROCESS"),
        record("COMPLETE"),
    )
    clock = FakeClock()
    body = api.client(clock=clock).execute(
        CATALOG.object("ExecutionRequest"), None, request.encode(), Polling(interval=1, timeout=60)
    )
    assert parse_xml(body.body).findtext(f"{{{API_NS}}}status") == "COMPLETE"
    assert clock.sleeps == [1, 1]
    assert api.calls("POST")[0].content == request.encode()


def test_execute_uses_the_objects_execute_path_with_its_id() -> None:
    body = f'<bns:MergeRequest {NS} id="TVI6NTQ5" mergeRequestAction="MERGE"/>'
    api = FakeApi().on("POST", "/MergeRequest/execute/TVI6NTQ5", xml(body))
    out = api.client().execute(CATALOG.object("MergeRequest"), "TVI6NTQ5", body.encode(), Polling())
    assert out.body == body.encode()


def test_an_action_without_a_body_sends_none() -> None:
    api = FakeApi().on("POST", "/cancelExecution/execution-1", httpx.Response(202))
    api.client().execute(CATALOG.object("cancelExecution"), "execution-1", b"<x/>", Polling())
    assert api.calls("POST")[0].content == b""


def test_a_path_parameter_is_required() -> None:
    with pytest.raises(ConfigError, match="needs a value"):
        FakeApi().client().execute(CATALOG.object("cancelExecution"), None, b"", Polling())


def test_a_per_request_timeout_overrides_the_connections() -> None:
    api = FakeApi().on("GET", "/Environment/e1", xml(ENV))
    client = api.client(timeout_seconds=42)
    client.get(ENVIRONMENT, "e1")
    client.get(ENVIRONMENT, "e1", timeout=3)
    first, second = (r.extensions["timeout"]["read"] for r in api.requests)
    assert (first, second) == (42, 3)
