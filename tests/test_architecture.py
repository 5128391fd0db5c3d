"""The rules of docs/architecture.md, checked on the imports of every module of ``connector/``.

A map that nothing checks drifts; these rules are why the rooms can be read and changed alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import connector

PACKAGE = Path(connector.__file__).parent

#: The floors of docs/architecture.md; every other module of ``connector`` is on floor 0.
FLOORS = {
    "cli": 4,
    "plugin": 3,
    "host": 3,
    "designer": 3,
    "engine": 2,
    "wizard": 2,
    "sandbox": 2,
    "atomsphere": 1,
}
#: Imports across one floor that the map states: the designer runs processes through the host.
SAME_FLOOR = {("designer", "host")}


def _imports() -> Iterator[tuple[str, str, str]]:
    """(file, importing room, imported module) for every absolute import of ``connector``."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts == ("__main__.py",):
            continue  # `python -m connector` is the CLI's door, above every floor
        room = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("connector."):
                    yield str(relative), room, name


def _room(module: str) -> str:
    return module.split(".")[1]


def test_imports_point_down_the_floors() -> None:
    wrong = []
    for file, room, module in _imports():
        target = _room(module)
        if target == room or (room, target) in SAME_FLOOR:
            continue
        if (
            FLOORS.get(target, 0) > FLOORS.get(room, 0)
            or FLOORS.get(room, 0) == FLOORS.get(target, 0) > 0
        ):
            wrong.append(f"{file} imports {module}")
    assert wrong == []


def test_engine_and_wizard_do_not_import_each_other() -> None:
    pairs = {("engine", "wizard"), ("wizard", "engine")}
    wrong = [f"{f} imports {m}" for f, r, m in _imports() if (r, _room(m)) in pairs]
    assert wrong == []


def test_the_sandbox_uses_the_catalog_but_never_the_client() -> None:
    wrong = [
        f"{f} imports {m}"
        for f, room, m in _imports()
        if room == "sandbox"
        and m.startswith("connector.atomsphere")
        and not m.startswith("connector.atomsphere.catalog")
    ]
    assert wrong == []


def test_only_the_cli_and_the_designer_start_a_sandbox() -> None:
    wrong = [
        f"{f} imports {m}"
        for f, room, m in _imports()
        if _room(m) == "sandbox" and room not in ("sandbox", "cli", "designer")
    ]
    assert wrong == []


#: The one stated exception (docs/architecture.md): the host reads the AtomSphere connection
#: file format (``connection:`` files, ``ATOMSPHERE_*`` variables) for that connector's connections.
HOST_EXCEPTIONS = {("host/connections.py", "connector.atomsphere.connection")}


def test_the_host_knows_connectors_only_through_the_hooks() -> None:
    forbidden = {"engine", "wizard", "sandbox", "atomsphere", "plugin"}
    wrong = [
        f"{f} imports {m}"
        for f, room, m in _imports()
        if room == "host" and _room(m) in forbidden and (f, m) not in HOST_EXCEPTIONS
    ]
    assert wrong == []
