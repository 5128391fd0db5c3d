"""Paging: 100 results a page, opaque tokens, the last page without a token, expiry."""

from __future__ import annotations

import httpx
import pytest

from connector.sandbox import state
from tests.sandbox.conftest import FakeClock, make_client, make_sandbox
from tests.sandbox.helpers import NS, all_results, error_message, xml


def _more(client: httpx.Client, token: str, **headers: str) -> httpx.Response:
    return client.post(
        "/ExecutionRecord/queryMore",
        content=token,
        headers={"Content-Type": "text/plain", **headers},
    )


def test_pages_hold_100_results_and_the_last_has_no_token(client: httpx.Client) -> None:
    first = xml(client.post("/ExecutionRecord/query"))
    assert first.get("numberOfResults") == "100"
    assert len(first.findall("bns:result", NS)) == 100
    assert first[0].tag == "{http://api.platform.boomi.com/}queryToken"  # first in sequence
    token = first.findtext("bns:queryToken", namespaces=NS)
    assert token and "/" in token and "+" in token and len(token) > 100
    seen = [r.findtext("bns:executionId", namespaces=NS) for r in first.findall("bns:result", NS)]
    pages = 1
    while token:
        page = xml(_more(client, token))
        token = page.findtext("bns:queryToken", namespaces=NS)
        results = page.findall("bns:result", NS)
        assert results, "a page with a token is never empty"
        seen.extend(r.findtext("bns:executionId", namespaces=NS) for r in results)
        pages += 1
    assert pages == 10 and len(seen) == len(set(seen)) == 1000


def test_a_query_of_exactly_one_page_has_no_token(clock: FakeClock) -> None:
    with make_client(make_sandbox(clock, records=100)) as client:
        page = xml(client.post("/ExecutionRecord/query"))
    assert page.findtext("bns:queryToken", namespaces=NS) is None
    assert len(page.findall("bns:result", NS)) == 100


def test_no_match_is_an_empty_result(client: httpx.Client) -> None:
    body = (
        b'{"QueryFilter":{"expression":'
        b'{"operator":"EQUALS","property":"name","argument":["none"]}}}'
    )
    response = client.post(
        "/Environment/query", content=body, headers={"Content-Type": "application/json"}
    )
    root = xml(response)
    assert root.get("numberOfResults") == "0" and len(root) == 0


def test_json_pages_carry_the_same_token_semantics(client: httpx.Client) -> None:
    assert len(all_results(client, "ExecutionRecord", None)) == 1000


def test_the_token_is_accepted_whatever_the_content_type(client: httpx.Client) -> None:
    token = xml(client.post("/ExecutionRecord/query")).findtext("bns:queryToken", namespaces=NS)
    assert token
    for content_type in ("text/plain", "application/xml", "application/octet-stream"):
        assert _more(client, token, **{"Content-Type": content_type}).status_code == 200


def test_unknown_and_wrapped_tokens_are_400(client: httpx.Client) -> None:
    assert _more(client, "bm90LWEtdG9rZW4=").status_code == 400
    token = xml(client.post("/ExecutionRecord/query")).findtext("bns:queryToken", namespaces=NS)
    wrapped = _more(client, f'{{"queryToken": "{token}"}}')
    assert wrapped.status_code == 400
    other = client.post("/AuditLog/queryMore", content=token)
    assert other.status_code == 400 and "ExecutionRecord" in error_message(other)


def test_tokens_expire_after_their_ttl(clock: FakeClock) -> None:
    with make_client(make_sandbox(clock, query_token_ttl=60)) as client:
        token = xml(client.post("/ExecutionRecord/query")).findtext("bns:queryToken", namespaces=NS)
        assert token
        clock.advance(59)
        assert _more(client, token).status_code == 200
        clock.advance(2)
        expired = _more(client, token)
    assert expired.status_code == 400 and "expired" in error_message(expired)


def test_long_expired_tokens_are_forgotten_recently_expired_ones_still_say_so(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running server sweeps expired cursors (every SWEEP_EVERY tokens), so its memory
    does not grow with every query; a token expired less than its lifetime ago is kept."""
    monkeypatch.setattr(state, "SWEEP_EVERY", 3)

    def token(client: httpx.Client) -> str:
        found = xml(client.post("/ExecutionRecord/query")).findtext("bns:queryToken", namespaces=NS)
        assert found
        return found

    with make_client(make_sandbox(clock, query_token_ttl=60)) as client:
        old = token(client)  # expires at 60
        clock.advance(130)
        recent = token(client)  # expires at 190
        clock.advance(65)  # 195: old expired 135 s ago (forgotten at the sweep), recent 5 s ago
        token(client)  # the third token: a sweep
        forgotten, expired = _more(client, old), _more(client, recent)
    assert forgotten.status_code == 400 and "not issued" in error_message(forgotten)
    assert expired.status_code == 400 and "expired" in error_message(expired)


@pytest.mark.parametrize(
    ("meaning", "expected"), [("page", ["100"] * 10), ("total", ["1000"] * 10)]
)
def test_number_of_results_meaning_is_configurable(
    clock: FakeClock, meaning: str, expected: list[str]
) -> None:
    with make_client(make_sandbox(clock, number_of_results=meaning)) as client:
        page = xml(client.post("/ExecutionRecord/query"))
        counts = [page.get("numberOfResults")]
        token = page.findtext("bns:queryToken", namespaces=NS)
        while token:
            page = xml(_more(client, token))
            counts.append(page.get("numberOfResults"))
            token = page.findtext("bns:queryToken", namespaces=NS)
    assert counts == expected
