"""Writing operation files and running them against the scripted API."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path

from connector.atomsphere.client import AtomSphereClient
from connector.contract import ExecutionContext
from connector.documents import Document, OperationResponse, Result
from connector.engine import OperationConfig, load_operation, run_operation
from tests.client.fakeapi import FakeApi

#: A Get of Process whose id is the document property ``processId``.
GET_PROCESS = """
action: GET
object: Process
id: {param: process}
parameters:
  process: {from: document_property, name: processId}
"""
#: A Get of Component whose id is the document property ``c``.
GET_COMPONENT = """
action: GET
object: Component
id: {param: c}
parameters:
  c: {from: document_property, name: c}
"""
#: The Get of Process, one GET per document (no bulk).
GET_PROCESS_ONE_BY_ONE = GET_PROCESS + "options: {bulk_get: false}\n"


def process_inputs(folder: Path, ids: Sequence[str]) -> Path:
    """A folder of documents for GET_PROCESS: one file per id, the id in its properties file."""
    folder.mkdir()
    for n, pid in enumerate(ids):
        (folder / f"doc{n}.xml").write_text("<request/>")
        (folder / f"doc{n}.xml.properties.json").write_text(json.dumps({"processId": pid}))
    return folder


def write_operation(folder: Path, text: str, name: str = "op.yaml") -> Path:
    path = folder / name
    body = textwrap.dedent(text).strip()
    header = "kind: AtomSphereOperation\nversion: 1\n"
    if "\nname:" not in "\n" + body:
        header += "name: test-operation\n"
    path.write_text(header + body + "\n", encoding="utf-8")
    return path


def operation(folder: Path, text: str) -> OperationConfig:
    return load_operation(write_operation(folder, text))


def run(
    op: OperationConfig,
    api: FakeApi | AtomSphereClient,
    documents: Sequence[Document],
    context: ExecutionContext | None = None,
    **client_options: object,
) -> list[Result]:
    client = api.client(**client_options) if isinstance(api, FakeApi) else api  # type: ignore[arg-type]
    response = OperationResponse(documents)
    run_operation(op, client, documents, response, context)
    return list(response.results)


def doc(text: str = "", **properties: str) -> Document:
    return Document(text.encode(), properties)


def summary(results: Sequence[Result]) -> list[tuple[str, str]]:
    return [(r.status.value, r.status_code) for r in results]
