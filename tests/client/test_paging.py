"""queryMore paging: raw token as text/plain, stop on a missing token or an empty page, fail on
a repeated token, a page cap, or a failing page — never a silent truncation."""

from __future__ import annotations

import logging

import pytest

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.paging import QueryPager
from connector.atomsphere.query import SimpleExpression
from connector.atomsphere.responses import QueryPage
from connector.errors import ApplicationError, FatalRemoteError
from tests.client.fakeapi import FakeApi, env_result, error, query_result, xml

ENVIRONMENT = load_catalog().object("Environment")
TOKEN_1 = "/nd0PlROcmuUK8MV8KPzCVXwA/pgZZ0NfsYjhqLNyothPz+1=="
TOKEN_2 = "/nd0PlROcmuUK8MV8KPzCVXwA/pgZZ0NfsYjhqLNyothPz+2=="


def _records(pages: list[QueryPage]) -> list[bytes]:
    return [r for p in pages for r in p.records]


def test_pages_are_followed_with_the_raw_token_as_text_plain() -> None:
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1)))
    api.on(
        "POST",
        "/Environment/queryMore",
        xml(query_result([env_result("e2", "b")], TOKEN_2)),
        xml(query_result([env_result("e3", "c")])),
    )
    pages = list(api.client().query(ENVIRONMENT, SimpleExpression("name", "LIKE", ("%",))))
    assert len(_records(pages)) == 3
    more = api.calls("POST", "/Environment/queryMore")
    assert [r.content.decode() for r in more] == [TOKEN_1, TOKEN_2]
    assert {r.headers["Content-Type"] for r in more} == {"text/plain"}
    (query,) = api.calls("POST", "/Environment/query")
    assert query.headers["Content-Type"] == "application/xml"
    assert b'property="name"' in query.content


def test_each_page_is_logged_as_progress(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1)))
    api.on("POST", "/Environment/queryMore", xml(query_result([env_result("e2", "b")])))
    with caplog.at_level(logging.INFO, logger="connector.atomsphere"):
        list(api.client().query(ENVIRONMENT, None))
    pages = [r.getMessage() for r in caplog.records if ": page " in r.getMessage()]
    assert [p.split(": ", 1)[1] for p in pages] == [
        "page 1: 1 new, 1 in all",
        "page 2: 1 new, 2 in all, the last",
    ]


def test_a_short_page_with_a_token_is_not_the_end() -> None:
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1, 100)))
    api.on("POST", "/Environment/queryMore", xml(query_result([env_result("e2", "b")])))
    assert len(_records(list(api.client().query(ENVIRONMENT, None)))) == 2


def test_an_empty_page_stops_even_with_a_token_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not an error (the API's guidance is to stop), but not silent: README and docs say so."""
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1)))
    api.on("POST", "/Environment/queryMore", xml(query_result([], TOKEN_2)))
    with caplog.at_level(logging.WARNING, logger="connector.atomsphere"):
        assert len(_records(list(api.client().query(ENVIRONMENT, None)))) == 1
    assert len(api.calls("POST", "/Environment/queryMore")) == 1
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.WARNING,
            "query Environment (every record): page 2 was empty but carried a token; stopping",
        )
    ]


def test_a_repeated_token_is_a_loop_and_an_error() -> None:
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1)))
    api.on("POST", "/Environment/queryMore", xml(query_result([env_result("e2", "b")], TOKEN_1)))
    seen: list[bytes] = []
    with pytest.raises(FatalRemoteError, match="loop detected"):
        for page in api.client().query(ENVIRONMENT, None):
            seen.extend(page.records)
    assert len(seen) == 2  # what arrived before the loop was still delivered


def test_the_page_cap_is_an_error_not_a_silent_stop() -> None:
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1)))
    api.on("POST", "/Environment/queryMore", xml(query_result([env_result("e2", "b")], TOKEN_2)))
    with pytest.raises(FatalRemoteError, match="page cap of 2 pages.*more results remain"):
        list(api.client().query(ENVIRONMENT, None, max_pages=2))
    assert len(api.calls("POST", "/Environment/queryMore")) == 1


def test_a_failing_page_fails_loudly() -> None:
    api = FakeApi()
    api.on("POST", "/Environment/query", xml(query_result([env_result("e1", "a")], TOKEN_1)))
    api.on("POST", "/Environment/queryMore", error(400, "Invalid query token"))
    with pytest.raises(ApplicationError, match="Invalid query token") as raised:
        list(api.client().query(ENVIRONMENT, None))
    assert raised.value.status == 400  # still the API's answer, with its message first
    assert str(raised.value).endswith("(page 2 failed; delivered before it: 1 record)")


def test_pages_are_fetched_only_as_they_are_consumed() -> None:
    fetched: list[str] = []

    def first() -> QueryPage:
        fetched.append("first")
        return QueryPage((b"<a/>",), "t1")

    def more(token: str) -> QueryPage:
        fetched.append(token)
        return QueryPage((b"<b/>",), None)

    pages = iter(QueryPager(first, more))
    next(pages)
    assert fetched == ["first"]
    next(pages)
    assert fetched == ["first", "t1"]
