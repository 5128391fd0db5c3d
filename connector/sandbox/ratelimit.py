"""A token bucket per account, on an injectable clock so tests never sleep."""

from __future__ import annotations

import threading
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; ``rate == 0`` lets everything through."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, account: str) -> bool:
        if self.rate <= 0:
            return True
        with self._lock:
            now = self._clock()
            tokens, stamp = self._buckets.get(account, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            if tokens < 1 - 1e-6:  # float error of a clock in epoch seconds
                self._buckets[account] = (tokens, now)
                return False
            self._buckets[account] = (tokens - 1, now)
            return True
