"""One API client per connection, for the whole process.

Hooks receive a connection as a plain mapping on every call; building a new ``httpx.Client``
each time would throw its connection pool away. The pool keeps one
:class:`~connector.atomsphere.client.AtomSphereClient` per distinct connection, and lets a host
or a test *mount* an in-process transport (the sandbox's, or a fake) for a base URL.
"""

from __future__ import annotations

import atexit
import threading

import httpx

from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection


class ClientPool:
    """Clients by connection, plus transports mounted by base URL. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[Connection, AtomSphereClient] = {}
        self._transports: dict[str, httpx.BaseTransport] = {}

    def mount(self, base_url: str, transport: httpx.BaseTransport) -> None:
        """Route every connection to ``base_url`` through ``transport`` (closing old clients)."""
        key = base_url.rstrip("/").lower()
        with self._lock:
            self._transports[key] = transport
            self._drop(lambda c: c.base_url.rstrip("/").lower() == key)

    def unmount(self, base_url: str) -> None:
        key = base_url.rstrip("/").lower()
        with self._lock:
            self._transports.pop(key, None)
            self._drop(lambda c: c.base_url.rstrip("/").lower() == key)

    def client(self, connection: Connection) -> AtomSphereClient:
        """The client for ``connection``, created on first use."""
        with self._lock:
            found = self._clients.get(connection)
            if found is None:
                transport = self._transports.get(connection.base_url.rstrip("/").lower())
                found = self._clients[connection] = AtomSphereClient(
                    connection, transport=transport
                )
            return found

    def close(self) -> None:
        with self._lock:
            self._drop(lambda c: True)

    def _drop(self, which: object) -> None:
        assert callable(which)
        for connection in [c for c in self._clients if which(c)]:
            self._clients.pop(connection).close()


#: The pool the plugin's hooks use.
DEFAULT_POOL = ClientPool()
atexit.register(DEFAULT_POOL.close)
