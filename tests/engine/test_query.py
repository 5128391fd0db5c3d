"""Query: one output per record, streamed page by page, once per input document; a query that
fails half-way still closes its input."""

from __future__ import annotations

from pathlib import Path

import httpx

from connector.documents import Document, OperationResponse, Status
from connector.engine import run_operation
from connector.xml import parse_xml
from tests.client.fakeapi import NS, FakeApi, error, query_result, xml
from tests.engine.helpers import doc, operation, run, summary

QUERY = """
action: QUERY
object: ExecutionRecord
filter:
  and:
    - {property: status, operator: EQUALS, arguments: [{param: status}]}
    - {property: processName, operator: LIKE, arguments: ["Orders%"]}
parameters:
  status: {from: document_property, name: status, default: ERROR}
"""


def record(n: int, status: str = "ERROR") -> str:
    return (
        '<bns:result xsi:type="bns:ExecutionRecord">'
        f"<bns:executionId>execution-{n}</bns:executionId>"
        f"<bns:status>{status}</bns:status><bns:processName>Orders</bns:processName></bns:result>"
    )


def pages(total: int, size: int = 100) -> list[httpx.Response]:
    out = []
    for start in range(0, total, size):
        token = f"token-{start + size}" if start + size < total else None
        out.append(
            xml(query_result([record(n) for n in range(start, min(total, start + size))], token))
        )
    return out


def _route(api: FakeApi, responses: list[httpx.Response]) -> None:
    api.on("POST", "/ExecutionRecord/query", responses[0])
    if responses[1:]:
        api.on("POST", "/ExecutionRecord/queryMore", *responses[1:])


def test_every_record_of_every_page_is_one_output_document(tmp_path: Path) -> None:
    api = FakeApi()
    _route(api, pages(250))
    (result,) = run(operation(tmp_path, QUERY), api, [doc()])
    assert (result.status, result.status_code, result.output_count) == (Status.SUCCESS, "200", 250)
    assert result.message == "250 records"
    ids = [
        parse_xml(o.data).findtext("{http://api.platform.boomi.com/}executionId")
        for o in result.outputs
    ]
    assert ids == [f"execution-{n}" for n in range(250)]
    sent = api.calls("POST", "/ExecutionRecord/query")[0].content
    assert b'operator="and"' in sent and b"<argument>ERROR</argument>" in sent
    assert b"<argument>Orders%</argument>" in sent


def test_records_stream_to_the_host_before_the_next_page_is_fetched(tmp_path: Path) -> None:
    events: list[str] = []
    api = FakeApi()
    page_answers = pages(300)

    def more(request: httpx.Request) -> httpx.Response:
        events.append("fetch")
        return page_answers.pop(1)

    api.on("POST", "/ExecutionRecord/query", page_answers[0]).on(
        "POST", "/ExecutionRecord/queryMore", more
    )
    documents = [doc()]
    response = OperationResponse(
        documents, on_output=lambda i, d: events.append("out"), retain_outputs=False
    )
    run_operation(operation(tmp_path, QUERY), api.client(), documents, response)
    assert events == ["out"] * 100 + ["fetch"] + ["out"] * 100 + ["fetch"] + ["out"] * 100
    (result,) = response.results
    assert result.output_count == 300 and result.outputs == ()


def test_each_input_document_runs_its_own_query_with_its_own_values(tmp_path: Path) -> None:
    api = FakeApi().on(
        "POST",
        "/ExecutionRecord/query",
        xml(query_result([record(1)])),
        xml(query_result([record(2, "COMPLETE"), record(3, "COMPLETE")])),
    )
    results = run(operation(tmp_path, QUERY), api, [doc(), doc(status="COMPLETE")])
    assert [r.output_count for r in results] == [1, 2]
    first, second = (r.content for r in api.calls("POST"))
    assert b"<argument>ERROR</argument>" in first and b"<argument>COMPLETE</argument>" in second


def test_no_records_is_a_success_with_no_outputs(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/ExecutionRecord/query", xml(query_result([])))
    assert summary(run(operation(tmp_path, QUERY), api, [doc()])) == [("SUCCESS", "200")]


def test_a_query_that_fails_half_way_keeps_its_outputs_and_closes_with_a_failure(
    tmp_path: Path,
) -> None:
    api = FakeApi()
    first, *_ = pages(300)
    api.on("POST", "/ExecutionRecord/query", first)
    api.on("POST", "/ExecutionRecord/queryMore", error(500, "Internal error"))
    (result,) = run(operation(tmp_path, QUERY), api, [doc()])
    assert (result.status, result.status_code, result.output_count) == (Status.FAILURE, "500", 100)


def test_a_repeated_token_fails_the_query_as_a_loop(tmp_path: Path) -> None:
    api = FakeApi()
    api.on("POST", "/ExecutionRecord/query", xml(query_result([record(1)], "same")))
    api.on("POST", "/ExecutionRecord/queryMore", xml(query_result([record(2)], "same")))
    (result,) = run(operation(tmp_path, QUERY), api, [doc()])
    assert result.status is Status.FAILURE and "loop detected" in result.message
    assert result.output_count == 2


def test_an_empty_page_ends_the_query(tmp_path: Path) -> None:
    api = FakeApi()
    api.on("POST", "/ExecutionRecord/query", xml(query_result([record(1)], "t1")))
    api.on("POST", "/ExecutionRecord/queryMore", xml(query_result([], "t2")))
    (result,) = run(operation(tmp_path, QUERY), api, [doc()])
    assert (result.status, result.output_count) == (Status.SUCCESS, 1)


def test_the_page_cap_fails_loudly_and_max_results_stops_with_a_message(tmp_path: Path) -> None:
    api = FakeApi()
    _route(api, pages(500))
    (capped,) = run(operation(tmp_path, QUERY + "options: {max_pages: 2}\n"), api, [doc()])
    assert capped.status is Status.FAILURE and "page cap of 2 pages" in capped.message
    assert capped.output_count == 200
    api = FakeApi()
    _route(api, pages(500))
    (limited,) = run(operation(tmp_path, QUERY + "options: {max_results: 150}\n"), api, [doc()])
    assert (limited.status, limited.output_count) == (Status.SUCCESS, 150)
    assert "stopped at options.max_results" in limited.message
    assert len(api.calls()) == 2  # no page is fetched beyond what was needed


def test_a_rejected_filter_is_an_application_error(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/ExecutionRecord/query", error(400, "Unknown property colour"))
    (result,) = run(operation(tmp_path, QUERY), api, [doc()])
    assert (result.status, result.status_code, result.message) == (
        Status.APPLICATION_ERROR,
        "400",
        "Unknown property colour",
    )
    assert result.output_count == 0


def test_a_query_with_no_filter_sends_an_empty_query_filter(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/Environment/query", xml(query_result([])))
    run(operation(tmp_path, "action: QUERY\nobject: Environment\n"), api, [Document(b"")])
    body = api.calls()[0].content
    assert b"<QueryFilter/>" in body and b"expression" not in body


def test_query_outputs_are_records_in_the_api_namespace(tmp_path: Path) -> None:
    api = FakeApi().on(
        "POST",
        "/Environment/query",
        xml(query_result([f'<bns:result xsi:type="Environment" {NS} id="e1" name="a"/>'])),
    )
    (result,) = run(operation(tmp_path, "action: QUERY\nobject: Environment\n"), api, [doc()])
    root = parse_xml(result.outputs[0].data)
    assert root.tag == "{http://api.platform.boomi.com/}Environment" and root.get("id") == "e1"
