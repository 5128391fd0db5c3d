"""A deterministic connector for testing the host through the hooks, and nothing else.

Operation files (``kind: FakeOperation``) carry the generic settings every host reads plus a
``behaviour`` block. Each input document says how it is answered through its ``outcome``
property: ``SUCCESS`` (``fanout`` outputs, 1 -> N through partial results when fanout is not 1),
``APPLICATION_ERROR`` (404, with an error document), ``REFUSED`` (404, no document),
``FAILURE``, ``RAISE`` (the hook raises
there, leaving the rest unanswered), ``EXIT`` (``sys.exit(3)`` there, as a library might),
``INTERRUPT`` (Ctrl-C there), ``SILENT`` (never answered), or ``BAD_OUTPUT``, ``BAD_STATUS``,
``BAD_CODE`` (answers with bytes for a Document, ``"OK"`` for a Status, an int code: a plugin's
type mistakes, which the response refuses). ``threads`` answers documents from worker threads;
``reverse`` answers the last document first (a connector's concurrent calls completing out of
order). A document whose ``block`` property is ``yes`` first creates ``<gate>.ready`` (``gate``
is a process property) and waits for ``<gate>.go``: tests kill the run at that exact point. One
whose ``block_before_output`` property is N waits there after streaming its first N outputs, as
a query between two pages. An output shows the input's dynamic operation properties, if any, in
its ``dynamic.OPERATION`` property (``id=a,timeout_seconds=5``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.contract import (
    Action,
    ArchiveSettings,
    CacheSettings,
    ExecutionContext,
    OperationSettings,
    TrackingDirection,
    TrackingSettings,
)
from connector.descriptor import PluginDescriptor, parse_descriptor
from connector.documents import Document, OperationResponse, Status
from connector.parameters import format_date
from connector.plugins import hookimpl
from connector.yamlfiles import load_yaml_file, load_yaml_text

CONNECTOR_ID = "fake"

DESCRIPTOR = """
kind: ConnectorPlugin
descriptor_version: 1
id: fake
name: Fake connector for host tests
version: 0.0.1
entry_point: {group: atomsphere_connector, name: fake, module: tests.host.fake_connector}
connection:
  fields:
    - {id: endpoint, label: Endpoint, type: string}
    - {id: token, label: Token, type: password}
actions:
  - {id: GET, label: Get}
  - {id: QUERY, label: Query}
  - {id: CREATE, label: Create}
