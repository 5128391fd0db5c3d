"""The host contract: entry-point loading, validation of hookimpls, and every hook exercised."""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest

from connector import hookspecs
from connector.contract import (
    Action,
    ConnectionCheck,
    ExecutionContext,
    ObjectDefinition,
    ObjectDefinitions,
    OperationSettings,
    ProfileRole,
    TrackingDirection,
    TrackingSettings,
)
from connector.descriptor import PluginDescriptor
from connector.documents import Document, OperationResponse, Status
from connector.host import ExecutionStatus, load_process, run_process
from connector.host.reporting import connect, execution_documents
from connector.plugins import get_plugin_manager, hookimpl
from tests.conftest import ROOT
from tests.test_broken_plugins import install_fake_distribution

HOOK_NAMES = sorted(
    name
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("connector_")
)


def test_the_contract_has_the_expected_hooks() -> None:
    assert HOOK_NAMES == [
        "connector_browse_object_types",
        "connector_execute",
        "connector_load_operation",
        "connector_object_definitions",
        "connector_register_connectors",
        "connector_test_connection",
    ]


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented_and_tested(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc) > 80, f"{name} needs a docstring that states the contract"
    assert f"``{name}``" in (ROOT / "docs" / "hooks.md").read_text("utf-8")
    assert f"test_{name}" in globals(), f"no test named test_{name}"


