"""Operation files (``operations/*.yaml``) → validated, frozen :class:`OperationConfig` values.

Loading happens before any document moves, and reports every problem at once with file, line and
field, in line order: what the published JSON Schema says together with what only the catalog
knows — the object exists (with close names suggested) and supports the action, the filter's
properties, operators and argument counts, every ``{param: NAME}`` names a defined parameter, the
profiles exist and compile. The catalog checks run on the parts the schema accepted: a part the
schema refused is told once, by the schema. A loaded operation cannot fail for a reason the file
could have told.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import jsonschema
from lxml import etree

from connector.atomsphere.catalog import Catalog, Endpoint, ObjectInfo, WireAction, load_catalog
from connector.contract import (
    Action,
    ArchiveSettings,
    CacheSettings,
    OperationSettings,
    TrackingDirection,
    TrackingSettings,
)
from connector.engine._accepted import accepted_parts, at, filter_parts
from connector.engine.filters import Argument, FilterNode, parse_argument, parse_filter
from connector.engine.profiles import RequestValidator, api_validator, compile_profile
from connector.errors import ConfigError, Problem, UnknownNameError
from connector.parameters import Parameter
from connector.schema_errors import explain
from connector.yamlfiles import FieldPath, LoadedYaml, load_yaml_file, packaged_schema

CONNECTOR_ID: Final = "atomsphere"

#: The name under which an inline ``caching.key`` definition is handed to the host; the colon
#: cannot appear in a user's parameter name, so it never collides.
CACHE_KEY_PARAMETER: Final = "caching:key"

#: Actions whose input document is sent to the API as the request body.
SENDS_DOCUMENT: Final = frozenset({Action.CREATE, Action.UPDATE, Action.EXECUTE})
#: Actions that take an object id.
TAKES_ID: Final = frozenset({Action.GET, Action.UPDATE, Action.DELETE, Action.EXECUTE})


@dataclass(frozen=True)
class OperationOptions:
    """The ``options`` block; see ``atomsphere schema operation`` for each one's meaning."""

    timeout_seconds: float | None = None
    max_pages: int = 0
    max_results: int = 0
    concurrency: int = 4
    bulk_get: bool = True
    bulk_batch_size: int | None = None
    validate_requests: bool = True
    not_found: str = "error"
    poll_interval_seconds: float = 1.0
    poll_timeout_seconds: float = 300.0


@dataclass(frozen=True)
class OperationConfig:
    """A loaded operation: the host-facing settings plus what the engine needs to run it."""

    settings: OperationSettings
    object: ObjectInfo
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    id: Argument | None = None
    filter: FilterNode | None = None
    #: The sub-account the operation acts on through the Partner API (``override_account:``).
    override_account: Argument | None = None
    options: OperationOptions = OperationOptions()
    request_validator: RequestValidator | None = None
    response_profile: Path | None = None
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    @property
    def action(self) -> Action:
        return self.settings.action

    def with_parameters(self, overrides: Mapping[str, Parameter]) -> OperationConfig:
        """A copy whose parameters are replaced by ``overrides`` where names match."""
        unknown = sorted(set(overrides) - set(self.parameters))
        if unknown:
            defined = ", ".join(sorted(self.parameters)) or "none"
            raise ConfigError(
                f"operation {self.settings.name} has no parameter {unknown[0]!r} "
                f"(its parameters: {defined})"
            )
        return replace(self, parameters={**self.parameters, **overrides})


def load_operation(path: Path, catalog: Catalog | None = None) -> OperationConfig:
    """Load and check ``path``; raise :class:`ConfigError` listing every problem found."""
    schema = packaged_schema("operation")
    loaded = load_yaml_file(path, schema)
    validator = jsonschema.Draft202012Validator(schema)
    refused = [
        (where, message)
        for error in validator.iter_errors(loaded.data)
        for where, message in explain(error, schema)
    ]
    problems = [loaded.problem(where, message) for where, message in refused]
    if isinstance(loaded.data, dict):
        checker = _Checker(loaded, path, catalog or load_catalog(), [w for w, _ in refused])
        try:
            operation = checker.build()
        except ConfigError as exc:
            problems.extend(exc.problems)
        else:
            if not problems and operation is not None:
                return operation
    unique = {(p.line or 0, p.field, p.message): p for p in problems}
    raise ConfigError([unique[key] for key in sorted(unique)])


