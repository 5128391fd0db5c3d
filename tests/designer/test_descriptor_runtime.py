"""plugin.yaml and the runtime agree both ways.

Every operation field the descriptor declares is read by the engine (loading a file that sets it
changes the loaded operation), every field the operation format and the engine's options have is
declared, declared defaults are the runtime's, the filter grammar is the catalog's and is
enforced when an operation loads, and the document properties declared are exactly those the
connector sets on its outputs.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.catalog.operators import filter_type
from connector.contract import Action
from connector.descriptor import OperationFieldSpec, bundled_descriptor
from connector.documents import Document, Result, Status
from connector.engine import OperationConfig, load_operation
from connector.engine.config import SENDS_DOCUMENT, TAKES_ID, OperationOptions
from connector.engine.filters import Condition, Value
from connector.errors import ConfigError
from connector.host.operation_step import with_application_status
from connector.sandbox import DEFAULT_ACCOUNT_ID, fixtures
from connector.xml import API_NS
from connector.yamlfiles import packaged_schema
from tests.conftest import ROOT
from tests.engine.helpers import doc, write_operation
from tests.engine.sandboxed import Sandboxed, load

DESCRIPTOR = bundled_descriptor()
SCHEMA = packaged_schema("operation")
#: Keys of the operation format that say what the file is, not how the operation behaves.
FORMAT_KEYS = {"kind", "version", "connector"}
#: An object offering each action, for operations that only need to load.
OBJECT_FOR = {
    Action.GET: "Process",
    Action.QUERY: "ExecutionRecord",
    Action.CREATE: "Environment",
    Action.UPDATE: "Environment",
    Action.DELETE: "Environment",
    Action.EXECUTE: "ExecutionRequest",
}
ENGINE_SOURCES = sorted((ROOT / "connector" / "engine").glob("*.py"))


def _schema_paths(node: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every setting of the operation format: a property, or a leaf of an object of properties."""
    for name, sub in node["properties"].items():
        path = f"{prefix}{name}"
        if "properties" in sub and sub.get("type") == "object":
            yield from _schema_paths(sub, f"{path}.")
        else:
            yield path


def _schema_node(path: str) -> dict[str, Any]:
    node: dict[str, Any] = SCHEMA
    for part in path.split("."):
        node = node["properties"][part]
    return node


def _options_fields() -> list[OperationFieldSpec]:
    return [f for f in DESCRIPTOR.operation_fields if f.path.startswith("options.")]


def test_every_setting_of_the_operation_format_is_declared_and_nothing_else() -> None:
    declared = {f.path for f in DESCRIPTOR.operation_fields}
    settings = set(_schema_paths(dict(SCHEMA))) - FORMAT_KEYS
    assert sorted(settings - declared) == [], "declare these operation fields in plugin.yaml"
    assert sorted(declared - settings) == [], "plugin.yaml declares fields the format lacks"


def test_every_option_the_engine_reads_is_declared() -> None:
    runtime = {f.name for f in fields(OperationOptions)}
    declared = {f.path.removeprefix("options.") for f in _options_fields()}
    assert runtime == declared
    source = "\n".join(p.read_text("utf-8") for p in ENGINE_SOURCES)
    for name in sorted(runtime):
        assert re.search(rf"\boptions\.{name}\b", source), f"the engine never reads {name}"


@pytest.mark.parametrize("spec", _options_fields(), ids=lambda f: f.id)
def test_option_defaults_types_and_bounds_equal_the_runtime(spec: OperationFieldSpec) -> None:
    name = spec.path.removeprefix("options.")
    runtime_default = {f.name: f.default for f in fields(OperationOptions)}[name]
    node = _schema_node(spec.path)
    assert spec.default == runtime_default == node.get("default")
    assert type(spec.default) is type(runtime_default) or {
        type(spec.default),
        type(runtime_default),
    } == {int, float}
    json_type = {"integer": "integer", "number": "number", "boolean": "boolean", "choice": None}
    assert node.get("type") == json_type[spec.type]
    if spec.type == "choice":
        assert [c.value for c in spec.choices] == node["enum"]
    assert spec.minimum == node.get("minimum")
    assert spec.maximum == node.get("maximum")
    assert spec.exclusive_minimum == node.get("exclusiveMinimum")


