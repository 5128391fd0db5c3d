"""Objects without an id field whose path takes one: the wizard writes an `id:` that works, and
the loader refuses the operation without one (else every document would be answered "not
sent")."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.atomsphere.catalog import ObjectInfo, load_catalog
from connector.contract import Action
from connector.engine import load_operation
from connector.engine.filters import ParamRef
from connector.errors import ConfigError
from connector.wizard.browse import catalog_plan
from connector.wizard.yaml_writer import new_operation

SHAPE = [
    (obj, action)
    for obj in load_catalog().objects
    for action in obj.actions
    if obj.id_only_from_operation(action) is not None
]


def test_the_shape_is_found_in_the_catalog() -> None:
    found = {(obj.name, action.value) for obj, action in SHAPE}
    assert {("AtomDiskSpace", "GET"), ("ListQueues", "GET")} <= found


@pytest.mark.parametrize(("obj", "action"), SHAPE, ids=lambda v: getattr(v, "name", str(v)))
def test_the_written_operation_sets_the_id_and_says_so(
    obj: ObjectInfo, action: Action, tmp_path: Path
) -> None:
    text = new_operation(catalog_plan(obj, action), "op", {})
    header = "".join(line for line in text.splitlines() if line.startswith("#"))
    assert f"# The id: {obj.name} has no id field" in text
    assert "`id:` must be set" in header
    path = tmp_path / "op.yaml"
    path.write_text(text, "utf-8")
    operation = load_operation(path)
    assert isinstance(operation.id, ParamRef)
    assert str(operation.parameters[operation.id.name].source) == "document_property"

    path.write_text(text.replace(f"id:\n  param: {operation.id.name}\n", ""), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_operation(path)
    (problem,) = info.value.problems
    assert problem.field == "id"
    assert problem.line == text.splitlines().index(f"object: {obj.name}") + 1
    assert f"{obj.name} has no id field" in problem.message
    assert "set id:" in problem.message


def test_the_atom_disk_space_id_is_the_atoms(tmp_path: Path) -> None:
    text = new_operation(catalog_plan(load_catalog().object("AtomDiskSpace"), Action.GET), "op", {})
    assert "needs the atom's id" in text
    assert "param: atomId" in text
