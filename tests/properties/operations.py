"""The example operations of ``operations/``, one per action, each with the documents it takes."""

from __future__ import annotations

from hypothesis import strategies as st

from connector.contract import Operation
from connector.documents import Document
from connector.sandbox import DEFAULT_ACCOUNT_ID
from tests.properties import strategies as s
from tests.properties.harness import example

_DOCUMENTS: dict[str, st.SearchStrategy[list[Document]]] = {
    "get-account": s.documents(
        s.garbage(), s.properties("accountId", values=s.ids([DEFAULT_ACCOUNT_ID]))
    ),
    "get-process-errors-returned": s.documents(
        st.just(b""), s.properties("processId", values=s.ids(s.PROCESS_IDS))
    ),
    "query-failed-executions": s.documents(
        s.garbage(),
        s.properties("status", values=st.sampled_from(["ERROR", "COMPLETE", "error", "%", ""])),
    ),
    "create-environment": s.documents(s.environment_xml() | s.garbage(), s.properties()),
    "update-environment": s.documents(
        s.environment_xml(with_id=True) | s.garbage(), s.properties()
    ),
    "delete-environment": s.documents(
        s.environment_xml(with_id=True) | s.garbage(), s.properties()
    ),
    "execute-process": s.documents(s.execution_request_xml() | s.garbage(), s.properties()),
}
EXAMPLES: dict[str, Operation] = {name: example(name) for name in _DOCUMENTS}
#: Small pages so a query crosses several of them; few records so each example is quick.
SANDBOX = {"records": 40, "page_size": 7}


@st.composite
def operation_and_documents(draw: st.DrawFn) -> tuple[str, Operation, list[Document]]:
    name = draw(st.sampled_from(sorted(_DOCUMENTS)))
    return name, EXAMPLES[name], draw(_DOCUMENTS[name])
