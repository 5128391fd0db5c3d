"""Answers line up with their inputs: answer *i* is about document *i*, whichever request
(bulk, one by one, concurrent) carried it."""

from __future__ import annotations

from hypothesis import given

from connector.documents import Document, Status
from tests.properties import strategies as s
from tests.properties.harness import example, execute, properties, sandbox
from tests.properties.records import field, held

GET_PROCESS = example("get-process-errors-returned")
CREATE_ENVIRONMENT = example("create-environment")


@properties()
@given(documents=s.documents(s.garbage(), s.properties("processId", values=s.ids(s.PROCESS_IDS))))
def test_each_get_answer_is_the_record_its_document_asked_for(documents: list[Document]) -> None:
    with sandbox() as box:
        known = {record["id"] for record in held(box.sandbox, "Process")}
        run = execute(GET_PROCESS, documents)
    for document, result in zip(documents, run.results, strict=True):
        overridden = document.dynamic_operation_properties.get("id")
        wanted = (overridden or document.properties.get("processId", "")).strip()
        if result.status is Status.SUCCESS:
            (output,) = result.outputs
            assert field(output, "id") == wanted
        elif wanted in known:  # a known id fails only when the document itself was refused
            assert result.message.startswith("not sent: dynamic operation property")


@properties()
@given(documents=s.documents(s.environment_xml(), s.properties()))
def test_each_create_answer_echoes_its_own_document(documents: list[Document]) -> None:
    with sandbox():
        run = execute(CREATE_ENVIRONMENT, documents)
    for document, result in zip(documents, run.results, strict=True):
        if result.status is Status.SUCCESS:
            sent = s.root_attributes(document)
            (output,) = result.outputs
            assert field(output, "name") == sent.get("name")
            assert field(output, "classification") == sent.get("classification")
