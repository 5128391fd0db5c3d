"""Refused credentials (401) and documents refused before sending: one answer per document,
whatever the batch size, the concurrency or the order the documents come in."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.client.fakeapi import NS, FakeApi, error
from tests.engine.helpers import doc, operation, run, summary

VALID = f'<bns:Environment {NS} name="a"/>'
MALFORMED = "<bns:Environment"
OFF_PROFILE = "<Foo/>"
#: What each of the three documents gets when the credentials are refused.
EXPECTED = {
    VALID: ("FAILURE", "401"),
    MALFORMED: ("APPLICATION_ERROR", "400"),
    OFF_PROFILE: ("APPLICATION_ERROR", "400"),
}


def _answers(tmp_path: Path, texts: list[str], batch_size: int, concurrency: int) -> list[object]:
    op = operation(
        tmp_path, f"action: CREATE\nobject: Environment\noptions: {{concurrency: {concurrency}}}\n"
    )
    api = FakeApi().on("POST", "/Environment", error(401, "bad credentials"))
    client = api.client()
    answers: list[object] = []
    for start in range(0, len(texts), batch_size):
        answers += run(op, client, [doc(t) for t in texts[start : start + batch_size]])
    return answers


@pytest.mark.parametrize("batch_size", [1, 2, 4])
@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_refused_document_is_answered_the_same_whatever_the_batching(
    tmp_path: Path, batch_size: int, concurrency: int
) -> None:
    for texts in itertools.permutations([VALID, MALFORMED, OFF_PROFILE, VALID]):
        results = _answers(tmp_path, list(texts), batch_size, concurrency)
        assert summary(results) == [EXPECTED[t] for t in texts]  # type: ignore[arg-type]
        for text, result in zip(texts, results, strict=True):
            if text == VALID:
                assert "credentials refused" in result.message  # type: ignore[attr-defined]
            else:
                assert result.message.startswith("not sent: ")  # type: ignore[attr-defined]
                assert "credentials" not in result.message  # type: ignore[attr-defined]


QUERY = """
action: QUERY
object: ExecutionRecord
filter: {property: status, operator: EQUALS, arguments: [{param: status}]}
parameters:
  status: {from: document_property, name: status}
"""


def test_a_query_without_its_value_is_refused_before_and_after_a_401(tmp_path: Path) -> None:
    op = operation(tmp_path, QUERY)
    api = FakeApi().on("POST", "/ExecutionRecord/query", error(401, "bad credentials"))
    with_value, without = doc(status="ERROR"), doc()
    for documents in ([with_value, without], [without, with_value]):
        results = run(op, api, documents)
        by_status = {d is without: r for d, r in zip(documents, results, strict=True)}
        assert (by_status[True].status.value, by_status[True].status_code) == (
            "APPLICATION_ERROR",
            "400",
        )
        assert (by_status[False].status.value, by_status[False].status_code) == ("FAILURE", "401")
