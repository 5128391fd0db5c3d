"""The connector descriptor (``plugin.yaml``): loaded, validated and typed.

A host offers a connector from this file alone, so it is checked on every load against
``schemas/plugin.schema.json`` and then for the rules a JSON Schema cannot state (unique ids,
``visible_when`` naming a field that exists, defaults that fit their type).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from connector.contract import Action
from connector.errors import ConfigError, Problem
from connector.yamlfiles import (
    LoadedYaml,
    load_yaml_file,
    load_yaml_text,
    packaged_schema,
    validate,
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class VisibleWhen:
    field: str
    equals: str | bool | int


@dataclass(frozen=True)
class FieldSpec:
    """One field of a connection (or, later, operation) form."""

    id: str
    label: str
    type: str
    help: str = ""
    default: str | bool | int | float | None = None
    required: bool = False
    advanced: bool = False
    minimum: float | None = None
    env: str | None = None
    choices: tuple[Choice, ...] = ()
    visible_when: VisibleWhen | None = None

    @property
    def secret(self) -> bool:
        """Password fields are secrets: never logged, echoed or stored in reports."""
        return self.type == "password"


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

    def connection_field(self, field_id: str) -> FieldSpec:
        for spec in self.connection_fields:
            if spec.id == field_id:
                return spec
        raise KeyError(field_id)

    @property
    def secret_fields(self) -> frozenset[str]:
        return frozenset(f.id for f in self.connection_fields if f.secret)


_DEFAULT_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "password": (str,),
    "choice": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


def parse_descriptor(loaded: LoadedYaml) -> PluginDescriptor:
    """Validate a loaded ``plugin.yaml`` and build the typed descriptor."""
    validate(loaded, packaged_schema("plugin"))
    data: dict[str, Any] = loaded.data
    problems: list[Problem] = []
    fields = tuple(
        _field(raw, loaded, ("connection", "fields", i), problems)
        for i, raw in enumerate(data["connection"]["fields"])
    )
    _check_unique([f.id for f in fields], loaded, ("connection", "fields"), "field id", problems)
    ids = {f.id for f in fields}
    for i, spec in enumerate(fields):
        if spec.visible_when and spec.visible_when.field not in ids:
            path = ("connection", "fields", i, "visible_when", "field")
            problems.append(loaded.problem(path, f"names no field: {spec.visible_when.field!r}"))
    actions = tuple(
        ActionSpec(Action(a["id"]), a["label"], a.get("description", "")) for a in data["actions"]
    )
    _check_unique([a.id.value for a in actions], loaded, ("actions",), "action", problems)
    if problems:
        raise ConfigError(problems)
    ep = data["entry_point"]
    return PluginDescriptor(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        description=data.get("description", ""),
        entry_point=EntryPoint(ep["group"], ep["name"], ep["module"]),
        connection_fields=fields,
        actions=actions,
        source=loaded.source,
    )


def _field(
    raw: dict[str, Any], loaded: LoadedYaml, path: tuple[str | int, ...], problems: list[Problem]
) -> FieldSpec:
    default = raw.get("default")
    allowed = _DEFAULT_TYPES[raw["type"]]
    is_bool = isinstance(default, bool)
    if default is not None and (
        not isinstance(default, allowed) or (is_bool and bool not in allowed)
    ):
        problems.append(
            loaded.problem((*path, "default"), f"default does not fit type {raw['type']}")
        )
    choices = tuple(Choice(c["value"], c["label"]) for c in raw.get("choices", ()))
    if choices and default is not None and default not in {c.value for c in choices}:
        problems.append(loaded.problem((*path, "default"), "default is not one of the choices"))
    vw = raw.get("visible_when")
    return FieldSpec(
        id=raw["id"],
        label=raw["label"],
        type=raw["type"],
        help=raw.get("help", ""),
        default=default,
        required=raw.get("required", False),
        advanced=raw.get("advanced", False),
        minimum=raw.get("minimum"),
        env=raw.get("env"),
        choices=choices,
        visible_when=VisibleWhen(vw["field"], vw["equals"]) if vw else None,
    )


def _check_unique(
    values: list[str],
    loaded: LoadedYaml,
    path: tuple[str | int, ...],
    what: str,
    problems: list[Problem],
) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            problems.append(loaded.problem((*path, i), f"duplicate {what} {value!r}"))
        seen.add(value)


def load_descriptor(path: Path) -> PluginDescriptor:
    """Load and validate a descriptor file."""
    return parse_descriptor(load_yaml_file(path))


def bundled_descriptor_path() -> Path:
    """Where the AtomSphere connector's own ``plugin.yaml`` is.

    Installed from a wheel it sits inside the package; in a source checkout (editable install)
    it is the project's top-level file.
    """
    packaged = resources.files("connector").joinpath("plugin.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "plugin.yaml"


@cache
def bundled_descriptor() -> PluginDescriptor:
    """The AtomSphere connector's descriptor, loaded once per process."""
    path = bundled_descriptor_path()
    return parse_descriptor(load_yaml_text(path.read_text("utf-8"), str(path)))
