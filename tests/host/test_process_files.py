"""Process files: the published schema, relative paths, and load errors that name file, line
and field."""

from __future__ import annotations

import json
from pathlib import Path

import pluggy
import pytest

from connector.atomsphere.connection import connection_from_mapping
from connector.contract import TrackingDirection
from connector.errors import ConfigError
from connector.host import load_process, run_process
from connector.host.connections import atomsphere_fields
from connector.host.model import DocumentsStart, OperationStep, RouteStep, WriteStep
from connector.yamlfiles import load_yaml_file, packaged_schema, validate
from tests.conftest import ROOT
from tests.host.conftest import write

HEAD = """
kind: Process
version: 1
name: loading
connections:
  fake: {connector: fake, fields: {endpoint: "http://fake", token: t0ken}}
"""

FETCH = """
kind: FakeOperation
name: fetch
action: GET
"""


def _problems(tmp_path: Path, pm: pluggy.PluginManager, body: str) -> list[str]:
    path = write(tmp_path, "process.yaml", HEAD + body)
    with pytest.raises(ConfigError) as caught:
        load_process(path, pm)
    return [str(p) for p in caught.value.problems]


def test_paths_are_relative_to_the_process_file_not_the_working_directory(
    tmp_path: Path, pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "flows/ops/fetch.yaml", FETCH)
    write(tmp_path, "flows/inputs/one.xml", "<one/>")
    write(tmp_path, "flows/inputs/two.xml", "<two/>")
    path = write(
        tmp_path,
        "flows/process.yaml",
        HEAD
        + """
start:
  documents:
    - files: inputs/*.xml
      properties: {origin: disk, count: 2, flag: true}
steps:
  - operation: ops/fetch.yaml
  - name: Keep
    write: {folder: out}
""",
    )
    monkeypatch.chdir(tmp_path)
    process = load_process(path.relative_to(tmp_path), pm)
    assert isinstance(process.start, DocumentsStart)
    assert [d.data for d in process.start.documents] == [b"<one/>", b"<two/>"]
    assert dict(process.start.documents[0].properties) == {
        "origin": "disk",
        "count": "2",
        "flag": "true",
    }
    fetch, keep = process.steps
    assert isinstance(fetch, OperationStep) and isinstance(keep, WriteStep)
    assert fetch.name == "fetch", "an unnamed operation step is named after its operation"
    assert fetch.operation_path == tmp_path / "flows" / "ops" / "fetch.yaml"
    assert fetch.tracking is TrackingDirection.OUTPUT
    assert keep.folder == tmp_path / "flows" / "out"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "start: nodata\n",
            "process.yaml:6: start: 'nodata': write `start: no_data`, or a mapping with "
            "`documents` or `operation`",
        ),
        (
            "start: no_data\nsteps:\n  - name: a\n    operaton: fetch.yaml\n",
            "process.yaml:8: steps[0]: a step needs one of operation, route, branch, write, "
            "lookup, set_properties or end (unknown: operaton)",
        ),
        (
            "start: no_data\nsteps:\n  - operation: fetch.yaml\n    write: {folder: x}\n",
            "process.yaml:8: steps[0]: a step does one thing: give one of operation, route, "
            "branch, write, lookup, set_properties or end, not operation and write",
        ),
        (
            "start: no_data\nsteps:\n  - write: {folder: x, file_name: {from: xpath}}\n",
            "process.yaml:8: steps[0].write.file_name: 'xpath' is a required property",
        ),
        (
            "start: no_data\nsteps:\n  - write: {folder: x, file_name: {from: nowhere}}\n",
            "process.yaml:8: steps[0].write.file_name: `from` must be one of: static, "
            "document_property, xpath, process_property, last_run_date, current_date",
        ),
        (
            "start: no_data\nsteps:\n  - route: {SUCESS: []}\n",
            "process.yaml:8: steps[0].route.SUCESS: unknown field (did you mean SUCCESS?)",
        ),
        (
            "start: no_data\nsteps:\n  - operation: fetch.yaml\n    tracking: sideways\n",
            "process.yaml:9: steps[0].tracking: 'sideways' is not one of: input, output",
        ),
        (
            "start:\n  documents:\n    - {file: a.xml, data: x}\n",
            "process.yaml:8: start.documents[0]: give one of file, files, data (found file and "
            "data)",
        ),
        (
            "start:\n  documents:\n    - data: x\n      dynamic_operation_properties: {id: [a]}\n",
            "process.yaml:9: start.documents[0].dynamic_operation_properties.id: ['a'] is not of "
            "type 'string', 'number', 'boolean'",
        ),
        (
            "start: no_data\nsteps:\n  - set_properties: {}\n"
            "    dynamic_operation_properties:\n      id: {from: xpath}\n",
            "process.yaml:10: steps[0].dynamic_operation_properties.id: 'xpath' is a required "
            "property",
        ),
        (
            "start: no_data\nsteps:\n  - set_properties: {}\n",
            "process.yaml:8: steps[0].set_properties: this step sets nothing: name document "
            "properties here, or operation fields under `dynamic_operation_properties`",
        ),
        (
            "start: no_data\nsteps:\n  - set_properties: {a: {from: current_date}}\n"
            "    dynamic_operation_properties: {}\n",
            "process.yaml:9: steps[0].dynamic_operation_properties: {} should be non-empty",
        ),
        (
            "start: no_data\nsteps:\n  - operation: fetch.yaml\n"
            "    dynamic_operation_properties: {id: {from: static, value: x}}\n",
            "process.yaml:9: steps[0].dynamic_operation_properties: unknown field (known: name, "
            "operation, connection, tracking, batch_size)",
        ),
    ],
)
def test_schema_problems_are_one_precise_line_each(
    tmp_path: Path, pm: pluggy.PluginManager, body: str, expected: str
) -> None:
    write(tmp_path, "fetch.yaml", FETCH)
    problems = _problems(tmp_path, pm, body)
    assert [p.split("/")[-1] for p in problems] == [expected]


