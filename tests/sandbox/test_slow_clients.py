"""Slow-loris, silent and idle connections are dropped or evicted while a well-behaved client
beside them keeps its answers; connections (so threads) stay bounded; a busy server says 503."""

from __future__ import annotations

import threading
import time

import httpx

from connector.sandbox import fixtures
from tests.sandbox.hostile import (
    AUTH,
    GUARD,
    Gate,
    answer,
    basic,
    closed_now,
    connect,
    good_calls,
    head,
    hung_up,
    serve,
)

TIMEOUT = 2.0  # request_timeout for these servers: a hostile client outlasts it many times


def test_a_slow_loris_is_dropped_while_others_are_served() -> None:
    with serve(request_timeout=TIMEOUT) as served:
        request = head(served, "GET", f"/Process/{fixtures.ORDER_INTAKE.id}", basic(*AUTH),
                       *(f"X-Pad-{n}: {'p' * 20}" for n in range(20)))  # fmt: skip
        outcome: dict[str, object] = {}

        def trickle() -> None:
            """One byte every 50 ms (the whole head would take half a minute)."""
            with connect(served) as sock:
                for sent, byte in enumerate(request):
                    if closed_now(sock):
                        outcome["dropped_after"] = sent
                        return
                    try:
                        sock.sendall(bytes([byte]))
                    except (BrokenPipeError, ConnectionResetError):
                        outcome["dropped_after"] = sent
                        return
                    time.sleep(0.05)
                outcome["answered"] = answer(sock).status

        hostile = threading.Thread(target=trickle)
        hostile.start()
        good_calls(served, 5)
        hostile.join(GUARD)
        assert not hostile.is_alive()
        assert "answered" not in outcome
        assert 0 < int(outcome["dropped_after"]) < len(request)  # type: ignore[call-overload]
        good_calls(served, 1)


def test_silent_connections_and_a_body_that_never_comes_are_dropped() -> None:
    with serve(request_timeout=TIMEOUT) as served:
        silent = [connect(served) for _ in range(5)]
        promised = connect(served)
        promised.sendall(head(served, "POST", "/Environment/query", basic(*AUTH),
                              "Content-Length: 1000"))  # fmt: skip
        promised.sendall(b"<QueryConfig")
        good_calls(served, 3)
        for sock in [*silent, promised]:
            assert hung_up(sock)  # closed without an answer
            sock.close()
        good_calls(served, 1)


def test_many_idle_connections_are_evicted_oldest_first_and_threads_stay_bounded() -> None:
    limit, idle_count = 8, 40
    baseline = threading.active_count()
    with serve(request_timeout=GUARD * 10, max_connections=limit) as served:
        idle = [connect(served) for _ in range(idle_count)]
        try:
            good_calls(served, 2)  # 4 connections, each may take its place from an idle one
            _wait_for(lambda: threading.active_count() <= baseline + 1 + limit)
            closed = [closed_now(sock) for sock in idle]
            # the long timeout did not do it: the newest idle connections still hold places
            assert sum(closed) >= idle_count - limit
            assert closed[: idle_count - limit] == [True] * (idle_count - limit)
            assert not all(closed)
        finally:
            for sock in idle:
                sock.close()
        good_calls(served, 1)
    _wait_for(lambda: threading.active_count() <= baseline)


def test_when_every_connection_is_busy_answering_a_new_one_gets_503() -> None:
    gate = Gate()
    with serve(sleep=gate, max_connections=2) as served:
        served.sandbox.faults.add("latency:path=/Atom/*,seconds=1")
        atom = f"/Atom/{fixtures.PRODUCTION_ATOM.id}"
        statuses: list[int] = []

        def slow_call() -> None:
            with httpx.Client(base_url=served.url, auth=AUTH, timeout=GUARD) as client:
                statuses.append(client.get(atom).status_code)

        held = [threading.Thread(target=slow_call) for _ in range(2)]
        for thread in held:
            thread.start()
        gate.wait_for(2)  # both places are busy answering (held in the injected sleep)
        with connect(served) as sock:
            sock.sendall(head(served, "GET", atom, basic(*AUTH), "Accept: application/json"))
            refused = answer(sock)
        assert refused.status == 503 and b"rate limits" in refused.body  # type: ignore[attr-defined]
        # Refused before a byte of the request is read, so XML whatever it asked (as documented).
        assert refused.getheader("Content-Type", "").startswith("application/xml")
        gate.opened.set()
        for thread in held:
            thread.join(GUARD)
        assert statuses == [200, 200]
        served.sandbox.faults.clear()
        good_calls(served, 2)


def _wait_for(condition: object) -> None:
    """Poll ``condition`` until true; a hang guard, not a timing assert."""
    deadline = time.monotonic() + GUARD
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)
