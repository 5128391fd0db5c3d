"""The large, lazily generated collections: execution records, audit log, events, connector
records. Record *i* is a pure function of the seed and *i*; its time grows with *i* (oldest
first, as Boomi sorts connector records), so date filters select contiguous ranges."""

from __future__ import annotations

import math
from datetime import timedelta
from random import Random
from typing import TYPE_CHECKING, Final

from connector.sandbox.seed import fixtures, words
from connector.sandbox.seed.faker import user
from connector.sandbox.shapes import Record
from connector.sandbox.values import format_datetime

if TYPE_CHECKING:
    from connector.sandbox.seed import SeedData

_EXECUTION_TYPES: Final = ("exec_sched",) * 6 + ("exec_listener",) * 2 + ("exec_manual",)
_AUDIT_ACTIONS: Final = (
    ("component", "SAVE"),
    ("component", "DELETE"),
    ("deployment", "DEPLOY"),
    ("user", "LOGIN"),
    ("atom", "RESTART"),
    ("process", "EXECUTE"),
)
_TIME_FIELDS: Final = frozenset(
    {"dateProcessed", "date", "eventDate", "recordDate", "recordedDate", "startTime"}
)


def make(data: SeedData, name: str, index: int) -> Record:
    rng = data.rng(name, index)
    if name == "ExecutionRecord":
        return execution_record(data, index, rng)
    info = data.catalog.object(name)
    record_type = info.record_type or name
    record = data.faker.record(record_type, rng)
    moment = format_datetime(data.moment(name, index))
    for field in _TIME_FIELDS:
        if field in record:
            record[field] = moment
    if info.id_field:
        record[info.id_field] = data.space(name).key(index)
    if "executionId" in record:
        record["executionId"] = _execution_near(data, name, index)
    if name == "AuditLog":
        _audit(data, index, rng, record)
    elif name == "Event":
        _event(data, index, rng, record)
    data.faker.fix_names(record)
    return record


def _execution_near(data: SeedData, name: str, index: int) -> str:
    """An execution from about the same time as record ``index`` of ``name``."""
    executions = data.space("ExecutionRecord")
    if executions.count == 0:
        return data.hashed_uuid(name, index)
    own = max(data.space(name).count, 1)
    return executions.key(min(index * executions.count // own, executions.count - 1))


def execution_process(data: SeedData, index: int, rng: Random) -> tuple[int, str]:
    """The process execution ``index`` ran: mostly fixtures, the failing one one time in 20."""
    processes = data.space("Process")
    if index % 20 == 7:
        return len(fixtures.PROCESSES) - 1, fixtures.FAILING_PROCESS.id
    position = rng.randrange(processes.count)
    if position == len(fixtures.PROCESSES) - 1:
        position = 0
    return position, processes.key(position)


def execution_record(data: SeedData, index: int, rng: Random) -> Record:
    started = data.moment("ExecutionRecord", index)
    position, process_id = execution_process(data, index, rng)
    atom_id = data.schedule_atom(position)
    if process_id == fixtures.FAILING_PROCESS.id or process_id in data.config.error_process_ids:
        status = "ERROR"
    else:
        status = rng.choices(
            ("COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED"), weights=(85, 5, 7, 3)
        )[0]
    execution_id = data.space("ExecutionRecord").key(index)
    inbound = rng.randint(0, 40)
    errors = rng.randint(1, max(inbound, 1)) if status == "ERROR" else 0
    duration = rng.randint(300, 120_000)
    record: Record = {
        "account": data.config.account_id,
        "atomId": atom_id,
        "atomName": "",
        "executionDuration": str(duration),
        "executionId": execution_id,
        "executionTime": format_datetime(started),
        "executionType": rng.choice(_EXECUTION_TYPES),
        "inboundDocumentCount": str(inbound),
        "inboundDocumentSize": str(inbound * rng.randint(200, 4000)),
        "inboundErrorDocumentCount": str(errors),
        "nodeId": f"10_0_{index % 4}_{10 + index % 7}[{execution_id}]",
        "originalExecutionId": execution_id,
        "outboundDocumentCount": str(max(inbound - errors, 0)),
        "outboundDocumentSize": str(max(inbound - errors, 0) * rng.randint(200, 4000)),
        "processId": process_id,
        "processName": "",
        "recordedDate": format_datetime(
            started.replace(microsecond=0) + timedelta(seconds=math.ceil(duration / 1000))
        ),
        "reportKey": data.hashed_uuid("ExecutionRecord/report", index),
        "status": status,
        "topLevelExecutionId": execution_id,
    }
    if status == "ERROR":
        record["message"] = rng.choice(words.MESSAGES)
    data.faker.fix_names(record)
    return record


def _audit(data: SeedData, index: int, rng: Random, record: Record) -> None:
    kind, action = rng.choice(_AUDIT_ACTIONS)
    record.update(
        accountId=data.config.account_id,
        type=kind,
        action=action,
        level="WARNING" if action == "DELETE" else "INFO",
        modifier=user(rng),
        userId=user(rng),
        source=rng.choice(("UI", "API")),
        message=f"{kind} {action.lower()} by {record.get('userId', 'a user')}",
    )
    record["AuditLogProperty"] = [
        {"name": "componentName", "value": f"{rng.choice(words.SUBJECTS)} {kind}"},
    ]


def _event(data: SeedData, index: int, rng: Random, record: Record) -> None:
    execution = data.source("ExecutionRecord")
    position = min(
        index * max(len(execution), 1) // max(data.space("Event").count, 1), len(execution) - 1
    )
    if position < 0:
        return
    run = execution.record(position)
    failed = run.get("status") == "ERROR"
    record.update(
        accountId=data.config.account_id,
        atomId=run["atomId"],
        processId=run["processId"],
        executionId=run["executionId"],
        eventDate=run["executionTime"],
        startTime=run["executionTime"],
        eventLevel="ERROR" if failed else "INFO",
        eventType="process.execution",
        status=str(run.get("status", "COMPLETE")),
        title=f"Process {'failed' if failed else 'completed'}",
        error=str(run.get("message", "")) if failed else "",
        classification="PROD",
        environment="Production",
        topLevelProcessId=run["processId"],
    )