def test_atomsphere_plugin_comes_from_the_entry_point_only() -> None:
    code = textwrap.dedent(
        """
        import sys
        from connector.plugins import get_plugin_manager
        get_plugin_manager(load_entrypoints=False)
        before = "connector.plugin" in sys.modules
        pm = get_plugin_manager()
        dists = [d.project_name for _, d in pm.list_plugin_distinfo()]
        print(before, pm.has_plugin("atomsphere"), dists)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split(maxsplit=2)
    assert out[0] == "False", "connector.plugin was imported without the entry point"
    assert out[1] == "True"
    assert "atomsphere-connector" in out[2] or "atomsphere_connector" in out[2]


def test_a_third_party_plugin_loads_beside_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_distribution(
        tmp_path,
        "third_party_connector_plugin",
        """
        from connector import hookimpl

        @hookimpl
        def connector_browse_object_types(connector_id, connection, action):
            return [] if connector_id == "fake" else None
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = get_plugin_manager()
    assert pm.has_plugin("fake") and pm.has_plugin("atomsphere")
    assert (
        pm.hook.connector_browse_object_types(
            connector_id="fake", connection=None, action=Action.GET
        )
        == []
    )
    assert pm.hook.connector_browse_object_types(
        connector_id="atomsphere", connection=None, action=Action.GET
    )


# -- one test per hook ------------------------------------------------------------------------


def test_connector_register_connectors(plugin_manager: pluggy.PluginManager) -> None:
    registered: list[PluginDescriptor] = []
    plugin_manager.hook.connector_register_connectors(register=registered.append)
    assert [d.id for d in registered] == ["atomsphere"]
    assert registered[0].connection_field("username").required
    assert not registered[0].connection_field("account_id").required  # a base URL may carry it


def test_connector_browse_object_types(plugin_manager: pluggy.PluginManager) -> None:
    types = plugin_manager.hook.connector_browse_object_types(
        connector_id="atomsphere", connection=None, action=Action.QUERY
    )
    names = {t.id for t in types}
    assert {"ExecutionRecord", "Environment", "AuditLog"} <= names
    assert "ExecutionRequest" not in names
    deployment = next(t for t in types if t.id == "Deployment")
    assert deployment.deprecated
    assert (
        plugin_manager.hook.connector_browse_object_types(
            connector_id="someone-else", connection=None, action=Action.QUERY
        )
        is None
    )


@dataclass(frozen=True)
class _Op:
    settings: OperationSettings


class _EchoConnector:
    """A minimal second connector, to prove dispatch by connector id and firstresult."""

    ID = "echo"

    @hookimpl
    def connector_object_definitions(
        self, connector_id: str, connection: object, object_type: str, action: Action
    ) -> ObjectDefinitions | None:
        if connector_id != self.ID:
            return None
        return ObjectDefinitions(request=None, response=None)

    @hookimpl
    def connector_test_connection(
        self, connector_id: str, connection: dict[str, str]
    ) -> ConnectionCheck | None:
        if connector_id != self.ID:
            return None
        ok = connection.get("token") == "right"
        return ConnectionCheck(ok, "connected" if ok else "credentials refused", "echo://")

    @hookimpl
    def connector_load_operation(self, connector_id: str, path: Path) -> _Op | None:
        if connector_id != self.ID:
            return None
        tracking = TrackingSettings(TrackingDirection.INPUT)
        return _Op(OperationSettings(path.stem, self.ID, Action.EXECUTE, "Echo", tracking))

    @hookimpl
    def connector_execute(
        self,
        connector_id: str,
        operation: _Op,
        connection: dict[str, str],
        documents: Sequence[Document],
        response: OperationResponse,
        context: ExecutionContext,
    ) -> bool | None:
        if connector_id != self.ID:
            return None
        for i, doc in enumerate(documents):
            response.add_result(i, Status.SUCCESS, "200", "", doc)
        return True


@pytest.fixture
def echo_pm() -> pluggy.PluginManager:
    return get_plugin_manager(plugins=[_EchoConnector()])


def test_connector_object_definitions(echo_pm: pluggy.PluginManager) -> None:
    found = echo_pm.hook.connector_object_definitions(
        connector_id="echo", connection=None, object_type="Echo", action=Action.EXECUTE
    )
    assert found == ObjectDefinitions(None, None)
    assert (
        echo_pm.hook.connector_object_definitions(
            connector_id="nobody", connection=None, object_type="Echo", action=Action.EXECUTE
        )
        is None
    )


def test_object_definitions_have_the_attributes_docs_hooks_md_names() -> None:
    doc = (ROOT / "docs" / "hooks.md").read_text("utf-8")
    (documented,) = re.findall(r"^ObjectDefinition\((.*)\)$", doc, re.MULTILINE)
    names = documented.split(", ")
    assert names == [f.name for f in dataclasses.fields(ObjectDefinition)]
    found = get_plugin_manager().hook.connector_object_definitions(
        connector_id="atomsphere", connection=None, object_type="Environment", action=Action.CREATE
    )
    assert isinstance(found, ObjectDefinitions)
    for side, role in (
        (found.request, ProfileRole.REQUEST),
        (found.response, ProfileRole.RESPONSE),
    ):
        assert isinstance(side, ObjectDefinition)
        values = {name: getattr(side, name) for name in names}
        assert values["object_type"] == "Environment" and values["action"] is Action.CREATE
        assert values["role"] is role and values["root_element"] == "Environment"
        assert values["namespace"] and values["content_type"] == "application/xml"
        assert "<xs:import" not in values["schema"] and "schemaLocation" not in values["schema"]


def test_connector_test_connection(echo_pm: pluggy.PluginManager) -> None:
    good = echo_pm.hook.connector_test_connection(
        connector_id="echo", connection={"token": "right"}
    )
    bad = echo_pm.hook.connector_test_connection(connector_id="echo", connection={"token": "wrong"})
    assert good.ok and not bad.ok
    assert "wrong" not in bad.message


def test_connector_load_operation(echo_pm: pluggy.PluginManager, tmp_path: Path) -> None:
    op = echo_pm.hook.connector_load_operation(connector_id="echo", path=tmp_path / "ping.yaml")
    assert op.settings.name == "ping"
    assert op.settings.tracking.direction is TrackingDirection.INPUT


def test_connector_execute(echo_pm: pluggy.PluginManager, tmp_path: Path) -> None:
    op = echo_pm.hook.connector_load_operation(connector_id="echo", path=tmp_path / "ping.yaml")
    docs = [Document(b"<a/>"), Document(b"<b/>")]
    response = OperationResponse(docs)
    handled = echo_pm.hook.connector_execute(
        connector_id="echo",
        operation=op,
        connection={},
        documents=docs,
        response=response,
        context=ExecutionContext(),
    )
    assert handled is True
    assert [r.outputs[0].data for r in response.results] == [b"<a/>", b"<b/>"]


def test_the_plugin_snippet_in_the_hooks_doc_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/hooks.md's "Writing a plugin" example, run as written: the module, the doc's own
    plugin.yaml, and its operation and process files."""
    doc = (ROOT / "docs" / "hooks.md").read_text("utf-8")
    snippet = doc.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "my_plugin.py").write_text(snippet, "utf-8")
    written: list[str] = []
    for block in doc.split("```yaml\n")[1:]:
        text = block.split("```", 1)[0]
        name = text.splitlines()[0].removeprefix("# ")
        (tmp_path / name).write_text(text, "utf-8")
        written.append(name)
    assert written[:3] == ["plugin.yaml", "echo.yaml", "process.yaml"]
    monkeypatch.syspath_prepend(str(tmp_path))
    import my_plugin  # type: ignore[import-not-found]

    pm = get_plugin_manager(load_entrypoints=False, plugins=[my_plugin])
    registered: list[PluginDescriptor] = []
    pm.hook.connector_register_connectors(register=registered.append)
    assert [d.id for d in registered] == ["mine"]
    docs = [Document(b"<a/>")]
    response = OperationResponse(docs)
    handled = pm.hook.connector_execute(
        connector_id="mine",
        operation=None,
        connection={},
        documents=docs,
        response=response,
        context=ExecutionContext(),
    )
    assert handled is True and [r.status for r in response.results] == [Status.SUCCESS]

    # ...and it runs in a process of the reference host, as the doc says it does.
    process = load_process(tmp_path / "process.yaml", pm)
    result = run_process(process, pm, database=tmp_path / "reporting.db")
    assert (result.status, result.message) == (ExecutionStatus.COMPLETE, "")
    db = connect(tmp_path / "reporting.db", create=False)
    try:
        echoed = [d for d in execution_documents(db, result.execution_id) if d.step_name == "Echo"]
    finally:
        db.close()
    assert [(d.direction, d.status, d.size) for d in echoed] == [("input", "SUCCESS", 4)] * 2
    monkeypatch.delitem(sys.modules, "my_plugin")
