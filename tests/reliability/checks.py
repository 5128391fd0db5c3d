"""The checks of one cell: answers, the process report, and what the sandbox holds after."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from connector.documents import Result, Status
from connector.host import ExecutionStatus
from connector.sandbox import Sandbox, fixtures
from tests.reliability.matrix import DOCUMENTS, QUERY_RECORDS, Cell, Column
from tests.sandbox.conftest import make_client

#: The processes the Execute cells run, one per document.
PROCESSES: Final = (fixtures.ORDER_INTAKE, fixtures.INVOICE_SYNC, fixtures.CUSTOMER_MASTER)
#: Outputs a successful answer carries.
OUTPUTS: Final = {Column.QUERY: QUERY_RECORDS, Column.DELETE: 0}


@dataclass
class Outcome:
    """What a cell did: the plugin's answers and every broken expectation."""

    cell: Cell
    answers: list[Result | None] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lost: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_answers(outcome: Outcome) -> None:
    cell, problems = outcome.cell, outcome.problems
    expected = cell.expected
    if len(outcome.answers) != DOCUMENTS:
        problems.append(f"{len(outcome.answers)} answers for {DOCUMENTS} documents")
    for index, answer in enumerate(outcome.answers):
        if answer is None:
            outcome.lost += 1
            problems.append(f"document {index}: not answered by the connector")
            continue
        want, fragment = expected.statuses[index], expected.messages[index]
        if not expected.matches(index, answer.status, answer.message):
            problems.append(
                f"document {index}: {answer.status.value} {answer.message!r}, "
                f"expected {want.value}{f' ~{fragment!r}' if fragment else ''}"
            )
        outputs = OUTPUTS.get(cell.column, 1)
        if answer.status is Status.SUCCESS and answer.output_count != outputs:
            outcome.lost += 1
            problems.append(f"document {index}: {answer.output_count} outputs, not {outputs}")


def check_report(
    outcome: Outcome, status: ExecutionStatus, execution: Any, rows: list[Any]
) -> None:
    problems = outcome.problems
    answers = [a for a in outcome.answers if a is not None]
    counts = {s: sum(1 for a in answers if a.status is s) for s in Status}
    if execution.documents != DOCUMENTS + len(rows) or len(rows) != DOCUMENTS:
        outcome.lost += DOCUMENTS - len(rows)
        problems.append(f"report: {len(rows)} rows for the operation, {execution.documents} in all")
    if (execution.application_errors, execution.failures) != (
        counts[Status.APPLICATION_ERROR],
        counts[Status.FAILURE],
    ):
        problems.append(
            f"report counts {execution.application_errors} application errors and "
            f"{execution.failures} failures; the connector answered "
            f"{counts[Status.APPLICATION_ERROR]} and {counts[Status.FAILURE]}"
        )
    for row, answer in zip(rows, outcome.answers, strict=False):
        if answer is None:
            continue
        if (row.status, row.status_code, row.message) != (
            answer.status.value,
            answer.status_code,
            answer.message,
        ):
            problems.append(f"report row {row.batch_index}: {row.status} {row.message!r} != answer")
    all_ok = counts[Status.SUCCESS] == DOCUMENTS
    if (status is ExecutionStatus.COMPLETE) != all_ok:
        problems.append(f"execution {status.value} after answers {counts}")


def check_effects(outcome: Outcome, final: Sandbox, every: list[Sandbox], tag: str) -> None:
    """Nothing done twice; what succeeded really happened."""
    column = outcome.cell.column
    with make_client(final) as client:
        for index, answer in enumerate(outcome.answers):
            done = answer is not None and answer.status is Status.SUCCESS
            if column is Column.CREATE:
                found = _named(client, f"{tag}-{index}")
                if found > 1 or (done and found != 1):
                    outcome.problems.append(f"document {index}: created {found} times")
            elif column is Column.EXECUTE:
                process = PROCESSES[index].id
                # A restarted sandbox reloads the executions of its data file: count each once.
                runs = len(
                    {
                        e.record.get("executionId")
                        for s in every
                        for e in s.state.executions.values()
                        if e.record.get("processId") == process
                    }
                )
                if runs > 1 or (done and runs != 1):
                    outcome.problems.append(f"document {index}: executed {runs} times")
            elif column is Column.UPDATE and done:
                if _named(client, f"{tag}-{index}") != 1:
                    outcome.problems.append(f"document {index}: the update is not in the store")
            elif column is Column.DELETE and done and _named(client, f"{tag}-{index}") != 0:
                outcome.problems.append(f"document {index}: still there after its delete")


def _named(client: httpx.Client, name: str) -> int:
    query = {
        "QueryFilter": {
            "expression": {"operator": "EQUALS", "property": "name", "argument": [name]}
        }
    }
    response = client.post("/Environment/query", json=query)
    count = re.search(r'numberOfResults="(\d+)"', response.text)
    assert response.status_code == 200 and count, response.text
    return int(count.group(1))