"""


@dataclass(frozen=True)
class FakeOperation:
    settings: OperationSettings
    fanout: int = 1
    combine: bool = False
    threads: int = 0
    reverse: bool = False
    calls: list[int] = field(default_factory=list, compare=False)


def descriptor() -> PluginDescriptor:
    return parse_descriptor(load_yaml_text(DESCRIPTOR, "fake plugin.yaml"))


@hookimpl
def connector_register_connectors(register: Callable[[PluginDescriptor], None]) -> None:
    register(descriptor())


@hookimpl
def connector_load_operation(connector_id: str, path: Path) -> FakeOperation | None:
    if connector_id != CONNECTOR_ID:
        return None
    data: dict[str, Any] = load_yaml_file(path).data
    tracking = data.get("tracking", {})
    action = Action(data.get("action", "GET"))
    default_direction = "output" if action.inbound else "input"
    archiving = data.get("archiving")
    caching = data.get("caching")
    behaviour = data.get("behaviour", {})
    settings = OperationSettings(
        name=data["name"],
        connector=CONNECTOR_ID,
        action=action,
        object_type=data.get("object", "Thing"),
        tracking=TrackingSettings(
            TrackingDirection(tracking.get("direction", default_direction)),
            tracking.get("locked", False),
        ),
        return_application_errors=data.get("return_application_errors", False),
        source=path,
        archiving=ArchiveSettings(Path(archiving["directory"])) if archiving else None,
        tracked_fields=data.get("tracked_fields", {}),
        caching=CacheSettings(caching["cache"], caching["key"]) if caching else None,
        parameters=data.get("parameters", {}),
    )
    return FakeOperation(
        settings,
        behaviour.get("fanout", 1),
        behaviour.get("combine", False),
        behaviour.get("threads", 0),
        behaviour.get("reverse", False),
    )


@hookimpl
def connector_execute(
    connector_id: str,
    operation: FakeOperation,
    connection: Mapping[str, Any],
    documents: Sequence[Document],
    response: OperationResponse,
    context: ExecutionContext,
) -> bool | None:
    if connector_id != CONNECTOR_ID:
        return None
    if operation.combine:
        body = b"".join(d.data for d in documents)
        output = Document(b"<combined>" + body + b"</combined>", {"combined": str(len(documents))})
        response.add_combined_result(range(len(documents)), Status.SUCCESS, "200", "", output)
        return True
    if operation.threads:
        with ThreadPoolExecutor(operation.threads) as pool:
            for future in [
                pool.submit(_answer, operation, connection, i, doc, response, context)
                for i, doc in enumerate(documents)
            ]:
                future.result()
        return True
    order = reversed(range(len(documents))) if operation.reverse else range(len(documents))
    for i in order:
        _answer(operation, connection, i, documents[i], response, context)
    return True


def _answer(
    operation: FakeOperation,
    connection: Mapping[str, Any],
    i: int,
    doc: Document,
    response: OperationResponse,
    context: ExecutionContext,
) -> None:
    name = operation.settings.name
    if doc.properties.get("block") == "yes":
        _wait_at_gate(str(context.process_properties["gate"]))
    outcome = doc.properties.get("outcome", "SUCCESS")
    thing = doc.properties.get("thingId", str(i))
    if outcome == "RAISE":
        token = connection.get("token")
        raise RuntimeError(f"fake connector broke on document {i} (token {token})")
    if outcome == "INTERRUPT":
        raise KeyboardInterrupt
    if outcome == "EXIT":
        sys.exit(3)  # a library that calls sys.exit()
    if outcome == "SILENT":
        return
    if outcome.startswith("BAD_"):
        _answer_badly(outcome, i, doc, response)
        return
    if outcome == "FAILURE":
        response.add_empty_result(i, Status.FAILURE, "", f"{name}: could not reach the thing")
    elif outcome == "REFUSED":
        response.add_empty_result(i, Status.APPLICATION_ERROR, "404", f"no thing {thing}")
    elif outcome == "APPLICATION_ERROR":
        error = Document(f'<error code="404">no thing {thing}</error>'.encode())
        response.add_result(i, Status.APPLICATION_ERROR, "404", f"no thing {thing}", error)
    elif operation.fanout == 1:
        response.add_result(i, Status.SUCCESS, "200", "OK", _thing(name, thing, 0, context, doc))
    elif operation.fanout == 0:
        response.add_empty_result(i, Status.SUCCESS, "200", "nothing found")
    else:
        pause = int(doc.properties.get("block_before_output", -1))
        for n in range(operation.fanout):
            if n == pause:
                _wait_at_gate(str(context.process_properties["gate"]))
            response.add_partial_result(i, _thing(name, thing, n, context, doc))
        response.finish_partial_result(i, Status.SUCCESS, "200", "OK")


def _answer_badly(outcome: str, i: int, doc: Document, response: OperationResponse) -> None:
    """A third-party plugin's type mistakes, as a type checker would have caught them."""
    if outcome == "BAD_OUTPUT":
        response.add_result(i, Status.SUCCESS, "200", "", b"raw")  # type: ignore[arg-type]
    elif outcome == "BAD_STATUS":
        response.add_result(i, "OK", "200", "", doc)  # type: ignore[arg-type]
    else:
        response.add_result(i, Status.SUCCESS, 200, None, doc)  # type: ignore[arg-type]


def _thing(
    operation: str, thing: str, n: int, context: ExecutionContext, source: Document
) -> Document:
    start = "yes" if context.is_start_step else "no"
    data = f'<thing id="{thing}" n="{n}" by="{operation}" start="{start}"/>'.encode()
    last_run = format_date(context.last_run_date) if context.last_run_date else "never"
    properties = {
        "thingId": f"{thing}.{n}" if n else thing,
        "seenBy": operation,
        "lastRun": last_run,
        "execution": context.execution_id,
        "region": str(context.process_properties.get("region")),
    }
    dynamic = source.dynamic_operation_properties
    if dynamic:  # what a connector reads as its per-document overrides, shown to tests
        properties[f"dynamic.{operation}"] = ",".join(
            f"{k}={v}" for k, v in sorted(dynamic.items())
        )
    return Document(data, properties)


def _wait_at_gate(gate: str) -> None:
    Path(gate + ".ready").touch()
    while not Path(gate + ".go").exists():
        time.sleep(0.01)
