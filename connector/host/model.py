"""A process as the host holds it: frozen values built from ``kind: Process`` YAML.

The YAML file is the user's; these values are what the runner trusts. Every path is already
resolved against the process file, every name already checked, so running never has to ask
"where did this come from?".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from connector.contract import Operation, TrackingDirection
from connector.documents import Status
from connector.host.paths import IfExists
from connector.parameters import Parameter


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class ConnectionRef:
    """A named connection of the process: which connector, and the fields handed to it.

    ``fields`` may hold secrets; they go to the connector only. ``secrets`` are the values the
    host scrubs from everything it writes (reports, archives, messages).
    """

    name: str
    connector: str
    fields: Mapping[str, Any] = field(repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", _frozen(self.fields))


@dataclass(frozen=True)
class CacheBinding:
    """Boomi's Caching tab, ready to use: returned documents go into ``cache`` under ``key``."""

    cache: str
    key: Parameter


@dataclass(frozen=True)
class OperationStep:
    """A connector step: one operation of one connector, on one connection, with the operation's
    Archiving, Tracking and Caching tabs resolved for the host."""

    name: str
    where: str
    operation_path: Path
    connection: ConnectionRef
    operation: Operation
    tracking: TrackingDirection
    batch_size: int = 0
    archive_directory: Path | None = None
    tracked_fields: Mapping[str, Parameter] = field(default_factory=dict)
    caching: CacheBinding | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracked_fields", MappingProxyType(dict(self.tracked_fields)))

    @property
    def operation_name(self) -> str:
        return self.operation.settings.name


@dataclass(frozen=True)
class InputDocument:
    """One document a *documents* start step emits (from a file or inline)."""

    data: bytes
    properties: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    dynamic_operation_properties: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", _frozen(self.properties))
        dynamic = _frozen(self.dynamic_operation_properties)
        object.__setattr__(self, "dynamic_operation_properties", dynamic)


@dataclass(frozen=True)
class NoDataStart:
    """Boomi's *No Data* start: one empty document, not tracked."""

    name: str = "Start"
    where: str = "start"


@dataclass(frozen=True)
class DocumentsStart:
    """A start step that emits documents read from files (or written inline)."""

    documents: tuple[InputDocument, ...]
    name: str = "Start"
    where: str = "start"


StartStep = NoDataStart | DocumentsStart | OperationStep


@dataclass(frozen=True)
class RouteStep:
    """Send each document down the branch named after its status; unnamed statuses stop here."""

    name: str
    where: str
    branches: Mapping[Status, tuple[Step, ...]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "branches", MappingProxyType(dict(self.branches)))


@dataclass(frozen=True)
class BranchStep:
    """Send every document down each branch in turn (Boomi's Branch shape)."""

    name: str
    where: str
    branches: tuple[tuple[Step, ...], ...]


@dataclass(frozen=True)
class WriteStep:
    """Write every document to a folder, then pass it on unchanged."""

    name: str
    where: str
    folder: Path
    file_name: Parameter | None = None
    if_exists: IfExists = IfExists.OVERWRITE


@dataclass(frozen=True)
class LookupStep:
    """Set document properties from a document an earlier operation put in a cache."""

    name: str
    where: str
    cache: str
    key: Parameter
    properties: Mapping[str, Parameter]

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", MappingProxyType(dict(self.properties)))


@dataclass(frozen=True)
class SetPropertiesStep:
    """Set document properties, and dynamic operation properties for the next connector step,
    from parameters resolved on each document (Boomi's Set Properties shape)."""

    name: str
    where: str
    properties: Mapping[str, Parameter]
    dynamic_operation_properties: Mapping[str, Parameter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", MappingProxyType(dict(self.properties)))
        dynamic = MappingProxyType(dict(self.dynamic_operation_properties))
        object.__setattr__(self, "dynamic_operation_properties", dynamic)


class EndStatus(StrEnum):
    COMPLETE = "complete"
    ERROR = "error"


@dataclass(frozen=True)
class EndStep:
    """Stop the branch; ``error`` stops the whole execution with ``message`` when documents
    reach it (Boomi's Exception shape)."""

    name: str
    where: str
    status: EndStatus
    message: str = ""


Step = OperationStep | RouteStep | BranchStep | WriteStep | LookupStep | SetPropertiesStep | EndStep


@dataclass(frozen=True)
class Process:
    """A loaded, validated process."""

    name: str
    source: Path
    start: StartStep
    steps: tuple[Step, ...]
    properties: Mapping[str, str | None] = field(default_factory=dict)
    connections: Mapping[str, ConnectionRef] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", _frozen(self.properties))
        object.__setattr__(self, "connections", _frozen(self.connections))

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret of every connection of the process."""
        return tuple(s for c in self.connections.values() for s in c.secrets)

    def with_properties(self, overrides: Mapping[str, str]) -> Mapping[str, str | None]:
        """The process properties with command-line values applied."""
        return MappingProxyType({**self.properties, **overrides})
