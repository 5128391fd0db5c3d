"""A random filter tree, written in an operation file with literal and parameter arguments, selects
on the sandbox exactly the records a reference evaluation in this test selects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from lxml import etree

from connector.contract import ExecutionContext
from connector.documents import Document, Status
from tests.properties import filters
from tests.properties.harness import execute, properties, sandbox, write_operation
from tests.properties.records import field

SOURCES = ("literal", "static", "document_property", "xpath", "process_property")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("operations")


class Bound:
    """The filter rewritten with ``{param: NAME}`` arguments, and where each value will come
    from: the parameters, the input document (properties and XML) and the process properties."""

    def __init__(self) -> None:
        self.parameters: dict[str, dict[str, str]] = {}
        self.properties: dict[str, str] = {}
        self.xml = etree.Element("values")
        self.process: dict[str, str] = {}

    def argument(self, value: str, source: str) -> Any:
        name = f"p{len(self.parameters)}"
        if source == "literal":
            return value
        if source == "static":
            self.parameters[name] = {"from": "static", "value": value}
        elif source == "document_property":
            self.parameters[name] = {"from": "document_property", "name": f"prop {name}"}
            self.properties[f"prop {name}"] = value
        elif source == "xpath":
            self.parameters[name] = {"from": "xpath", "xpath": f"/values/{name}"}
            etree.SubElement(self.xml, name).text = value
        else:
            self.parameters[name] = {"from": "process_property", "name": name}
            self.process[name] = value
        return {"param": name}

    def tree(self, tree: dict[str, Any], sources: list[str]) -> dict[str, Any]:
        for group in ("and", "or"):
            if group in tree:
                return {group: [self.tree(t, sources) for t in tree[group]]}
        arguments = [
            self.argument(a, sources.pop() if sources else "literal") for a in tree["arguments"]
        ]
        return {**tree, "arguments": arguments}


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[str]]:
    """An object, a filter tree over it, and where each argument's value comes from."""
    obj = draw(st.sampled_from(filters.OBJECTS))
    tree = draw(filters.trees(obj))
    return obj, tree, draw(st.lists(st.sampled_from(SOURCES), max_size=10))


@properties(max_examples=60)
@given(case=cases())
def test_the_sandbox_selects_what_the_filter_means(
    folder: Path, case: tuple[str, dict[str, Any], list[str]]
) -> None:
    obj, tree, sources = case
    bound = Bound()
    written = bound.tree(tree, list(sources))
    operation = write_operation(
        folder,
        {"action": "QUERY", "object": obj, "filter": written, "parameters": bound.parameters},
    )
    document = Document(etree.tostring(bound.xml), bound.properties)
    with sandbox(**filters.CONFIG):
        run = execute(
            operation, [document], context=ExecutionContext(process_properties=bound.process)
        )
    (result,) = run.results
    assert result.status is Status.SUCCESS, result.message
    id_field = filters.CATALOG.object(obj).id_field
    expected = [r[id_field] for r in filters.RECORDS[obj] if filters.matches(tree, r, obj)]
    event(f"{obj}: {'some' if expected else 'none'} selected")
    assert [field(d, id_field) for d in result.outputs] == expected
