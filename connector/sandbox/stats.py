"""Counters the admin API reports: requests per route, statuses, 503s, faults fired.

Requests are counted per route template (``GET /Atom/{id}``), never per raw path, so the
number of keys stays bounded whatever clients send: a scan of random paths adds one.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Final

#: Requests the loopback server refuses itself, before the application (413, 431, full...).
REFUSED_LABEL: Final = "(refused by the server)"
#: Requests no route answers (404, 405, DELETE of an object without DELETE...).
UNROUTED_LABEL: Final = "(no route)"


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.faults = 0

    def count(self, label: str, status: int, *, fault: bool = False) -> None:
        with self._lock:
            self.requests[label] += 1
            self.statuses[status] += 1
            if fault:
                self.faults += 1

    @property
    def busy_responses(self) -> int:
        return self.statuses.get(503, 0)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(sorted(self.requests.items())),
                "total": sum(self.requests.values()),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "responses503": self.statuses.get(503, 0),
                "faultsInjected": self.faults,
            }
