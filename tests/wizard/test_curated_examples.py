"""The examples in ``profiles/`` and ``operations/`` are exactly what the wizard generates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connector.contract import Action
from connector.documents import Document
from connector.engine import load_operation
from connector.wizard import bundled_schema, resolve
from connector.wizard.header import operation_header
from connector.wizard.yaml_writer import new_operation
from connector.yamlfiles import load_yaml_file
from tests.client.fakeapi import NS, FakeApi, xml
from tests.conftest import ROOT
from tests.engine.helpers import run, summary
from tests.wizard.helpers import files, run_import

#: What a user wrote in each example, beyond what the wizard generates: a re-import must keep it.
USER_EDITS = {
    "create-environment.yaml": {"description": "Create one environment per input document."},
    "delete-environment.yaml": {
        "description": "Delete the environment whose id the input document carries.",
        "id": {"param": "environment"},
        "parameters": {"environment": {"from": "xpath", "xpath": "/bns:Environment/@id"}},
    },
    "execute-process.yaml": {
        "description": (
            "Run a process on a Runtime (ExecutionRequest), then wait for its execution record."
        )
    },
    "get-account.yaml": {
        "description": "Read an account by id.",
        "id": {"param": "account"},
        "parameters": {"account": {"from": "document_property", "name": "accountId"}},
    },
    "get-process-errors-returned.yaml": {
        "description": (
            "Read processes by id; an unknown id comes back as an error document instead of "
            "stopping."
        ),
        "return_application_errors": True,
        "parameters": {"process": {"from": "document_property", "name": "processId"}},
    },
    "query-failed-executions.yaml": {
        "description": (
            "Execution records with a given status since the process last ran successfully."
        ),
        "filter": {
            "and": [
                {"property": "status", "operator": "EQUALS", "arguments": [{"param": "status"}]},
                {
                    "property": "executionTime",
                    "operator": "GREATER_THAN_OR_EQUAL",
                    "arguments": [{"param": "since"}],
                },
            ]
        },
        "parameters": {
            "status": {"from": "document_property", "name": "status", "default": "ERROR"},
            "since": {"from": "last_run_date", "default": "2020-01-01T00:00:00Z"},
        },
    },
    "update-environment.yaml": {
        "description": (
            "Update the environment each input document describes (its id attribute names it)."
        )
    },
}


@pytest.fixture
def regenerated(tmp_path: Path) -> Path:
    """A copy of the examples whose profiles were deleted, then re-imported."""
    shutil.copytree(ROOT / "operations", tmp_path / "operations")
    (tmp_path / "profiles").mkdir()
    code = run_import(
        "--offline",
        "--refresh",
        "--profiles-dir",
        str(tmp_path / "profiles"),
        "--operations-dir",
        str(tmp_path / "operations"),
    )
    assert code == 0
    return tmp_path


def test_regenerated_profiles_are_identical_to_the_committed_ones(regenerated: Path) -> None:
    assert files(regenerated / "profiles") == files(ROOT / "profiles")


def test_reimported_operations_are_identical_to_the_committed_ones(regenerated: Path) -> None:
    assert files(regenerated / "operations", "*.yaml") == files(ROOT / "operations", "*.yaml")


@pytest.mark.parametrize("name", sorted(USER_EDITS))
def test_each_example_keeps_its_user_edits(name: str) -> None:
    data = load_yaml_file(ROOT / "operations" / name).data
    assert {k: data.get(k) for k in USER_EDITS[name]} == USER_EDITS[name]
    assert data["name"] == name.removesuffix(".yaml")


def _header(text: str) -> list[str]:
    lines = text.splitlines()
    return lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]


@pytest.mark.parametrize("name", sorted(USER_EDITS))
def test_each_examples_header_comment_is_what_the_wizard_writes_today(name: str) -> None:
    """A re-import keeps the header, so only this says it is the generator's (and as true):
    the header the wizard writes for the file's data, its `id:` included."""
    path = ROOT / "operations" / name
    data = load_yaml_file(path).data
    plan = resolve(bundled_schema(), data["object"], Action(data["action"]))
    assert _header(path.read_text()) == operation_header(plan, dict(data))
    if "id" not in data:
        assert _header(path.read_text()) == _header(new_operation(plan, data["name"], {}))


@pytest.mark.parametrize(
    ("id_entry", "document", "dynamic", "expected"),
    [
        ("", '<bns:Account {NS} accountId="from-attribute"/>', {}, "from-attribute"),
        (
            "",
            "<bns:Account {NS}><bns:accountId>from-element</bns:accountId></bns:Account>",
            {},
            "from-element",
        ),
        ("id: literal\n", '<bns:Account {NS} accountId="from-attribute"/>', {}, "literal"),
        ("id: literal\n", '<bns:Account {NS} accountId="x"/>', {"id": "dynamic"}, "dynamic"),
        ("", '<bns:Account {NS} accountId="x"/>', {"id": "dynamic"}, "dynamic"),
    ],
)
def test_a_get_takes_its_id_where_its_header_comment_says(
    tmp_path: Path, id_entry: str, document: str, dynamic: dict[str, str], expected: str
) -> None:
    """The generated header says: `id:` when set, else the document's accountId (attribute or
    element of its root), and a dynamic operation property `id` overrides both."""
    plan = resolve(bundled_schema(), "Account", Action.GET)
    path = tmp_path / "get.yaml"
    path.write_text(new_operation(plan, "get", {}) + id_entry)
    api = FakeApi().on("GET", f"/Account/{expected}", xml(f'<bns:Account {NS} accountId="a"/>'))
    data = document.format(NS=NS).encode()
    results = run(load_operation(path), api, [Document(data, {}, dynamic)])
    assert summary(results) == [("SUCCESS", "200")]


def test_the_examples_cover_every_action_and_reference_every_profile() -> None:
    referenced = set()
    actions = set()
    for path in sorted((ROOT / "operations").glob("*.yaml")):
        data = load_yaml_file(path).data
        actions.add(data["action"])
        for target in (data.get("profiles") or {}).values():
            if target:
                referenced.add((path.parent / target).resolve())
    assert actions == {"GET", "QUERY", "CREATE", "UPDATE", "DELETE", "EXECUTE"}
    assert referenced == {p.resolve() for p in (ROOT / "profiles").glob("*.xsd")}


def test_the_header_says_where_a_literal_or_parameter_id_comes_from() -> None:
    plan = resolve(bundled_schema(), "Account", Action.GET)
    literal = " ".join(operation_header(plan, {"id": "acct-1"}))
    assert "this file's `id:`, 'acct-1', the same for every document" in literal
    stated = {"id": {"param": "a"}, "parameters": {"a": {"from": "process_property", "name": "P"}}}
    stated["parameters"]["a"]["default"] = "x"
    said = " ".join(line.removeprefix("# ") for line in operation_header(plan, stated))
    assert "the process property P (default 'x'), or `--param a=VALUE`" in said
