"""What the designer page asks for, done on a work folder: browse, import, save, load, run.

The work folder holds what the command-line tools use: ``operations/NAME.yaml``,
``profiles/*.xsd`` and ``processes/NAME.yaml``. Import goes through the wizard's session
functions, saving through the engine's own loader (a file that would not load is never
written), running through the reference host; nothing here knows an operation field by name:
the operation file is laid out in the descriptor's field order.

Every path the page names (an operation, a profile, an archive or output folder) must stay
inside the work folder; no answer carries a secret.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import pluggy

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.catalog.operators import filter_type, usable_operators
from connector.atomsphere.connection import Connection
from connector.contract import Action
from connector.descriptor import PluginDescriptor, bundled_descriptor
from connector.designer.bodies import Shape
from connector.engine import load_operation
from connector.errors import ConfigError, Problem, UnknownNameError
from connector.host import load_process, run_process
from connector.host.connections import atomsphere_fields
from connector.host.reporting import connect, execution_documents, execution_steps
from connector.wizard import ServedSchema, Workspace, browse, open_schema, prepare_import, resolve
from connector.wizard.session import NAME_PATTERN
from connector.wizard.yaml_writer import dump, edit_blocks
from connector.yamlfiles import load_yaml_file, load_yaml_text, packaged_schema

#: The variable the designer's connection file takes its secret from (set only in memory).
SECRET_VAR: Final = "ATOMSPHERE_DESIGNER_SECRET"
OTP_VAR: Final = "ATOMSPHERE_DESIGNER_OTP"
FORMAT: Final = {"kind": "AtomSphereOperation", "version": 1}


def check_name(name: str, what: str = "operation name") -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ConfigError(
            f"{what} {str(name)[:80]!r}: use letters, digits, '.', '_' and '-', starting with a "
            "letter or digit"
        )
    return name


def inside(root: Path, path: Path, what: str) -> Path:
    """``path`` resolved, refused when it leaves ``root`` (symbolic links followed)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ConfigError(f"{what} must stay inside the work folder {root}")
    return resolved


@dataclass(frozen=True)
class Target:
    """Where the designer's connection points, said without a secret."""

    kind: str  # "sandbox" or "connection"
    target: str