class _Checker:
    """The catalog's checks, on the parts of the file the schema accepted (``refused``)."""

    def __init__(
        self,
        loaded: LoadedYaml,
        path: Path,
        catalog: Catalog,
        refused: Sequence[FieldPath] = (),
    ) -> None:
        self.loaded = loaded
        self.raw: dict[str, Any] = loaded.data
        self.data = accepted_parts(self.raw, refused)
        self.filter_parts = (
            filter_parts(self.raw["filter"], ("filter",), refused) if "filter" in self.raw else []
        )
        self.path = path
        self.folder = path.resolve().parent
        self.catalog = catalog
        self.problems: list[Problem] = []

    def problem(self, where: FieldPath, message: str) -> None:
        self.problems.append(self.loaded.problem(where, message))

    def build(self) -> OperationConfig | None:
        """The operation; raise ConfigError on a problem, None when the schema's refusals left
        too little to build it from (the caller reports those)."""
        action = Action(self.data["action"]) if "action" in self.data else None
        obj = self._object(action)
        parameters = self._parameters(self.data.get("parameters", {}), ("parameters",))
        self._references()
        id_argument = self._id(action, obj)
        filter_tree = self._filter(action, obj)
        override = self._override_account()
        options = self._options(obj)
        validator, response = self._profiles(action, obj, options)
        settings = self._settings(action, obj)
        if self.problems:
            raise ConfigError(sorted(self.problems, key=lambda p: p.line or 0))
        if obj is None or settings is None:
            return None
        return OperationConfig(
            settings=settings,
            object=obj,
            parameters=parameters,
            id=id_argument,
            filter=filter_tree,
            override_account=override,
            options=options,
            request_validator=validator,
            response_profile=response,
            description=str(self.data.get("description", "")),
        )

    def _object(self, action: Action | None) -> ObjectInfo | None:
        if "object" not in self.data:
            return None
        try:
            obj = self.catalog.object(str(self.data["object"]))
        except UnknownNameError as exc:
            self.problem(("object",), str(exc))
            return None
        if action is not None and action not in obj.actions:
            supported = ", ".join(a.value for a in obj.actions) or "no connector action"
            self.problem(
                ("action",), f"{obj.name} does not support {action.value}; it supports {supported}"
            )
        return obj

    def _parameters(self, raw: Mapping[str, Any], where: FieldPath) -> dict[str, Parameter]:
        parameters = {}
        for name, definition in raw.items():
            try:
                parameters[name] = Parameter.from_config(name, definition)
            except ConfigError as exc:
                for p in exc.problems:
                    self.problem((*where, name), p.message)
        return parameters

    @property
    def defined(self) -> frozenset[str]:
        """The parameters the file defines, usable or not: a reference to one whose definition
        is wrong (a bad XPath, a refused ``from``) is not a second mistake, the definition's
        problem is reported."""
        raw = self.raw.get("parameters", {})
        return frozenset(raw) if isinstance(raw, dict) else frozenset()

    def _references(self) -> None:
        if not isinstance(self.raw.get("parameters", {}), dict):
            return  # the schema refused the parameters: which names they define is unknown
        references = [
            ref
            for key in ("id", "override_account")
            if key in self.data
            for ref in _param_refs(self.data[key], (key,))
        ]
        for part in self.filter_parts:
            references.extend(_param_refs(at(self.raw, part), part))
        for name, where in references:
            if name not in self.defined:
                known = ", ".join(sorted(self.defined)) or "none are defined"
                self.problem(where, f"unknown parameter {name!r} (parameters: {known})")

    def _id(self, action: Action | None, obj: ObjectInfo | None) -> Argument | None:
        if "id" not in self.raw and action is not None and obj is not None:
            endpoint = obj.id_only_from_operation(action)
            if endpoint is not None:
                message = (
                    f"{obj.name} has no id field, so no input document gives the "
                    f"{{{endpoint.path_parameter}}} of {endpoint.path}: set id: "
                    "(a literal, or {param: NAME})"
                )
                line = self.loaded.line_of(("object",))
                self.problems.append(Problem(message, self.loaded.source, line, "id"))
        if "id" not in self.data:
            return None
        if action is not None and action not in TAKES_ID:
            self.problem(("id",), f"{action.value} takes no id")
        elif action is Action.EXECUTE and obj is not None:
            endpoint = obj.endpoint(WireAction.EXECUTE) or obj.endpoint(WireAction.ACTION)
            if endpoint is not None and endpoint.path_parameter is None:
                self.problem(("id",), f"{obj.name}'s Execute ({endpoint.path}) takes no id")
        return parse_argument(self.data["id"])

    def _override_account(self) -> Argument | None:
        if "override_account" not in self.data:
            return None
        return parse_argument(self.data["override_account"])

    def _filter(self, action: Action | None, obj: ObjectInfo | None) -> FilterNode | None:
        if "filter" not in self.raw:
            return None
        if action is not None and action is not Action.QUERY:
            self.problem(("filter",), f"only QUERY takes a filter, not {action.value}")
            return None
        if obj is None:
            return None
        if self.filter_parts == [("filter",)]:
            return parse_filter(self.loaded, ("filter",), obj, self.catalog, self.problems)
        for part in self.filter_parts:  # the schema refused the rest: check what it accepted
            parse_filter(self.loaded, part, obj, self.catalog, self.problems)
        return None

    def _options(self, obj: ObjectInfo | None) -> OperationOptions:
        raw = dict(self.data.get("options", {}))
        options = OperationOptions(**raw)
        limit = obj.bulk_limit("GET") if obj is not None else None
        size = options.bulk_batch_size
        if size is not None and limit is not None and size > limit:
            self.problem(
                ("options", "bulk_batch_size"),
                f"{obj.name if obj else ''} bulk GET takes at most {limit} ids per request",
            )
        return options

    def _profiles(
        self, action: Action | None, obj: ObjectInfo | None, options: OperationOptions
    ) -> tuple[RequestValidator | None, Path | None]:
        raw = self.data.get("profiles") or {}
        paths: dict[str, Path] = {}
        compiled: dict[str, etree.XMLSchema] = {}
        for role in ("request", "response"):
            if raw.get(role):
                paths[role] = self.folder / str(raw[role])
                try:
                    compiled[role] = compile_profile(paths[role], field=f"profiles.{role}")
                except ConfigError as exc:
                    for p in exc.problems:
                        where = f"{p.source}:{p.line}" if p.line else p.source
                        self.problem(("profiles", role), f"{where}: {p.message}")
        validator = None
        if obj is not None and action in SENDS_DOCUMENT and options.validate_requests:
            if "request" in compiled:
                validator = RequestValidator(compiled["request"], f"profile {raw['request']}")
            elif "request" not in paths:
                endpoint = _send_endpoint(obj, action)
                request_type = endpoint.request_type if endpoint is not None else None
                if request_type is not None and request_type in self.catalog.types:
                    validator = api_validator(request_type)
        return validator, paths.get("response")

    def _settings(self, action: Action | None, obj: ObjectInfo | None) -> OperationSettings | None:
        raw_parameters = dict(self.data.get("parameters", {}))
        archiving = None
        raw_archive = self.data.get("archiving") or {}
        if raw_archive.get("enabled"):
            # (the schema requires a directory when archiving is enabled)
            archiving = ArchiveSettings(self.folder / str(raw_archive["directory"]))
        tracked = dict(self.data.get("tracked_fields", {}))
        self._parameters(tracked, ("tracked_fields",))
        caching = None
        raw_cache = self.data.get("caching")
        if raw_cache:
            key = raw_cache["key"]
            if isinstance(key, dict) and "param" in key:
                if key["param"] not in self.defined:
                    self.problem(("caching", "key"), f"unknown parameter {key['param']!r}")
                caching = CacheSettings(str(raw_cache["cache"]), str(key["param"]))
            else:
                self._parameters({CACHE_KEY_PARAMETER: key}, ("caching",))
                raw_parameters[CACHE_KEY_PARAMETER] = key
                caching = CacheSettings(str(raw_cache["cache"]), CACHE_KEY_PARAMETER)
        if action is None or "name" not in self.data:
            return None
        tracking = self.data.get("tracking", {})
        default = TrackingDirection.OUTPUT if action.inbound else TrackingDirection.INPUT
        direction = TrackingDirection(tracking.get("direction", default.value))
        return OperationSettings(
            name=str(self.data["name"]),
            connector=CONNECTOR_ID,
            action=action,
            object_type=obj.name if obj is not None else str(self.data["object"]),
            tracking=TrackingSettings(direction, bool(tracking.get("locked", False))),
            return_application_errors=bool(self.data.get("return_application_errors", False)),
            source=self.path,
            archiving=archiving,
            tracked_fields=tracked,
            caching=caching,
            parameters=raw_parameters,
        )


def _send_endpoint(obj: ObjectInfo, action: Action) -> Endpoint | None:
    if action is Action.CREATE:
        return obj.endpoint(WireAction.CREATE)
    if action is Action.UPDATE:
        return obj.endpoint(WireAction.UPDATE)
    return obj.endpoint(WireAction.EXECUTE) or obj.endpoint(WireAction.ACTION)


def _param_refs(value: Any, where: FieldPath) -> Iterator[tuple[str, FieldPath]]:
    """Every ``{param: NAME}`` under ``value``, with its path."""
    if isinstance(value, dict):
        if set(value) == {"param"}:
            yield str(value["param"]), where
            return
        for key, item in value.items():
            yield from _param_refs(item, (*where, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _param_refs(item, (*where, i))
