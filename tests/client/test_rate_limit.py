"""The client-side budget spaces requests, is shared per account and is safe across threads."""

from __future__ import annotations

import threading

import pytest

from connector.atomsphere.ratelimit import RateLimiter, shared_limiter
from tests.client.fakeapi import FakeApi, FakeClock, env_doc, xml


def test_requests_leave_evenly_spaced_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.1, 0.1, 0.1])
    assert clock.now == pytest.approx(0.4)
    assert limiter.stats().acquired == 5


def test_a_burst_passes_at_once_then_the_rate_applies() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, burst=3, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.1])


def test_idle_time_is_not_banked_beyond_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 60
    assert [limiter.acquire(), limiter.acquire()] == pytest.approx([0.0, 0.1])


def test_rate_zero_turns_the_limiter_off() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(100)] == [0.0] * 100
    assert clock.sleeps == []


def test_threads_get_distinct_slots() -> None:
    """Sixteen threads at 10 rps: the reserved slots are 0, 0.1, …, 1.5 s, each taken once."""
    clock = FakeClock()
    reserved: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            reserved.append(seconds)

    limiter = RateLimiter(10, clock=clock, sleep=record)  # the clock stays at 0
    threads = [threading.Thread(target=limiter.acquire) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(round(w, 6) for w in reserved) == [round(0.1 * n, 6) for n in range(1, 16)]
    assert limiter.stats().acquired == 16


def test_every_client_of_an_account_shares_one_budget() -> None:
    first = shared_limiter("https://API.example.com/", "acct-A", 10)
    assert shared_limiter("https://api.example.com", "acct-A", 10) is first
    assert shared_limiter("https://api.example.com", "acct-B", 10) is not first


def test_each_request_and_each_retry_takes_a_slot() -> None:
    from connector.atomsphere.catalog import load_catalog
    from tests.client.fakeapi import error

    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    api = FakeApi().on("GET", "/Environment/e1", error(503, "busy"), xml(env_doc("e1", "x")))
    client = api.client(limiter=limiter, clock=clock)
    client.get(load_catalog().object("Environment"), "e1")
    assert limiter.stats().acquired == 2
    assert client.http.stats().calls == 2 and client.http.stats().retries == 1


@pytest.mark.parametrize(("rate", "burst"), [(-1, 1), (1, 0)])
def test_nonsense_settings_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate, burst=burst)
