"""The AtomSphere plugin's wizard hooks, offline and against a real (loopback) connection."""

from __future__ import annotations

from collections.abc import Callable

import pluggy
import pytest
from lxml import etree

from connector.contract import Action, ObjectDefinitions, ProfileRole
from connector.errors import UnknownNameError
from connector.xml import API_NS, SAFE_PARSER
from tests.wizard.conftest import ACCOUNT, BOOMI_2021, PASSWORD, USER


def definitions(
    pm: pluggy.PluginManager, object_type: str, action: Action, connection: object = None
) -> ObjectDefinitions:
    found = pm.hook.connector_object_definitions(
        connector_id="atomsphere", connection=connection, object_type=object_type, action=action
    )
    assert isinstance(found, ObjectDefinitions)
    return found


def test_object_definitions_offline_follow_the_action(plugin_manager: pluggy.PluginManager) -> None:
    query = definitions(plugin_manager, "ExecutionRecord", Action.QUERY)
    assert query.request is None
    assert query.response is not None
    assert query.response.root_element == "ExecutionRecord"
    assert query.response.namespace == API_NS
    assert query.response.role is ProfileRole.RESPONSE
    etree.XMLSchema(etree.fromstring(query.response.schema.encode(), parser=SAFE_PARSER))
    create = definitions(plugin_manager, "Environment", Action.CREATE)
    assert create.request is not None and create.response is not None
    assert create.request.root_element == "Environment"
    delete = definitions(plugin_manager, "Environment", Action.DELETE)
    assert delete == ObjectDefinitions(None, None)


def test_object_definitions_refuse_unknown_objects_and_answer_only_for_atomsphere(
    plugin_manager: pluggy.PluginManager,
) -> None:
    with pytest.raises(UnknownNameError, match="did you mean ExecutionRecord"):
        definitions(plugin_manager, "ExecutionRecords", Action.QUERY)
    other = plugin_manager.hook.connector_object_definitions(
        connector_id="someone-else", connection=None, object_type="Account", action=Action.GET
    )
    assert other is None


def test_with_a_connection_the_hooks_read_the_schema_it_serves(
    plugin_manager: pluggy.PluginManager, loopback_server: Callable[[bytes], str]
) -> None:
    base_url = loopback_server(BOOMI_2021.read_bytes())
    connection = {
        "base_url": base_url,
        "account_id": ACCOUNT,
        "username": USER,
        "password": PASSWORD,
    }
    types = plugin_manager.hook.connector_browse_object_types(
        connector_id="atomsphere", connection=connection, action=Action.QUERY
    )
    ids = {t.id for t in types}
    # Only Boomi's 2021 schema has ConnectorUsage: not in the catalog, so not offered (the loader
    # could not run an operation on it); Branch was added after 2021.
    assert "ExecutionRecord" in ids and "ConnectorUsage" not in ids and "Branch" not in ids
    assert next(t for t in types if t.id == "ComponentAtomAttachment").deprecated
    found = definitions(plugin_manager, "ExecutionRecord", Action.QUERY, connection)
    assert found.response is not None
    assert "<xs:sequence>" in found.response.schema  # Boomi's shape, not the bundled one
