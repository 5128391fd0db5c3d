"""atomsphere-connector: a connector for Boomi's AtomSphere Platform API.

The public surface for hosts and plugin authors; everything else is internal and may move.
"""

from connector._version import __version__
from connector.contract import (
    Action,
    ConnectionCheck,
    ExecutionContext,
    ObjectDefinition,
    ObjectDefinitions,
    ObjectType,
    Operation,
    OperationSettings,
    ProfileRole,
    TrackingDirection,
    TrackingSettings,
)
from connector.descriptor import PluginDescriptor
from connector.documents import Document, OperationResponse, Result, Status
from connector.errors import ConfigError, ConnectorError, PluginError
from connector.plugins import get_plugin_manager, hookimpl

__all__ = [
    "Action",
    "ConfigError",
    "ConnectionCheck",
    "ConnectorError",
    "Document",
    "ExecutionContext",
    "ObjectDefinition",
    "ObjectDefinitions",
    "ObjectType",
    "Operation",
    "OperationResponse",
    "OperationSettings",
    "PluginDescriptor",
    "PluginError",
    "ProfileRole",
    "Result",
    "Status",
    "TrackingDirection",
    "TrackingSettings",
    "__version__",
    "get_plugin_manager",
    "hookimpl",
]
