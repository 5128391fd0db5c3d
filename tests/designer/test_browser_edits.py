"""Editing in the designer page, in headless Chromium: what is typed is what is saved.

Each shape's operation is saved from its own settings, whichever shape is selected when the
process runs; a filter argument typed after another keeps its keystrokes; a number is saved as
typed (the server refuses what does not fit, with its located message), never rounded; and the
Import dialog and the Run button show their errors where the person is looking.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.remote.webelement import WebElement

from connector.designer.server import DesignerServer
from connector.engine import load_operation
from connector.engine.filters import Condition, Value
from connector.errors import ConfigError
from tests.conftest import ROOT
from tests.designer.browser import Page

pytestmark = pytest.mark.slow


def _connector(page: Page, index: int) -> WebElement:
    return page.all('#canvas .shape[data-kind="connector"]')[index]


def _load(page: Page, index: int, name: str) -> None:
    """Select the index-th AtomSphere shape and load the operation file ``name`` into it."""
    _connector(page, index).click()
    page.until(lambda d: page.all('[name="load-operation"]'), "the operation form")
    page.choose("load-operation", name)
    page.one("#load").click()
    page.until(
        lambda d: _connector(page, index).find_element("css selector", ".detail").text == name,
        f"{name} loaded",
    )


def _run(page: Page) -> str:
    page.one("#run").click()
    page.until(lambda d: page.one("#run-status").text != "running…", "the run")
    return page.one("#run-status").text


def _description(work: Path, name: str) -> str:
    return load_operation(work / "operations" / f"{name}.yaml").description


def test_run_saves_each_shape_its_own_operation_whichever_is_selected(
    page: Page, designer: DesignerServer
) -> None:
    work = designer.workspace.root
    shutil.copy(ROOT / "operations" / "query-failed-executions.yaml", work / "operations")
    shutil.copy(ROOT / "profiles" / "ExecutionRecord.query.response.xsd", work / "profiles")
    page.open()  # the operation list now offers both
    page.drag_to_canvas("connector", before="end")
    page.drag_to_canvas("connector", before="end")
    _load(page, 0, "get-process-errors-returned")
    page.type("description", "First shape, edited.")
    _load(page, 1, "query-failed-executions")  # the second shape is now the selected one
    page.type("description", "Second shape, edited.")

    assert _run(page) != "failed", page.one("#run-message").text
    assert _description(work, "get-process-errors-returned") == "First shape, edited."
    assert _description(work, "query-failed-executions") == "Second shape, edited."

    # Edited, then the Start shape selected (no operation form shown): Run still saves it.
    _connector(page, 0).click()
    page.until(lambda d: page.all('[name="description"]'), "the first shape's form")
    page.type("description", "First shape, edited again.")
    page.one('#canvas .shape[data-kind="start"]').click()
    page.until(lambda d: page.all('[name="start-data"]'), "the start form")
    assert _run(page) != "failed", page.one("#run-message").text
    assert _description(work, "get-process-errors-returned") == "First shape, edited again."
    assert _description(work, "query-failed-executions") == "Second shape, edited."


def test_import_and_run_errors_show_where_they_were_made(
    page: Page, designer: DesignerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = designer.workspace.root
    page.drag_to_canvas("connector", before="end")
    page.choose("action", "QUERY")
    dialog_message = "#import-dialog #import-message"

    def import_error(after: str) -> str:
        page.one("#import-ok").click()
        page.until(lambda d: page.one(dialog_message).text not in ("", after), "the dialog's error")
        assert page.one(dialog_message).is_displayed() and page.message() == ""
        assert page.one("#import-dialog").get_attribute("open") is not None
        return page.one(dialog_message).text

    page.open_import()
    assert import_error("") == "Choose an object type."
    page.choose("import-object", "ExecutionRecord", by="id")
    page.fill("#import-name", "../evil")
    refused = import_error("Choose an object type.")
    assert "'../evil'" in refused, refused
    assert not (work.parent / "evil.yaml").exists()
    page.one("#import-cancel").click()

    def no_catalog(action: str) -> None:
        raise ConfigError("the object types cannot be listed")

    monkeypatch.setattr(designer.workspace, "object_types", no_catalog)
    page.one('[data-action="import"]').click()
    page.until(lambda d: page.one(dialog_message).text != "", "the dialog's error")
    assert page.one(dialog_message).text == "the object types cannot be listed"
    assert page.one(dialog_message).is_displayed()
    page.one("#import-cancel").click()

    # The shape has no operation: the run is refused, and the reason shows by the Run button.
    assert _run(page) == "failed"
    assert page.one("#run-message").is_displayed()
    assert page.one("#run-message").text == page.message() != ""


def test_filter_arguments_and_numbers_are_saved_as_typed(
    page: Page, designer: DesignerServer
) -> None:
    work = designer.workspace.root
    page.drag_to_canvas("connector", before="end")
    page.choose("action", "QUERY")
    page.open_import()
    page.choose("import-object", "ExecutionRecord", by="id")
    page.fill("#import-name", "long-runs")
    page.press("#import-ok", "Imported ExecutionRecord:")

    page.one('[data-action="add-condition"]').click()
    page.until(lambda d: page.all("[data-condition]"), "a filter condition")
    page.choose("property", "executionDuration")
    page.choose("operator", "BETWEEN")
    page.until(lambda d: len(page.all('[name="argument"]')) == 2, "two argument boxes")
    page.all('[name="argument"]')[0].send_keys("1000")
    second = page.all('[name="argument"]')[1]
    second.click()  # leaving the first box takes its value; the click lands in the second
    assert page.driver.switch_to.active_element == second
    ActionChains(page.driver).send_keys("5000").perform()
    assert [a.get_attribute("value") for a in page.all('[name="argument"]')] == ["1000", "5000"]

    page.type("max_results", "1.5")
    refused = page.press("#save", "")
    assert "max_results" in refused and "1.5" in refused, refused
    assert load_operation(work / "operations" / "long-runs.yaml").options.max_results == 0

    page.type("max_results", "1e")  # no number at all: the page cannot send it as typed
    assert "Maximum Results: not a number" in page.press("#save", "")

    page.type("max_results", "20")
    page.press("#save", "Saved operations/long-runs.yaml")
    saved = load_operation(work / "operations" / "long-runs.yaml")
    assert saved.filter == Condition("executionDuration", "BETWEEN", (Value("1000"), Value("5000")))
    assert saved.options.max_results == 20