def _minimal(tmp_path: Path, action: Action, extra: str = "") -> OperationConfig:
    text = f"action: {action.value}\nobject: {OBJECT_FOR[action]}\n{extra}"
    return load_operation(write_operation(tmp_path, text, f"{action.value.lower()}.yaml"))


@pytest.mark.parametrize("action", list(Action))
def test_declared_defaults_are_what_an_operation_gets_when_it_says_nothing(
    tmp_path: Path, action: Action
) -> None:
    config = _minimal(tmp_path, action)
    seen = {
        "tracking_direction": config.settings.tracking.direction.value,
        "tracking_locked": config.settings.tracking.locked,
        "return_application_errors": config.settings.return_application_errors,
        "archiving_enabled": config.settings.archiving is not None,
    }
    for spec in _options_fields():
        seen[spec.id] = getattr(config.options, spec.path.removeprefix("options."))
    for field_id, value in seen.items():
        assert DESCRIPTOR.operation_field(field_id).default_for(action) == value, field_id


def _profiles(tmp_path: Path) -> None:
    target = tmp_path / "profiles"
    target.mkdir(exist_ok=True)
    for name in ("Environment.create.request.xsd", "Process.get.response.xsd"):
        shutil.copy(ROOT / "profiles" / name, target / name)


Check = Callable[[OperationConfig], object]

#: For every declared field: an operation setting it away from its default, and what it changes.
HONOURED: dict[str, tuple[Action, str, Check, object]] = {
    "name": (Action.GET, "name: renamed", lambda c: c.settings.name, "renamed"),
    "description": (Action.GET, "description: Why", lambda c: c.description, "Why"),
    "action": (Action.DELETE, "", lambda c: c.action, Action.DELETE),
    "object": (Action.QUERY, "", lambda c: c.object.name, "ExecutionRecord"),
    "tracking_direction": (
        Action.GET,
        "tracking: {direction: input}",
        lambda c: c.settings.tracking.direction.value,
        "input",
    ),
    "tracking_locked": (
        Action.GET,
        "tracking: {locked: true}",
        lambda c: c.settings.tracking.locked,
        True,
    ),
    "return_application_errors": (
        Action.GET,
        "return_application_errors: true",
        lambda c: c.settings.return_application_errors,
        True,
    ),
    "request_profile": (
        Action.CREATE,
        "profiles: {request: profiles/Environment.create.request.xsd}",
        lambda c: (
            c.request_validator is not None
            and "Environment.create" in c.request_validator.description
        ),
        True,
    ),
    "response_profile": (
        Action.GET,
        "profiles: {response: profiles/Process.get.response.xsd}",
        lambda c: c.response_profile is not None and c.response_profile.name,
        "Process.get.response.xsd",
    ),
    "id": (Action.GET, "id: p-1", lambda c: c.id, Value("p-1")),
    "override_account": (
        Action.GET,
        "override_account: sub-1",
        lambda c: c.override_account,
        Value("sub-1"),
    ),
    "filter": (
        Action.QUERY,
        "filter: {property: status, operator: EQUALS, arguments: [ERROR]}",
        lambda c: c.filter,
        Condition("status", "EQUALS", (Value("ERROR"),)),
    ),
    "parameters": (
        Action.GET,
        "parameters: {p: {from: static, value: x}}",
        lambda c: sorted(c.parameters),
        ["p"],
    ),
    "timeout_seconds": (
        Action.GET,
        "options: {timeout_seconds: 5}",
        lambda c: c.options.timeout_seconds,
        5,
    ),
    "max_pages": (Action.QUERY, "options: {max_pages: 3}", lambda c: c.options.max_pages, 3),
    "max_results": (Action.QUERY, "options: {max_results: 9}", lambda c: c.options.max_results, 9),
    "concurrency": (Action.GET, "options: {concurrency: 2}", lambda c: c.options.concurrency, 2),
    "bulk_get": (Action.GET, "options: {bulk_get: false}", lambda c: c.options.bulk_get, False),
    "bulk_batch_size": (
        Action.GET,
        "options: {bulk_batch_size: 7}",
        lambda c: c.options.bulk_batch_size,
        7,
    ),
    "validate_requests": (
        Action.CREATE,
        "options: {validate_requests: false}",
        lambda c: c.request_validator,
        None,
    ),
    "not_found": (
        Action.GET,
        "options: {not_found: empty}",
        lambda c: c.options.not_found,
        "empty",
    ),
    "poll_interval_seconds": (
        Action.EXECUTE,
        "options: {poll_interval_seconds: 0.5}",
        lambda c: c.options.poll_interval_seconds,
        0.5,
    ),
    "poll_timeout_seconds": (
        Action.EXECUTE,
        "options: {poll_timeout_seconds: 30}",
        lambda c: c.options.poll_timeout_seconds,
        30,
    ),
    "archiving_enabled": (
        Action.GET,
        "archiving: {enabled: true, directory: archive}",
        lambda c: c.settings.archiving is not None,
        True,
    ),
    "archiving_directory": (
        Action.GET,
        "archiving: {enabled: true, directory: archive}",
        lambda c: c.settings.archiving and c.settings.archiving.directory.name,
        "archive",
    ),
    "tracked_fields": (
        Action.GET,
        "tracked_fields: {who: {from: static, value: me}}",
        lambda c: dict(c.settings.tracked_fields),
        {"who": {"from": "static", "value": "me"}},
    ),
    "cache": (
        Action.GET,
        "caching: {cache: processes, key: {from: static, value: k}}",
        lambda c: c.settings.caching and c.settings.caching.cache,
        "processes",
    ),
    "cache_key": (
        Action.GET,
        "parameters: {p: {from: static, value: k}}\ncaching: {cache: c, key: {param: p}}",
        lambda c: c.settings.caching and c.settings.caching.key,
        "p",
    ),
}