class DesignerWorkspace:
    """The designer's work folder, its connection, and a plugin manager to run processes with."""

    def __init__(
        self,
        root: Path,
        connection: Connection,
        target: Target,
        pm: pluggy.PluginManager,
        *,
        database: Path | None = None,
        descriptor: PluginDescriptor | None = None,
    ) -> None:
        self.root = root.resolve()
        self.connection = connection
        self.target = target
        self.pm = pm
        self.descriptor = descriptor or bundled_descriptor()
        self.database = database or self.root / "reporting.db"
        self.wizard = Workspace(self.root / "profiles", self.root / "operations")
        self._served: ServedSchema | None = None
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()

    # -- browsing and importing ----------------------------------------------------------------

    def served(self) -> ServedSchema:
        """The connection's schema, fetched once."""
        with self._lock:
            if self._served is None:
                self._served = open_schema(self.connection)
            return self._served

    def object_types(self, action: str) -> list[dict[str, Any]]:
        found = browse(self.served(), Action(_action(action)))
        return [
            {
                "id": p.object,
                "label": p.label,
                "description": p.description,
                "deprecated": p.deprecated,
            }
            for p in found.plans
        ]

    def filter_fields(self, object_name: str) -> dict[str, Any]:
        """What a filter on ``object_name`` may use: each property with its type and the operators
        :func:`usable_operators` allows on it (the loader's rule, so the page offers no other)."""
        catalog = load_catalog()
        obj = catalog.object(object_name)
        query = obj.query
        if query is None:
            raise ConfigError(f"{obj.name} cannot be queried")
        properties = [(p.name, p.type) for p in query.properties]
        if not properties and obj.record_type is not None and obj.record_type in catalog.types:
            properties = [(f.name, f.type) for f in catalog.all_fields(obj.record_type)]
        grammar = self.descriptor.query_filter
        labels = {o.id: o.label for o in grammar.operators} if grammar is not None else {}
        return {
            "object": obj.name,
            "properties": [
                {
                    "name": name,
                    "type": filter_type(type_name, catalog),
                    "operators": [
                        {
                            "id": op,
                            "label": labels.get(op, op),
                            "arguments": catalog.operator(op).arguments,
                        }
                        for op in usable_operators(query.operators, type_name, catalog)
                    ],
                }
                for name, type_name in properties
            ],
        }

    def import_operation(self, action: str, object_name: str, name: str) -> dict[str, Any]:
        """Run the wizard: write the operation's profiles and ``operations/NAME.yaml``."""
        served = self.served()
        plan = resolve(served, object_name, Action(_action(action)))
        pending = prepare_import(served, plan, check_name(name), self.wizard)
        pending.write()
        files = [
            {"path": self._shown(w.path), "status": w.status}
            for w in (*pending.profiles, pending.operation)
        ]
        return {**self.operation(name), "files": files}

    # -- operation files -----------------------------------------------------------------------

    def operation_path(self, name: str) -> Path:
        path = self.wizard.operation_path(check_name(name))
        return inside(self.root, path, f"operation {name}")

    def operations(self) -> list[dict[str, Any]]:
        folder = self.wizard.operations_dir
        found: list[dict[str, Any]] = []
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            if not NAME_PATTERN.match(path.stem):
                continue
            try:
                data = load_yaml_file(path, packaged_schema("operation")).data
            except ConfigError as exc:
                found.append({"name": path.stem, "problems": [str(p) for p in exc.problems]})
                continue
            data = data if isinstance(data, dict) else {}
            found.append(
                {"name": path.stem, "action": data.get("action"), "object": data.get("object")}
            )
        return found

    def operation(self, name: str) -> dict[str, Any]:
        """An operation file's data, and whatever keeps it from loading."""
        path = self.operation_path(name)
        if not path.is_file():
            raise UnknownNameError("operation", name, self._suggest(name))
        data = load_yaml_file(path, packaged_schema("operation")).data
        problems: list[str] = []
        try:
            load_operation(path)
        except ConfigError as exc:
            problems = [str(p) for p in exc.problems]
        return {"name": name, "path": self._shown(path), "operation": data, "problems": problems}

    def save_operation(self, name: str, data: object) -> dict[str, Any]:
        """Write ``operations/NAME.yaml`` from the form's data, only when the engine loads it."""
        path = self.operation_path(name)
        if not isinstance(data, Mapping):
            raise ConfigError("the operation must be an object")
        text = self._edited(path, dump({**FORMAT, **self._ordered(data), "name": name}))
        self._check_paths(data, path.parent)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, "utf-8")
        try:
            load_operation(temporary)
        except ConfigError as exc:
            temporary.unlink()
            raise ConfigError([_renamed(p, temporary, path) for p in exc.problems]) from None
        temporary.replace(path)
        return self.operation(name)

    @staticmethod
    def _edited(path: Path, fresh: str) -> str:
        """The saved file: the existing one with only what the form changed rewritten (its
        comments and the wizard's filter template kept), else ``fresh``."""
        if not path.is_file():
            return fresh
        try:
            loaded = load_yaml_file(path, packaged_schema("operation"))
            wanted = load_yaml_text(fresh, str(path), packaged_schema("operation")).data
        except ConfigError:
            return fresh  # an unreadable file is replaced by what the form holds
        edited = edit_blocks(path.read_text("utf-8"), loaded, wanted)
        return fresh if edited is None else edited

    def _ordered(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` laid out in the descriptor's field order, empty values left out."""
        known = {f.path_parts[0] for f in self.descriptor.operation_fields}
        unknown = sorted(set(data) - known - set(FORMAT) - {"connector"})
        if unknown:
            raise ConfigError(f"the operation has no field {unknown[0]!r}")
        out: dict[str, Any] = {}
        for spec in self.descriptor.operation_fields:
            value: Any = data
            for part in spec.path_parts:
                value = value.get(part) if isinstance(value, Mapping) else None
            if _empty(value):
                continue
            target = out
            for part in spec.path_parts[:-1]:
                target = target.setdefault(part, {})
            target[spec.path_parts[-1]] = value
        return out

    def _check_paths(self, data: Mapping[str, Any], folder: Path) -> None:
        profiles = data.get("profiles") or {}
        for role in ("request", "response"):
            if isinstance(profiles, Mapping) and isinstance(profiles.get(role), str):
                inside(self.root, folder / profiles[role], f"profiles.{role}")
        archiving = data.get("archiving") or {}
        if isinstance(archiving, Mapping) and isinstance(archiving.get("directory"), str):
            inside(self.root, folder / archiving["directory"], "archiving.directory")

    # -- running a process ---------------------------------------------------------------------

    def run(self, name: str, shapes: Sequence[Shape]) -> dict[str, Any]:
        """Write ``processes/NAME.yaml`` from the canvas, run it once, and report each document."""
        process = self._write_process(check_name(name, "process name"), shapes)
        env = self._write_connection()
        with self._run_lock:
            loaded = load_process(process, self.pm, env=env)
            result = run_process(loaded, self.pm, database=self.database)
        db = connect(self.database, create=False)
        try:
            steps = execution_steps(db, result.execution_id)
            documents = execution_documents(db, result.execution_id)
        finally:
            db.close()
        return {
            "process": self._shown(process),
            "execution": result.execution_id,
            "status": result.status.value,
            "message": result.message,
            "steps": [
                {"name": s.name, "kind": s.kind, "inputs": s.inputs, "outputs": s.outputs}
                for s in steps
            ],
            "documents": [
                {
                    "index": d.index,
                    "step": d.step_name,
                    "direction": d.direction,
                    "status": d.status or "",
                    "code": d.status_code,
                    "message": d.message,
                }
                for d in documents
            ],
        }

    def _write_process(self, name: str, shapes: Sequence[Shape]) -> Path:
        if not shapes or shapes[0].kind != "start":
            raise ConfigError("a process begins with a Start shape")
        folder = self.root / "processes"
        steps: list[dict[str, Any]] = []
        for i, shape in enumerate(shapes[1:], 1):
            steps.append(self._step(shape, i, folder))
            if shape.kind == "end" and i != len(shapes) - 1:
                raise ConfigError("an End shape ends the process: nothing may follow it")
        data = shapes[0].data
        start: Any = {"documents": [{"data": data}]} if data else "no_data"
        process = {
            "kind": "Process",
            "version": 1,
            "name": name,
            "description": "Drawn in atomsphere designer.",
            "connections": {"atomsphere": {"file": "connections/designer.yaml"}},
            "start": start,
            "steps": steps,
        }
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.yaml"
        path.write_text(f"# Written by atomsphere designer.\n{_flow(process)}", "utf-8")
        return path

    def _step(self, shape: Shape, index: int, folder: Path) -> dict[str, Any]:
        kind = shape.kind
        label = shape.label or f"{kind} {index}"
        if kind == "connector":
            operation = shape.operation
            if not operation:
                raise ConfigError(f"shape {index} ({label}) has no operation: import or load one")
            path = self.operation_path(operation)
            if not path.is_file():
                raise UnknownNameError("operation", operation, self._suggest(operation))
            return {"name": label, "operation": f"../operations/{path.name}"}
        if kind == "write":
            target = shape.folder or "out"
            inside(self.root, folder / target, f"shape {index} ({label}) folder")
            return {"name": label, "write": {"folder": target}}
        if kind == "end":
            if shape.status not in ("", "complete", "error"):
                raise ConfigError(
                    f"shape {index} ({label}): status {shape.status[:40]!r} is neither "
                    "'complete' nor 'error'"
                )
            return {"name": label, "end": shape.status or "complete"}
        if kind == "start":
            raise ConfigError(f"shape {index}: a process has one Start shape, the first")
        raise ConfigError(f"shape {index}: unknown kind {kind[:40]!r}")

    def _write_connection(self) -> dict[str, str]:
        """The designer's connection file (secrets as ``${VAR}``) and the values of its VARs."""
        fields = atomsphere_fields(self.connection)
        env = {SECRET_VAR: self.connection.secret.reveal()}
        fields["api_token" if self.connection.auth_type == "token" else "password"] = (
            f"${{{SECRET_VAR}}}"
        )
        if self.connection.otp:
            fields["otp"] = f"${{{OTP_VAR}}}"
            env[OTP_VAR] = self.connection.otp.reveal()
        path = self.root / "processes" / "connections" / "designer.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# The designer's connection; its secret comes from the designer's memory."]
        lines += ["kind: AtomSphereConnection"]
        lines += [f"{key}: {json.dumps(value)}" for key, value in fields.items()]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        return env

    def _suggest(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, [o["name"] for o in self.operations()], n=3)

    def _shown(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()


def _action(value: str) -> str:
    if value not in Action.__members__:
        raise ConfigError(f"unknown action {str(value)[:40]!r}")
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, Mapping | list) and not value)


def _flow(data: Mapping[str, Any]) -> str:
    """A process file: block style at the top, each step one flow mapping (JSON is YAML).

    No steps is written ``steps: []``: an empty block would be null, which the loader refuses.
    """
    out = []
    for key, value in data.items():
        if key == "steps" and value:
            out.append("steps:\n" + "".join(f"  - {json.dumps(s)}\n" for s in value))
        else:
            out.append(f"{key}: {json.dumps(value)}\n")
    return "".join(out)


def _renamed(problem: Problem, temporary: Path, final: Path) -> Problem:
    """A problem of the file written aside, told of the file it will be."""
    source = problem.source.replace(str(temporary), str(final))
    return replace(
        problem, source=source, message=problem.message.replace(str(temporary), str(final))
    )
