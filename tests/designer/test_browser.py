"""The designer page in a real headless Chromium, against an in-process sandbox.

A person's path through it: drag the connector shape onto the canvas, choose an action, import an
object type, fill the operation form (rendered from plugin.yaml), save, run the process and read
each document's result; and load an existing operation, change it, and run it into an
application error. The files the page writes are loaded with the engine, and the results shown
are compared with process reporting. Screenshots are kept (tests/designer/browser.py says where).
"""

from __future__ import annotations

import pytest

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.catalog.operators import usable_operators
from connector.contract import Action
from connector.descriptor import bundled_descriptor
from connector.designer.server import DesignerServer
from connector.engine import load_operation
from connector.engine.filters import Condition, ParamRef, Value
from connector.host.reporting import connect, execution_documents, list_executions
from tests.designer.browser import Page

pytestmark = pytest.mark.slow


def _usable(object_name: str, prop: str) -> list[tuple[str, str]]:
    """The operators (id, label) the operation loader accepts on the property."""
    catalog = load_catalog()
    query = catalog.object(object_name).query
    grammar = bundled_descriptor().query_filter
    assert query is not None and grammar is not None
    type_name = next(p.type for p in query.properties if p.name == prop)
    return [
        (op, grammar.operator(op).label)
        for op in usable_operators(query.operators, type_name, catalog)
    ]


def _operators(page: Page) -> list[tuple[str, str]]:
    """The operator dropdown's options (value, label) of the one condition shown."""
    return [(o.get_attribute("value") or "", o.text) for o in page.all('[name="operator"] option')]


def _results(page: Page) -> list[list[str]]:
    return [
        [cell.text for cell in row.find_elements("css selector", "td")]
        for row in page.all("#results-table tbody tr")
    ]


def _reported(designer: DesignerServer) -> list[list[str]]:
    """What process reporting holds for the latest execution, as the page should show it."""
    db = connect(designer.workspace.database, create=False)
    try:
        latest = list_executions(db, limit=1)[0]
        return [
            [str(d.index), d.step_name, d.direction, d.status or "", d.status_code, d.message]
            for d in execution_documents(db, latest.id)
        ]
    finally:
        db.close()


def _run(page: Page, designer: DesignerServer, screenshot: str) -> list[list[str]]:
    """Run the process; the page must show what process reporting recorded, document by document."""
    page.one("#run").click()
    page.until(lambda d: page.one("#run-status").text in ("COMPLETE", "ERROR", "failed"), "the run")
    page.screenshot(screenshot)
    assert page.one("#run-status").text == "COMPLETE", page.message()
    results = _results(page)
    assert results == _reported(designer)
    return results


