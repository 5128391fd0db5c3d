"""ExecutionRequest → ExecutionRecord: 202 until it exists, then INPROCESS, then final."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import httpx
import pytest

from connector.sandbox import fixtures
from connector.sandbox.state import Execution, State
from tests.sandbox.conftest import JSON, FakeClock, make_client, make_sandbox
from tests.sandbox.helpers import all_results, error_message, simple, xml


def _run(client: httpx.Client, process_id: str, atom_id: str) -> httpx.Response:
    body = (
        f'<ExecutionRequest xmlns="http://api.platform.boomi.com/" processId="{process_id}" '
        f'atomId="{atom_id}"><DynamicProcessProperties><DynamicProcessProperty name="p" '
        'value="v"/></DynamicProcessProperties></ExecutionRequest>'
    )
    return client.post("/ExecutionRequest", content=body)


def test_request_echoes_with_request_id_and_record_url(client: httpx.Client) -> None:
    response = _run(client, fixtures.ORDER_INTAKE.id, fixtures.PRODUCTION_ATOM.id)
    assert response.status_code == 200
    root = xml(response)
    request_id = root.get("requestId") or ""
    assert request_id.startswith("executionrecord-")
    assert root.get("recordUrl") == (
        f"http://sandbox.invalid/api/rest/v1/sandbox-A1B2C3/ExecutionRecord/async/{request_id}"
    )
    property_ = root.find(".//{http://api.platform.boomi.com/}DynamicProcessProperty")
    assert property_ is not None and property_.get("value") == "v"


def _poll(client: httpx.Client, request_id: str) -> httpx.Response:
    return client.get(f"/ExecutionRecord/async/{request_id}", headers=JSON)


def test_the_record_appears_and_moves_to_complete(client: httpx.Client) -> None:
    request_id = xml(_run(client, fixtures.ORDER_INTAKE.id, fixtures.PRODUCTION_ATOM.id)).get(
        "requestId"
    )
    assert request_id
    assert _poll(client, request_id).status_code == 202
    running = _poll(client, request_id)
    assert running.status_code == 200 and running.json()["status"] == "INPROCESS"
    record = _poll(client, request_id).json()
    assert record["status"] == "COMPLETE"
    assert record["processName"] == "Order Intake"
    assert record["atomName"] == "Production Atom"
    assert record["executionId"].startswith("execution-")
    found = all_results(
        client, "ExecutionRecord", simple("EQUALS", "executionId", record["executionId"])
    )
    assert [r["status"] for r in found] == ["COMPLETE"]


def _seconds(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def _check_finished(record: dict[str, Any]) -> None:
    """A finished run reports its duration, an end after its start and sizes that go with
    its document counts, as seeded records and the spec's examples do."""
    started, recorded = _seconds(record["executionTime"]), _seconds(record["recordedDate"])
    duration = record["executionDuration"]
    assert isinstance(duration, int) and duration > 0
    assert recorded - started == math.ceil(duration / 1000), record
    for side in ("inbound", "outbound"):
        count, size = record[f"{side}DocumentCount"], record[f"{side}DocumentSize"]
        assert isinstance(size, int) and (size > 0) == (count > 0), record
    errors = record["inboundErrorDocumentCount"]
    assert record["inboundDocumentCount"] > 0
    assert record["outboundDocumentCount"] == record["inboundDocumentCount"] - errors


def test_a_finished_run_reports_duration_sizes_and_its_end(clock: FakeClock) -> None:
    with make_sandbox(clock) as sandbox, make_client(sandbox) as client:
        request_id = str(
            xml(_run(client, fixtures.ORDER_INTAKE.id, fixtures.PRODUCTION_ATOM.id)).get(
                "requestId"
            )
        )
        _poll(client, request_id)
        running = _poll(client, request_id).json()
        assert "executionDuration" not in running and "recordedDate" not in running
        clock.advance(7.25)
        record = _poll(client, request_id).json()
        failed_id = xml(_run(client, fixtures.FAILING_PROCESS.id, fixtures.PRODUCTION_ATOM.id))
        failed = [_poll(client, str(failed_id.get("requestId"))) for _ in range(3)][-1].json()
    assert record["status"] == "COMPLETE" and record["executionDuration"] >= 7250
    _check_finished(record)
    assert failed["status"] == "ERROR" and failed["inboundErrorDocumentCount"] >= 1
    _check_finished(failed)  # the clock stood still: it still took time


def test_seeded_runs_end_after_they_start(client: httpx.Client) -> None:
    for record in all_results(client, "ExecutionRecord", None)[:50]:
        started, recorded = _seconds(record["executionTime"]), _seconds(record["recordedDate"])
        assert recorded - started == math.ceil(record["executionDuration"] / 1000), record


def test_failing_process_ends_in_error(client: httpx.Client) -> None:
    request_id = xml(_run(client, fixtures.FAILING_PROCESS.id, fixtures.PRODUCTION_ATOM.id)).get(
        "requestId"
    )
    statuses = [_poll(client, str(request_id)).status_code for _ in range(2)]
    final = _poll(client, str(request_id)).json()
    assert statuses == [202, 200]
    assert final["status"] == "ERROR" and final["message"]


