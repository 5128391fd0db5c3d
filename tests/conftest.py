"""Shared fixtures: where Boomi's reference material is, fresh plugin managers; the request a
connection sends."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pluggy
import pytest

from connector.atomsphere.connection import Connection
from connector.plugins import get_plugin_manager

ROOT = Path(__file__).resolve().parents[1]


def sent_request(connection: Connection) -> httpx.Request:
    """The request ``connection``'s client sends for one GET, its auth headers included."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with connection.http_client(httpx.MockTransport(handler)) as client:
        client.get(connection.rest_url + "/Account/x")
    return seen[0]


def _reference_dir() -> Path:
    """``$ATOMSPHERE_REFERENCE_DIR``, else ``../shared/reference`` beside the checkout, else the
    team's shared folder ``/work/shared/reference`` (for a clone made elsewhere on our machines)."""
    candidates = [
        os.environ.get("ATOMSPHERE_REFERENCE_DIR", ""),
        str(ROOT.parent / "shared" / "reference"),
        "/work/shared/reference",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "boomi-platform-openapi-3.0.3.json").is_file():
            return Path(candidate)
    raise RuntimeError(
        "Boomi's reference material was not found: set ATOMSPHERE_REFERENCE_DIR to the folder "
        "holding boomi-platform-openapi-3.0.3.json (../shared/reference beside the checkout)"
    )


REFERENCE = _reference_dir()
SPEC_PATH = REFERENCE / "boomi-platform-openapi-3.0.3.json"
#: Boomi's 2021 XSD: the committed catalog takes its element order from it (``--element-order``).
ORDER_XSD = REFERENCE / "atomsphere-2021.xsd"


@pytest.fixture
def reference() -> Path:
    return REFERENCE


@pytest.fixture
def plugin_manager() -> pluggy.PluginManager:
    """A fresh manager with the entry-point plugins loaded, as a host would build it."""
    return get_plugin_manager()


@pytest.fixture(autouse=True)
def _connector_logging_restored() -> Iterator[None]:
    """``atomsphere`` commands configure the ``connector`` logger; no test leaks that setting
    into the next (a WARNING level left behind would hide INFO records from ``caplog``)."""
    logger = logging.getLogger("connector")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers
