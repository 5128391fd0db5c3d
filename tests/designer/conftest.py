"""A designer served on loopback against an in-process sandbox, a client for its API, and the
page in headless Chromium (for the browser tests)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from connector.designer.launch import serve_designer
from connector.designer.server import DesignerServer
from connector.sandbox import SandboxConfig
from tests.conftest import ROOT
from tests.designer.browser import Page, require_chromium, start_chromium


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DesignerServer]:
    with serve_designer(tmp_path / "work", sandbox_config=SandboxConfig(rate_limit=0)) as running:
        yield running


@pytest.fixture
def http(server: DesignerServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture
def designer(tmp_path: Path) -> Iterator[DesignerServer]:
    work = tmp_path / "work"
    (work / "operations").mkdir(parents=True)
    (work / "profiles").mkdir()
    shutil.copy(ROOT / "operations" / "get-process-errors-returned.yaml", work / "operations")
    shutil.copy(ROOT / "profiles" / "Process.get.response.xsd", work / "profiles")
    with serve_designer(work, sandbox_config=SandboxConfig(rate_limit=0)) as server:
        yield server


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[WebDriver]:
    require_chromium()
    browser = start_chromium(tmp_path / "chromium-profile")
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def page(
    driver: WebDriver, designer: DesignerServer, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    shots = tmp_path / "screenshots"
    page = Page(driver, designer.url, shots)
    page.open()
    yield page
    page.screenshot(f"{request.node.name}-last")
