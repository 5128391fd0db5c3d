"""Per-document answers: both values of "Return Application Error Responses", failures, a 401
that stops the batch, retries underneath, and every input answered exactly once."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connector.atomsphere.catalog import unqualified_schema
from connector.documents import (
    APPLICATION_STATUS_CODE,
    APPLICATION_STATUS_MESSAGE,
    Document,
    OperationResponse,
    Status,
)
from connector.engine import OperationConfig, load_operation
from connector.engine.answers import Answers
from connector.xml import parse_xml
from tests.client.fakeapi import NS, PASSWORD, FakeApi, env_doc, error, json_body, xml
from tests.conftest import ROOT
from tests.engine.helpers import GET_PROCESS_ONE_BY_ONE, doc, operation, run, summary


def test_flag_clear_an_application_error_has_no_output(tmp_path: Path) -> None:
    api = FakeApi().on(
        "GET", "/Process/nope", json_body('{"@type": "Error", "message": "No such process"}', 400)
    )
    (result,) = run(operation(tmp_path, GET_PROCESS_ONE_BY_ONE), api, [doc(processId="nope")])
    assert (result.status, result.status_code, result.message) == (
        Status.APPLICATION_ERROR,
        "400",
        "No such process",
    )
    assert result.outputs == () and result.output_count == 0


def test_flag_set_the_error_response_becomes_an_output_document() -> None:
    op = load_operation(ROOT / "operations" / "get-process-errors-returned.yaml")
    assert op.settings.return_application_errors
    api = FakeApi().on(
        "GET", "/Process/nope", json_body('{"@type": "Error", "message": "No such process"}', 400)
    )
    api.on("GET", "/Process/p1", xml(f'<bns:Process {NS} id="p1" name="A"/>'))
    (bad,) = run(op, api, [doc(processId="nope")])
    (good,) = run(op, api, [doc(processId="p1")])
    assert bad.status is Status.APPLICATION_ERROR  # still an error, so a host can route it
    (output,) = bad.outputs
    root = parse_xml(output.data)
    assert unqualified_schema().validate(root)
    assert root.findtext("message") == "No such process"
    assert output.properties[APPLICATION_STATUS_CODE] == "400"
    assert output.properties[APPLICATION_STATUS_MESSAGE] == "No such process"
    assert good.status is Status.SUCCESS


def test_flag_set_a_document_that_was_not_sent_also_flows_on(tmp_path: Path) -> None:
    op = operation(
        tmp_path, "action: CREATE\nobject: Environment\nreturn_application_errors: true\n"
    )
    (result,) = run(op, FakeApi(), [doc("<oops")])
    assert result.status is Status.APPLICATION_ERROR and result.output_count == 1
    assert parse_xml(result.outputs[0].data).findtext("message").startswith("not sent: ")


def test_flag_set_a_failing_query_emits_the_error_document_last(tmp_path: Path) -> None:
    op = operation(
        tmp_path, "action: QUERY\nobject: Environment\nreturn_application_errors: true\n"
    )
    api = FakeApi().on(
        "POST", "/Environment/query", error(403, "Access denied due to insufficient permissions.")
    )
    (result,) = run(op, api, [doc()])
    assert (result.status, result.status_code, result.output_count) == (
        Status.APPLICATION_ERROR,
        "403",
        1,
    )


def test_failures_are_not_application_errors_and_have_no_output_either_way(tmp_path: Path) -> None:
    for flag in ("true", "false"):
        op = operation(tmp_path, GET_PROCESS_ONE_BY_ONE + f"return_application_errors: {flag}\n")
        api = FakeApi().on("GET", "/Process/a", error(500, "Internal server error"))
        api.on(
            "GET",
            "/Process/b",
            httpx.Response(200, text="<html>oops", headers={"Content-Type": "text/html"}),
        )
        api.on("GET", "/Process/c", error(503, "busy"))
        results = run(op, api, [doc(processId=x) for x in "abc"])
        assert summary(results) == [("FAILURE", "500"), ("FAILURE", "200"), ("FAILURE", "503")]
        assert "HTTP 200, but the answer is a web page" in results[1].message
        assert all(r.output_count == 0 for r in results)
        assert "gave up after 6 attempts" in results[2].message


def test_a_503_burst_is_retried_and_the_document_succeeds(tmp_path: Path) -> None:
    busy = error(503, "busy")
    api = FakeApi().on(
        "GET", "/Process/a", busy, busy, busy, busy, busy, xml(f'<bns:Process {NS} id="a"/>')
    )
    (result,) = run(operation(tmp_path, GET_PROCESS_ONE_BY_ONE), api, [doc(processId="a")])
    assert result.status is Status.SUCCESS and len(api.calls()) == 6


def test_a_401_fails_every_document_and_stops_sending(tmp_path: Path) -> None:
    answers = [xml(env_doc(f"e{n}", "x")) for n in range(3)] + [error(401, f"bad {PASSWORD}")]
    api = FakeApi().on("POST", "/Environment", *answers, xml(env_doc("late", "x")))
    op = operation(tmp_path, "action: CREATE\nobject: Environment\noptions: {concurrency: 1}\n")
    results = run(op, api, [doc(f'<bns:Environment {NS} name="n{n}"/>') for n in range(8)])
    assert summary(results) == [("SUCCESS", "200")] * 3 + [("FAILURE", "401")] * 5
    assert len(api.calls()) == 4
    assert all(PASSWORD not in r.message for r in results)
    assert results[5].message.startswith("not sent: credentials refused")


def test_a_reset_after_sending_fails_that_create_without_a_duplicate(tmp_path: Path) -> None:
    api = FakeApi().on(
        "POST",
        "/Environment",
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        xml(env_doc("e2", "b")),
    )
    op = operation(tmp_path, "action: CREATE\nobject: Environment\noptions: {concurrency: 1}\n")
    results = run(
        op,
        api,
        [doc(f'<bns:Environment {NS} name="a"/>'), doc(f'<bns:Environment {NS} name="b"/>')],
    )
    assert summary(results) == [("FAILURE", ""), ("SUCCESS", "200")]
    assert "may already have processed it" in results[0].message
    assert len(api.calls()) == 2


OUTCOMES = [
    "ok",
    "400",
    "403",
    "busy-then-ok",
    "busy-forever",
    "reset",
    "500",
    "not-xml",
    "gateway",
]
EXPECTED = {
    "ok": ("SUCCESS", "200"),
    "400": ("APPLICATION_ERROR", "400"),
    "403": ("APPLICATION_ERROR", "403"),
    "busy-then-ok": ("SUCCESS", "200"),
    "busy-forever": ("FAILURE", "503"),
    "reset": ("FAILURE", ""),
    "500": ("FAILURE", "500"),
    "not-xml": ("APPLICATION_ERROR", "400"),
    "gateway": ("FAILURE", "502"),
}
CREATE = load_operation(ROOT / "operations" / "create-environment.yaml")


def _service(outcomes: list[str]) -> FakeApi:
    attempts: dict[str, int] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        name = etree.fromstring(request.content).get("name") or ""
        outcome = outcomes[int(name)]
        attempts[name] = attempts.get(name, 0) + 1
        if outcome == "ok" or (outcome == "busy-then-ok" and attempts[name] > 2):
            return xml(env_doc(f"id-{name}", name))
        if outcome.startswith("busy"):
            return error(503, "rate limit")
        if outcome == "reset":
            raise httpx.ReadError("connection reset by peer", request=request)
        if outcome == "gateway":
            return httpx.Response(502, text="<html><title>Bad Gateway</title></html>")
        return error(int(outcome), f"refused {name}")

    return FakeApi(fallback=handle)


@settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    outcomes=st.lists(st.sampled_from(OUTCOMES), min_size=1, max_size=24),
    concurrency=st.integers(min_value=1, max_value=8),
    flag=st.booleans(),
)
def test_every_input_gets_exactly_one_answer(
    outcomes: list[str], concurrency: int, flag: bool
) -> None:
    from dataclasses import replace

    op: OperationConfig = replace(
        CREATE,
        options=replace(CREATE.options, concurrency=concurrency),
        settings=replace(CREATE.settings, return_application_errors=flag),
    )
    documents = [
        doc("{not xml" if o == "not-xml" else f'<bns:Environment {NS} name="{i}"/>')
        for i, o in enumerate(outcomes)
    ]
    results = run(op, _service(outcomes), documents)
    assert [r.index for r in results] == list(range(len(outcomes)))
    assert summary(results) == [EXPECTED[o] for o in outcomes]
    for result in results:
        returned = flag and result.status is Status.APPLICATION_ERROR
        assert result.output_count == (1 if result.ok or returned else 0)


def test_an_internal_error_is_logged_with_the_document_counted_from_1(
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = OperationResponse([Document(b"<a/>"), Document(b"<b/>")])
    answers = Answers(response, return_errors=False)
    with caplog.at_level(logging.ERROR, logger="connector"):
        answers.fail(1, RuntimeError("a bug"))
    assert [r.getMessage() for r in caplog.records] == [
        "document 2: internal error: RuntimeError: a bug"
    ]
    assert response.unanswered() == (0,)
