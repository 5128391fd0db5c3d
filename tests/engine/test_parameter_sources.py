"""Filter arguments and ids from every parameter source, bound per document."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from connector.contract import ExecutionContext
from connector.documents import Status
from connector.xml import API_NS
from tests.client.fakeapi import FakeApi, query_result, xml
from tests.engine.helpers import doc, operation, run

EVERY_SOURCE = """
action: QUERY
object: ExecutionRecord
filter:
  and:
    - {property: status, operator: EQUALS, arguments: [{param: static}]}
    - {property: processName, operator: EQUALS, arguments: [{param: property}]}
    - {property: processId, operator: EQUALS, arguments: [{param: xpath}]}
    - {property: atomName, operator: EQUALS, arguments: [{param: process}]}
    - {property: executionTime, operator: BETWEEN, arguments: [{param: last}, {param: now}]}
parameters:
  static: {from: static, value: ERROR}
  property: {from: document_property, name: process}
  xpath: {from: xpath, xpath: "/request/@processId"}
  process: {from: process_property, name: atom}
  last: {from: last_run_date, default: "2000-01-01T00:00:00Z"}
  now: {from: current_date}
"""


def _arguments(request_body: bytes) -> dict[str, list[str]]:
    root = etree.fromstring(request_body)
    out = {}
    for expression in root.iter(f"{{{API_NS}}}nestedExpression"):
        out[expression.get("property")] = [a.text for a in expression]
    return out


def test_every_source_binds_its_value(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/ExecutionRecord/query", xml(query_result([])))
    context = ExecutionContext(
        process_properties={"atom": "Atom One"},
        last_run_date=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    document = doc('<request processId="p-42"/>', process="Orders")
    (result,) = run(operation(tmp_path, EVERY_SOURCE), api, [document], context)
    assert result.status is Status.SUCCESS
    args = _arguments(api.calls()[0].content)
    assert args["status"] == ["ERROR"]
    assert args["processName"] == ["Orders"]
    assert args["processId"] == ["p-42"]
    assert args["atomName"] == ["Atom One"]
    since, until = args["executionTime"]
    assert since == "2024-01-02T03:04:05Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", until) and until > since


def test_a_first_run_uses_the_last_run_date_default(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/ExecutionRecord/query", xml(query_result([])))
    context = ExecutionContext(process_properties={"atom": "A"})
    run(
        operation(tmp_path, EVERY_SOURCE),
        api,
        [doc('<request processId="p"/>', process="x")],
        context,
    )
    assert _arguments(api.calls()[0].content)["executionTime"][0] == "2000-01-01T00:00:00Z"


def test_a_value_missing_for_one_document_fails_only_that_document(tmp_path: Path) -> None:
    api = FakeApi().on("POST", "/ExecutionRecord/query", xml(query_result([])))
    context = ExecutionContext(process_properties={"atom": "A"})
    documents = [
        doc('<request processId="p"/>'),  # no "process" property, no default
        doc("<request/>", process="x"),  # the XPath finds nothing
        doc("not xml", process="x"),  # the XPath cannot run
        doc('<request processId="p"/>', process="x"),
    ]
    results = run(operation(tmp_path, EVERY_SOURCE), api, documents, context)
    assert [r.status for r in results] == [Status.APPLICATION_ERROR] * 3 + [Status.SUCCESS]
    assert results[0].message == "not sent: parameter property has no value for this document"
    assert results[1].message == "not sent: parameter xpath has no value for this document"
    assert "not well-formed" in results[2].message
    assert len(api.calls()) == 1


def test_the_id_can_come_from_a_process_property_or_a_literal(tmp_path: Path) -> None:
    env = '<bns:Environment xmlns:bns="http://api.platform.boomi.com/" id="e1" name="x"/>'
    api = FakeApi().on("GET", "/Environment/e1", xml(env))
    by_property = operation(
        tmp_path,
        """
        action: GET
        object: Environment
        id: {param: env}
        parameters:
          env: {from: process_property, name: environment}
        """,
    )
    context = ExecutionContext(process_properties={"environment": "e1"})
    assert run(by_property, api, [doc()], context)[0].status is Status.SUCCESS
    literal = operation(tmp_path, "action: GET\nobject: Environment\nid: e1\n")
    assert run(literal, api, [doc()])[0].status is Status.SUCCESS
