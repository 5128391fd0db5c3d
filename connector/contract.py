"""Values that travel through the hooks, besides documents and results.

They are frozen so that neither side of the contract can change what the other holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


class Action(StrEnum):
    """Boomi's connector actions: what one operation does to one object type."""

    GET = "GET"
    QUERY = "QUERY"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    EXECUTE = "EXECUTE"

    @property
    def inbound(self) -> bool:
        """Inbound actions fetch data into the process; outbound ones send documents out."""
        return self in (Action.GET, Action.QUERY)


class TrackingDirection(StrEnum):
    """Which documents process reporting records for an operation."""

    INPUT = "input"
    OUTPUT = "output"


@dataclass(frozen=True)
class ObjectType:
    """One browsable object type (Boomi's ``getObjectTypes``)."""

    id: str
    label: str
    description: str = ""
    deprecated: bool = False


class ProfileRole(StrEnum):
    """The two sides of an operation: what the connector sends and what it returns."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class ObjectDefinition:
    """A profile for one role of an operation: a self-contained XML Schema and its root."""

    object_type: str
    action: Action
    role: ProfileRole
    root_element: str
    namespace: str
    schema: str
    content_type: str = "application/xml"


@dataclass(frozen=True)
class ObjectDefinitions:
    """The profiles an action needs; a side is None when the action has none (a Query's input)."""

    request: ObjectDefinition | None
    response: ObjectDefinition | None


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of *Test Connection*; ``target`` says where it went (never a secret)."""

    ok: bool
    message: str
    target: str = ""


@dataclass(frozen=True)
class TrackingSettings:
    """Tracking direction and whether the operation's author locked it."""

    direction: TrackingDirection
    locked: bool = False


@dataclass(frozen=True)
class ArchiveSettings:
    """Boomi's Archiving tab: every document passing the operation is written to ``directory``."""

    directory: Path


@dataclass(frozen=True)
class CacheSettings:
    """Boomi's Caching tab: returned documents are kept in ``cache`` under ``key`` (a parameter
    name of the operation, resolved per output document)."""

    cache: str
    key: str


@dataclass(frozen=True)
class OperationSettings:
    """The parts of an operation every host understands, whatever the connector.

    ``tracked_fields`` and ``cache.key`` name parameters the host resolves per document with
    :mod:`connector.parameters` (``parameters`` holds their raw definitions, by name).
    """

    name: str
    connector: str
    action: Action
    object_type: str
    tracking: TrackingSettings
    return_application_errors: bool = False
    source: Path | None = None
    archiving: ArchiveSettings | None = None
    tracked_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    caching: CacheSettings | None = None
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracked_fields", _frozen(self.tracked_fields))
        object.__setattr__(self, "parameters", _frozen(self.parameters))


@runtime_checkable
class Operation(Protocol):
    """A loaded, validated operation: generic settings plus whatever the connector needs."""

    @property
    def settings(self) -> OperationSettings: ...


@dataclass(frozen=True)
class ExecutionContext:
    """What the host knows about the run an operation executes in.

    ``last_run_date`` is the start of the process's last successful execution (Boomi's "last run
    date" parameter value); ``process_properties`` are the process's properties by name.
    """

    execution_id: str = ""
    process_name: str = ""
    process_properties: Mapping[str, Any] = field(default_factory=dict)
    last_run_date: datetime | None = None
    is_start_step: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "process_properties", _frozen(self.process_properties))
