"""A designer served on loopback against an in-process sandbox, and a client for its API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.designer.launch import serve_designer
from connector.designer.server import DesignerServer
from connector.sandbox import SandboxConfig


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DesignerServer]:
    with serve_designer(tmp_path / "work", sandbox_config=SandboxConfig(rate_limit=0)) as running:
        yield running


@pytest.fixture
def http(server: DesignerServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client
