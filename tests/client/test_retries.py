"""Retries: 503 and connect failures up to five times with backoff; never a duplicate Create."""

from __future__ import annotations

import logging

import httpx
import pytest

from connector.atomsphere.retry import RetryPolicy, parse_retry_after
from connector.errors import (
    ApplicationError,
    AuthenticationError,
    FatalRemoteError,
    RateLimitedError,
    RetriableError,
)
from tests.client.fakeapi import NS, PASSWORD, FakeApi, FakeClock, env_doc, error, xml

ENV = env_doc("e1", "Prod", "PROD")
BUSY = error(
    503,
    "The Boomi server is currently unavailable or your account's rate limits have been "
    "exceeded. Retry later.",
)


def _env_obj():  # type: ignore[no-untyped-def]
    from connector.atomsphere.catalog import load_catalog

    return load_catalog().object("Environment")


def test_503_is_retried_with_exponential_backoff_then_succeeds() -> None:
    api = FakeApi().on("GET", "/Environment/e1", BUSY, BUSY, BUSY, xml(ENV))
    clock = FakeClock()
    client = api.client(clock=clock)
    assert b'name="Prod"' in client.get(_env_obj(), "e1")
    assert len(api.calls()) == 4
    assert clock.sleeps == [0.25, 0.5, 1.0]  # base 0.5 * 2**n, scaled by the minimum jitter


def test_503_gives_up_after_five_retries_with_the_api_message() -> None:
    api = FakeApi().on("GET", "/Environment/e1", BUSY)
    client = api.client()
    with pytest.raises(
        RateLimitedError, match="rate limits have been exceeded.*gave up after 6 attempts"
    ) as info:
        client.get(_env_obj(), "e1")
    assert info.value.status == 503
    assert len(api.calls()) == 6


def test_retry_after_is_honoured() -> None:
    api = FakeApi().on("GET", "/Environment/e1", error(503, "busy", {"Retry-After": "7"}), xml(ENV))
    clock = FakeClock()
    api.client(clock=clock).get(_env_obj(), "e1")
    assert clock.sleeps == [7.0]


def test_a_503_create_is_retried_because_it_was_not_processed() -> None:
    api = FakeApi().on("POST", "/Environment", BUSY, xml(ENV))
    api.client().create(_env_obj(), ENV.encode())
    assert len(api.calls("POST", "/Environment")) == 2


def test_a_create_that_timed_out_after_sending_is_never_sent_again() -> None:
    api = FakeApi().on("POST", "/Environment", httpx.ReadTimeout("read timed out"), xml(ENV))
    with pytest.raises(
        FatalRemoteError, match="not retried because the server may already have processed it"
    ):
        api.client().create(_env_obj(), ENV.encode())
    assert len(api.calls("POST", "/Environment")) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset by peer"),
    ],
)
def test_a_reset_after_sending_fails_a_create_but_retries_a_read(failure: Exception) -> None:
    api = FakeApi().on("POST", "/Environment", failure, xml(ENV))
    api.on("GET", "/Environment/e1", failure, xml(ENV))
    client = api.client()
    with pytest.raises(FatalRemoteError, match="connection failed after the request was sent"):
        client.create(_env_obj(), ENV.encode())
    assert len(api.calls("POST")) == 1
    assert b"Prod" in client.get(_env_obj(), "e1")
    assert len(api.calls("GET")) == 2


def test_a_create_whose_connection_never_opened_is_retried() -> None:
    api = FakeApi().on("POST", "/Environment", httpx.ConnectError("connection refused"), xml(ENV))
    api.client().create(_env_obj(), ENV.encode())
    assert len(api.calls("POST")) == 2


def test_504_is_retried_for_reads_only() -> None:
    api = FakeApi().on("GET", "/Environment/e1", error(504, "gateway timeout"), xml(ENV))
    api.on("POST", "/Environment", error(504, "gateway timeout"), xml(ENV))
    client = api.client()
    client.get(_env_obj(), "e1")
    assert len(api.calls("GET")) == 2
    with pytest.raises(RetriableError) as info:
        client.create(_env_obj(), ENV.encode())
    assert info.value.status == 504
    assert len(api.calls("POST")) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_are_never_retried(status: int) -> None:
    api = FakeApi().on("GET", "/Environment/e1", error(status, "No such environment"), xml(ENV))
    with pytest.raises(ApplicationError, match="No such environment") as info:
        api.client().get(_env_obj(), "e1")
    assert info.value.status == status
    assert len(api.calls()) == 1


def test_401_is_an_authentication_error_that_names_the_target_not_the_secret() -> None:
    api = FakeApi().on("GET", "/Environment/e1", error(401, f"bad password {PASSWORD}"))
    with pytest.raises(AuthenticationError) as info:
        api.client().get(_env_obj(), "e1")
    assert PASSWORD not in str(info.value) and PASSWORD not in info.value.body
    assert "user@example.com" in str(info.value)
    assert len(api.calls()) == 1


def test_gateway_html_keeps_a_scrubbed_raw_body_for_diagnostics() -> None:
    page = f"<html><head><title>Forbidden</title></head><body>echo {PASSWORD}</body></html>"
    api = FakeApi().on(
        "GET",
        "/Environment/e1",
        httpx.Response(403, text=page, headers={"Content-Type": "text/html"}),
    )
    with pytest.raises(ApplicationError, match="^Forbidden$") as info:
        api.client().get(_env_obj(), "e1")
    assert "echo ***" in info.value.body


def test_deprecation_headers_are_logged_once_per_object(caplog: pytest.LogCaptureFixture) -> None:
    headers = {"Deprecation": 'version="1.0"', "Sunset": "Wed, 01 Jan 2031 00:00:00 GMT"}
    body = f"<bns:Deployment {NS}><bns:id>d1</bns:id></bns:Deployment>"
    api = FakeApi().on("GET", "/Deployment/d1", xml(body, headers=headers))
    from connector.atomsphere.catalog import load_catalog

    deployment = load_catalog().object("Deployment")
    client = api.client()
    with caplog.at_level(logging.WARNING, logger="connector.atomsphere"):
        client.get(deployment, "d1")
        client.get(deployment, "d1")
    notes = [r.getMessage() for r in caplog.records if "deprecated" in r.getMessage()]
    assert len(notes) == 1 and "Deployment" in notes[0] and "Sunset" in notes[0]


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=4, jitter=lambda: 0.999)
    assert [round(policy.delay(n), 2) for n in range(5)] == [1.0, 2.0, 4.0, 4.0, 4.0]
    low = RetryPolicy(base_delay=1, max_delay=4, jitter=lambda: 0.0)
    assert [low.delay(n) for n in range(3)] == [0.5, 1.0, 2.0]
    assert low.delay(0, retry_after=3) == 3
    assert low.delay(0, retry_after=10_000) == 120


def test_retry_after_parses_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3
    assert parse_retry_after("Tue, 01 Jan 2030 00:00:05 GMT", now) == 5
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