def test_every_problem_of_a_file_is_reported_at_once(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    write(tmp_path, "locked.yaml", FETCH + "tracking: {direction: output, locked: true}\n")
    problems = _problems(
        tmp_path,
        pm,
        """
start:
  operation: locked.yaml
  tracking: input
steps:
  - name: Split
    route:
      SUCCESS:
        - operation: locked.yaml
          tracking: input
        - operation: missing.yaml
        - lookup:
            cache: nowhere
            key: {from: static, value: k}
            properties: {a: {from: static, value: b}}
      APPLICATION_ERROR:
        - operation: locked.yaml
          connection: other
  - name: Never
    end: complete
""",
    )
    assert [p.split("/")[-1] for p in problems] == [
        "process.yaml:9: start.tracking: start steps always track their output documents: "
        "remove `tracking: input`",
        "process.yaml:15: steps[0].route.SUCCESS[0].tracking: operation 'fetch' locks its "
        "tracking direction to output: it cannot be overridden",
        "missing.yaml",
        "process.yaml:18: steps[0].route.SUCCESS[2].lookup.cache: no operation of this process "
        "fills cache 'nowhere' (caches filled: none)",
        "process.yaml:23: steps[0].route.APPLICATION_ERROR[0].connection: unknown connection "
        "'other' (declared: fake)",
        "process.yaml:24: steps[1]: this step never runs: a route ends its list of steps (move "
        "the steps into a branch, or remove them)",
    ]
    assert problems[2].endswith(
        f"process.yaml:16: steps[0].route.SUCCESS[1].operation: file not found: "
        f"{tmp_path / 'missing.yaml'}"
    )


def test_connections_are_checked_against_installed_connectors(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    write(tmp_path, "fetch.yaml", FETCH)
    write(tmp_path, "conn.yaml", "endpoint: x\n")
    path = write(
        tmp_path,
        "process.yaml",
        """
kind: Process
version: 1
name: connections
connections:
  ghost: {connector: ghost, fields: {}}
  filed: {connector: fake, file: conn.yaml}
  one: {connector: fake, fields: {}}
  two: {connector: fake, fields: {}}
start: no_data
steps:
  - operation: fetch.yaml
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_process(path, pm)
    assert [str(p).split("/")[-1] for p in caught.value.problems] == [
        "process.yaml:5: connections.ghost: no installed plugin provides connector 'ghost' "
        "(installed: atomsphere, fake)",
        "process.yaml:6: connections.filed: connection files are read for the atomsphere "
        "connector only: write this connector's fields inline under `fields`",
        "process.yaml:11: steps[0]: name a connection (`connection: NAME`): the process declares 4",
    ]


def test_an_atomsphere_connection_file_expands_environment_variables(
    tmp_path: Path, pm: pluggy.PluginManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        "sandbox.yaml",
        """
base_url: http://127.0.0.1:9
account_id: sandbox-A1B2C3
username: sandbox@example.com
password: ${SANDBOX_PASSWORD}
""",
    )
    path = write(
        tmp_path,
        "process.yaml",
        """
kind: Process
version: 1
name: with-atomsphere
connections:
  sandbox: {file: sandbox.yaml}
start: no_data
""",
    )
    monkeypatch.delenv("SANDBOX_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="environment variable SANDBOX_PASSWORD is not set"):
        load_process(path, pm)
    monkeypatch.setenv("SANDBOX_PASSWORD", "sandbox-password")
    process = load_process(path, pm)
    sandbox = process.connections["sandbox"]
    assert sandbox.connector == "atomsphere"
    assert sandbox.fields["password"] == "sandbox-password"
    assert sandbox.fields["account_id"] == "sandbox-A1B2C3"
    assert process.secrets[0] == "sandbox-password", "and its Basic-auth base64 forms"
    assert "sandbox-password" not in repr(process)


def test_an_undeclared_process_property_is_refused(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    path = write(tmp_path, "process.yaml", HEAD + "properties: {region: eu}\nstart: no_data\n")
    process = load_process(path, pm)
    with pytest.raises(
        ConfigError,
        match=r"--property regoin: process 'loading' declares no "
        r"such property \(declared: region\)",
    ):
        run_process(process, pm, database=tmp_path / "r.db", properties={"regoin": "us"})


def test_an_archive_folder_that_climbs_out_is_refused(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    write(tmp_path, "fetch.yaml", FETCH + "archiving: {directory: ../../etc}\n")
    problems = _problems(tmp_path, pm, "start: no_data\nsteps:\n  - operation: fetch.yaml\n")
    assert problems[0].endswith(
        "steps[0].operation: operation 'fetch': archiving directory '../../etc' must not "
        "contain '..': give a path below the file's folder, or an absolute path"
    )


def test_a_route_keeps_its_branches_in_order(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    path = write(
        tmp_path,
        "process.yaml",
        HEAD
        + """
start: no_data
steps:
  - route:
      APPLICATION_ERROR: [{end: error, message: bad}]
      SUCCESS: [{write: {folder: out}}]
""",
    )
    (route,) = load_process(path, pm).steps
    assert isinstance(route, RouteStep)
    assert [s.value for s in route.branches] == ["APPLICATION_ERROR", "SUCCESS"]


def test_the_process_schema_uses_the_operation_schema_parameter_definition() -> None:
    process, operation = packaged_schema("process"), packaged_schema("operation")
    assert process["$defs"]["parameter"] == operation["$defs"]["parameter"]
    published = json.loads((ROOT / "connector" / "schemas" / "process.schema.json").read_text())
    assert published["$id"].endswith("/process.schema.json")


@pytest.mark.parametrize("path", sorted((ROOT / "processes").glob("*.yaml")), ids=lambda p: p.name)
def test_example_processes_match_the_schema(path: Path) -> None:
    validate(load_yaml_file(path), packaged_schema("process"))


def test_the_documented_example_is_the_example_process() -> None:
    text = (ROOT / "docs" / "host.md").read_text("utf-8")
    marker = "```yaml\n# processes/failed-executions.yaml\n"
    block = text[text.index(marker) + len(marker) :].split("```", 1)[0]
    example = (ROOT / "processes" / "failed-executions.yaml").read_text("utf-8")
    assert example.endswith(block)


def test_an_inline_atomsphere_connection_names_the_field_that_is_wrong(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    path = write(
        tmp_path,
        "process.yaml",
        """
kind: Process
version: 1
name: inline
connections:
  a: {fields: {account_id: a, username: u, password: p, verify_tls: maybe}}
start: no_data
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_process(path, pm)
    assert [str(p).split("/")[-1] for p in caught.value.problems] == [
        "process.yaml:5: connections.a: fields.verify_tls: must be true or false"
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"base_url": "http://127.0.0.1:9", "account_id": "a", "username": "u", "password": "p"},
        {
            "base_url": "https://api.boomi.com/partner/api/rest/v1/p-1",
            "username": "u",
            "api_token": "t",
            "timeout_seconds": 5,
            "rate_limit": 0,
            "verify_tls": False,
        },
        {"account_id": "a", "username": "u", "password": "p", "otp": "1", "api": "partner"},
    ],
)
def test_a_connection_reaches_the_connector_as_it_was_configured(
    fields: dict[str, object],
) -> None:
    connection = connection_from_mapping(fields)
    assert connection_from_mapping(atomsphere_fields(connection)) == connection


def test_properties_and_static_values_keep_the_text_written(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    body = (
        "properties: {region: 0123, unset: ~, limit: 1e3, on: yes}\n"
        "start:\n  documents:\n    - properties: {id: 0777, flag: true, when: 2026-01-01}\n"
        "steps:\n  - name: Set\n    set_properties:\n      x: {from: static, value: 12:30}\n"
    )
    process = load_process(write(tmp_path, "process.yaml", HEAD + body), pm)
    assert dict(process.properties) == {
        "region": "0123",
        "unset": None,
        "limit": "1e3",
        "on": "yes",
    }
    (document,) = process.start.documents  # type: ignore[union-attr]
    assert dict(document.properties) == {"id": "0777", "flag": "true", "when": "2026-01-01"}
    (step,) = process.steps
    assert step.properties["x"].value == "12:30"  # type: ignore[union-attr]
