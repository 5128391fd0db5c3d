"""The descriptor's typed model: what ``plugin.yaml`` says, as frozen values.

:mod:`connector.descriptor` loads and checks the file and re-exports these names; import them
from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from importlib import resources
from types import MappingProxyType
from typing import Any

from connector.contract import Action

Scalar = str | bool | int | float


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class VisibleWhen:
    """Show a field only while another field holds one of ``values``."""

    field: str
    values: tuple[str | bool | int, ...]

    def matches(self, value: object) -> bool:
        return value in self.values


@dataclass(frozen=True)
class FieldSpec:
    """One field of a connection or operation form."""

    id: str
    label: str
    type: str
    help: str = ""
    default: Scalar | None = None
    required: bool = False
    advanced: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    env: str | None = None
    choices: tuple[Choice, ...] = ()
    visible_when: VisibleWhen | None = None

    @property
    def secret(self) -> bool:
        """Password fields are secrets: never logged, echoed or stored in reports."""
        return self.type == "password"


@dataclass(frozen=True, kw_only=True)
class OperationFieldSpec(FieldSpec):
    """A field of the operation form: where it lives in the operation file, and its scope.

    ``overrideable`` fields may be overridden per document by a dynamic operation property
    named by the field's ``id``.
    """

    path: str
    scope: str = "operationOnly"
    overrideable: bool = False
    tab: str = "General"
    default_by_action: Mapping[Action, Scalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "default_by_action", MappingProxyType(dict(self.default_by_action))
        )

    @property
    def path_parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    def default_for(self, action: Action) -> Scalar | None:
        return self.default_by_action.get(action, self.default)


@dataclass(frozen=True)
class ActionSpec:
    id: Action
    label: str
    description: str = ""


@dataclass(frozen=True)
class EntryPoint:
    group: str
    name: str
    module: str


@dataclass(frozen=True)
class Icon:
    """An SVG shipped inside an importable package."""

    package: str
    path: str

    def read_bytes(self) -> bytes:
        return resources.files(self.package).joinpath(self.path).read_bytes()


@dataclass(frozen=True)
class Palette:
    category: str
    label: str


@dataclass(frozen=True)
class OperatorSpec:
    """A query operator: Boomi's ``numArguments`` and ``supportedType``."""

    id: str
    label: str
    arguments: int = 1
    types: tuple[str, ...] = ()
    help: str = ""

    def applies_to(self, filter_type: str) -> bool:
        return not self.types or filter_type in self.types


@dataclass(frozen=True)
class QueryFilterSpec:
    grouping: str = "any"
    sorting: str = "none"
    operators: tuple[OperatorSpec, ...] = ()

    def operator(self, operator_id: str) -> OperatorSpec:
        for spec in self.operators:
            if spec.id == operator_id:
                return spec
        raise KeyError(operator_id)


@dataclass(frozen=True)
class DocumentPropertySpec:
    """A property the connector sets on its output documents."""

    id: str
    label: str
    help: str = ""
    tracked: bool = False


@dataclass(frozen=True)
class PluginDescriptor:
    """Everything ``plugin.yaml`` says, typed."""

    id: str
    name: str
    version: str
    description: str
    entry_point: EntryPoint
    connection_fields: tuple[FieldSpec, ...]
    actions: tuple[ActionSpec, ...]
    source: str
    icon: Icon | None = None
    palette: Palette | None = None
    browse_requires_connection: bool = True
    tracked_document: str = "user"
    operation_fields: tuple[OperationFieldSpec, ...] = ()
    query_filter: QueryFilterSpec | None = None
    document_properties: tuple[DocumentPropertySpec, ...] = ()

    def connection_field(self, field_id: str) -> FieldSpec:
        for spec in self.connection_fields:
            if spec.id == field_id:
                return spec
        raise KeyError(field_id)

    def operation_field(self, field_id: str) -> OperationFieldSpec:
        for spec in self.operation_fields:
            if spec.id == field_id:
                return spec
        raise KeyError(field_id)

    @property
    def secret_fields(self) -> frozenset[str]:
        return frozenset(f.id for f in self.connection_fields if f.secret)

    @property
    def overrideable_fields(self) -> tuple[OperationFieldSpec, ...]:
        """The dynamic operation properties a document may carry."""
        return tuple(f for f in self.operation_fields if f.overrideable)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what ``about --format json`` prints and designers read)."""
        data = _plain(self)
        assert isinstance(data, dict)
        del data["source"]
        return data


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
