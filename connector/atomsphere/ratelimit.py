"""A client-side request budget, shared by every operation on the same account.

The API allows 10 requests per second per account and answers excess calls with 503. Rather than
provoking those and backing off, every request first takes a slot from this limiter, so a
well-behaved run never sees a 503. It is a token bucket in its GCRA form (one "theoretical arrival
time"): a caller reserves its slot under a lock and sleeps outside it, so threads queue fairly
and never sleep while holding the lock.

The default burst is 1: requests leave evenly spaced. The API's own window is not documented; an
even spacing is the shape that no server-side counting scheme can mistake for a burst.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

Clock = Callable[[], float]
Sleep = Callable[[float], None]

#: Process-wide limiters by (base URL, account id, rate): one budget per account.
_SHARED: Final[dict[tuple[str, str, float], RateLimiter]] = {}
_SHARED_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class LimiterStats:
    """How much a limiter was used and how long callers waited for it."""

    acquired: int
    waited_seconds: float


class RateLimiter:
    """At most ``rate`` acquisitions per second on average, ``burst`` at once; 0 turns it off."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must be >= 0")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tat: float | None = None  # theoretical arrival time of the next request
        self._acquired = 0
        self._waited = 0.0

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self) -> float:
        """Take one slot, sleeping until it is due; returns the seconds waited."""
        with self._lock:
            self._acquired += 1
            if not self.rate:
                return 0.0
            now = self._clock()
            tat = now if self._tat is None else max(self._tat, now)
            wait = tat - (self.burst - 1) * self._interval - now
            self._tat = tat + self._interval
            if wait > 0:
                self._waited += wait
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0

    def stats(self) -> LimiterStats:
        with self._lock:
            return LimiterStats(self._acquired, self._waited)


def shared_limiter(base_url: str, account_id: str, rate: float) -> RateLimiter:
    """The process-wide limiter for an account: every client of that account shares it."""
    key = (base_url.rstrip("/").lower(), account_id, float(rate))
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter(rate)
        return limiter
