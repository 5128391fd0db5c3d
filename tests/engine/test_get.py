"""Get: id from a parameter or the document; many ids through bulk GET in batches, one answer per
input in input order."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from lxml import etree

from connector.documents import APPLICATION_STATUS_CODE, Status
from connector.xml import API_NS, parse_xml
from tests.client.fakeapi import NS, FakeApi, async_token, error, xml
from tests.engine.helpers import GET_COMPONENT, GET_PROCESS, doc, operation, run, summary


def process(pid: str) -> str:
    return f'<bns:Process {NS} id="{pid}" name="Process {pid}"/>'


def bulk_handler(known: set[str], shuffle: bool = False):  # type: ignore[no-untyped-def]
    """A bulk GET answering each requested id: a Result, or the documented per-item error."""

    def handle(request: httpx.Request) -> httpx.Response:
        root = etree.fromstring(request.content)
        ids = [r.get("id") for r in root.iter(f"{{{API_NS}}}request")]
        items = []
        for pid in ids:
            if pid in known:
                items.append(
                    f'<bns:response statusCode="200"><bns:Result xsi:type="bns:Process" '
                    f'id="{pid}" name="Process {pid}"/></bns:response>'
                )
            else:
                items.append(
                    f'<bns:response statusCode="400" id="{pid}" errorMessage="No such process"/>'
                )
        if shuffle:
            items.reverse()
            items = items[1:]  # and one item short, so matching must go by id
        return xml(f"<bns:BulkResult {NS}>{''.join(items)}</bns:BulkResult>")

    return handle


def _ids(results) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [parse_xml(r.outputs[0].data).get("id") if r.outputs else None for r in results]


def test_one_document_is_one_get_with_the_id_from_a_document_property(tmp_path: Path) -> None:
    api = FakeApi().on("GET", "/Process/p1", xml(process("p1")))
    results = run(operation(tmp_path, GET_PROCESS), api, [doc(processId="p1")])
    assert summary(results) == [("SUCCESS", "200")]
    assert results[0].outputs[0].properties[APPLICATION_STATUS_CODE] == "200"
    assert len(api.calls()) == 1


def test_the_id_can_come_from_the_documents_own_id_field(tmp_path: Path) -> None:
    api = FakeApi().on("GET", "/Process/p9", xml(process("p9")))
    op = operation(tmp_path, "action: GET\nobject: Process\n")
    results = run(op, api, [doc(f'<bns:Process {NS} id="p9"/>')])
    assert summary(results) == [("SUCCESS", "200")]


def test_many_ids_go_through_bulk_get_in_batches_of_100(tmp_path: Path) -> None:
    known = {f"p{i}" for i in range(250)} - {"p7", "p150"}
    api = FakeApi().on("POST", "/Process/bulk", bulk_handler(known))
    documents = [doc(processId=f"p{i}") for i in range(250)]
    results = run(operation(tmp_path, GET_PROCESS), api, documents)
    bulk_calls = api.calls("POST", "/Process/bulk")
    sizes = sorted(len(re.findall(rb"<bns:request ", r.content)) for r in bulk_calls)
    assert sizes == [50, 100, 100]
    assert len(api.calls()) == 3
    assert [r.index for r in results] == list(range(250))
    assert _ids(results) == [None if i in (7, 150) else f"p{i}" for i in range(250)]
    assert results[7].status is Status.APPLICATION_ERROR
    assert (results[7].status_code, results[7].message) == ("400", "No such process")


def test_component_bulk_get_takes_five_ids_at_a_time(tmp_path: Path) -> None:
    seen: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        ids = [r.get("id") for r in etree.fromstring(request.content)]
        seen.append(len(ids))
        items = "".join(
            f'<bns:response statusCode="200"><bns:Result xsi:type="bns:Component" '
            f'componentId="{c}"/></bns:response>'
            for c in ids
        )
        return xml(f"<bns:BulkResult {NS}>{items}</bns:BulkResult>")

    api = FakeApi().on("POST", "/Component/bulk", handle)
    op = operation(
        tmp_path,
        GET_COMPONENT,
    )
    results = run(op, api, [doc(c=f"c{i}") for i in range(12)])
    assert sorted(seen) == [2, 5, 5]
    assert [parse_xml(r.outputs[0].data).get("componentId") for r in results] == [
        f"c{i}" for i in range(12)
    ]


def test_bulk_items_are_matched_by_id_when_the_answer_is_out_of_order(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/Process/bulk", bulk_handler({"a", "b", "c"}, shuffle=True))
    results = run(operation(tmp_path, GET_PROCESS), api, [doc(processId=x) for x in "abc"])
    # "c" came first and was dropped; the others are still matched to their own inputs
    assert _ids(results) == ["a", "b", None]
    assert results[2].status is Status.FAILURE
    assert "no item for id 'c'" in results[2].message


def test_repeated_ids_are_asked_once_and_answered_for_each_input(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/Process/bulk", bulk_handler({"a", "b"}))
    results = run(operation(tmp_path, GET_PROCESS), api, [doc(processId=x) for x in "abab"])
    assert _ids(results) == ["a", "b", "a", "b"]
    (call,) = api.calls()
    assert call.content.count(b"<bns:request ") == 2


def test_bulk_batch_size_and_bulk_get_off(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/Process/bulk", bulk_handler({"a", "b", "c"}))
    op = operation(tmp_path, GET_PROCESS + "options: {bulk_batch_size: 2}\n")
    run(op, api, [doc(processId=x) for x in "abc"])
    assert len(api.calls("POST", "/Process/bulk")) == 2
    api = (
        FakeApi()
        .on("GET", "/Process/a", xml(process("a")))
        .on("GET", "/Process/b", xml(process("b")))
    )
    op = operation(tmp_path, GET_PROCESS + "options: {bulk_get: false}\n")
    assert summary(run(op, api, [doc(processId=x) for x in "ab"])) == [("SUCCESS", "200")] * 2
    assert {r.method for r in api.requests} == {"GET"}


def test_a_failed_bulk_request_answers_every_input_of_its_batch(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/Process/bulk", error(400, "Bulk request too large"))
    results = run(operation(tmp_path, GET_PROCESS), api, [doc(processId=x) for x in "abc"])
    assert summary(results) == [("APPLICATION_ERROR", "400")] * 3


def test_a_document_without_an_id_is_answered_without_a_request(tmp_path: Path) -> None:
    api = FakeApi().on("GET", "/Process/p1", xml(process("p1")))
    results = run(operation(tmp_path, GET_PROCESS), api, [doc(), doc(processId="p1")])
    assert summary(results) == [("APPLICATION_ERROR", "400"), ("SUCCESS", "200")]
    assert results[0].message == "not sent: parameter process has no value for this document"
    assert len(api.calls()) == 1


@pytest.mark.parametrize(
    ("not_found", "expected"), [("error", "APPLICATION_ERROR"), ("empty", "SUCCESS")]
)
def test_an_unknown_id_is_an_error_or_an_empty_answer(
    tmp_path: Path, not_found: str, expected: str
) -> None:
    api = FakeApi().on("GET", "/Process/nope", error(400, "ComponentId nope is invalid"))
    op = operation(tmp_path, GET_PROCESS + f"options: {{not_found: {not_found}}}\n")
    (result,) = run(op, api, [doc(processId="nope")])
    assert (result.status.value, result.status_code, result.output_count) == (expected, "400", 0)


def test_an_asynchronous_object_is_got_by_token_then_poll(tmp_path: Path) -> None:
    result_xml = f"""<bns:AsyncOperationResult {NS} numberOfResults="2">
      <bns:result xsi:type="bns:ListQueues"><bns:queueRecord queueName="a"/></bns:result>
      <bns:result xsi:type="bns:ListQueues"><bns:queueRecord queueName="b"/></bns:result>
    </bns:AsyncOperationResult>"""
    api = FakeApi().on("GET", "/async/ListQueues/atom-1", xml(async_token("ListQueues-1")))
    api.on("GET", "/async/ListQueues/response/ListQueues-1", httpx.Response(202), xml(result_xml))
    op = operation(
        tmp_path,
        "action: GET\nobject: ListQueues\nid: atom-1\noptions: {poll_interval_seconds: 0.01}\n",
    )
    (result,) = run(op, api, [doc()])
    assert (result.status, result.output_count) == (Status.SUCCESS, 2)
    assert {parse_xml(o.data).tag for o in result.outputs} == {f"{{{API_NS}}}ListQueues"}