def test_configured_error_processes_and_steps(clock: FakeClock) -> None:
    sandbox = make_sandbox(
        clock,
        error_process_ids=(fixtures.INVOICE_SYNC.id,),
        execution_pending_polls=2,
        execution_running_polls=2,
    )
    with make_client(sandbox) as client:
        request_id = str(
            xml(_run(client, fixtures.INVOICE_SYNC.id, fixtures.TEST_MOLECULE.id)).get("requestId")
        )
        codes = [_poll(client, request_id).status_code for _ in range(2)]
        statuses = [_poll(client, request_id).json()["status"] for _ in range(3)]
    assert codes == [202, 202]
    assert statuses == ["INPROCESS", "INPROCESS", "ERROR"]


def test_queries_move_executions_on_too(client: httpx.Client) -> None:
    _run(client, fixtures.CUSTOMER_MASTER.id, fixtures.PRODUCTION_ATOM.id)
    by_process = simple("EQUALS", "processId", fixtures.CUSTOMER_MASTER.id)
    seeded = {r["executionId"] for r in all_results(client, "ExecutionRecord", by_process)}
    statuses = []
    for _ in range(2):
        after = all_results(client, "ExecutionRecord", by_process)
        statuses += [r["status"] for r in after if r["executionId"] not in seeded]
    assert statuses == ["INPROCESS", "COMPLETE"]


def test_unknown_process_or_atom_is_400(client: httpx.Client) -> None:
    unknown_process = _run(client, "no-such-process", fixtures.PRODUCTION_ATOM.id)
    assert unknown_process.status_code == 400
    assert "No such process" in error_message(unknown_process)
    unknown_atom = _run(client, fixtures.ORDER_INTAKE.id, "no-such-atom")
    assert unknown_atom.status_code == 400 and "No such atom" in error_message(unknown_atom)
    assert _poll(client, "executionrecord-nope").status_code == 400


def test_a_request_without_an_atom_or_on_an_offline_one_is_refused(client: httpx.Client) -> None:
    missing = client.post(
        "/ExecutionRequest", json={"processId": fixtures.ORDER_INTAKE.id}, headers=JSON
    )
    assert missing.status_code == 400
    assert error_message(missing) == "ExecutionRequest.atomId is required"
    offline = _run(client, fixtures.ORDER_INTAKE.id, fixtures.DEV_ATOM.id)
    assert offline.status_code == 410
    assert error_message(offline) == (
        f"The Runtime {fixtures.DEV_ATOM.id} is offline and cannot run a process"
    )
    assert client.get(f"/async/AtomDiskSpace/{fixtures.DEV_ATOM.id}").status_code == 410


def test_process_name_instead_of_id(client: httpx.Client) -> None:
    body = (
        '<ExecutionRequest xmlns="http://api.platform.boomi.com/" processName="Invoice Sync" '
        f'atomId="{fixtures.PRODUCTION_ATOM.id}"/>'
    )
    root = xml(client.post("/ExecutionRequest", content=body))
    assert root.get("processId") == fixtures.INVOICE_SYNC.id


def test_cancel_execution_answers_202_and_aborts(client: httpx.Client) -> None:
    request_id = str(
        xml(_run(client, fixtures.ORDER_INTAKE.id, fixtures.PRODUCTION_ATOM.id)).get("requestId")
    )
    _poll(client, request_id)
    execution_id = _poll(client, request_id).json()["executionId"]
    cancelled = client.post(f"/cancelExecution/{execution_id}")
    assert cancelled.status_code == 202
    assert xml(cancelled).findtext("message") == "Operation completed successfully."
    assert _poll(client, request_id).json()["status"] == "ABORTED"
    again = client.post(f"/cancelExecution/{execution_id}")
    assert again.status_code == 400


def test_seeded_history_has_errors_of_the_failing_process(client: httpx.Client) -> None:
    failing = all_results(
        client, "ExecutionRecord", simple("EQUALS", "processId", fixtures.FAILING_PROCESS.id)
    )
    assert failing and {r["status"] for r in failing} == {"ERROR"}
    assert {r["processName"] for r in failing} == {"Failing Order Sync"}


def test_a_query_moves_on_only_the_runs_still_going(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finished runs are not looked at again: a query's cost does not grow with every run the
    server ever started."""
    by_process = simple("EQUALS", "processId", fixtures.CUSTOMER_MASTER.id)
    seeded = {r["executionId"] for r in all_results(client, "ExecutionRecord", by_process)}
    for _ in range(3):
        _run(client, fixtures.CUSTOMER_MASTER.id, fixtures.PRODUCTION_ATOM.id)
    for _ in range(3):  # pending, INPROCESS, then COMPLETE
        records = all_results(client, "ExecutionRecord", by_process)
    assert [r["status"] for r in records if r["executionId"] not in seeded] == ["COMPLETE"] * 3
    observed: list[str] = []
    original = State.observe

    def counting(self: State, execution: Execution) -> object:
        observed.append(execution.request_id)
        return original(self, execution)

    monkeypatch.setattr(State, "observe", counting)
    all_results(client, "ExecutionRecord", by_process)
    assert observed == []
    _run(client, fixtures.CUSTOMER_MASTER.id, fixtures.PRODUCTION_ATOM.id)
    all_results(client, "ExecutionRecord", by_process)
    assert len(observed) == 1
