"""When to try a request again, and how long to wait first.

Boomi's own API connectors retry an HTTP 503 up to five times; so does this one, with exponential
backoff and jitter, and with the server's ``Retry-After`` when it sends one. What may be retried
depends on whether the request can have reached the server (see :mod:`connector.atomsphere.http`):
a Create that may have been processed is never sent twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

#: The longest ``Retry-After`` honoured; a longer one is treated as this (and reported).
MAX_RETRY_AFTER: Final = 120.0


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``max_retries`` more attempts; delays ``base * 2**n`` capped at ``max_delay``, each
    scaled by a random factor in ``[0.5, 1)`` so parallel callers do not retry in lockstep."""

    max_retries: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based)."""
        backoff = min(self.max_delay, self.base_delay * (2.0**retry))
        jittered = backoff * (0.5 + self.jitter() / 2)
        if retry_after is not None:
            return max(min(retry_after, MAX_RETRY_AFTER), jittered)
        return jittered


NO_RETRIES: Final = RetryPolicy(max_retries=0)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; None when absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds)
