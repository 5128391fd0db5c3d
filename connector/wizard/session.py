"""The wizard's jobs on disk: import one operation, re-import one, generate every profile, check.

Each job first computes everything it would write (bytes and what changed), so a caller can show
it and ask before anything is touched; writing only replaces files whose bytes differ.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import httpx

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.connection import Connection
from connector.contract import Action, ProfileRole
from connector.errors import ConfigError, Problem, XMLInputError
from connector.wizard.browse import Browse, ImportPlan, browse, resolve
from connector.wizard.definitions import Profile, build_profiles
from connector.wizard.drift import SchemaChanges, compare
from connector.wizard.fetch import fetch_schema
from connector.wizard.served import ServedSchema, bundled_schema, load_served_schema
from connector.wizard.yaml_writer import KeptLine, new_operation, refresh_operation
from connector.yamlfiles import load_yaml_file, packaged_schema, validate

NAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z")  # \Z: "$" lets "x\n" through


def open_schema(
    connection: Connection | None, transport: httpx.BaseTransport | None = None
) -> ServedSchema:
    """The schema to import from: the connection's, or the bundled one when it is None."""
    if connection is None:
        return bundled_schema()
    return load_served_schema(fetch_schema(connection, transport))


@dataclass(frozen=True)
class Workspace:
    """Where profiles and operation files live."""

    profiles_dir: Path
    operations_dir: Path

    def profile_path(self, profile: Profile) -> Path:
        return self.profiles_dir / profile.file_name

    def operation_path(self, name: str) -> Path:
        return self.operations_dir / f"{name}.yaml"


@dataclass(frozen=True)
class FileWrite:
    """One file the wizard writes: its new bytes and how they differ from what is there."""

    path: Path
    data: bytes
    status: str  # "created", "updated" or "unchanged"
    changes: SchemaChanges | None = None
    note: str = ""

    def write(self) -> None:
        if self.status == "unchanged":
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_bytes(self.data)
        temporary.replace(self.path)


