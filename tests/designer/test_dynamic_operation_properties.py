"""Every field plugin.yaml declares overrideable really is overridden per document, the document's
value first and the operation's as the fallback; a bad override is answered on its document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from connector.descriptor import bundled_descriptor
from connector.documents import Document, Status
from connector.sandbox import fixtures
from tests.client.fakeapi import FakeApi, env_doc
from tests.engine.helpers import GET_PROCESS, doc, operation, run, summary
from tests.engine.sandboxed import Sandboxed, load


def _with(document: Document, **overrides: str) -> Document:
    return Document(document.data, document.properties, overrides)


def _get_process(extra: str = "") -> str:
    return f"action: GET\nobject: Process\nid: {fixtures.ORDER_INTAKE.id}\n{extra}"


def check_id(tmp_path: Path) -> None:
    box = Sandboxed()
    op = load(tmp_path, _get_process("options: {bulk_get: false}\n"))
    plain, overridden, empty = box.run(
        op,
        [
            doc(),
            _with(doc(), id=fixtures.FAILING_PROCESS.id),
            _with(doc(), id="  "),
        ],
    )
    assert fixtures.ORDER_INTAKE.id.encode() in plain.outputs[0].data
    assert fixtures.FAILING_PROCESS.id.encode() in overridden.outputs[0].data
    assert (empty.status, empty.status_code) == (Status.APPLICATION_ERROR, "400")
    assert "not sent: dynamic operation property 'id' is empty" in empty.message


def check_not_found(tmp_path: Path) -> None:
    box = Sandboxed()
    op = load(tmp_path, "action: GET\nobject: Process\nid: no-such-process\n")
    strict, lenient = box.run(op, [doc(), _with(doc(), not_found="empty")])
    assert (strict.status, strict.status_code) == (Status.APPLICATION_ERROR, "400")
    assert (lenient.status, lenient.output_count) == (Status.SUCCESS, 0)
    assert lenient.message.startswith("not found:")


def check_max_results(tmp_path: Path) -> None:
    box = Sandboxed(records=300)
    op = load(tmp_path, "action: QUERY\nobject: ExecutionRecord\noptions: {max_results: 5}\n")
    fallback, fewer, all_of_them = box.run(
        op, [doc(), _with(doc(), max_results="2"), _with(doc(), max_results="0")]
    )
    assert (fallback.output_count, fewer.output_count) == (5, 2)
    assert all_of_them.output_count == 300


def check_timeout_seconds(tmp_path: Path) -> None:
    api = FakeApi()
    api.on("GET", "/Environment/e1", httpx.Response(200, content=env_doc("e1", "One").encode()))
    op = operation(
        tmp_path,
        "action: GET\nobject: Environment\nid: e1\noptions: {timeout_seconds: 7, bulk_get: false}",
    )
    results = run(op, api, [doc(), _with(doc(), timeout_seconds="2.5")])
    assert summary(results) == [("SUCCESS", "200")] * 2
    seen = sorted(r.extensions["timeout"]["read"] for r in api.calls("GET"))
    assert seen == [2.5, 7]


CHECKS: dict[str, Callable[[Path], None]] = {
    "id": check_id,
    "not_found": check_not_found,
    "max_results": check_max_results,
    "timeout_seconds": check_timeout_seconds,
}


def test_every_overrideable_field_has_a_behaviour_check() -> None:
    declared = {f.id for f in bundled_descriptor().overrideable_fields}
    assert declared == set(CHECKS), "add a check for each overrideable field to CHECKS"


@pytest.mark.parametrize("field_id", sorted(CHECKS))
def test_the_document_value_wins_and_the_operation_value_is_the_fallback(
    tmp_path: Path, field_id: str
) -> None:
    CHECKS[field_id](tmp_path)


def test_bulk_get_never_mixes_documents_with_different_timeouts(tmp_path: Path) -> None:
    box = Sandboxed()
    op = load(tmp_path, GET_PROCESS)
    ids = [fixtures.ORDER_INTAKE.id, fixtures.FAILING_PROCESS.id]
    documents = [doc(processId=i) for i in ids]
    documents += [_with(doc(processId=i), timeout_seconds="9") for i in ids]
    results = box.run(op, documents)
    assert summary(results) == [("SUCCESS", "200")] * 4
    assert box.calls("POST /Process/bulk") == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timeout_seconds": "soon"}, "'soon' is not a number"),
        ({"timeout_seconds": "0"}, "'0' is below 0.001"),
        ({"timeout_seconds": "86401"}, "'86401' is above 86400"),
        ({"timeout_seconds": "nan"}, "is not a finite number"),
        ({"max_results": "-1"}, "is below 0"),
        ({"max_results": "2.5"}, "is not a whole number"),
        ({"not_found": "ignore"}, "'ignore' is not one of error, empty"),
        ({"concurrency": "8"}, "'concurrency' overrides nothing (overrideable: id, max_results"),
    ],
)
def test_an_invalid_override_is_answered_on_its_document_only(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    api = FakeApi()
    api.on("GET", "/Environment/e1", httpx.Response(200, content=env_doc("e1", "One").encode()))
    op = operation(tmp_path, "action: GET\nobject: Environment\nid: e1\n")
    good, bad = run(op, api, [doc(), _with(doc(), **overrides)])
    assert good.status is Status.SUCCESS
    assert (bad.status, bad.status_code) == (Status.APPLICATION_ERROR, "400")
    assert bad.message.startswith("not sent: dynamic operation property")
    assert message in bad.message
    assert len(api.calls("GET")) == 1
