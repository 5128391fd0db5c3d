"""What keeps one hostile client from starving the others: a deadline per request, and a
bounded number of connections where the oldest still-receiving one makes room for a new one.

A socket timeout alone does not stop a slow-loris client (one byte every few seconds resets it);
the deadline covers the whole request, from the moment the server waits for its first byte to
the last byte of its body. Each connection holds one thread, so bounding connections bounds
threads and file descriptors: a connection that has not yet delivered its request line and
headers (idle keep-alive, slow-loris, or one that never sends) is evicted, oldest first, when a
new connection needs its place; when every place is busy answering, the new one is refused.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Callable


class DeadlineReader(io.RawIOBase):
    """Reads a socket, refusing (``TimeoutError``) once the current deadline has passed."""

    def __init__(self, sock: socket.socket, clock: Callable[[], float] = time.monotonic) -> None:
        self._sock = sock
        self._clock = clock
        self._deadline = clock()

    def start(self, seconds: float) -> None:
        """A new request begins: it must be complete within ``seconds``."""
        self._deadline = self._clock() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise TimeoutError("the request took too long to arrive")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class Slot:
    """One accepted connection; ``receiving`` while it has not yet delivered a request's head."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.receiving = True


class Slots:
    """The connections being served, at most ``limit`` of them (in acceptance order)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._emptied = threading.Condition(self._lock)
        self._slots: dict[socket.socket, Slot] = {}

    def admit(self, sock: socket.socket) -> bool:
        """Take a place for ``sock``, evicting the oldest receiving connection when full;
        False when every place is busy answering a request."""
        with self._lock:
            if len(self._slots) >= self.limit:
                victim = next((s for s in self._slots.values() if s.receiving), None)
                if victim is None:
                    return False
                del self._slots[victim.sock]
                _hang_up(victim.sock)
            self._slots[sock] = Slot(sock)
            return True

    def release(self, sock: socket.socket) -> None:
        with self._lock:
            self._slots.pop(sock, None)
            if not self._slots:
                self._emptied.notify_all()

    def set_receiving(self, sock: socket.socket, receiving: bool) -> bool:
        """Mark the connection; False when it was evicted meanwhile (its socket is shut)."""
        with self._lock:
            slot = self._slots.get(sock)
            if slot is None:
                return False
            slot.receiving = receiving
            return True

    def hang_up_all(self) -> None:
        """Shut every connection (the server is stopping); their threads then end."""
        with self._lock:
            for sock in self._slots:
                _hang_up(sock)

    def wait_empty(self, timeout: float) -> bool:
        with self._emptied:
            return self._emptied.wait_for(lambda: not self._slots, timeout)

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)


def _hang_up(sock: socket.socket) -> None:
    """Wake the thread blocked reading ``sock``: it reads end-of-file and closes it."""
    with contextlib.suppress(OSError):  # already closed by its own thread
        sock.shutdown(socket.SHUT_RDWR)
