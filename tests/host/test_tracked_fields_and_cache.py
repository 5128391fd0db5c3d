"""Tracked fields (searchable), the document cache and lookups, and properties that travel with
documents to later steps."""

from __future__ import annotations

from pathlib import Path

from connector.host.reporting import list_executions
from tests.host.conftest import Runner, write

HEAD = """
kind: Process
version: 1
name: fields
properties: {region: eu}
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake"}}
"""


def test_tracked_fields_come_from_properties_and_xpath_and_are_searchable(
    tmp_path: Path, run: Runner
) -> None:
    write(
        tmp_path,
        "fetch.yaml",
        """
kind: FakeOperation
name: fetch
action: GET
tracked_fields:
  thing: {from: document_property, name: thingId}
  by: {from: xpath, xpath: /thing/@by}
  region: {from: process_property, name: region}
  missing: {from: document_property, name: nothing}
""",
    )
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents:
    - {data: "<in/>", properties: {thingId: a}}
    - {data: "<in/>", properties: {thingId: b, outcome: APPLICATION_ERROR}}
steps:
  - {name: Fetch, operation: fetch.yaml}
""",
    )
    first = run(region="us")
    a, b = first.documents_of("Fetch")
    assert a.fields == {"thing": "a", "by": "fetch", "region": "us"}
    assert b.fields == {"thing": "b", "region": "us"}, "the error document has no @by"
    run(region="eu")

    def found(**fields: str) -> list[str]:
        return [e.id for e in list_executions(first.db, fields=fields)]

    assert found(thing="a") == found() and len(found()) == 2
    assert found(region="us") == [first.execution.id]
    assert found(region="us", thing="b") == [first.execution.id]
    assert found(thing="c") == []
    assert found(nothing="a") == []


def test_documents_cached_by_an_operation_are_looked_up_by_a_later_step(
    tmp_path: Path, run: Runner
) -> None:
    write(
        tmp_path,
        "load.yaml",
        """
kind: FakeOperation
name: load
action: QUERY
behaviour: {fanout: 2}
caching: {cache: things, key: thingKey}
parameters:
  thingKey: {from: xpath, xpath: "concat(/thing/@id, '-', /thing/@n)"}
""",
    )
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  name: Load things
  operation: load.yaml
steps:
  - name: Ask about them
    set_properties:
      wanted: {from: static, value: 0-1}
      other: {from: static, value: 9-9}
  - name: Find the cached one
    lookup:
      cache: things
      key: {from: document_property, name: wanted}
      properties:
        cachedN: {from: xpath, xpath: /thing/@n}
        cachedBy: {from: document_property, name: seenBy}
  - name: Find a missing one
    lookup:
      cache: things
      key: {from: document_property, name: other}
      properties:
        otherN: {from: xpath, xpath: /thing/@n, default: none}
  - name: Keep
    write:
      folder: out
      file_name: {from: document_property, name: thingId}
  - {name: Use, operation: use.yaml}
""",
    )
    write(
        tmp_path,
        "use.yaml",
        """
kind: FakeOperation
name: use
action: CREATE
tracked_fields:
  cachedN: {from: document_property, name: cachedN}
  cachedBy: {from: document_property, name: cachedBy}
  otherN: {from: document_property, name: otherN}
""",
    )
    report = run()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0", "0.1"]
    assert [d.fields for d in report.documents_of("Use")] == [
        {"cachedN": "1", "cachedBy": "load", "otherN": "none"}
    ] * 2
    rows = report.db.execute(
        "SELECT name, kind, inputs, outputs FROM steps WHERE execution_id = ? ORDER BY seq",
        (report.execution.id,),
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("Load things", "start", 1, 2),
        ("Ask about them", "set_properties", 2, 2),
        ("Find the cached one", "lookup", 2, 2),
        ("Find a missing one", "lookup", 2, 2),
        ("Keep", "write", 2, 2),
        ("Use", "operation", 2, 2),
    ]


def test_a_lookup_sets_what_later_operations_read(tmp_path: Path, run: Runner) -> None:
    write(
        tmp_path,
        "load.yaml",
        """
kind: FakeOperation
name: load
action: QUERY
behaviour: {fanout: 3}
caching: {cache: things, key: id}
parameters:
  id: {from: document_property, name: thingId}
""",
    )
    write(
        tmp_path,
        "use.yaml",
        """
kind: FakeOperation
name: use
action: CREATE
tracked_fields:
  cachedBy: {from: document_property, name: cachedBy}
  lastRun: {from: last_run_date, default: never}
""",
    )
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start: {name: Load, operation: load.yaml}
steps:
  - name: Pick
    set_properties: {thingId: {from: static, value: "0.2"}}
  - name: Look
    lookup:
      cache: things
      key: {from: document_property, name: thingId}
      properties: {cachedBy: {from: document_property, name: seenBy}}
  - {name: Use, operation: use.yaml}
""",
    )
    first = run()
    assert [d.fields for d in first.documents_of("Use")] == [
        {"cachedBy": "load", "lastRun": "never"}
    ] * 3
    second = run()
    last_run = first.execution.started_at
    (value,) = {d.fields["lastRun"] for d in second.documents_of("Use")}
    assert value == last_run[:19] + "Z", "the last successful run's start, in Boomi's format"


def test_document_properties_travel_to_outputs_and_later_steps(tmp_path: Path, run: Runner) -> None:
    write(
        tmp_path,
        "fetch.yaml",
        """
kind: FakeOperation
name: fetch
action: GET
tracked_fields:
  origin: {from: document_property, name: origin}
  seenBy: {from: document_property, name: seenBy}
  region: {from: document_property, name: region}
""",
    )
    write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start:
  documents: [{data: "<in/>", properties: {origin: disk, seenBy: nobody}}]
steps:
  - {name: First, operation: fetch.yaml, tracking: output}
  - {name: Second, operation: fetch.yaml, tracking: input}
""",
    )
    report = run()
    (first,) = report.documents_of("First")
    (second,) = report.documents_of("Second")
    assert first.fields == {"origin": "disk", "seenBy": "fetch", "region": "eu"}
    assert second.fields == first.fields
    assert second.properties["applicationStatusCode"] == "200"
    assert second.properties["execution"] == report.execution.id
