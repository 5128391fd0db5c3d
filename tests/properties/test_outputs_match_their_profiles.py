"""Every output document of a successful answer validates against the operation's response
profile: the one in ``profiles/``, or the one the wizard cuts for the object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree

from connector.contract import Action, Operation
from connector.documents import Document, Result, Status
from connector.engine import OperationConfig
from tests.properties import filters
from tests.properties.harness import (
    CONNECTOR_ID,
    PLUGINS,
    execute,
    properties,
    sandbox,
    write_operation,
)
from tests.properties.operations import EXAMPLES, SANDBOX, operation_and_documents
from tests.properties.records import root
from tests.properties.strategies import ATOM_IDS, PROCESS_IDS

#: Found by this test: an ExecutionRequest answers with the final ExecutionRecord, but the wizard
#: cut its response profile for an ExecutionRequest, so no successful answer ever validated.
_EXECUTION = Document(
    b'<bns:ExecutionRequest xmlns:bns="http://api.platform.boomi.com/" '
    + f'processId="{PROCESS_IDS[0]}" atomId="{ATOM_IDS[0]}"/>'.encode()
)


def _wizard_profile(obj: str) -> etree.XMLSchema:
    definitions = PLUGINS.hook.connector_object_definitions(
        connector_id=CONNECTOR_ID, connection=None, object_type=obj, action=Action.QUERY
    )
    return etree.XMLSchema(etree.fromstring(definitions.response.schema.encode()))


WIZARD_PROFILES = {obj: _wizard_profile(obj) for obj in filters.OBJECTS}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("operations")


def _assert_valid(results: tuple[Result, ...], schema: etree.XMLSchema) -> None:
    for result in results:
        if result.status is not Status.SUCCESS:
            continue
        for output in result.outputs:
            assert schema.validate(root(output)), (schema.error_log, output.data[:300])


@properties()
@given(case=operation_and_documents())
@example(case=("execute-process", EXAMPLES["execute-process"], [_EXECUTION]))
def test_example_operation_outputs_match_their_response_profiles(
    case: tuple[str, Operation, list[Document]],
) -> None:
    _name, operation, documents = case
    assert isinstance(operation, OperationConfig)
    if operation.response_profile is None:  # DELETE answers without a document
        return
    schema = etree.XMLSchema(etree.parse(str(operation.response_profile)))
    with sandbox(**SANDBOX):
        run = execute(operation, documents)
    _assert_valid(run.results, schema)
    if documents == [_EXECUTION]:  # the example must reach the profile, not fail before it
        assert [r.status for r in run.results] == [Status.SUCCESS]


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, dict[str, Any] | None]:
    obj = draw(st.sampled_from(filters.OBJECTS))
    return obj, draw(st.none() | filters.trees(obj))


@properties()
@given(query=queries())
def test_query_records_match_the_profile_the_wizard_cuts(
    folder: Path, query: tuple[str, dict[str, Any] | None]
) -> None:
    obj, tree = query
    body: dict[str, Any] = {"action": "QUERY", "object": obj}
    if tree is not None:
        body["filter"] = tree
    with sandbox(**filters.CONFIG):
        run = execute(write_operation(folder, body), [Document(b"")])
    assert run.results[0].status is Status.SUCCESS, run.results[0].message
    _assert_valid(run.results, WIZARD_PROFILES[obj])
