"""The plugin's client pool routed to the scripted API, with a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connector.atomsphere.pool import DEFAULT_POOL
from connector.atomsphere.ratelimit import RateLimiter
from connector.atomsphere.retry import RetryPolicy
from tests.client.fakeapi import ACCOUNT, BASE_URL, PASSWORD, FakeApi, FakeClock


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    clock = FakeClock()
    DEFAULT_POOL.mount(
        BASE_URL,
        fake.transport(),
        retry=RetryPolicy(jitter=lambda: 0.0),
        clock=clock,
        sleep=clock.sleep,
        limiter=RateLimiter(0),
    )
    yield fake
    DEFAULT_POOL.unmount(BASE_URL)


@pytest.fixture
def api_env(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    """The scripted API, named by the ATOMSPHERE_* variables."""
    monkeypatch.setenv("ATOMSPHERE_BASE_URL", BASE_URL)
    monkeypatch.setenv("ATOMSPHERE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("ATOMSPHERE_USERNAME", "user@example.com")
    monkeypatch.setenv("ATOMSPHERE_PASSWORD", PASSWORD)
    return api
