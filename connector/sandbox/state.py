"""What the sandbox remembers between calls besides records: query cursors, async jobs and
executions.

Cursors and jobs live in memory only (a restart forgets them, as Boomi forgets tokens).
Executions are kept with the records (``--data FILE``: they survive a restart, and one running
at shutdown goes on running). Tokens and execution ids come from a generator seeded with the
seed, the account and, for a data file, how many times it has been opened: a run in memory is
the same every time, and a restarted data file never hands out an id it handed out before."""

from __future__ import annotations

import base64
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from connector.sandbox.bodies import Typed
from connector.sandbox.evaluate import Predicate
from connector.sandbox.handlers.common import ApiError
from connector.sandbox.shapes import Record
from connector.sandbox.values import format_datetime, parse_datetime

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox


@dataclass(frozen=True)
class Cursor:
    """Where a query goes on: the collection, the filter and the next position to scan."""

    object_name: str
    collection: str
    record_type: str
    predicate: Predicate
    position: int
    total: int | None
    expires_at: float = 0.0
    #: When the filter pins the id (``EQUALS`` on the id field): the only keys to look at.
    keys: tuple[str, ...] | None = None

    def at(self, position: int) -> Cursor:
        return replace(self, position=position)


@dataclass
class Job:
    """An async operation: answers 202 ``pending`` more times, then its results, then 204."""

    object_name: str
    results: Sequence[Typed]
    pending: int
    expires_at: float
    fetched: bool = False


@dataclass
class Execution:
    """A process run started by an ExecutionRequest; it moves on each time it is observed."""

    request_id: str
    record: Record
    final_status: str
    message: str | None
    observations: int = 0
    stored: bool = field(default=False)

    def dumps(self) -> Record:
        return {
            "requestId": self.request_id,
            "record": self.record,
            "finalStatus": self.final_status,
            "message": self.message,
            "observations": self.observations,
            "stored": self.stored,
        }

    @classmethod
    def loads(cls, saved: Record) -> Execution:
        return cls(
            str(saved["requestId"]),
            dict(saved["record"]),
            str(saved["finalStatus"]),
            saved.get("message"),
            int(saved.get("observations", 0)),
            bool(saved.get("stored", False)),
        )


