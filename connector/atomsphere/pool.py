"""One API client per connection, for the whole process.

Hooks receive a connection as a plain mapping on every call; building a new ``httpx.Client``
each time would throw its connection pool away. The pool keeps one
:class:`~connector.atomsphere.client.AtomSphereClient` per distinct connection, and lets a host
or a test *mount* an in-process transport (the sandbox's, or a fake) for a base URL, with the
client options that go with it (a test clock, a retry policy).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

import httpx

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection


def _key(base_url: str) -> str:
    return base_url.rstrip("/").lower()


class ClientPool:
    """Clients by connection, plus transports mounted by base URL. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[Connection, AtomSphereClient] = {}
        self._mounts: dict[str, dict[str, Any]] = {}

    def mount(self, base_url: str, transport: httpx.BaseTransport, **client_options: Any) -> None:
        """Route every connection to ``base_url`` through ``transport``; ``client_options`` go to
        :class:`AtomSphereClient` (``retry``, ``clock``, ``sleep``, ``limiter``)."""
        with self._lock:
            self._mounts[_key(base_url)] = {"transport": transport, **client_options}
            self._drop(lambda c: _key(c.base_url) == _key(base_url))

    def unmount(self, base_url: str) -> None:
        with self._lock:
            self._mounts.pop(_key(base_url), None)
            self._drop(lambda c: _key(c.base_url) == _key(base_url))

    def client(self, connection: Connection) -> AtomSphereClient:
        """The client for ``connection``, created on first use."""
        with self._lock:
            found = self._clients.get(connection)
            if found is None:
                options = self._mounts.get(_key(connection.base_url), {})
                found = self._clients[connection] = AtomSphereClient(connection, **options)
            return found

    def close(self) -> None:
        with self._lock:
            self._drop(lambda c: True)

    def _drop(self, which: Callable[[Connection], bool]) -> None:
        for connection in [c for c in self._clients if which(c)]:
            self._clients.pop(connection).close()


#: The pool the plugin's hooks use.
DEFAULT_POOL = ClientPool()
atexit.register(DEFAULT_POOL.close)
