"""One answer per input document, given through the plugin manager's execute hook, whatever the
documents hold and whatever the server answers."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from connector.contract import Operation
from connector.documents import Document, Status
from connector.sandbox import DEFAULT_PASSWORD, FaultRule
from tests.properties import strategies as s
from tests.properties.harness import Run, execute, properties, sandbox
from tests.properties.operations import SANDBOX, operation_and_documents

Case = tuple[str, Operation, list[Document]]


def _assert_one_answer_each(run: Run, documents: list[Document]) -> None:
    counts = Counter(run.answered)
    assert sorted(counts) == list(range(len(documents)))
    assert set(counts.values()) == {1}, f"answered more than once: {counts}"
    assert [r.index for r in run.results] == list(range(len(documents)))


@properties()
@given(case=operation_and_documents(), faults=st.lists(s.FAULTS, max_size=3))
def test_every_document_is_answered_exactly_once_under_sandbox_faults(
    case: Case, faults: list[FaultRule]
) -> None:
    _name, operation, documents = case
    with sandbox(**SANDBOX) as box:
        box.sandbox.faults.add(*faults)
        run = execute(operation, documents)
    assert run.handled is True
    _assert_one_answer_each(run, documents)


@properties()
@given(case=operation_and_documents(), script=s.SCRIPTS)
def test_no_exception_escapes_the_execute_hook_whatever_the_server_answers(
    case: Case, script: list[s.Answer | None]
) -> None:
    _name, operation, documents = case
    with sandbox(s.scripted(script), **SANDBOX):
        run = execute(operation, documents)  # raising here is the failure this test looks for
    assert run.handled is True
    _assert_one_answer_each(run, documents)
    returns_errors = operation.settings.return_application_errors
    for result in run.results:
        if result.status is Status.FAILURE:
            assert result.outputs == ()
        if result.status is Status.APPLICATION_ERROR:
            assert len(result.outputs) == (1 if returns_errors else 0) or result.output_count > 1
        assert DEFAULT_PASSWORD not in result.message
        assert "Traceback" not in result.message