class State:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._cursors: dict[str, Cursor] = {}
        self._jobs: dict[str, Job] = {}
        self._issued = 0  # tokens issued since the last sweep of expired ones
        self.executions: dict[str, Execution] = {}
        #: The executions not yet final: a query of ExecutionRecord moves only these on, so its
        #: cost does not grow with every run the server has ever started.
        self._running: dict[str, None] = {}  # insertion-ordered, as runs were started
        # Per account: sub-accounts share the seed, not their tokens or execution ids. Per start
        # of a data file (always 1 in memory): a new run must not repeat the ids of the last.
        config = sandbox.config
        start = sandbox.store.next_number("#starts", 0)
        run = "" if start == 1 else f"/start-{start}"
        self._random = random.Random(f"{config.seed}/{config.account_id}/tokens{run}")
        self._saved = sandbox.store.private("executions")
        for _, _, saved in self._saved.scan():
            execution = Execution.loads(saved)
            self.executions[execution.request_id] = execution
            if execution.record.get("status") not in FINAL_STATUSES:
                self._running[execution.request_id] = None

    # -- query cursors --------------------------------------------------------------------------

    def issue_cursor(self, cursor: Cursor) -> str:
        token = self._token()
        ttl = self.sandbox.config.query_token_ttl
        self._sweep()
        self._cursors[token] = replace(cursor, expires_at=self.sandbox.clock() + ttl)
        return token

    def _sweep(self) -> None:
        """Every :data:`SWEEP_EVERY` tokens, forget cursors and async jobs expired for longer
        than their lifetime (until then they still answer "expired", not "not issued"), so a
        long-running server's memory does not grow with every query it ever answered."""
        self._issued += 1
        if self._issued < SWEEP_EVERY:
            return
        self._issued = 0
        now, config = self.sandbox.clock(), self.sandbox.config
        cursors_gone = now - config.query_token_ttl
        self._cursors = {t: c for t, c in self._cursors.items() if c.expires_at >= cursors_gone}
        jobs_gone = now - config.async_token_ttl
        self._jobs = {t: j for t, j in self._jobs.items() if j.expires_at >= jobs_gone}

    def cursor(self, token: str) -> Cursor:
        found = self._cursors.get(token)
        if found is None:
            raise ApiError(400, "Invalid queryToken: it was not issued by this service")
        if self.sandbox.clock() > found.expires_at:
            raise ApiError(400, "The queryToken has expired; run the query again")
        return found

    def expire_cursor(self, token: str) -> None:
        found = self._cursors.get(token)
        if found is not None:
            # Just expired (not -inf): it answers "expired" until a sweep forgets it.
            self._cursors[token] = replace(found, expires_at=self.sandbox.clock() - 1e-6)

    def _token(self) -> str:
        """Long, opaque, base64 with ``/`` and ``+`` in it, like Boomi's."""
        while True:
            raw = base64.b64encode(self._random.randbytes(96)).decode()
            if "/" in raw and "+" in raw:
                return raw

    # -- async jobs -----------------------------------------------------------------------------

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def start_job(self, object_name: str, token: str, results: Sequence[Typed]) -> None:
        config = self.sandbox.config
        expires = self.sandbox.clock() + config.async_token_ttl
        self._sweep()
        self._jobs[token] = Job(object_name, results, config.async_pending_polls, expires)

    def job(self, object_name: str, token: str) -> Job | None:
        """The job ``token`` started for ``object_name``, or None when it is gone (fetched or
        expired: the caller answers 204)."""
        found = self._jobs.get(token)
        if found is None:
            raise ApiError(400, f"Invalid async token: {token}")
        if found.object_name != object_name:
            raise ApiError(400, f"The async token was issued for {found.object_name} requests")
        if found.fetched or self.sandbox.clock() > found.expires_at:
            return None
        return found

    # -- executions -----------------------------------------------------------------------------

    def start_execution(self, execution: Execution) -> None:
        self.executions[execution.request_id] = execution
        self._running[execution.request_id] = None
        self._save(execution)

    def cancel_execution(self, execution_id: str) -> None:
        """End a running execution ABORTED (at its next step); 400 once it has finished."""
        for execution in self.executions.values():
            if execution.record.get("executionId") == execution_id:
                if execution.record.get("status") in FINAL_STATUSES:
                    raise ApiError(400, f"Execution {execution_id} has already finished")
                execution.final_status = "ABORTED"
                execution.message = "Execution cancelled by the user"
                self._save(execution)
                return
        if self.sandbox.store.collection("ExecutionRecord").exists(execution_id):
            raise ApiError(400, f"Execution {execution_id} has already finished")
        raise ApiError(400, f"No such execution: {execution_id}")

    def _save(self, execution: Execution) -> None:
        self._saved.put(execution.request_id, execution.dumps())

    def observe(self, execution: Execution) -> Record | None:
        """Move ``execution`` on by one observation; its record once it exists, else None."""
        config = self.sandbox.config
        if execution.stored and execution.record.get("status") in FINAL_STATUSES:
            return self._stored(execution)
        execution.observations += 1
        if execution.observations <= config.execution_pending_polls:
            self._save(execution)
            return None
        running = execution.observations - config.execution_pending_polls
        record = self._stored(execution) if execution.stored else dict(execution.record)
        if running > config.execution_running_polls:
            record["status"] = execution.final_status
            if execution.message:
                record["message"] = execution.message
            _finish(record, self.sandbox.wall_clock())
        else:
            record["status"] = "INPROCESS"
        collection = self.sandbox.store.collection("ExecutionRecord")
        collection.put(str(record["executionId"]), record)
        execution.record, execution.stored = record, True
        if record["status"] in FINAL_STATUSES:
            self._running.pop(execution.request_id, None)
        self._save(execution)
        return record

    def _stored(self, execution: Execution) -> Record:
        collection = self.sandbox.store.collection("ExecutionRecord")
        found = collection.get(str(execution.record["executionId"]))
        return found if found is not None else dict(execution.record)

    def advance_executions(self) -> None:
        for request_id in list(self._running):  # observe() removes the ones that finish
            self.observe(self.executions[request_id])


#: How many query or async tokens are issued between two sweeps of the expired ones.
SWEEP_EVERY: Final = 1024
FINAL_STATUSES = frozenset({"COMPLETE", "COMPLETE_WARN", "ERROR", "ABORTED", "DISCARDED"})
#: The shortest run, in ms: a run takes time even when the clock stands still (tests), so
#: ``recordedDate`` (whole seconds) always comes after ``executionTime``.
_SHORTEST_RUN_MS = 1000


def _finish(record: Record, now: float) -> None:
    """What a finished run reports, as seeded records and Boomi's do: its duration (from
    ``executionTime`` to ``now``, in ms), ``recordedDate`` at its end, and the documents it
    read and wrote with their sizes (``recordedDate`` rounds the end up to the second, as
    the spec's examples do). The figures are drawn from the execution id, so they do
    not depend on the order of calls and stay the same across a restart."""
    started = parse_datetime(str(record["executionTime"]))
    rng = random.Random(str(record["executionId"]))
    elapsed_ms = math.ceil(now * 1000 - started.timestamp() * 1000)
    duration = max(elapsed_ms, _SHORTEST_RUN_MS + rng.randint(0, 4000))
    inbound = rng.randint(1, 40)
    errors = rng.randint(1, inbound) if record["status"] == "ERROR" else 0
    outbound = 0 if record["status"] == "ABORTED" else inbound - errors
    record.update(
        executionDuration=str(duration),
        inboundDocumentCount=str(inbound),
        inboundDocumentSize=str(inbound * rng.randint(200, 4000)),
        inboundErrorDocumentCount=str(errors),
        outboundDocumentCount=str(outbound),
        outboundDocumentSize=str(outbound * rng.randint(200, 4000)),
        recordedDate=format_datetime(started + timedelta(seconds=math.ceil(duration / 1000))),
    )