def test_every_declared_field_has_a_check_that_the_engine_honours_it() -> None:
    assert {f.id for f in DESCRIPTOR.operation_fields} == set(HONOURED)


@pytest.mark.parametrize("field_id", sorted(HONOURED))
def test_setting_a_declared_field_changes_the_loaded_operation(
    tmp_path: Path, field_id: str
) -> None:
    action, text, check, expected = HONOURED[field_id]
    _profiles(tmp_path)
    spec = DESCRIPTOR.operation_field(field_id)
    default = spec.default_for(action)
    assert expected != default, "the check must set a value other than the default"
    assert check(_minimal(tmp_path, action, text + "\n")) == expected


def test_fields_shown_per_action_are_those_the_engine_accepts_per_action() -> None:
    def shown(field_id: str) -> set[Action]:
        condition = DESCRIPTOR.operation_field(field_id).visible_when
        assert condition is not None and condition.field == "action"
        return {Action(str(v)) for v in condition.values}

    assert shown("id") == set(TAKES_ID)
    assert shown("validate_requests") == shown("request_profile") == set(SENDS_DOCUMENT)
    assert shown("filter") == shown("max_pages") == shown("max_results") == {Action.QUERY}
    assert shown("bulk_get") == shown("bulk_batch_size") == shown("not_found") == {Action.GET}


def test_the_action_field_offers_exactly_the_declared_actions() -> None:
    choices = [c.value for c in DESCRIPTOR.operation_field("action").choices]
    assert choices == [a.id.value for a in DESCRIPTOR.actions] == [a.value for a in Action]
    assert choices == SCHEMA["properties"]["action"]["enum"]


@pytest.mark.parametrize("action", [Action.QUERY, Action.CREATE])
def test_the_engine_refuses_fields_not_shown_for_the_action(tmp_path: Path, action: Action) -> None:
    extra = "id: x" if action is Action.QUERY else "filter: {property: name, operator: IS_NULL}"
    with pytest.raises(ConfigError, match="takes no id|only QUERY takes a filter"):
        _minimal(tmp_path, action, extra)


# -- the query filter grammar ------------------------------------------------------------------


def test_operators_and_argument_counts_are_the_catalogs() -> None:
    grammar = DESCRIPTOR.query_filter
    assert grammar is not None and (grammar.grouping, grammar.sorting) == ("any", "none")
    declared = [(o.id, o.arguments) for o in grammar.operators]
    assert declared == [(o.name, o.arguments) for o in load_catalog().operators]
    operator_schema = SCHEMA["$defs"]["expression"]["oneOf"][0]["properties"]["operator"]
    assert [o.id for o in grammar.operators] == operator_schema["enum"]


