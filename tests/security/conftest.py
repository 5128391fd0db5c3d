"""The bait hostile documents point at (see :mod:`tests.security.hostile`)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.conftest import api, api_env  # noqa: F401 (the scripted API, reused)
from tests.security.hostile import CANARY, Bait


@pytest.fixture
def bait(tmp_path: Path) -> Iterator[Bait]:
    canary = tmp_path / "canary.txt"
    canary.write_text(CANARY)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        yield Bait(canary, f"http://127.0.0.1:{port}/x", listener)
