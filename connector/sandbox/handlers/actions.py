"""EXECUTE and the other POST actions.

ExecutionRequest starts an execution (``requestId="executionrecord-<uuid>"``, ``recordUrl``)
whose ExecutionRecord appears and moves INPROCESS → COMPLETE (ERROR for failing processes); an
OFFLINE atom cannot run one (410, as the async calls that reach a Runtime answer);
cancelExecution aborts one (202); changeListenerStatus pauses and resumes listeners; the log
and artifact actions answer a download URL (``statusCode`` 202). Every other action stores and
echoes what it was sent, as its response type, with the ids it would be given.
"""

from __future__ import annotations

from typing import Final

from connector.sandbox.handlers.common import ApiError, Call, no_such
from connector.sandbox.seed.fixtures import FAILING_PROCESS
from connector.sandbox.shapes import Record
from connector.sandbox.state import Execution
from connector.sandbox.wire import Response

#: Actions that answer a download URL, and the response type they answer with.
DOWNLOADS: Final = {
    "AtomLog": "LogDownload",
    "AtomWorkerLog": "LogDownload",
    "AtomAS2Artifacts": "LogDownload",
    "ProcessLog": "LogDownload",
    "ExecutionArtifacts": "LogDownload",
    "ConnectorDocument": "ConnectorDocumentDownload",
    "ConnectionLicensingReport": "ConnectionLicensingDownload",
}
_LISTENER_ACTIONS: Final = {"pause": "paused", "resume": "listening", "restart": "listening"}
_FILLED_IDS: Final = ("id", "requestId", "token", "sessionId")


def action(call: Call) -> Response:
    name = call.info.name
    if name == "ExecutionRequest":
        return _execution_request(call)
    if name == "cancelExecution":
        return _cancel(call)
    if name == "changeListenerStatus":
        return _listeners(call)
    if name in DOWNLOADS:
        return _download(call, DOWNLOADS[name])
    return _echo(call)


def execute(call: Call) -> Response:
    return _echo(call)


def _execution_request(call: Call) -> Response:
    sandbox = call.sandbox
    body = call.body()
    processes = sandbox.store.collection("Process")
    process_id = body.get("processId")
    process = processes.get(str(process_id)) if process_id else None
    if process is None and body.get("processName") and not process_id:
        for _, key, candidate in processes.scan():
            if candidate.get("name") == body["processName"]:
                process_id, process = key, candidate
                break
    if process is None:
        raise no_such(sandbox.catalog.object("Process"), str(process_id or body.get("processName")))
    atom_id = str(body.get("atomId") or "")
    if not atom_id:
        raise ApiError(400, "ExecutionRequest.atomId is required")
    atom = sandbox.store.collection("Atom").get(atom_id)
    if atom is None:
        raise no_such(sandbox.catalog.object("Atom"), atom_id)
    if atom.get("status") == "OFFLINE":
        raise ApiError(410, f"The Runtime {atom_id} is offline and cannot run a process")
    state = sandbox.state
    request_id = f"executionrecord-{state.new_uuid()}"
    now = call.now()
    execution_id = f"execution-{state.new_uuid()}-{now[:10].replace('-', '.')}"
    failing = process_id == FAILING_PROCESS.id or process_id in sandbox.config.error_process_ids
    record: Record = {
        "executionId": execution_id,
        "originalExecutionId": execution_id,
        "topLevelExecutionId": execution_id,
        "account": sandbox.config.account_id,
        "executionTime": now,
        "executionType": "exec_manual",
        "processId": str(process_id),
        "processName": str(process.get("name", "")),
        "atomId": atom_id,
        "atomName": str(atom.get("name", "")),
        "inboundDocumentCount": "0",
        "inboundErrorDocumentCount": "0",
        "outboundDocumentCount": "0",
    }
    message = "Process failed: the fixture process always fails" if failing else None
    state.start_execution(
        Execution(request_id, record, "ERROR" if failing else "COMPLETE", message)
    )
    body["processId"] = str(process_id)
    body["requestId"] = request_id
    body["recordUrl"] = f"{call.origin()}{sandbox.rest_path}/ExecutionRecord/async/{request_id}"
    return call.render.record(call.typed(body, "ExecutionRequest"))


def _cancel(call: Call) -> Response:
    call.sandbox.state.cancel_execution(call.param)
    return call.render.message("response", 202, "Operation completed successfully.")


def _listeners(call: Call) -> Response:
    body = call.body()
    verb = str(body.get("action", ""))
    base = verb.removesuffix("_all")
    if base not in _LISTENER_ACTIONS:
        raise ApiError(400, f"Unknown listener action {verb!r}")
    listeners = call.sandbox.store.collection("ListenerStatus")
    wanted = body.get("listenerId")
    if not verb.endswith("_all") and not wanted:
        raise ApiError(400, f"changeListenerStatus {verb} needs a listenerId")
    container = body.get("containerId")
    touched = 0
    for _, key, record in list(listeners.scan()):
        in_container = not container or record.get("containerId") == container
        if (verb.endswith("_all") and in_container) or key == wanted:
            record["status"] = _LISTENER_ACTIONS[base]
            listeners.put(key, record)
            touched += 1
    if not touched:
        raise no_such(call.sandbox.catalog.object("ListenerStatus"), str(wanted))
    return Response(200)


def _download(call: Call, response_type: str) -> Response:
    body = call.body()
    state = call.sandbox.state
    url = f"{call.origin()}/account/{call.sandbox.config.account_id}/api/download/"
    url += f"{call.info.name}-{state.new_uuid()}"
    record: Record = {"statusCode": "202", "message": "Beginning download.", "url": url}
    shapes = call.sandbox.shapes
    for name in list(record):
        if shapes.field(response_type, name) is None:
            del record[name]
    if shapes.field(response_type, "url") is None:
        record.update({k: v for k, v in body.items() if shapes.field(response_type, k)})
    return call.render.record(call.typed(record, response_type))


def _echo(call: Call) -> Response:
    """Store and echo: the body as the response type, with the ids the service would add."""
    sandbox = call.sandbox
    response_type = call.endpoint.response_type or call.record_type
    body = call.body()
    if response_type == (call.endpoint.request_type or response_type):
        record = dict(body)
    else:
        rng = sandbox.seed.rng(f"{call.info.name}#action", sandbox.store.next_number("actions", 0))
        record = sandbox.seed.faker.record(response_type, rng)
        record.update(
            {k: v for k, v in body.items() if sandbox.shapes.field(response_type, k) is not None}
        )
    for name in _FILLED_IDS:
        if sandbox.shapes.field(response_type, name) is not None and not record.get(name):
            record[name] = call.param or sandbox.state.new_uuid()
    if call.info.id_field and call.param:
        record[call.info.id_field] = call.param
    key = record.get(call.info.id_field or "")
    if isinstance(key, str) and key and call.info.record_type == response_type:
        collection = call.collection()
        stored = collection.get(key) or {}
        collection.put(key, {**stored, **record})
    return call.render.record(call.typed(record, response_type))
