"""Create, Update, Delete and Execute: the outbound actions, one request per document.

Each document is checked before it costs a request: it must be XML, match the request profile
(or the API's schema for the object), and yield an id where the endpoint needs one. Documents are
sent with bounded concurrency, always inside the account's rate limit. The answer's output is the
API's response (the created or updated object, the action's result; for an ExecutionRequest the
final ExecutionRecord); a Delete answers with no output document.
"""

from __future__ import annotations

from functools import partial

from connector.atomsphere.client import FOLLOWED_EXECUTES, AtomSphereClient
from connector.atomsphere.http import PROCESSED, Reply
from connector.atomsphere.responses import field_value, means_not_found
from connector.contract import Action
from connector.engine.batch import Batch, Job
from connector.errors import ApplicationError, FatalRemoteError, XMLInputError
from connector.xml import parse_xml


def send_each(batch: Batch) -> None:
    jobs = [batch.guarded(i, partial(_prepare, batch, i)) for i in range(len(batch.documents))]
    batch.run(jobs)


def _prepare(batch: Batch, index: int) -> Job:
    """Check document ``index`` (XML, profile, id, parameters) and return the job sending it."""
    operation = batch.operation
    obj = operation.object
    values = batch.values(index)
    client = batch.client_for(values)
    action = operation.action
    timeout = values.options.timeout_seconds
    if action is Action.DELETE:
        return partial(_delete, batch, index, client, values.object_id(), timeout)
    body = values.document.data
    takes_body = action is not Action.EXECUTE or client.execute_endpoint(obj).request_type
    if takes_body:
        root = values.root  # must be XML, whatever the checks
        if operation.request_validator is not None:
            operation.request_validator.check(root)
    if action is Action.CREATE:
        send = partial(client.create, obj, body, timeout=timeout)
    elif action is Action.UPDATE:
        send = partial(client.update, obj, values.object_id(), body, timeout=timeout)
    else:
        needs_id = client.execute_endpoint(obj).path_parameter is not None
        object_id = values.object_id() if needs_id else None
        send = partial(client.execute, obj, object_id, body, batch.polling, timeout=timeout)

    def job() -> None:
        reply = send()
        output, message = _output(reply, obj.name)
        batch.answers.success(index, output, str(reply.status), message)

    return job


def _delete(
    batch: Batch, index: int, client: AtomSphereClient, object_id: str, timeout: float | None
) -> None:
    """A Delete; retried after its answer was lost into "no such object", it has done its work."""
    try:
        reply = client.delete(batch.operation.object, object_id, timeout=timeout)
    except ApplicationError as exc:
        if not (exc.after_lost_answer and means_not_found(exc.status, str(exc))):
            raise
        message = (
            f"deleted: an earlier attempt's answer was lost and the retry found it gone ({exc})"
        )
        batch.answers.success(index, None, str(exc.status), message)
        return
    batch.answers.success(index, None, str(reply.status))


def _output(reply: Reply, object_name: str) -> tuple[bytes | None, str]:
    """The response as an output document (none for an empty body); an execution's status.

    A body that is not XML is a failure even with a 2xx: the request was processed, but what
    the API made of it (the new object's id, say) cannot be told.
    """
    if not reply.body.strip():
        return None, ""
    try:
        root = parse_xml(reply.body, source=f"{object_name} response")
    except XMLInputError as exc:
        raise FatalRemoteError(
            f"HTTP {reply.status}, but the answer is unreadable ({exc}); {PROCESSED}"
        ) from None
    if object_name in FOLLOWED_EXECUTES:  # the answer is the final ExecutionRecord
        return reply.body, field_value(root, "status") or ""
    return reply.body, ""
