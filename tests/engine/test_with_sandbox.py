"""Every action, every parameter source, both error-flag values, paging, bulk batching, retries
under injected faults and the one-answer-per-input invariant, against the real sandbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pluggy
import pytest

from connector.atomsphere.responses import field_value
from connector.contract import ExecutionContext
from connector.documents import Document, Status
from connector.engine import load_operation
from connector.sandbox import DEFAULT_ACCOUNT_ID, fixtures
from connector.xml import API_NS, parse_xml
from tests.engine.helpers import GET_COMPONENT, doc, summary
from tests.engine.sandboxed import OPERATIONS, Sandboxed, load

NS = f'xmlns:bns="{API_NS}"'


def _field(document: Document, name: str) -> str | None:
    return field_value(parse_xml(document.data), name)


def test_get_the_account() -> None:
    box = Sandboxed()
    (result,) = box.run("get-account", [doc(accountId=DEFAULT_ACCOUNT_ID)])
    assert result.status is Status.SUCCESS
    assert _field(result.outputs[0], "name") == "Sandbox Account"


def test_create_update_delete_an_environment() -> None:
    box = Sandboxed()
    (created,) = box.run(
        "create-environment", [doc(f'<bns:Environment {NS} name="Demo" classification="TEST"/>')]
    )
    env_id = _field(created.outputs[0], "id")
    assert created.status is Status.SUCCESS and env_id
    renamed = f'<bns:Environment {NS} id="{env_id}" name="Renamed" classification="TEST"/>'
    (updated,) = box.run("update-environment", [doc(renamed)])
    assert _field(updated.outputs[0], "name") == "Renamed"
    (deleted,) = box.run("delete-environment", [doc(renamed)])
    assert (deleted.status, deleted.output_count) == (Status.SUCCESS, 0)
    (again,) = box.run("delete-environment", [doc(renamed)])
    assert again.status is Status.APPLICATION_ERROR and again.status_code == "400"


def test_query_streams_every_page_of_a_large_result(tmp_path: Path) -> None:
    box = Sandboxed(records=1234)
    op = load(tmp_path, "action: QUERY\nobject: ExecutionRecord\n")
    (result,) = box.run(op, [doc()])
    assert (result.status, result.output_count) == (Status.SUCCESS, 1234)
    ids = [_field(o, "executionId") for o in result.outputs]
    assert len(set(ids)) == 1234
    assert box.calls("POST /ExecutionRecord/query") == 1
    assert box.calls("POST /ExecutionRecord/queryMore") == 12


def test_the_example_query_returns_only_matching_records() -> None:
    box = Sandboxed(records=600)
    context = ExecutionContext(last_run_date=datetime(2025, 6, 1, tzinfo=UTC))
    (result,) = box.run("query-failed-executions", [doc()], context)
    assert result.status is Status.SUCCESS and result.output_count > 0
    for output in result.outputs:
        assert _field(output, "status") == "ERROR"
        assert (_field(output, "executionTime") or "") >= "2025-06-01T00:00:00Z"


def test_every_parameter_source_against_the_sandbox(tmp_path: Path) -> None:
    box = Sandboxed(records=800)
    op = load(
        tmp_path,
        """
        action: QUERY
        object: ExecutionRecord
        filter:
          and:
            - {property: processName, operator: EQUALS, arguments: [{param: process}]}
            - {property: atomId, operator: EQUALS, arguments: [{param: atom}]}
            - {property: status, operator: NOT_EQUALS, arguments: [{param: skip}]}
            - {property: executionType, operator: IS_NOT_NULL}
            - property: executionTime
              operator: BETWEEN
              arguments: [{param: since}, {param: now}]
            - {property: executionId, operator: LIKE, arguments: [{param: prefix}]}
        parameters:
          process: {from: xpath, xpath: /select/@process}
          atom: {from: process_property, name: atom}
          skip: {from: document_property, name: skip}
          since: {from: last_run_date}
          now: {from: current_date}
          prefix: {from: static, value: "execution-%"}
        """,
    )
    context = ExecutionContext(
        process_properties={"atom": fixtures.PRODUCTION_ATOM.id},
        last_run_date=datetime(2020, 1, 1, tzinfo=UTC),
    )
    selection = doc(f'<select process="{fixtures.ORDER_INTAKE.name}"/>', skip="COMPLETE")
    (result,) = box.run(op, [selection], context)
    assert result.status is Status.SUCCESS and result.output_count > 0
    for output in result.outputs:
        assert _field(output, "processName") == fixtures.ORDER_INTAKE.name
        assert _field(output, "atomId") == fixtures.PRODUCTION_ATOM.id
        assert _field(output, "status") != "COMPLETE"


@pytest.mark.parametrize("flag", [True, False])
def test_both_values_of_the_error_flag(tmp_path: Path, flag: bool) -> None:
    box = Sandboxed()
    op = load(
        tmp_path,
        f"""
        action: GET
        object: Process
        return_application_errors: {str(flag).lower()}
        id: {{param: p}}
        parameters:
          p: {{from: document_property, name: p}}
        """,
    )
    good, bad = box.run(op, [doc(p=fixtures.ORDER_INTAKE.id), doc(p="no-such-process")])
    assert good.status is Status.SUCCESS
    assert (bad.status, bad.status_code) == (Status.APPLICATION_ERROR, "400")
    assert "no-such-process" in bad.message
    assert bad.output_count == (1 if flag else 0)
    if flag:
        assert parse_xml(bad.outputs[0].data).findtext("message") == bad.message


def test_bulk_get_batches_and_keeps_input_order(tmp_path: Path) -> None:
    box = Sandboxed(records=300)
    listing = load(tmp_path, "action: QUERY\nobject: AuditLog\n")
    (found,) = box.run(listing, [doc()])
    ids = [_field(o, "documentId") for o in found.outputs][:250]
    get = load(
        tmp_path,
        """
        action: GET
        object: AuditLog
        id: {param: d}
        parameters:
          d: {from: document_property, name: d}
        """,
    )
    documents = [doc(d=i or "") for i in reversed(ids)] + [doc(d="missing-doc")]
    results = box.run(get, documents)
    assert box.calls("POST /AuditLog/bulk") == 3
    assert [_field(r.outputs[0], "documentId") for r in results[:-1]] == list(reversed(ids))
    assert results[-1].status is Status.APPLICATION_ERROR


def test_component_bulk_get_takes_five_at_a_time(tmp_path: Path) -> None:
    box = Sandboxed()
    (listing,) = box.run(load(tmp_path, "action: QUERY\nobject: ComponentMetadata\n"), [doc()])
    ids = [_field(o, "componentId") for o in listing.outputs][:12]
    get = load(
        tmp_path,
        GET_COMPONENT,
    )
    results = box.run(get, [doc(c=i or "") for i in ids])
    assert summary(results) == [("SUCCESS", "200")] * 12
    assert box.calls("POST /Component/bulk") == 3


def test_execute_a_process_and_wait_for_its_record() -> None:
    box = Sandboxed()
    request = (
        f'<ExecutionRequest xmlns="{API_NS}" processId="{fixtures.ORDER_INTAKE.id}" '
        f'atomId="{fixtures.PRODUCTION_ATOM.id}"/>'
    )
    failing = request.replace(fixtures.ORDER_INTAKE.id, fixtures.FAILING_PROCESS.id)
    ok, error = box.run("execute-process", [doc(request), doc(failing)])
    assert (ok.status, ok.message) == (Status.SUCCESS, "COMPLETE")
    assert (error.status, error.message) == (Status.SUCCESS, "ERROR")
    assert _field(ok.outputs[0], "processId") == fixtures.ORDER_INTAKE.id


def test_async_get_and_async_query(tmp_path: Path) -> None:
    box = Sandboxed()
    disk = load(
        tmp_path, f"action: GET\nobject: AtomDiskSpace\nid: {fixtures.PRODUCTION_ATOM.id}\n"
    )
    (space,) = box.run(disk, [doc()])
    assert space.status is Status.SUCCESS and space.output_count >= 1
    offline = load(tmp_path, f"action: GET\nobject: AtomDiskSpace\nid: {fixtures.DEV_ATOM.id}\n")
    (gone,) = box.run(offline, [doc()])
    assert (gone.status, gone.status_code) == (Status.APPLICATION_ERROR, "410")
    listeners = load(tmp_path, "action: QUERY\nobject: ListenerStatus\n")
    (found,) = box.run(listeners, [doc()])
    assert found.status is Status.SUCCESS
    assert {parse_xml(o.data).tag for o in found.outputs} <= {f"{{{API_NS}}}ListenerStatus"}


def test_an_expired_token_fails_the_query_loudly_after_its_first_pages(tmp_path: Path) -> None:
    box = Sandboxed(records=500)
    box.sandbox.faults.add("expire-token:path=*/queryMore,after=2")
    (result,) = box.run(load(tmp_path, "action: QUERY\nobject: Event\n"), [doc()])
    assert (result.status, result.status_code, result.output_count) == (
        Status.APPLICATION_ERROR,
        "400",
        300,
    )


def test_a_503_burst_is_retried_to_success() -> None:
    box = Sandboxed()
    box.sandbox.faults.add("503:path=/Environment,times=4")
    body = f'<bns:Environment {NS} name="Burst" classification="TEST"/>'
    (result,) = box.run("create-environment", [doc(body)])
    assert result.status is Status.SUCCESS
    assert box.calls("POST /Environment") == 5
    assert box.clock.sleeps == [0.25, 0.5, 1.0, 2.0]


def test_resets_retry_reads_but_never_duplicate_a_create(tmp_path: Path) -> None:
    box = Sandboxed()
    box.sandbox.faults.add("reset:path=/Process/*,method=GET,times=2")
    (got,) = box.run(
        load(tmp_path, f"action: GET\nobject: Process\nid: {fixtures.INVOICE_SYNC.id}\n"), [doc()]
    )
    assert got.status is Status.SUCCESS and box.calls("GET /Process/{id}") == 3  # 2 resets
    # A truncated answer means the Create was processed: it must not be sent again.
    box.sandbox.faults.add("truncate:path=/Environment,method=POST,times=1")
    body = f'<bns:Environment {NS} name="Once" classification="TEST"/>'
    (created,) = box.run("create-environment", [doc(body)])
    assert created.status is Status.FAILURE and "may already have processed it" in created.message
    (listing,) = box.run(
        load(
            tmp_path,
            "action: QUERY\nobject: Environment\n"
            "filter: {property: name, operator: EQUALS, arguments: [Once]}\n",
        ),
        [doc()],
    )
    assert listing.output_count == 1


def test_the_client_budget_keeps_the_sandbox_limit_from_ever_answering_503() -> None:
    bodies = [doc(f'<bns:Environment {NS} name="r{n}" classification="TEST"/>') for n in range(40)]
    paced = Sandboxed(rate_limit=10, client_rate=10)
    assert summary(paced.run("create-environment", bodies)) == [("SUCCESS", "200")] * 40
    assert paced.sandbox.stats.busy_responses == 0
    unpaced = Sandboxed(rate_limit=10, client_rate=0)
    assert len(unpaced.run("create-environment", bodies)) == 40
    assert unpaced.sandbox.stats.busy_responses > 0  # without the budget the limit is hit


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_input_is_answered_once_under_random_faults(tmp_path: Path, seed: int) -> None:
    box = Sandboxed(seed=seed)
    for spec in (
        "503:path=/Environment,probability=0.2",
        "reset:path=/Environment,probability=0.1",
        "truncate:path=/Environment,probability=0.1",
        "malformed:path=/Environment,probability=0.1",
        "html:path=/Environment,status=504,probability=0.05",
    ):
        box.sandbox.faults.add(spec)
    create = load_operation(OPERATIONS / "create-environment.yaml")
    create = replace(create, options=replace(create.options, concurrency=4))
    names = [f"env-{seed}-{n}" for n in range(60)]
    results = box.run(
        create, [doc(f'<bns:Environment {NS} name="{n}" classification="TEST"/>') for n in names]
    )
    assert [r.index for r in results] == list(range(60))
    succeeded = {names[r.index] for r in results if r.ok}
    assert all(r.status in (Status.SUCCESS, Status.FAILURE) for r in results)
    box.sandbox.faults.clear()
    (listing,) = box.run(load(tmp_path, "action: QUERY\nobject: Environment\n"), [doc()])
    stored = [
        n
        for n in (_field(o, "name") for o in listing.outputs)
        if n and n.startswith(f"env-{seed}-")
    ]
    assert len(stored) == len(set(stored)), "an environment was created twice"
    assert succeeded <= set(stored)


@pytest.mark.parametrize("direction", ["input", "output"])
def test_a_host_reaches_it_all_through_the_hooks(
    tmp_path: Path, plugin_manager: pluggy.PluginManager, direction: str
) -> None:
    from connector.atomsphere.pool import DEFAULT_POOL
    from connector.contract import TrackingDirection
    from connector.documents import OperationResponse
    from connector.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(rate_limit=0))
    DEFAULT_POOL.mount("http://hooks.sandbox.invalid", sandbox.transport())
    connection = {
        "base_url": "http://hooks.sandbox.invalid",
        "account_id": DEFAULT_ACCOUNT_ID,
        "username": DEFAULT_USERNAME,
        "password": DEFAULT_PASSWORD,
    }
    try:
        check = plugin_manager.hook.connector_test_connection(
            connector_id="atomsphere", connection=connection
        )
        assert check.ok and "Sandbox Account" in check.message
        path = tmp_path / "op.yaml"
        path.write_text(
            "kind: AtomSphereOperation\nversion: 1\nname: envs\naction: QUERY\n"
            f"object: Environment\ntracking: {{direction: {direction}, locked: true}}\n"
        )
        op = plugin_manager.hook.connector_load_operation(connector_id="atomsphere", path=path)
        assert op.settings.tracking.direction is TrackingDirection(direction)
        assert op.settings.tracking.locked
        documents = [doc()]
        response = OperationResponse(documents)
        assert plugin_manager.hook.connector_execute(
            connector_id="atomsphere",
            operation=op,
            connection=connection,
            documents=documents,
            response=response,
            context=ExecutionContext(),
        )
        (result,) = response.results
        names = {_field(o, "name") for o in result.outputs}
        assert {"Production", "Test", "Development"} <= names
    finally:
        DEFAULT_POOL.unmount("http://hooks.sandbox.invalid")
