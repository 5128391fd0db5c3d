"""The fault matrix: every action against every fault, and what each cell must answer.

One definition serves the parametrized test (``test_fault_matrix.py``) and the benchmark that
prints the matrix (``benchmarks/fault_matrix.py``). Each cell runs ``DOCUMENTS`` input documents
through the reference host against a sandbox whose faults are set as the row says; the expected
outcome is one status per document and a fragment its message must contain.

Why the expectations are what they are (docs/operations.md, "On the wire", and
``connector/atomsphere/retry.py``/``http.py``):

* A 503 or a refused connection never reached the API: every action retries it (five times);
  a burst passes, a 503 that persists fails every document ("gave up after 6 attempts").
* A timeout, a reset, a truncated body, a 502 or 504 after the request was sent: reads, queries,
  Update and Delete are idempotent and retried, so they succeed. A Create or an Execute may have
  taken effect, and the API has no idempotency key to ask with, so it is **never sent twice**: the
  document is a FAILURE whose message says the server may already have processed it. The sandbox
  is checked afterwards: no document was created (or executed) twice.
* A Delete whose answer was lost is retried; a retry that finds the object gone is SUCCESS.
* A 200 whose body is not XML (malformed, or an HTML page) is a FAILURE for that request's
  documents, never data; for writes the message says the request was processed.
* An expired query token is the API's real 400: APPLICATION_ERROR (the records of the pages
  before it were already delivered). A token the server repeats is a loop: FAILURE.
* A server that dies and comes back (loopback, state in a ``--data`` file): what was refused
  while it was down is retried, so everything succeeds and nothing is created twice.

Cells run with ``concurrency: 1`` so which document meets a one-off fault is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from connector.documents import Status

#: Input documents per cell.
DOCUMENTS: Final = 3
#: Query cells page through this many records, this many a page (several queryMore calls).
QUERY_RECORDS: Final = 7
PAGE_SIZE: Final = 3
#: The sandbox of every cell: a small ExecutionRecord collection, small pages.
SANDBOX_CONFIG: Final = {"records": QUERY_RECORDS, "page_size": PAGE_SIZE}
#: The bulk Get reads in batches of this many ids (several bulk requests per cell).
BULK_BATCH: Final = 2

OK = Status.SUCCESS
FAIL = Status.FAILURE
APP = Status.APPLICATION_ERROR


class Column(StrEnum):
    GET = "Get"
    BULK_GET = "Get (bulk)"
    QUERY = "Query"
    CREATE = "Create"
    UPDATE = "Update"
    DELETE = "Delete"
    EXECUTE = "Execute"


#: Actions that must never be sent twice once they may have reached the server.
UNSAFE: Final = frozenset({Column.CREATE, Column.EXECUTE})
IDEMPOTENT: Final = frozenset(Column) - UNSAFE
#: Message fragment of a request not re-sent because it may have been processed.
MAY_HAVE: Final = "may already have processed it"


@dataclass(frozen=True)
class Fault:
    """A row: sandbox fault specs (in-process), or a server that dies (loopback)."""

    name: str
    specs: tuple[str, ...] = ()
    #: Loopback only: stop the server before the n-th document's first request (1-based)...
    dies_before_document: int | None = None
    #: ...and start it again at this retry sleep (1: the first retry brings it back).
    back_at_sleep: int = 1
    #: Only these columns (expired and repeated tokens exist only for Query).
    only: frozenset[Column] | None = None


@dataclass(frozen=True)
class Expected:
    """Per document: its status and what its message says: fragments joined by " … ", each
    found in the message in that order ("" for any message)."""

    statuses: tuple[Status, ...]
    messages: tuple[str, ...]

    def matches(self, index: int, status: Status, message: str) -> bool:
        if status is not self.statuses[index]:
            return False
        position = 0
        for fragment in self.messages[index].split(" … "):
            found = message.find(fragment, position)
            if found < 0:
                return False
            position = found + len(fragment)
        return True

    def describe(self) -> str:
        return ", ".join(
            f"{s.value}{f' ~{m!r}' if m else ''}"
            for s, m in zip(self.statuses, self.messages, strict=True)
        )


@dataclass(frozen=True)
class Cell:
    column: Column
    fault: Fault
    expected: Expected

    @property
    def id(self) -> str:
        return (
            f"{self.fault.name}-{self.column.value}".replace(" ", "_")
            .replace("(", "")
            .replace(")", "")
        )


def all_ok() -> Expected:
    return Expected((OK,) * DOCUMENTS, ("",) * DOCUMENTS)


def first(status: Status, message: str, count: int = 1) -> Expected:
    """The first ``count`` documents answered ``status`` with ``message``, the rest SUCCESS."""
    rest = DOCUMENTS - count
    return Expected((status,) * count + (OK,) * rest, (message,) * count + ("",) * rest)


def every(status: Status, message: str) -> Expected:
    return first(status, message, DOCUMENTS)


def _lost_answer(column: Column, message: str) -> Expected:
    """A one-off fault after the request was sent: idempotent requests retry it."""
    return first(FAIL, message) if column in UNSAFE else all_ok()


def _unreadable(column: Column) -> Expected:
    """A 200 whose body is not XML: a failure for the documents that request answered; a write
    was processed all the same, and its message says so."""
    if column is Column.BULK_GET:
        return first(FAIL, "unreadable answer", BULK_BATCH)
    if column in (Column.GET, Column.QUERY):
        return first(FAIL, "unreadable answer")
    return first(FAIL, "the request was processed")


BURST = Fault("503 burst", ("503:times=3",))
BUSY = Fault("503 persisting", ("503",))
LATENCY = Fault("latency > timeout", ("latency:seconds=120,times=1",))
RESET = Fault("reset before answer", ("reset:times=1",))
RESET_BODY = Fault("reset mid-body", ("reset:at=body,times=1",))
TRUNCATE = Fault("truncated body", ("truncate:times=1",))
MALFORMED = Fault("malformed XML", ("malformed:times=1",))
GATEWAY_502 = Fault("gateway 502 page", ("html:status=502,times=1",))
GATEWAY_504 = Fault("gateway 504 page", ("html:status=504,times=1",))
WEB_PAGE = Fault("200 HTML page", ("html:status=200,times=1",))
EXPIRED = Fault(
    "expired query token",
    ("expire-token:path=*/queryMore,times=1",),
    only=frozenset({Column.QUERY}),
)
REPEATED = Fault(
    "repeated query token",
    ("repeat-token:path=*/queryMore,times=1",),
    only=frozenset({Column.QUERY}),
)
DIES = Fault("server dies mid-run", dies_before_document=2)
DOWN = Fault("server down 2 retries", dies_before_document=1, back_at_sleep=3)

FAULTS: Final = (
    BURST,
    BUSY,
    LATENCY,
    RESET,
    RESET_BODY,
    TRUNCATE,
    MALFORMED,
    GATEWAY_502,
    GATEWAY_504,
    WEB_PAGE,
    EXPIRED,
    REPEATED,
    DIES,
    DOWN,
)


def expected(column: Column, fault: Fault) -> Expected:
    """What ``column`` must answer under ``fault`` (see the module docstring for why)."""
    if fault in (BURST, DIES, DOWN):
        return all_ok()
    if fault is BUSY:
        return every(FAIL, "gave up after 6 attempts")
    if fault is LATENCY:
        return _lost_answer(column, f"timed out after the request was sent … {MAY_HAVE}")
    if fault in (RESET, RESET_BODY, TRUNCATE):
        return _lost_answer(column, MAY_HAVE)
    if fault is MALFORMED:
        if column is Column.DELETE:  # a Delete's answer has no body to spoil
            return all_ok()
        return _unreadable(column)
    if fault in (GATEWAY_502, GATEWAY_504):
        reason = "502 Bad Gateway" if fault is GATEWAY_502 else "504 Gateway Time-out"
        return _lost_answer(column, f"{reason} … {MAY_HAVE}")
    if fault is WEB_PAGE:
        if column is Column.BULK_GET:
            return first(FAIL, "HTTP 200, but the answer is a web page", BULK_BATCH)
        if column in UNSAFE:
            return first(FAIL, f"HTTP 200, but the answer is a web page … {MAY_HAVE}")
        return first(FAIL, "HTTP 200, but the answer is a web page")
    if fault is EXPIRED:
        return first(APP, "The queryToken has expired")
    if fault is REPEATED:
        return first(FAIL, "loop detected")
    raise AssertionError(f"no expectation for {fault.name}")


def cells() -> list[Cell]:
    """Every cell of the matrix, row by row."""
    return [
        Cell(column, fault, expected(column, fault))
        for fault in FAULTS
        for column in Column
        if fault.only is None or column in fault.only
    ]
