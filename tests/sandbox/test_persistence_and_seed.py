"""Seed data (deterministic, related, scalable) and SQLite state that survives a restart."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from connector.atomsphere.catalog import WireAction, load_catalog
from connector.errors import ConfigError
from connector.sandbox import Sandbox, SandboxConfig, fixtures
from tests.sandbox.conftest import JSON, FakeClock, make_client, make_sandbox
from tests.sandbox.helpers import NS, all_results, simple, xml


def _ids(sandbox: Sandbox, name: str) -> list[str]:
    return [key for _, key, _ in sandbox.store.collection(name).scan()]


def test_same_seed_same_data_other_seed_other_data(clock: FakeClock) -> None:
    first, again, other = (make_sandbox(clock, seed=s) for s in (7, 7, 8))
    for name in ("ExecutionRecord", "AuditLog", "Atom", "Role", "X12ConnectorRecord"):
        assert _ids(first, name) == _ids(again, name)
        records = [r for _, _, r in first.store.collection(name).scan()]
        assert records == [r for _, _, r in again.store.collection(name).scan()]
    assert _ids(first, "ExecutionRecord") != _ids(other, "ExecutionRecord")
    assert _ids(first, "Atom")[:3] == _ids(other, "Atom")[:3] == [a.id for a in fixtures.ATOMS]


def test_every_object_with_a_record_type_has_records(sandbox: Sandbox) -> None:
    empty = []
    for info in load_catalog():
        readable = {WireAction.GET, WireAction.QUERY, WireAction.ASYNC_REQUEST}
        if info.record_type is None or not readable & set(info.wire_actions):
            continue
        collection = sandbox.store.collection(sandbox.seed.collection_name(info.name))
        if collection.first_key() is None:
            empty.append(info.name)
    assert empty == []


def test_records_are_related(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    atoms = {a["id"]: a["name"] for a in all_results(client, "Atom", None)}
    processes = {p["id"]: p["name"] for p in all_results(client, "Process", None)}
    for record in all_results(client, "ExecutionRecord", None)[:300]:
        assert atoms[record["atomId"]] == record["atomName"]
        assert processes[record["processId"]] == record["processName"]
        assert record["account"] == sandbox.config.account_id
    attachments = all_results(client, "EnvironmentAtomAttachment", None)
    assert {(a["atomId"], a["environmentId"]) for a in attachments} >= {
        (a.id, a.environment_id) for a in fixtures.ATOMS
    }
    account = client.get(f"/Account/{sandbox.config.account_id}", headers=JSON).json()
    assert account["accountId"] == "sandbox-A1B2C3" and account["status"] == "active"
    licensing = [v for k, v in account["licensing"].items() if k != "@type"]
    licences = [account["molecule"], *licensing]
    assert account["overDeployed"] is False and len(licences) > 2
    assert all(0 <= licence["used"] <= licence["purchased"] for licence in licences)


def test_a_hundred_thousand_records_start_lazily_and_page_correctly(clock: FakeClock) -> None:
    sandbox = make_sandbox(clock, records=100_000)
    client = make_client(sandbox)
    collection = sandbox.store.collection("ExecutionRecord")
    assert len(collection.seed) == 100_000
    last = sandbox.seed.space("ExecutionRecord").key(99_999)
    found = all_results(client, "ExecutionRecord", simple("EQUALS", "executionId", last))
    assert len(found) == 1 and found[0]["executionTime"] <= fixtures.SEED_EPOCH
    first_page = client.post("/AuditLog/query", headers=JSON).json()
    assert len(first_page["result"]) == 100 and "queryToken" in first_page
    record = sandbox.store.collection("AuditLog").get(sandbox.seed.space("AuditLog").key(54_321))
    assert record is not None and record["documentId"] == sandbox.seed.space("AuditLog").key(54_321)


def test_state_survives_a_restart_in_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    data = tmp_path / "sandbox.db"
    config = SandboxConfig(rate_limit=0, validate_responses=True)
    with Sandbox(config, data=data, clock=clock, wall_clock=clock) as first:
        client = make_client(first)
        created = client.post("/Environment", json={"name": "Kept"}, headers=JSON).json()
        renamed = client.post(
            f"/Atom/{fixtures.DEV_ATOM.id}", json={"name": "Renamed"}, headers=JSON
        )
        assert renamed.status_code == 200
        client.delete(f"/EnvironmentAtomAttachment/{_ids(first, 'EnvironmentAtomAttachment')[0]}")
        folder = client.post("/Folder", json={"name": "F"}, headers=JSON).json()
    with Sandbox(config, data=data, clock=clock, wall_clock=clock) as second:
        client = make_client(second)
        assert client.get(f"/Environment/{created['id']}", headers=JSON).json() == created
        atom = client.get(f"/Atom/{fixtures.DEV_ATOM.id}", headers=JSON).json()
        assert (atom["name"], atom["type"]) == ("Renamed", "ATOM")
        assert len(_ids(second, "EnvironmentAtomAttachment")) == 4
        again = client.post("/Folder", json={"name": "G"}, headers=JSON).json()
        assert again["id"] != folder["id"]
        names = [e["name"] for e in all_results(client, "Environment", None)]
        assert names[-1] == "Kept"


def test_a_data_file_refuses_another_seed(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.db"
    Sandbox(SandboxConfig(seed=1), data=data).close()
    with pytest.raises(ConfigError, match="seed"):
        Sandbox(SandboxConfig(seed=2), data=data)


def test_a_data_file_refuses_another_account_and_another_programs_database(
    tmp_path: Path,
) -> None:
    data = tmp_path / "sandbox.db"
    Sandbox(SandboxConfig(), data=data).close()
    with pytest.raises(ConfigError) as other_account:
        Sandbox(SandboxConfig(account_id="other-1"), data=data)
    assert str(other_account.value) == (
        f"{data}: made with account-id sandbox-A1B2C3, not other-1; use the same value or "
        "another file"
    )
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (id INTEGER)")
    db.close()
    with pytest.raises(ConfigError) as not_ours:
        Sandbox(SandboxConfig(), data=foreign)
    assert str(not_ours.value) == (
        f"{foreign}: not a sandbox data file (it holds the tables users); use a new file or one "
        "the sandbox made"
    )
    with sqlite3.connect(foreign) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert tables == {"users"}  # left as it was


def test_a_data_file_from_before_the_account_was_recorded_is_adopted(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.db"
    Sandbox(SandboxConfig(), data=data).close()
    with sqlite3.connect(data) as db:
        db.execute("DELETE FROM meta WHERE key = 'account-id'")
    db.close()
    Sandbox(SandboxConfig(account_id="adopter"), data=data).close()
    with pytest.raises(ConfigError, match="made with account-id adopter"):
        Sandbox(SandboxConfig(), data=data)


def test_memory_is_the_default_and_forgets(clock: FakeClock) -> None:
    first = make_client(make_sandbox(clock))
    created = first.post("/Environment", json={"name": "Gone"}, headers=JSON).json()
    second = make_client(make_sandbox(clock))
    assert second.get(f"/Environment/{created['id']}").status_code == 400


def _execute(client: httpx.Client, process_id: str) -> str:
    body = {"processId": process_id, "atomId": fixtures.PRODUCTION_ATOM.id}
    response = client.post("/ExecutionRequest", json=body, headers=JSON)
    assert response.status_code == 200, response.text
    return str(response.json()["requestId"])


def _poll(client: httpx.Client, request_id: str) -> httpx.Response:
    return client.get(f"/ExecutionRecord/async/{request_id}", headers=JSON)


def test_a_restarted_data_file_never_repeats_ids(tmp_path: Path, clock: FakeClock) -> None:
    data = tmp_path / "sandbox.db"
    config = SandboxConfig(rate_limit=0, validate_responses=True)
    runs = []
    for _ in range(2):
        with Sandbox(config, data=data, clock=clock, wall_clock=clock) as sandbox:
            client = make_client(sandbox)
            request_id = _execute(client, fixtures.INVOICE_SYNC.id)
            _poll(client, request_id)
            record = _poll(client, request_id).json()
            token = client.get(f"/async/AtomDiskSpace/{fixtures.PRODUCTION_ATOM.id}", headers=JSON)
            runs.append((request_id, record["executionId"], token.json()["asyncToken"]["token"]))
    (first_request, first_execution, first_token), second = runs
    assert first_request != second[0]
    assert first_execution != second[1]
    assert first_token != second[2]
    with Sandbox(config, data=data, clock=clock, wall_clock=clock) as third:
        client = make_client(third)
        for execution_id in (first_execution, second[1]):
            found = all_results(
                client, "ExecutionRecord", simple("EQUALS", "executionId", execution_id)
            )
            assert [r["processName"] for r in found] == ["Invoice Sync"]
        assert _poll(client, first_request).json()["executionId"] == first_execution
    # In memory, the same seed still gives the same ids every time.
    again = [_execute(make_client(make_sandbox(clock)), fixtures.INVOICE_SYNC.id) for _ in range(2)]
    assert again[0] == again[1]


def test_an_execution_running_at_shutdown_goes_on_after_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    data = tmp_path / "sandbox.db"
    config = SandboxConfig(rate_limit=0, validate_responses=True)
    with Sandbox(config, data=data, clock=clock, wall_clock=clock) as first:
        client = make_client(first)
        finishing = _execute(client, fixtures.INVOICE_SYNC.id)
        cancelled = _execute(client, fixtures.ORDER_INTAKE.id)
        unseen = _execute(client, fixtures.CUSTOMER_MASTER.id)
        running = []
        for request_id in (finishing, cancelled):
            assert _poll(client, request_id).status_code == 202
            running.append(_poll(client, request_id).json())
        assert [r["status"] for r in running] == ["INPROCESS", "INPROCESS"]
        cancelled_id = running[1]["executionId"]
    with Sandbox(config, data=data, clock=clock, wall_clock=clock) as second:
        client = make_client(second)
        finished = _poll(client, finishing).json()
        assert finished["status"] == "COMPLETE" and finished["executionDuration"] > 0
        assert client.post(f"/cancelExecution/{cancelled_id}").status_code == 202
        assert _poll(client, cancelled).json()["status"] == "ABORTED"
        refused = client.post(f"/cancelExecution/{cancelled_id}", headers=JSON)
        assert refused.json()["message"] == f"Execution {cancelled_id} has already finished"
        assert _poll(client, unseen).status_code == 202
        assert _poll(client, unseen).json()["status"] == "INPROCESS"
    with Sandbox(config, data=data, clock=clock, wall_clock=clock) as third:
        assert _poll(make_client(third), finishing).json() == finished


DAILY_COUNTS = [
    "ExecutionCountAccount",
    "ExecutionCountAccountGroup",
    "DocumentCountAccount",
    "DocumentCountAccountGroup",
    "ThroughputAccount",
    "ThroughputAccountGroup",
]


@pytest.mark.parametrize("name", DAILY_COUNTS)
def test_count_objects_count_distinct_days_by_date_only(client: httpx.Client, name: str) -> None:
    days = [r["date"] for r in all_results(client, name, None)]
    assert days and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) for day in days), days
    assert days == sorted(set(days)) and max(days) < fixtures.SEED_EPOCH[:10]
    listed = xml(client.post(f"/{name}/query")).findall("bns:result", NS)
    assert [r.get("date") for r in listed] == days


def test_api_usage_counts_one_day_each_from_its_start(client: httpx.Client) -> None:
    days = [r["processDate"] for r in all_results(client, "ApiUsageCount", None)]
    assert days and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", day) for day in days)
    assert days == sorted(set(days))
