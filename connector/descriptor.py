"""The connector descriptor (``plugin.yaml``): loaded, validated and typed.

A host offers a connector from this file alone: its designer draws the palette, the connection
and operation forms and the filter editor from it, and ``atomsphere about`` prints it. So it is
checked on every load against ``schemas/plugin.schema.json`` and then for the rules a JSON Schema
cannot state (unique ids, ``visible_when`` naming a field that exists, defaults that fit their
type, an icon that is really in the package), every problem with file, line and field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from connector._descriptor_model import (
    ActionSpec,
    Choice,
    DocumentPropertySpec,
    EntryPoint,
    FieldSpec,
    Icon,
    OperationFieldSpec,
    OperatorSpec,
    Palette,
    PluginDescriptor,
    QueryFilterSpec,
    Scalar,
    VisibleWhen,
)
from connector.contract import Action
from connector.errors import ConfigError, Problem
from connector.yamlfiles import (
    FieldPath,
    LoadedYaml,
    load_yaml_file,
    load_yaml_text,
    packaged_schema,
    validate,
)

__all__ = [
    "ActionSpec",
    "Choice",
    "DocumentPropertySpec",
    "EntryPoint",
    "FieldSpec",
    "Icon",
    "OperationFieldSpec",
    "OperatorSpec",
    "Palette",
    "PluginDescriptor",
    "QueryFilterSpec",
    "Scalar",
    "VisibleWhen",
    "bundled_descriptor",
    "bundled_descriptor_path",
    "load_descriptor",
    "parse_descriptor",
]

_DEFAULT_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "password": (str,),
    "choice": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


class _Parser:
    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded
        self.problems: list[Problem] = []

    def problem(self, path: FieldPath, message: str) -> None:
        self.problems.append(self.loaded.problem(path, message))

    def build(self) -> PluginDescriptor:
        data: dict[str, Any] = self.loaded.data
        actions = tuple(
            ActionSpec(Action(a["id"]), a["label"], a.get("description", ""))
            for a in data["actions"]
        )
        self.unique([a.id.value for a in actions], ("actions",), "action")
        connection = self.form(data["connection"]["fields"], ("connection", "fields"), actions)
        operation = data.get("operation", {})
        operation_fields = self.form(operation.get("fields", []), ("operation", "fields"), actions)
        self.unique(
            [str(f.path) for f in operation_fields if isinstance(f, OperationFieldSpec)],
            ("operation", "fields"),
            "field path",
        )
        icon = self.icon(data.get("icon"))
        query_filter = self.query_filter(data.get("query_filter"))
        properties = tuple(
            DocumentPropertySpec(p["id"], p["label"], p.get("help", ""), p.get("tracked", False))
            for p in data.get("document_properties", [])
        )
        self.unique([p.id for p in properties], ("document_properties",), "document property")
        if self.problems:
            raise ConfigError(self.problems)
        ep = data["entry_point"]
        palette = data.get("palette")
        return PluginDescriptor(
            id=data["id"],
            name=data["name"],
            version=data["version"],
            description=data.get("description", ""),
            entry_point=EntryPoint(ep["group"], ep["name"], ep["module"]),
            connection_fields=connection,
            actions=actions,
            source=self.loaded.source,
            icon=icon,
            palette=Palette(palette["category"], palette.get("label", data["name"]))
            if palette
            else None,
            browse_requires_connection=data.get("browse", {}).get("requires_connection", True),
            tracked_document=operation.get("tracked_document", "user"),
            operation_fields=tuple(
                f for f in operation_fields if isinstance(f, OperationFieldSpec)
            ),
            query_filter=query_filter,
            document_properties=properties,
        )

    def form(
        self, raw_fields: list[dict[str, Any]], where: FieldPath, actions: tuple[ActionSpec, ...]
    ) -> tuple[FieldSpec, ...]:
        specs = tuple(self.field(raw, (*where, i), actions) for i, raw in enumerate(raw_fields))
        self.unique([f.id for f in specs], where, "field id")
        ids = {f.id for f in specs}
        for i, spec in enumerate(specs):
            if spec.visible_when and spec.visible_when.field not in ids:
                self.problem(
                    (*where, i, "visible_when", "field"),
                    f"names no field: {spec.visible_when.field!r}",
                )
        return specs

    def field(
        self, raw: dict[str, Any], path: FieldPath, actions: tuple[ActionSpec, ...]
    ) -> FieldSpec:
        choices = tuple(Choice(c["value"], c["label"]) for c in raw.get("choices", ()))
        self.check_value(raw, raw.get("default"), (*path, "default"), choices)
        by_action = raw.get("default_by_action", {})
        declared = {a.id.value for a in actions}
        for action, value in by_action.items():
            if action not in declared:
                self.problem((*path, "default_by_action", action), "is not a declared action")
            self.check_value(raw, value, (*path, "default_by_action", action), choices)
        vw = raw.get("visible_when")
        common: dict[str, Any] = {
            "id": raw["id"],
            "label": raw["label"],
            "type": raw["type"],
            "help": raw.get("help", ""),
            "default": raw.get("default"),
            "required": raw.get("required", False),
            "advanced": raw.get("advanced", False),
            "minimum": raw.get("minimum"),
            "maximum": raw.get("maximum"),
            "exclusive_minimum": raw.get("exclusive_minimum"),
            "choices": choices,
            "visible_when": VisibleWhen(
                vw["field"], tuple(vw["in"]) if "in" in vw else (vw["equals"],)
            )
            if vw
            else None,
        }
        if "path" not in raw:
            return FieldSpec(env=raw.get("env"), **common)
        return OperationFieldSpec(
            path=raw["path"],
            scope=raw.get("scope", "operationOnly"),
            overrideable=raw.get("overrideable", False),
            tab=raw.get("tab", "General"),
            default_by_action={Action(k): v for k, v in by_action.items() if k in declared},
            **common,
        )

    def check_value(
        self, raw: dict[str, Any], value: Any, path: FieldPath, choices: tuple[Choice, ...]
    ) -> None:
        if value is None:
            return
        allowed = _DEFAULT_TYPES.get(raw["type"])
        if allowed is None:
            self.problem(path, f"a field of type {raw['type']} takes no default")
            return
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            self.problem(path, f"default does not fit type {raw['type']}")
        elif choices and value not in {c.value for c in choices}:
            self.problem(path, "default is not one of the choices")

    def icon(self, raw: dict[str, Any] | None) -> Icon | None:
        if raw is None:
            return None
        icon = Icon(raw["package"], raw["path"])
        try:
            found = resources.files(icon.package).joinpath(icon.path).is_file()
        except ModuleNotFoundError:
            found = False
        if not found:
            self.problem(("icon",), f"no file {icon.path!r} in package {icon.package!r}")
        return icon

    def query_filter(self, raw: dict[str, Any] | None) -> QueryFilterSpec | None:
        if raw is None:
            return None
        operators = tuple(
            OperatorSpec(
                o["id"],
                o["label"],
                o.get("arguments", 1),
                tuple(o.get("types", ())),
                o.get("help", ""),
            )
            for o in raw["operators"]
        )
        self.unique([o.id for o in operators], ("query_filter", "operators"), "operator")
        return QueryFilterSpec(raw.get("grouping", "any"), raw.get("sorting", "none"), operators)

    def unique(self, values: list[str], path: FieldPath, what: str) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in seen:
                self.problem((*path, i), f"duplicate {what} {value!r}")
            seen.add(value)


def parse_descriptor(loaded: LoadedYaml) -> PluginDescriptor:
    """Validate a loaded ``plugin.yaml`` and build the typed descriptor."""
    validate(loaded, packaged_schema("plugin"))
    return _Parser(loaded).build()


def load_descriptor(path: Path) -> PluginDescriptor:
    """Load and validate a descriptor file."""
    return parse_descriptor(load_yaml_file(path, packaged_schema("plugin")))


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
    text = path.read_text("utf-8")
    return parse_descriptor(load_yaml_text(text, str(path), packaged_schema("plugin")))
