"""SIGTERM as an interruption, for the commands that run processes."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from connector.errors import Terminated

TERMINATED: str = "terminated (SIGTERM)"


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while the block runs, so a run stopped by a service
    manager or ``kill`` records ABORTED and removes its temporary files, as for Ctrl-C, instead
    of dying where it stands. Outside the main thread signals cannot be caught: nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(_signum: int, _frame: FrameType | None) -> None:
        raise Terminated(TERMINATED)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
