"""Headless Chromium from Debian's packages, driven by Selenium through the system chromedriver.

Nothing is downloaded at run time: the browser and its driver are the packages ``chromium`` and
``chromium-driver`` (``.ci/run`` installs them when missing). Every wait is on the state of the
page, never on time, so a loaded machine only makes the test slower.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("ATOMSPHERE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ATOMSPHERE_CHROMEDRIVER", "/usr/bin/chromedriver"))
#: Where screenshots are kept besides the test's tmp path (ignored by git).
SCREENSHOTS = Path(
    os.environ.get("ATOMSPHERE_SCREENSHOTS", ROOT / "tests" / "designer" / "screenshots")
)
#: Generous: a loaded 2-core machine starts Chromium slowly; waits end as soon as the page is ready.
PATIENCE = 90
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1500,1000",
)

T = TypeVar("T")


def require_chromium() -> None:
    """Fail, never skip, when the browser is missing: the designer must be proven in one."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(
            "headless Chromium is needed for the designer's browser test, but "
            f"{', '.join(missing)} is missing: install Debian's packages with "
            "`apt-get install chromium chromium-driver` (.ci/run does it when run as root), "
            "or point ATOMSPHERE_CHROMIUM and ATOMSPHERE_CHROMEDRIVER at them",
            pytrace=False,
        )


def start_chromium(profile: Path) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


class Page:
    """The designer page, in the words of a person using it."""

    def __init__(self, driver: WebDriver, url: str, shots: Path) -> None:
        self.driver = driver
        self.url = url
        self.shots = shots
        # The page redraws parts of itself: an element found a moment ago may be gone; look again.
        self.wait = WebDriverWait(
            driver,
            PATIENCE,
            ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
        )

    def until(self, condition: Callable[[WebDriver], T], what: str) -> T:
        return self.wait.until(condition, f"waiting for {what}")

    def one(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def open(self) -> None:
        self.driver.get(self.url)
        self.until(lambda d: self.one("body").get_attribute("data-ready") == "true", "the page")

    def screenshot(self, name: str) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        assert self.driver.save_screenshot(str(path)), path
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / path.name)

    def canvas(self) -> list[str]:
        return [s.get_attribute("data-kind") or "" for s in self.all("#canvas .shape")]

    def drag_to_canvas(self, shape: str, before: str) -> None:
        """Drag a palette shape and drop it on the canvas just left of the ``before`` shape."""
        count = len(self.canvas())
        source = self.one(f'.palette-item[data-shape="{shape}"]')
        target = self.one(f'#canvas .shape[data-kind="{before}"]')
        offset = -(target.size["width"] // 2 + 10)
        ActionChains(self.driver).click_and_hold(source).move_by_offset(
            5, 5
        ).move_to_element_with_offset(target, offset, 0).release().perform()
        self.until(lambda d: len(self.canvas()) == count + 1, f"the {shape} shape on the canvas")

    def choose(self, name: str, value: str, *, by: str = "name") -> None:
        Select(self.one(f'[{by}="{name}"]')).select_by_value(value)

    def type(self, name: str, text: str) -> None:
        self.fill(f'[name="{name}"]', text)

    def fill(self, css: str, text: str) -> None:
        field = self.one(css)
        field.clear()
        field.send_keys(text)

    def open_import(self) -> None:
        """Click Import Operation and wait for the object types it offers."""
        self.one('[data-action="import"]').click()
        self.until(lambda d: len(self.all("#import-object option")) > 10, "the object types")

    def message(self) -> str:
        return self.one("#messages").text

    def press(self, css: str, expect: str) -> str:
        """Click a button and wait for the message it leaves; it must start with ``expect``."""
        before = self.message()
        self.one(css).click()
        self.until(lambda d: self.message() not in ("", before), f"the message after {css}")
        assert self.message().startswith(expect), self.message()
        return self.message()
