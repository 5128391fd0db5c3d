"""Async operations: a token first (``AsyncOperationTokenResult``, ``responseStatusCode`` 202,
token ``<Object>-<uuid>``), then ``GET /async/{Object}/response/{token}``: 202 while pending,
200 with the ``AsyncOperationResult`` once, 204 afterwards (and after the token's lifetime).

These calls reach a Runtime: an OFFLINE atom answers 410. ListenerStatus is asked with a
QueryConfig (``POST /async/ListenerStatus/query``); ListQueues answers its first step with a
``QueueMessageResponse`` whose sessionId is the token. The poll of an ExecutionRequest
(``GET /ExecutionRecord/async/{requestId}``) lives here too.
"""

from __future__ import annotations

from connector.sandbox.bodies import Typed
from connector.sandbox.evaluate import compile_filter
from connector.sandbox.handlers.common import ApiError, Call, no_such
from connector.sandbox.query import parse_query
from connector.sandbox.shapes import Record
from connector.sandbox.wire import Response

QUEUE_MESSAGE = "Request submitted to query queue messages"


def request(call: Call) -> Response:
    state = call.sandbox.state
    if call.info.name == "ListenerStatus":
        expression = parse_query(call.request.body, call.request.body_is_json)
        predicate = compile_filter(call.sandbox.shapes, call.info, call.record_type, expression)
        found = [r for _, _, r in call.collection().scan() if predicate(r)]
        token = f"{call.info.name}-{state.new_uuid()}"
        state.start_job(call.info.name, token, [call.typed(r) for r in found])
        return call.render.async_token(token)
    record = _record_for(call)
    if call.info.name == "ListQueues":
        token = f"QueueList-{state.new_uuid()}"
        queues = record.get("QueueRecord") or []
        queued = [Typed("QueueRecord", q) for q in queues if isinstance(q, dict)]
        state.start_job(call.info.name, token, queued)
        return call.render.queue_message(token, QUEUE_MESSAGE)
    token = f"{call.info.name}-{state.new_uuid()}"
    state.start_job(call.info.name, token, [call.typed(record)])
    return call.render.async_token(token)


def _record_for(call: Call) -> Record:
    key = call.param
    atom = call.sandbox.store.collection("Atom").get(key)
    if atom is not None and atom.get("status") == "OFFLINE":
        raise ApiError(410, f"The Runtime {key} is offline and cannot answer {call.info.name}")
    record = call.collection().get(key)
    if record is not None:
        return record
    if atom is None:
        raise no_such(call.sandbox.catalog.object("Atom"), key)
    made = call.sandbox.seed.faker.record(call.record_type, call.sandbox.seed.rng(key, 0))
    if call.info.id_field:
        made[call.info.id_field] = key
    return made


def result(call: Call) -> Response:
    if call.info.name == "ExecutionRecord":
        return _execution_poll(call)
    job = call.sandbox.state.job(call.info.name, call.param)
    if job is None:
        return Response(204)
    if job.pending > 0:
        job.pending -= 1
        return Response(202)
    job.fetched = True
    return call.render.async_result(job.results)


def _execution_poll(call: Call) -> Response:
    execution = call.sandbox.state.executions.get(call.param)
    if execution is None:
        raise ApiError(400, f"No such execution request: {call.param}")
    record = call.sandbox.state.observe(execution)
    if record is None:
        return Response(202)
    return call.render.record(call.typed(record))