def test_drag_import_fill_save_and_run_a_query(page: Page, designer: DesignerServer) -> None:
    work = designer.workspace.root
    page.screenshot("01-empty-process")
    assert page.canvas() == ["start", "end"]
    assert page.one('.palette-item[data-shape="connector"]').text == "AtomSphere API"

    page.drag_to_canvas("connector", before="end")
    page.drag_to_canvas("write", before="end")
    assert page.canvas() == ["start", "connector", "write", "end"]
    page.one('#canvas .shape[data-kind="connector"]').click()
    page.until(lambda d: page.all('[data-field="action"]'), "the operation form")
    # The form is the descriptor's: every operation field has its row, action-specific ones hide.
    fields = [f.id for f in designer.workspace.descriptor.operation_fields]
    shown = [r.get_attribute("data-field") for r in page.all("#operation-form .field")]
    assert sorted(shown) == sorted(fields)
    assert not page.one('[data-field="filter"]').is_displayed()

    page.choose("action", "QUERY")
    assert page.one('[data-field="filter"]').is_displayed()
    assert not page.one('[data-field="bulk_get"]').is_displayed()
    page.open_import()
    page.fill("#import-search", "Execution")
    page.until(lambda d: len(page.all("#import-object option")) < 10, "the search")
    page.choose("import-object", "ExecutionRecord", by="id")
    page.fill("#import-name", "failed-runs")
    page.screenshot("02-import-operation")
    page.press("#import-ok", "Imported ExecutionRecord:")
    assert page.one('[name="object"]').get_attribute("value") == "ExecutionRecord"
    assert (work / "profiles" / "ExecutionRecord.query.response.xsd").is_file()

    page.type("description", "Executions that failed.")
    page.type("max_results", "3")
    page.one('[name="return_application_errors"]').click()
    page.one('[data-action="add-condition"]').click()
    page.until(lambda d: page.all("[data-condition]"), "a filter condition")
    # The operators offered for a property are exactly those the loader accepts on it.
    status, duration = (
        _usable("ExecutionRecord", "status"),
        _usable("ExecutionRecord", "executionDuration"),
    )
    assert ("LIKE", "Like") in status and "LIKE" not in [o[0] for o in duration]
    page.choose("property", "status")
    page.until(lambda d: _operators(page) == status, "the operators of status")
    page.choose("operator", "LIKE")
    page.choose("property", "executionDuration")  # LIKE stays, marked, until changed
    page.until(
        lambda d: _operators(page) == [("LIKE", "LIKE (not allowed here)"), *duration],
        "the operators of executionDuration",
    )
    page.choose("property", "status")
    page.until(lambda d: _operators(page) == status, "the operators of status again")
    page.choose("operator", "EQUALS")
    page.type("argument", "ERROR")
    page.one('[name="max_results"]').click()  # leave the argument: its change is taken
    page.screenshot("03-operation-form")
    page.press("#save", "Saved operations/failed-runs.yaml")

    operation = load_operation(work / "operations" / "failed-runs.yaml")
    assert (operation.action, operation.object.name) == (Action.QUERY, "ExecutionRecord")
    assert operation.description == "Executions that failed."
    assert operation.filter == Condition("status", "EQUALS", (Value("ERROR"),))
    assert operation.options.max_results == 3
    assert operation.settings.return_application_errors is True
    assert operation.response_profile is not None
    assert (
        operation.response_profile.resolve()
        == work / "profiles" / "ExecutionRecord.query.response.xsd"
    )

    results = _run(page, designer, "04-run-results")
    assert [row[1:5] for row in results] == [["AtomSphere API", "output", "SUCCESS", "200"]] * 3
    assert all(row[5].startswith("3 records") for row in results)
    assert len(list((work / "processes" / "out").iterdir())) == 3


def test_load_an_existing_operation_change_it_and_run_into_an_application_error(
    page: Page, designer: DesignerServer
) -> None:
    work = designer.workspace.root
    page.drag_to_canvas("connector", before="end")
    page.choose("load-operation", "get-process-errors-returned")
    page.one("#load").click()
    page.until(lambda d: page.one('[name="object"]').get_attribute("value") == "Process", "it")
    assert page.message() == ""  # it loads without problems
    assert page.one('[name="return_application_errors"]').is_selected()
    assert page.one('[name="id-mode"]').get_attribute("value") == "param"

    # The id's parameter now comes from the start document instead of a document property.
    page.choose("field-parameters-0-from", "xpath")
    page.type("field-parameters-0-value", "/lookup/@id")
    page.one("#canvas .shape[data-kind='start']").click()
    page.until(lambda d: page.all('[name="start-data"]'), "the start form")
    page.type("start-data", '<lookup id="no-such-process"/>')
    page.one("#canvas .shape[data-kind='connector']").click()
    page.until(lambda d: page.all('[name="load-operation"]'), "the operation form")
    page.press("#save", "Saved operations/get-process-errors-returned.yaml")
    saved = load_operation(work / "operations" / "get-process-errors-returned.yaml")
    assert saved.id == ParamRef("process")
    assert dict(saved.settings.parameters["process"]) == {"from": "xpath", "xpath": "/lookup/@id"}

    results = _run(page, designer, "05-application-error")
    start, answer = results  # the start step tracks the document it lets in
    assert start[1:4] == ["Start", "output", "SUCCESS"]
    assert answer[1:5] == ["AtomSphere API", "output", "APPLICATION_ERROR", "400"]
    assert "no-such-process" in answer[5]