@dataclass(frozen=True)
class PendingImport:
    """An import computed but not yet written."""

    plan: ImportPlan
    operation: FileWrite
    profiles: tuple[FileWrite, ...]
    comments_kept: bool = True
    reimport: bool = False
    #: Lines the user wrote between the filter template's markers, moved below the template.
    kept: tuple[KeptLine, ...] = ()

    def write(self) -> None:
        for item in (*self.profiles, self.operation):
            item.write()


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name an operation file, or None when it can."""
    if NAME_PATTERN.match(name):
        return None
    return (
        f"operation name {name!r}: use letters, digits, '.', '_' and '-', starting with a "
        "letter or digit"
    )


def default_name(plan: ImportPlan) -> str:
    """``query-execution-record`` for a Query on ExecutionRecord."""
    words = re.sub(r"[^A-Za-z0-9]+", "-", plan.label).strip("-").lower()
    return f"{plan.action.value.lower()}-{words}"


def prepare_profiles(
    served: ServedSchema, plan: ImportPlan, workspace: Workspace
) -> tuple[dict[ProfileRole, Path | None], tuple[FileWrite, ...]]:
    """The profiles of ``plan``, compared with the files already in the profiles folder."""
    profiles = build_profiles(served, plan, load_catalog())
    paths: dict[ProfileRole, Path | None] = {ProfileRole.REQUEST: None, ProfileRole.RESPONSE: None}
    writes = []
    for profile in profiles:
        path = workspace.profile_path(profile)
        paths[profile.spec.role] = path
        writes.append(profile_write(path, profile.data))
    return paths, tuple(writes)


def profile_write(path: Path, data: bytes) -> FileWrite:
    if not path.is_file():
        return FileWrite(path, data, "created")
    old = path.read_bytes()
    if old == data:
        return FileWrite(path, data, "unchanged")
    try:
        return FileWrite(path, data, "updated", compare(old, data, source=str(path)))
    except XMLInputError as exc:
        return FileWrite(path, data, "updated", note=f"the previous file did not load ({exc})")


def prepare_import(
    served: ServedSchema,
    plan: ImportPlan,
    name: str,
    workspace: Workspace,
    *,
    force: bool = False,
) -> PendingImport:
    """Import ``plan`` as operation ``name``: a new file, or a re-import of the same object."""
    problem = name_problem(name)
    if problem is not None:
        raise ConfigError(problem)
    target = workspace.operation_path(name)
    paths, profiles = prepare_profiles(served, plan, workspace)
    relative = {
        role: _relative(path, target.parent) if path else None for role, path in paths.items()
    }
    if target.is_file():
        loaded = load_yaml_file(target, packaged_schema("operation"))
        validate(loaded, packaged_schema("operation"))
        same = _identity(loaded.data) == (plan.action.value, plan.object.lower())
        if same:
            text = target.read_bytes().decode("utf-8")  # CRLF kept: re-import keeps it
            refreshed = refresh_operation(loaded, text, plan, relative)
            data = refreshed.text.encode("utf-8")
            status = "unchanged" if data == target.read_bytes() else "updated"
            operation = FileWrite(target, data, status)
            return PendingImport(
                plan, operation, profiles, refreshed.comments_kept, True, refreshed.kept
            )
        if not force:
            raise ConfigError(
                f"{target} is {loaded.data.get('action')} {loaded.data.get('object')}, not "
                f"{plan.action.value} {plan.object}: choose another --name, or --force to "
                "replace it"
            )
    data = new_operation(plan, name, relative).encode("utf-8")
    status = "updated" if target.is_file() else "created"
    return PendingImport(plan, FileWrite(target, data, status), profiles)


def _identity(data: object) -> tuple[str, str]:
    """(action, object in lower case): object names are matched as the catalog matches them."""
    if not isinstance(data, dict):
        return ("", "")
    return (str(data.get("action")), str(data.get("object")).lower())


def operation_identity(path: Path) -> tuple[str, str] | None:
    """(action, object) of an existing operation file, None when there is none."""
    if not path.is_file():
        return None
    data = load_yaml_file(path, packaged_schema("operation")).data
    return (str(data.get("action")), str(data.get("object"))) if isinstance(data, dict) else None


def prepare_reimport(served: ServedSchema, path: Path, workspace: Workspace) -> PendingImport:
    """Re-import an existing operation file: its object and action, with fresh profiles.

    What stops it is located in the file: an object the served schema does not offer is a
    problem of its ``object`` line."""
    loaded = load_yaml_file(path, packaged_schema("operation"))
    validate(loaded, packaged_schema("operation"))
    try:
        plan = resolve(served, str(loaded.data["object"]), Action(loaded.data["action"]))
    except ConfigError as exc:
        raise ConfigError([loaded.problem(("object",), p.message) for p in exc.problems]) from None
    local = Workspace(workspace.profiles_dir, path.parent)
    try:
        return prepare_import(served, plan, path.stem, local)
    except ConfigError as exc:
        located = [p if p.source else replace(p, source=str(path)) for p in exc.problems]
        raise ConfigError(located) from None


@dataclass(frozen=True)
class Refresh:
    """What ``--refresh`` re-imports, and the problems of the operation files it cannot."""

    pending: tuple[PendingImport, ...]
    invalid: tuple[Problem, ...]


def prepare_refresh(
    served: ServedSchema, workspace: Workspace, load_operation: OperationLoader
) -> Refresh:
    """Re-import every operation file that loads, and say what is wrong with every other one.

    Each file is first loaded by the loader a run uses (as :func:`check` does), so a broken one
    is reported with every problem, file, line and field, and does not stop the others. Only
    problems of its ``profiles`` do not stop a file: re-importing rewrites them.
    """
    pending: list[PendingImport] = []
    invalid: list[Problem] = []
    for path in sorted(workspace.operations_dir.glob("*.yaml")):
        try:
            load_operation(path)
        except ConfigError as exc:
            if any(not p.field.startswith("profiles") for p in exc.problems):
                invalid.extend(exc.problems)
                continue
        try:
            pending.append(prepare_reimport(served, path, workspace))
        except ConfigError as exc:
            invalid.extend(exc.problems)
    return Refresh(tuple(pending), tuple(invalid))


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


# -- every object and action -------------------------------------------------------------------


@dataclass(frozen=True)
class Everything:
    """What ``--all`` produced, and what the served schema could not offer."""

    writes: tuple[FileWrite, ...]
    browses: tuple[Browse, ...]

    @property
    def missing(self) -> dict[Action, tuple[str, ...]]:
        return {b.action: b.missing for b in self.browses if b.missing}

    @property
    def unknown(self) -> tuple[str, ...]:
        return self.browses[0].unknown if self.browses else ()


def prepare_all(served: ServedSchema, workspace: Workspace) -> Everything:
    """Profiles for every object and every action the served schema offers."""
    browses = tuple(browse(served, action) for action in Action)
    writes: dict[Path, FileWrite] = {}
    for found in browses:
        for plan in found.plans:
            for write in prepare_profiles(served, plan, workspace)[1]:
                writes[write.path] = write
    return Everything(tuple(writes[p] for p in sorted(writes)), browses)


# -- drift ---------------------------------------------------------------------------------------

_PROFILE_FILE: Final = re.compile(
    r"^(?P<object>.+)\.(?P<action>get|query|create|update|delete|execute)"
    r"\.(?P<role>request|response)\.xsd$"
)


@dataclass(frozen=True)
class Drift:
    """A committed file that no longer matches what the served schema generates."""

    path: Path
    problem: str
    changes: SchemaChanges | None = None


#: Loads one operation file the way a run does, raising :class:`ConfigError` with every problem
#: (the engine's ``load_operation``: passed in, as the wizard does not import the engine).
OperationLoader = Callable[[Path], object]


@dataclass(frozen=True)
class CheckReport:
    checked: tuple[Path, ...]
    drift: tuple[Drift, ...]
    skipped: tuple[Path, ...] = field(default=())
    #: What is wrong with the operation files that do not load (file, line, field).
    invalid: tuple[Problem, ...] = field(default=())

    @property
    def in_sync(self) -> bool:
        return not self.drift and not self.invalid


def check(
    served: ServedSchema, workspace: Workspace, load_operation: OperationLoader
) -> CheckReport:
    """Compare the committed profiles (and those operations refer to) with the served schema.

    Every operation file is loaded first, by the loader a run uses: a file that would not run
    (bad YAML, an unknown object, a profile that does not exist...) is reported with its
    problems, not skipped.
    """
    drift: list[Drift] = []
    skipped: list[Path] = []
    invalid: list[Problem] = []
    folder = workspace.profiles_dir
    files = {p.resolve() for p in folder.glob("*.xsd")} if folder.is_dir() else set()
    operations = workspace.operations_dir
    for operation in sorted(operations.glob("*.yaml")) if operations.is_dir() else ():
        try:
            load_operation(operation)
        except ConfigError as exc:
            invalid.extend(exc.problems)
            continue
        files.update(_referenced_profiles(operation))
    checked = []
    for path in sorted(files):
        match = _PROFILE_FILE.match(path.name)
        if match is None:
            skipped.append(path)
            continue
        checked.append(path)
        found = _check_profile(served, path, match)
        if found is not None:
            drift.append(found)
    return CheckReport(tuple(checked), tuple(drift), tuple(skipped), tuple(invalid))


def _check_profile(served: ServedSchema, path: Path, match: re.Match[str]) -> Drift | None:
    role = ProfileRole(match["role"])
    try:
        plan = resolve(served, match["object"], Action(match["action"].upper()))
    except ConfigError as exc:
        return Drift(path, f"no longer offered: {exc}")
    profile = build_profiles(served, plan, load_catalog()).get(role)
    if profile is None:
        return Drift(path, f"{plan.action.value} {plan.object} no longer has a {role} document")
    write = profile_write(path, profile.data)
    if write.status == "unchanged":
        return None
    what = write.changes.summary() if write.changes else "documentation or annotations changed"
    return Drift(path, write.note or what, write.changes)


def _referenced_profiles(operation: Path) -> Iterator[Path]:
    """The profiles of an operation file that loads (so they exist)."""
    profiles = load_yaml_file(operation, packaged_schema("operation")).data.get("profiles") or {}
    for role in ("request", "response"):
        target = profiles.get(role)
        if isinstance(target, str) and target:
            yield (operation.parent / target).resolve()
