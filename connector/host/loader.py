"""Loading ``kind: Process`` YAML into a :class:`~connector.host.model.Process`.

Everything that can be wrong with a process is found here, before any document moves: the file
against its published schema, then connections, operations (loaded through the connector's own
``connector_load_operation`` hook), tracking overrides, caches and folders. Problems are
collected and raised together, each with the process file, line and field.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from connector.contract import Operation, TrackingDirection
from connector.descriptor import PluginDescriptor
from connector.documents import Status
from connector.errors import ConfigError, ConnectorError, Problem
from connector.host.connections import installed_connectors, load_connection
from connector.host.model import (
    BranchStep,
    CacheBinding,
    ConnectionRef,
    DocumentsStart,
    EndStatus,
    EndStep,
    InputDocument,
    LookupStep,
    NoDataStart,
    OperationStep,
    Process,
    RouteStep,
    SetPropertiesStep,
    StartStep,
    Step,
    WriteStep,
)
from connector.host.paths import (
    ARCHIVE_ROOM,
    IfExists,
    check_file_name,
    check_folder,
    resolve_under,
)
from connector.host.shapes import checked_problems
from connector.parameters import Parameter
from connector.yamlfiles import FieldPath, LoadedYaml, format_path, load_yaml_file, packaged_schema

T = TypeVar("T")


def load_process(
    path: Path, pm: pluggy.PluginManager, *, env: Mapping[str, str] | None = None
) -> Process:
    """Load and check a process file; raise ConfigError listing every problem.

    ``env`` is where connection files' ``${VAR}`` references are looked up (default: the
    process environment)."""
    schema = packaged_schema("process")
    loaded = load_yaml_file(path, schema)
    problems = checked_problems(loaded, schema)
    if problems:
        raise ConfigError(problems)
    return _Builder(loaded, path, pm, env).build()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Builder:
    """Turns schema-valid data into model values, collecting every problem on the way."""

    def __init__(
        self,
        loaded: LoadedYaml,
        path: Path,
        pm: pluggy.PluginManager,
        env: Mapping[str, str] | None,
    ) -> None:
        self.loaded = loaded
        self.data: dict[str, Any] = loaded.data
        self.base = path.resolve().parent
        self.source = path
        self.pm = pm
        self.env = env
        self.problems: list[Problem] = []
        self.connections: dict[str, ConnectionRef] = {}
        self.filled_caches: set[str] = set()
        self.lookups: list[tuple[FieldPath, str]] = []

    def build(self) -> Process:
        self._load_connections()
        start = self._start(self.data["start"])
        steps = self._steps(("steps",), self.data.get("steps", []))
        for path, cache in self.lookups:
            if cache not in self.filled_caches:
                filled = ", ".join(sorted(self.filled_caches)) or "none"
                self._problem(
                    (*path, "lookup", "cache"),
                    f"no operation of this process fills cache {cache!r} (caches filled: {filled})",
                )
        if self.problems:
            ours = str(self.source)
            raise ConfigError(sorted(self.problems, key=lambda p: (p.source != ours, p.line or 0)))
        assert start is not None
        return Process(
            name=self.data["name"],
            source=self.source,
            start=start,
            steps=steps,
            properties={
                k: None if v is None else _text(v)
                for k, v in self.data.get("properties", {}).items()
            },
            connections=self.connections,
            description=self.data.get("description", ""),
        )

    # -- helpers ----------------------------------------------------------------------------

    def _problem(self, path: FieldPath, message: str) -> None:
        self.problems.append(self.loaded.problem(path, message))

    def _attempt(self, path: FieldPath, action: Callable[[], T]) -> T | None:
        """Run ``action``; a ConfigError becomes problems located at ``path``."""
        try:
            return action()
        except ConfigError as exc:
            foreign = [p for p in exc.problems if p.source and p.source != str(self.source)]
            if foreign:
                self._problem(path, f"{foreign[0].source} is not valid:")
            for problem in exc.problems:
                if problem in foreign:
                    self.problems.append(problem)
                else:
                    self._problem(path, problem.message)
            return None

    def _file(self, path: FieldPath, relative: str) -> Path | None:
        target = resolve_under(self.base, Path(relative))
        if not target.is_file():
            self._problem(path, f"file not found: {target}")
            return None
        return target

    # -- connections ------------------------------------------------------------------------

    def _load_connections(self) -> None:
        raw_connections: dict[str, dict[str, Any]] = self.data.get("connections", {})
        descriptors: dict[str, PluginDescriptor] = installed_connectors(self.pm)
        for name, raw in raw_connections.items():
            path: FieldPath = ("connections", name)
            file = self._file((*path, "file"), raw["file"]) if "file" in raw else None
            if "file" in raw and file is None:
                continue
            where = self.loaded.problem(path, "")
            connection = self._attempt(
                path,
                partial(
                    load_connection,
                    name,
                    raw.get("connector", "atomsphere"),
                    file=file,
                    fields=raw.get("fields"),
                    descriptors=descriptors,
                    env=self.env,
                    where=where,
                ),
            )
            if connection is not None:
                self.connections[name] = connection

    def _connection_for(self, path: FieldPath, name: str | None) -> ConnectionRef | None:
        declared = self.data.get("connections", {})
        if name is None:
            if len(declared) == 1:
                name = next(iter(declared))
            else:
                self._problem(
                    path,
                    f"name a connection (`connection: NAME`): the process declares {len(declared)}",
                )
                return None
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            self._problem((*path, "connection"), f"unknown connection {name!r} (declared: {known})")
            return None
        return self.connections.get(name)

    # -- start ------------------------------------------------------------------------------

    def _start(self, raw: Any) -> StartStep | None:
        if raw == "no_data":
            return NoDataStart()
        name = raw.get("name", "Start")
        if "documents" in raw:
            documents: list[InputDocument] = []
            for i, entry in enumerate(raw["documents"]):
                documents.extend(self._documents(("start", "documents", i), entry))
            return DocumentsStart(tuple(documents), name=name)
        return self._operation(("start",), raw, start=True)

    def _documents(self, path: FieldPath, entry: Mapping[str, Any]) -> list[InputDocument]:
        properties = {k: _text(v) for k, v in entry.get("properties", {}).items()}
        dynamic = {k: _text(v) for k, v in entry.get("dynamic_operation_properties", {}).items()}

        def document(data: bytes, source: str) -> InputDocument:
            return InputDocument(data, properties, source, dynamic)

        if "data" in entry:
            return [document(entry["data"].encode("utf-8"), "inline")]
        if "file" in entry:
            file = self._file((*path, "file"), entry["file"])
            if file is None:
                return []
            return [document(file.read_bytes(), str(file))]
        if "files" in entry:
            pattern = str(resolve_under(self.base, Path(entry["files"])))
            # glob.glob, not Path.glob: the pattern may be absolute.
            found = glob.glob(pattern)  # noqa: PTH207
            matches = sorted(Path(p) for p in found if Path(p).is_file())
            if not matches:
                self._problem((*path, "files"), f"no file matches {pattern}")
            return [document(m.read_bytes(), str(m)) for m in matches]
        return [document(b"", "empty")]

    # -- steps ------------------------------------------------------------------------------

    def _steps(self, path: FieldPath, raw_steps: list[dict[str, Any]]) -> tuple[Step, ...]:
        steps: list[Step] = []
        for i, raw in enumerate(raw_steps):
            here = (*path, i)
            ending = next((k for k in ("route", "branch", "end") if k in raw), None)
            if i < len(raw_steps) - 1 and ending:
                what = "an end" if ending == "end" else f"a {ending}"
                self._problem(
                    (*path, i + 1),
                    f"this step never runs: {what} ends its list of "
                    "steps (move the steps into a branch, or remove them)",
                )
            step = self._step(here, raw)
            if step is not None:
                steps.append(step)
        return tuple(steps)

    def _step(self, path: FieldPath, raw: dict[str, Any]) -> Step | None:
        where = format_path(path)
        if "operation" in raw:
            return self._operation(path, raw, start=False)
        if "route" in raw:
            branches = {
                Status(status): self._steps((*path, "route", status), steps)
                for status, steps in raw["route"].items()
            }
            return RouteStep(raw.get("name", "Route"), where, branches)
        if "branch" in raw:
            arms = tuple(
                self._steps((*path, "branch", i), steps) for i, steps in enumerate(raw["branch"])
            )
            return BranchStep(raw.get("name", "Branch"), where, arms)
        if "write" in raw:
            write = raw["write"]
            folder = self._attempt(
                (*path, "write", "folder"), lambda: check_folder(write["folder"], "write folder")
            )
            name_param = self._parameter(
                (*path, "write", "file_name"), "file_name", write.get("file_name")
            )
            if folder is None:
                return None
            return WriteStep(
                raw.get("name", f"Write to {write['folder']}"),
                where,
                resolve_under(self.base, folder),
                name_param,
                IfExists(write.get("if_exists", IfExists.OVERWRITE)),
            )
        if "lookup" in raw:
            lookup = raw["lookup"]
            self.lookups.append((path, lookup["cache"]))
            key = self._parameter((*path, "lookup", "key"), "key", lookup["key"])
            values = self._parameters((*path, "lookup", "properties"), lookup["properties"])
            if key is None or values is None:
                return None
            name = raw.get("name", f"Look up {lookup['cache']}")
            return LookupStep(name, where, lookup["cache"], key, values)
        if "set_properties" in raw:
            values = self._parameters((*path, "set_properties"), raw["set_properties"])
            dynamic = self._parameters(
                (*path, "dynamic_operation_properties"), raw.get("dynamic_operation_properties", {})
            )
            if values is None or dynamic is None:
                return None
            return SetPropertiesStep(raw.get("name", "Set properties"), where, values, dynamic)
        return EndStep(raw.get("name", "End"), where, EndStatus(raw["end"]), raw.get("message", ""))

    def _parameters(self, path: FieldPath, raw: Mapping[str, Any]) -> dict[str, Parameter] | None:
        built = {name: self._parameter((*path, name), name, spec) for name, spec in raw.items()}
        values = {name: p for name, p in built.items() if p is not None}
        return values if len(values) == len(built) else None

    def _parameter(self, path: FieldPath, name: str, raw: Any) -> Parameter | None:
        if raw is None:
            return None
        return self._attempt(path, lambda: Parameter.from_config(name, raw))

    # -- operations -------------------------------------------------------------------------

    def _operation(
        self, path: FieldPath, raw: dict[str, Any], *, start: bool
    ) -> OperationStep | None:
        connection = self._connection_for(path, raw.get("connection"))
        file = self._file((*path, "operation"), raw["operation"])
        if connection is None or file is None:
            return None
        operation = self._attempt(
            (*path, "operation"), lambda: self._load_operation(connection.connector, file)
        )
        if operation is None:
            return None
        settings = operation.settings
        override = TrackingDirection(raw["tracking"]) if "tracking" in raw else None
        direction = settings.tracking.direction
        if start:
            if override is TrackingDirection.INPUT:
                self._problem(
                    (*path, "tracking"),
                    "start steps always track their output documents: remove `tracking: input`",
                )
            direction = TrackingDirection.OUTPUT
        elif override is not None and override is not direction:
            if settings.tracking.locked:
                self._problem(
                    (*path, "tracking"),
                    f"operation {settings.name!r} locks its "
                    f"tracking direction to {direction.value}: it cannot be overridden",
                )
            else:
                direction = override
        archive = None
        if settings.archiving is not None:
            op_dir = settings.source.resolve().parent if settings.source else file.parent
            directory = str(settings.archiving.directory)
            what = f"operation {settings.name!r}: archiving directory"
            folder = self._attempt((*path, "operation"), lambda: check_folder(directory, what))
            archive = resolve_under(op_dir, folder) if folder is not None else None
            self._attempt(
                (*path, "operation"),
                lambda: check_file_name(
                    settings.name, "operation name (archive files carry it)", room=ARCHIVE_ROOM
                ),
            )
        fields = {
            name: p
            for name, raw_field in settings.tracked_fields.items()
            if (p := self._parameter((*path, "operation"), name, raw_field)) is not None
        }
        caching = None
        if settings.caching is not None:
            self.filled_caches.add(settings.caching.cache)
            raw_key = settings.parameters.get(settings.caching.key)
            if raw_key is None:
                self._problem(
                    (*path, "operation"),
                    f"operation {settings.name!r} caches by "
                    f"parameter {settings.caching.key!r}, which it does not define",
                )
            else:
                key = self._parameter((*path, "operation"), settings.caching.key, raw_key)
                caching = CacheBinding(settings.caching.cache, key) if key else None
        return OperationStep(
            name=raw.get("name", settings.name),
            where=format_path(path),
            operation_path=file,
            connection=connection,
            operation=operation,
            tracking=direction,
            batch_size=raw.get("batch_size", 0),
            archive_directory=archive,
            tracked_fields=fields,
            caching=caching,
        )

    def _load_operation(self, connector: str, file: Path) -> Operation:
        try:
            operation = self.pm.hook.connector_load_operation(connector_id=connector, path=file)
        except ConfigError:
            raise
        except ConnectorError as exc:
            raise ConfigError(f"cannot load {file}: {exc}") from None
        except (Exception, SystemExit) as exc:
            # Another plugin's load hook is not ours to trust: a bug in it, or its library calling
            # sys.exit(), is one load error naming the file, not a traceback or a silent exit.
            raise ConfigError(
                f"cannot load {file}: the {connector!r} plugin failed: {type(exc).__name__}: {exc}"
            ) from None
        if operation is None:
            raise ConfigError(f"no installed plugin loads operations for connector {connector!r}")
        if not isinstance(operation, Operation):
            raise ConfigError(f"the {connector!r} plugin returned no operation settings for {file}")
        return operation