def _filterable() -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    """Per filter type: (object, property, operators the object allows)."""
    catalog = load_catalog()
    found: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for obj in catalog.objects:
        if (
            obj.query is None
            or not obj.query.properties_declared
            or Action.QUERY not in obj.actions
        ):
            continue
        for prop in obj.query.properties:
            kind = filter_type(prop.type, catalog)
            found.setdefault(kind, []).append((obj.name, prop.name, obj.query.operators))
    return found


def test_every_filter_property_type_in_the_catalog_has_operators() -> None:
    grammar = DESCRIPTOR.query_filter
    assert grammar is not None
    kinds = set(_filterable())
    assert kinds == {"string", "number", "boolean", "datetime", "enum"}
    for kind in kinds:
        assert any(o.applies_to(kind) for o in grammar.operators), kind


@pytest.mark.parametrize("operator", [o.name for o in load_catalog().operators])
def test_an_operator_loads_on_the_types_it_declares_and_is_refused_on_the_others(
    tmp_path: Path, operator: str
) -> None:
    grammar = DESCRIPTOR.query_filter
    assert grammar is not None
    spec = grammar.operator(operator)
    arguments = ", ".join(["'2024-01-01T00:00:00Z'"] * spec.arguments)
    checked = 0
    for kind, candidates in sorted(_filterable().items()):
        allowing = [c for c in candidates if operator in c[2]]
        if not allowing:
            continue  # no object offers the operator on a property of this type
        obj, prop, _ = allowing[0]
        checked += 1
        text = (
            f"action: QUERY\nobject: {obj}\n"
            f"filter: {{property: {prop}, operator: {operator}, arguments: [{arguments}]}}\n"
        )
        path = write_operation(tmp_path, text, f"{operator}-{kind}.yaml")
        if spec.applies_to(kind):
            load_operation(path)
        else:
            with pytest.raises(
                ConfigError, match=rf"{operator} does not apply to \w+ \(a {kind} property\)"
            ):
                load_operation(path)
    assert checked >= 2


# -- document properties -------------------------------------------------------------------------


def _outputs_of_every_action(tmp_path: Path) -> list[Document]:
    box = Sandboxed(records=20)
    env = f'<bns:Environment xmlns:bns="{API_NS}" name="Props" classification="TEST"/>'
    outputs: list[Document] = []

    def keep(results: list[Result]) -> list[Result]:
        for result in results:
            assert result.status is not Status.FAILURE, result.message
            outputs.extend(result.outputs)
        return results

    keep(box.run("get-account", [doc(accountId=DEFAULT_ACCOUNT_ID)]))
    errors = load(
        tmp_path, "action: GET\nobject: Process\nid: nope\nreturn_application_errors: true\n"
    )
    (error,) = keep(box.run(errors, [doc()]))
    assert error.status is Status.APPLICATION_ERROR and error.output_count == 1
    keep(box.run(load(tmp_path, "action: QUERY\nobject: ExecutionRecord\n"), [doc()]))
    (created,) = keep(box.run("create-environment", [doc(env)]))
    env_id = created.outputs[0].data.split(b'id="')[1].split(b'"')[0].decode()
    renamed = env.replace('name="Props"', f'id="{env_id}" name="Renamed"')
    keep(box.run("update-environment", [doc(renamed)]))
    keep(box.run("delete-environment", [doc(renamed)]))
    request = (
        f'<ExecutionRequest xmlns="{API_NS}" processId="{fixtures.ORDER_INTAKE.id}" '
        f'atomId="{fixtures.PRODUCTION_ATOM.id}"/>'
    )
    keep(box.run("execute-process", [doc(request)]))
    return outputs


def test_declared_document_properties_are_exactly_those_the_connector_sets(
    tmp_path: Path,
) -> None:
    outputs = _outputs_of_every_action(tmp_path)
    assert len(outputs) > 20
    set_by_connector = {name for output in outputs for name in output.properties}
    assert set_by_connector == {p.id for p in DESCRIPTOR.document_properties}


def test_tracked_properties_are_those_the_host_records_with_each_answer() -> None:
    result = Result(0, Status.SUCCESS, "200", "ok")
    recorded = set(with_application_status(Document(b""), result).properties)
    assert recorded == {p.id for p in DESCRIPTOR.document_properties if p.tracked}
