"""The per-document contract: every input answered exactly once, in one of four shapes."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from connector.documents import Document, OperationResponse, Status
from connector.errors import ContractError


def _docs(n: int) -> list[Document]:
    return [Document(f"<d>{i}</d>".encode()) for i in range(n)]


def test_document_is_immutable_and_bytes_only() -> None:
    doc = Document(b"<a/>", {"k": "v"})
    with pytest.raises(TypeError):
        doc.properties["k"] = "w"  # type: ignore[index]
    with pytest.raises(TypeError):
        Document("<a/>")  # type: ignore[arg-type]
    assert doc.with_properties(x="1").properties == {"k": "v", "x": "1"}


@pytest.mark.parametrize(
    ("value", "kind"),
    [(5, "int"), (b"v", "bytes"), (["v"], "list"), (1.5, "float"), (True, "bool")],
)
def test_a_property_value_that_is_not_text_is_refused_naming_the_property(
    value: object, kind: str
) -> None:
    message = (
        rf"Document.properties\['count'\] must be str \(or None to leave it unset\), not {kind}"
    )
    with pytest.raises(TypeError, match=message):
        Document(b"", {"ok": "v", "count": value})  # type: ignore[dict-item]
    dynamic = r"Document.dynamic_operation_properties\['count'\] must be str"
    with pytest.raises(TypeError, match=dynamic):
        Document(b"", {}, {"count": value})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"Document.properties\['count'\] must be str"):
        Document(b"", {"a": "b"}).with_properties(count=value)  # type: ignore[arg-type]


def test_a_property_name_that_is_not_text_or_a_mapping_that_is_not_one_is_refused() -> None:
    with pytest.raises(TypeError, match="property names must be str, not 1"):
        Document(b"", {1: "v"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="Document.properties must be a mapping, not list"):
        Document(b"", [("k", "v")])  # type: ignore[arg-type]


def test_a_property_set_to_none_is_unset() -> None:
    doc = Document(b"", {"keep": "v", "gone": None}, {"d": None})  # type: ignore[dict-item]
    assert dict(doc.properties) == {"keep": "v"}
    assert dict(doc.dynamic_operation_properties) == {}
    assert dict(doc.with_properties(keep=None, new="n").properties) == {"new": "n"}


def test_one_to_one_and_results_in_input_order() -> None:
    response = OperationResponse(_docs(3))
    for i in (2, 0, 1):
        response.add_result(i, Status.SUCCESS, "200", "", Document(b"<out/>"))
    assert [r.index for r in response.results] == [0, 1, 2]
    assert all(r.output_count == 1 for r in response.results)


def test_answering_twice_is_a_contract_error() -> None:
    response = OperationResponse(_docs(1))
    response.add_empty_result(0, Status.SUCCESS)
    with pytest.raises(ContractError, match="already been answered"):
        response.add_empty_result(0, Status.FAILURE)
    with pytest.raises(ContractError, match="not in this batch"):
        response.add_empty_result(5, Status.SUCCESS)


def test_results_refuse_while_documents_are_unanswered() -> None:
    response = OperationResponse(_docs(2))
    response.add_empty_result(0, Status.SUCCESS)
    with pytest.raises(ContractError, match=r"\[1\]"):
        _ = response.results
    assert response.unanswered() == (1,)


def test_partial_results_stream_to_the_listener_and_finish() -> None:
    seen: list[tuple[int, bytes]] = []
    response = OperationResponse(
        _docs(1), on_output=lambda i, d: seen.append((i, d.data)), retain_outputs=False
    )
    for n in range(250):
        response.add_partial_result(0, Document(f"<r>{n}</r>".encode()))
    result = response.finish_partial_result(0, Status.SUCCESS, "200")
    assert len(seen) == 250 and seen[0] == (0, b"<r>0</r>")
    assert result.output_count == 250 and result.outputs == ()


def test_combined_result_answers_every_input_once() -> None:
    response = OperationResponse(_docs(3))
    first, *rest = response.add_combined_result([0, 2], Status.SUCCESS, output=Document(b"<c/>"))
    assert first.output_count == 1
    assert [r.combined_into for r in rest] == [0]
    response.add_empty_result(1, Status.SUCCESS)
    assert len(response.results) == 3


def test_fail_unanswered_closes_partials_and_open_documents() -> None:
    response = OperationResponse(_docs(3))
    response.add_empty_result(0, Status.SUCCESS)
    response.add_partial_result(1, Document(b"<r/>"))
    added = response.fail_unanswered("connector crashed")
    assert [(r.index, r.status, r.output_count) for r in added] == [
        (1, Status.FAILURE, 1),
        (2, Status.FAILURE, 0),
    ]
    assert response.results[2].message == "connector crashed"


def test_answers_from_many_threads() -> None:
    docs = _docs(500)
    response = OperationResponse(docs)

    def answer(start: int) -> None:
        for i in range(start, 500, 4):
            response.add_result(i, Status.SUCCESS, "200", "", Document(b"<o/>"))

    threads = [threading.Thread(target=answer, args=(s,)) for s in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(response.results) == 500


def test_on_result_hears_every_answer_in_every_shape() -> None:
    heard: list[tuple[int, Status]] = []
    response = OperationResponse(_docs(5), on_result=lambda r: heard.append((r.index, r.status)))
    response.add_result(0, Status.SUCCESS, output=Document(b"<o/>"))
    response.add_partial_result(1, Document(b"<r/>"))
    response.finish_partial_result(1, Status.SUCCESS)
    response.add_combined_result([2, 3], Status.APPLICATION_ERROR)
    response.fail_unanswered("gone")
    assert heard == [
        (0, Status.SUCCESS),
        (1, Status.SUCCESS),
        (2, Status.APPLICATION_ERROR),
        (3, Status.APPLICATION_ERROR),
        (4, Status.FAILURE),
    ]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda r: r.add_result(0, Status.SUCCESS, "200", "", b"raw"),
            r"add_result: output must be a Document or None, not bytes",
        ),
        (
            lambda r: r.add_result(0, "OK", "200", "", Document(b"")),
            r"add_result: status must be a Status \(SUCCESS, APPLICATION_ERROR, FAILURE\), "
            r"not str 'OK'",
        ),
        (
            lambda r: r.add_result(0, Status.SUCCESS, 200, None, Document(b"")),
            r"add_result: status_code must be str \(or None\), not int 200",
        ),
        (
            lambda r: r.add_result(0, Status.SUCCESS, "200", 404),
            r"add_result: message must be str \(or None\), not int 404",
        ),
        (
            lambda r: r.add_result("0", Status.SUCCESS),
            r"add_result: index must be int, not str '0'",
        ),
        (
            lambda r: r.add_empty_result(0, None),
            r"add_empty_result: status must be a Status .*not NoneType None",
        ),
        (
            lambda r: r.add_empty_result(0, Status.FAILURE, b"500"),
            r"add_empty_result: status_code must be str \(or None\), not bytes",
        ),
        (
            lambda r: r.add_partial_result(0, "<r/>"),
            r"add_partial_result: output must be a Document, not str",
        ),
        (
            lambda r: r.add_partial_result(0, None),
            r"add_partial_result: output must be a Document, not NoneType",
        ),
        (
            lambda r: r.finish_partial_result(0, 1),
            r"finish_partial_result: status must be a Status .*not int 1",
        ),
        (
            lambda r: r.add_combined_result([0, 1], Status.SUCCESS, "200", "", [Document(b"")]),
            r"add_combined_result: output must be a Document or None, not list",
        ),
        (
            lambda r: r.add_combined_result(0, Status.SUCCESS),
            r"add_combined_result: indexes must be an iterable of int, not int",
        ),
        (
            lambda r: r.add_combined_result([0, 1.0], Status.SUCCESS),
            r"add_combined_result: index must be int, not float 1.0",
        ),
    ],
)
def test_a_wrongly_typed_answer_is_refused_naming_the_argument_and_leaves_it_unanswered(
    call: Callable[[OperationResponse], object], match: str
) -> None:
    seen: list[object] = []
    response = OperationResponse(
        _docs(2), on_output=lambda i, d: seen.append(d), on_result=seen.append
    )
    with pytest.raises(TypeError, match=match):
        call(response)
    assert response.unanswered() == (0, 1)
    assert seen == [], "nothing reached the host's listeners"
    response.add_empty_result(0, Status.SUCCESS)  # the document can still be answered


def test_status_value_strings_and_none_code_and_message_are_accepted() -> None:
    response = OperationResponse(_docs(3))
    first = response.add_result(0, "APPLICATION_ERROR", "404", None)  # type: ignore[arg-type]
    assert first.status is Status.APPLICATION_ERROR and first.message == ""
    second = response.add_empty_result(1, "SUCCESS", None, None)  # type: ignore[arg-type]
    assert second.ok and second.status_code == ""
    response.add_partial_result(2, Document(b"<r/>"))
    third = response.finish_partial_result(2, "FAILURE", None, "half-way")  # type: ignore[arg-type]
    assert third.status is Status.FAILURE and third.output_count == 1
