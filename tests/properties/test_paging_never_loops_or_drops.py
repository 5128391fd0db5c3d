"""queryMore paging terminates whatever tokens the server hands out, and never loses a record:
a query that reports SUCCESS delivered everything the server holds for its filter."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from connector.documents import Document, Status
from connector.sandbox import FaultRule, Sandbox
from tests.client.fakeapi import ACCOUNT, BASE_URL, NS, PASSWORD, FakeApi, FakeClock, xml
from tests.properties.harness import (
    PROFILES,
    execute,
    mounted,
    properties,
    sandbox,
    write_operation,
)
from tests.properties.records import field, held
from tests.properties.strategies import fault_rules

QUERY = {
    "action": "QUERY",
    "object": "ExecutionRecord",
    "profiles": {"response": str(PROFILES / "ExecutionRecord.query.response.xsd")},
}
BY_STATUS = {
    **QUERY,
    "filter": {"property": "status", "operator": "EQUALS", "arguments": [{"param": "status"}]},
    "parameters": {"status": {"from": "document_property", "name": "status"}},
}
MOCK_CONNECTION = {
    "base_url": BASE_URL,
    "account_id": ACCOUNT,
    "username": "user@example.com",
    "password": PASSWORD,
}
_TOKEN_TEXT = st.text(string.ascii_letters + string.digits + "+/=", min_size=1, max_size=24)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("operations")


@dataclass(frozen=True)
class Page:
    records: tuple[str, ...]
    token: str | None

    def body(self) -> str:
        token = f"<bns:queryToken>{self.token}</bns:queryToken>" if self.token else ""
        results = "".join(
            f'<bns:result xsi:type="bns:ExecutionRecord"><bns:executionId>{r}</bns:executionId>'
            "</bns:result>"
            for r in self.records
        )
        return (
            f'<bns:QueryResult {NS} numberOfResults="{len(self.records)}">{token}{results}'
            "</bns:QueryResult>"
        )


@st.composite
def page_scripts(draw: st.DrawFn) -> list[Page]:
    """1-8 pages: records or none; a fresh token, an earlier page's token again, or none."""
    pages: list[Page] = []
    tokens: list[str] = []
    for number in range(draw(st.integers(1, 8))):
        size = draw(st.integers(0, 3))
        records = tuple(f"execution-{number}-{i}" for i in range(size))
        choice = draw(st.sampled_from(["fresh", "fresh", "repeat", "none"]))
        token: str | None = None
        if choice == "repeat" and tokens:
            token = draw(st.sampled_from(tokens))
        elif choice != "none":
            token = f"{number}.{draw(_TOKEN_TEXT)}"  # the prefix keeps it fresh
        if token is not None:
            tokens.append(token)
        pages.append(Page(records, token))
    return pages


@properties()
@given(script=page_scripts())
def test_paging_ends_within_pages_plus_one_requests_and_keeps_every_page(
    folder: Path, script: list[Page]
) -> None:
    served: list[Page] = []

    def answer(request: httpx.Request) -> httpx.Response:
        page = script[min(len(served), len(script) - 1)]  # past the script: the last page again
        served.append(page)
        return xml(page.body())

    api = FakeApi(fallback=answer)
    operation = write_operation(folder, QUERY)
    with mounted(BASE_URL, api.transport(), FakeClock()):
        run = execute(operation, [Document(b"")], MOCK_CONNECTION)
    assert len(api.requests) <= len(script) + 1
    (result,) = run.results
    event(f"{result.status.value} after {len(api.requests)} requests")
    delivered = [field(d, "executionId") for d in result.outputs]
    assert delivered == [r for page in served for r in page.records]  # no page fetched and dropped
    last = served[-1]
    if result.status is Status.SUCCESS:  # only the protocol's end signals end a query quietly
        assert last.token is None or not last.records
    else:
        assert result.status is Status.FAILURE
        assert "loop detected" in result.message


@properties()
@given(
    records=st.integers(0, 45),
    page_size=st.integers(1, 12),
    status=st.sampled_from([None, "ERROR", "COMPLETE", "error"]),
    number_of_results=st.sampled_from(["page", "total"]),
)
def test_a_query_returns_every_record_the_sandbox_holds_for_its_filter(
    folder: Path, records: int, page_size: int, status: str | None, number_of_results: str
) -> None:
    operation = write_operation(folder, QUERY if status is None else BY_STATUS)
    document = Document(b"", {"status": status} if status else {})
    with sandbox(records=records, page_size=page_size, number_of_results=number_of_results) as box:
        run = execute(operation, [document])
        expected = _held_ids(box.sandbox, status)
    (result,) = run.results
    assert result.status is Status.SUCCESS, result.message
    assert [field(d, "executionId") for d in result.outputs] == expected


_QUERY_FAULTS = fault_rules(
    path=st.sampled_from(["*/query", "*/queryMore", "/ExecutionRecord/*"]),
    times=st.none() | st.integers(1, 6),
    after=st.integers(0, 4),
    every=st.integers(1, 3),
    seconds=st.sampled_from([0.5, 120.0]),
    status=st.sampled_from([502, 504]),
)


@properties()
@given(page_size=st.integers(2, 9), faults=st.lists(_QUERY_FAULTS, min_size=1, max_size=3))
def test_a_query_under_faults_is_complete_or_says_it_failed(
    folder: Path, page_size: int, faults: list[FaultRule]
) -> None:
    operation = write_operation(folder, QUERY)
    with sandbox(records=30, page_size=page_size) as box:
        box.sandbox.faults.add(*faults)
        run = execute(operation, [Document(b"")])
        expected = _held_ids(box.sandbox, None)
    (result,) = run.results
    event(f"{result.status.value} {result.status_code}")
    delivered = [field(d, "executionId") for d in result.outputs]
    if result.status is Status.SUCCESS:
        assert delivered == expected
    else:
        assert delivered == expected[: len(delivered)], "records delivered twice or out of order"


def _held_ids(sandbox: Sandbox, status: str | None) -> list[str]:
    return [
        r["executionId"]
        for r in held(sandbox, "ExecutionRecord")
        if status is None or r.get("status") == status
    ]
