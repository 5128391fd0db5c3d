"""The host contract: the hooks a connector plugin implements and a host calls.

A plugin contributes one or more connectors through :func:`connector_register_connectors`; every
other hook receives the ``connector_id`` it is asked about and returns ``None`` when that id is not
its own, so several plugins can live in one host. Those hooks are *firstresult*: the first plugin
that answers wins.

Implement hooks with the public marker::

    from connector import hookimpl

    @hookimpl
    def connector_register_connectors(register):
        register(my_descriptor)

and expose the module (or an instance) under the ``atomsphere_connector`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy

from connector.contract import (
    Action,
    ConnectionCheck,
    ExecutionContext,
    ObjectDefinitions,
    ObjectType,
    Operation,
)
from connector.descriptor import PluginDescriptor
from connector.documents import Document, OperationResponse

PROJECT_NAME = "atomsphere_connector"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)

Connection = Mapping[str, Any]
"""Connection settings as the host holds them: field id → value, per the descriptor's fields."""


@hookspec
def connector_register_connectors(register: Callable[[PluginDescriptor], None]) -> None:
    """Contribute connectors to the host.

    Call ``register(descriptor)`` once per connector the plugin provides. The descriptor is the
    validated content of the plugin's ``plugin.yaml``: identity, version, connection fields and
    actions. A host builds its palette and connection forms from it.
    """


@hookspec(firstresult=True)
def connector_browse_object_types(
    connector_id: str, connection: Connection | None, action: Action
) -> list[ObjectType] | None:
    """List the object types that support ``action`` (Boomi's ``getObjectTypes``).

    ``connection`` is ``None`` to browse offline from the schema bundled with the plugin.
    Browsing never changes data in the service. Return ``None`` if ``connector_id`` is not yours.
    """


@hookspec(firstresult=True)
def connector_object_definitions(
    connector_id: str, connection: Connection | None, object_type: str, action: Action
) -> ObjectDefinitions | None:
    """Describe the request and response profiles of ``action`` on ``object_type``.

    Each side is a self-contained XML Schema with its root element; a side is ``None`` when the
    action has none (a Query takes no request document). Unknown object types raise
    :class:`~connector.errors.UnknownNameError`. Return ``None`` if ``connector_id`` is not yours.
    """


@hookspec(firstresult=True)
def connector_test_connection(connector_id: str, connection: Connection) -> ConnectionCheck | None:
    """Check that ``connection`` reaches the service and its credentials are accepted.

    Never raises for a bad connection: the outcome, with a message that contains no secret, is
    the returned :class:`~connector.contract.ConnectionCheck`. Return ``None`` if
    ``connector_id`` is not yours.
    """


@hookspec(firstresult=True)
def connector_load_operation(connector_id: str, path: Path) -> Operation | None:
    """Load and validate an operation file, before any document is processed.

    Raise :class:`~connector.errors.ConfigError` naming every problem (file, line, field).
    The returned operation's ``settings`` tell the host its action, object type, tracking
    direction and whether application errors are returned as documents. Return ``None`` if
    ``connector_id`` is not yours.
    """


@hookspec(firstresult=True)
def connector_execute(
    connector_id: str,
    operation: Operation,
    connection: Connection,
    documents: Sequence[Document],
    response: OperationResponse,
    context: ExecutionContext,
) -> bool | None:
    """Perform ``operation`` for a batch of input documents.

    Answer every document of ``documents`` exactly once through ``response`` (SUCCESS,
    APPLICATION_ERROR or FAILURE, with the application status code and message, and output
    documents). Problems with one document are answered on that document, never raised; an
    exception escaping this hook (``SystemExit`` from a library's ``sys.exit()`` included; only
    ``KeyboardInterrupt`` stops the run instead) makes the host fail every document still
    unanswered. Return ``True`` when handled, ``None`` if ``connector_id`` is not yours.
    """
