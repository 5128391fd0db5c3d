"""The AtomSphere connector's hook implementations: glue from the host contract to the rooms below.

Registered through the project's own entry point (``atomsphere_connector`` group, name
``atomsphere``) like any third-party plugin; nothing imports this module by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.connection import connection_from_mapping
from connector.atomsphere.pool import DEFAULT_POOL
from connector.contract import (
    Action,
    ConnectionCheck,
    ExecutionContext,
    ObjectDefinitions,
    ObjectType,
    Operation,
)
from connector.descriptor import PluginDescriptor, bundled_descriptor
from connector.documents import Document, OperationResponse
from connector.engine import OperationConfig, load_operation, run_operation
from connector.engine.check import check_connection
from connector.errors import ConfigError, ContractError
from connector.hookspecs import Connection
from connector.plugins import hookimpl
from connector.wizard import browse, build_profiles, object_definitions, open_schema, resolve

CONNECTOR_ID = "atomsphere"


@hookimpl
def connector_register_connectors(register: Callable[[PluginDescriptor], None]) -> None:
    register(bundled_descriptor())


@hookimpl
def connector_browse_object_types(
    connector_id: str, connection: Connection | None, action: Action
) -> list[ObjectType] | None:
    if connector_id != CONNECTOR_ID:
        return None
    if connection is not None:
        served = open_schema(connection_from_mapping(connection, source="connection"))
        return browse(served, Action(action)).object_types
    return [
        ObjectType(o.name, o.label, o.description, o.deprecated)
        for o in load_catalog().objects_for(Action(action))
    ]


# -- running operations (engine) ------------------------------------------------------------


@hookimpl
def connector_load_operation(connector_id: str, path: Path) -> Operation | None:
    if connector_id != CONNECTOR_ID:
        return None
    return load_operation(path)


@hookimpl
def connector_execute(
    connector_id: str,
    operation: Operation,
    connection: Connection,
    documents: Sequence[Document],
    response: OperationResponse,
    context: ExecutionContext,
) -> bool | None:
    if connector_id != CONNECTOR_ID:
        return None
    if not isinstance(operation, OperationConfig):
        raise ContractError(
            f"connector {CONNECTOR_ID!r} was given an operation it did not load "
            f"({type(operation).__name__})"
        )
    try:
        settings = connection_from_mapping(connection, source="connection")
    except ConfigError as exc:
        response.fail_unanswered(f"connection settings: {exc}")
        return True
    run_operation(operation, DEFAULT_POOL.client(settings), documents, response, context)
    return True


@hookimpl
def connector_test_connection(connector_id: str, connection: Connection) -> ConnectionCheck | None:
    if connector_id != CONNECTOR_ID:
        return None
    try:
        settings = connection_from_mapping(connection, source="connection")
    except ConfigError as exc:
        return ConnectionCheck(False, f"connection settings: {exc}")
    return check_connection(DEFAULT_POOL.client(settings))


# -- profiles (wizard) ---------------------------------------------------------------------


@hookimpl
def connector_object_definitions(
    connector_id: str, connection: Connection | None, object_type: str, action: Action
) -> ObjectDefinitions | None:
    if connector_id != CONNECTOR_ID:
        return None
    served = open_schema(
        connection_from_mapping(connection, source="connection") if connection is not None else None
    )
    profiles = build_profiles(served, resolve(served, object_type, Action(action)))
    return object_definitions(profiles, served.namespace)
