"""Third-party clients against the loopback sandbox: a fidelity check from outside.

The two Python SDKs on PyPI, `boomi` (generated from Boomi's OpenAPI spec) and
`pyboomi_platform` (hand-written over `requests`), are pointed at the sandbox the way a new
user would point them at Boomi: a base URL, an account id, credentials. Every scenario asserts
what the SDK hands back, so a sandbox change that breaks one of these clients fails here.

Where an SDK and Boomi's documented behaviour part ways (Bearer auth, a bare 202 while an
async result is pending, typed models stricter than the wire), the test pins the SDK's own
answer and docs/sandbox.md ("Third-party clients") says why the sandbox is not bent to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from boomi import Boomi, extract_component_xml_metadata
from boomi.models import (
    AtomQueryConfig,
    AtomQueryConfigQueryFilter,
    AtomSimpleExpression,
    BulkId,
    ComponentBulkRequest,
    Environment,
    EnvironmentBulkRequest,
    EnvironmentGroupingExpression,
    EnvironmentQueryConfig,
    EnvironmentQueryConfigQueryFilter,
    EnvironmentSimpleExpression,
    ExecutionRecordQueryConfig,
    ExecutionRecordQueryConfigQueryFilter,
    ExecutionRecordSimpleExpression,
    ExecutionRequest,
    Folder,
    Privilege,
    Privileges,
    Role,
)
from boomi.net.transport.api_error import ApiError
from pyboomi_platform import BoomiPlatformClient
from pyboomi_platform.exceptions import BoomiAPIError

from connector.sandbox import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_API_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_UNPRIVILEGED_USERNAME,
    DEFAULT_USERNAME,
    Sandbox,
    SandboxConfig,
    fixtures,
)

RECORDS = 250  # ExecutionRecords: pages of 100, 100 and 50
ATOM = fixtures.PRODUCTION_ATOM.id
PROCESS = fixtures.ORDER_INTAKE.id
COMPONENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bns:Component xmlns:bns="http://api.platform.boomi.com/" name="{name}" type="process" '
    f'folderId="{fixtures.INTEGRATIONS_FOLDER_ID}"><bns:object>'
    '<process xmlns="" allowSimultaneous="false"><shapes/></process>'
    "</bns:object></bns:Component>"
)
T = TypeVar("T")


@pytest.fixture
def rest_url() -> Iterator[str]:
    """A fresh sandbox over loopback; ``http://127.0.0.1:PORT/api/rest/v1/ACCOUNT``."""
    config = SandboxConfig(rate_limit=0, records=RECORDS, validate_responses=True)
    with Sandbox(config) as sandbox, sandbox.serve("127.0.0.1", 0) as url:
        yield url


def _boomi(rest_url: str, **credentials: str) -> Boomi:
    """The SDK formats ``{accountId}`` into its base URL itself."""
    credentials = credentials or {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    root = rest_url.rsplit("/", 1)[0]
    return Boomi(base_url=f"{root}/{{accountId}}", account_id=DEFAULT_ACCOUNT_ID, **credentials)


def _pyboomi(
    rest_url: str, username: str = DEFAULT_USERNAME, token: str = DEFAULT_API_TOKEN
) -> BoomiPlatformClient:
    """It appends the account id and always sends ``BOOMI_TOKEN.user:token``."""
    return BoomiPlatformClient(
        account_id=DEFAULT_ACCOUNT_ID,
        username=username,
        api_token=token,
        base_url=rest_url.rsplit("/", 1)[0],
        max_retries=1,
        backoff_factor=0.01,
    )


def _poll(call: Callable[[], T], pending: Callable[[T], bool], tries: int = 5) -> T:
    """Ask until the answer is no longer pending (the sandbox needs one or two asks)."""
    for _ in range(tries):
        answer = call()
        if not pending(answer):
            return answer
    raise AssertionError(f"still pending after {tries} polls")


def _environment_filter(expression: Any) -> EnvironmentQueryConfig:
    return EnvironmentQueryConfig(query_filter=EnvironmentQueryConfigQueryFilter(expression))


def _names(results: list[Any]) -> set[str]:
    return {r.name if hasattr(r, "name") else r["name"] for r in results}


# -- boomi (PyPI `boomi`): typed models, JSON everywhere but the Component family ---------------


def test_boomi_gets_the_account_with_password_or_api_token(rest_url: str) -> None:
    account = _boomi(rest_url).account.get_account(DEFAULT_ACCOUNT_ID)
    assert (account.account_id, account.name) == (DEFAULT_ACCOUNT_ID, "Sandbox Account")
    token = _boomi(rest_url, username=f"BOOMI_TOKEN.{DEFAULT_USERNAME}", password=DEFAULT_API_TOKEN)
    assert token.account.get_account(DEFAULT_ACCOUNT_ID).account_id == DEFAULT_ACCOUNT_ID


def test_boomi_queries_with_simple_and_nested_filters(rest_url: str) -> None:
    sdk = _boomi(rest_url)
    equals = EnvironmentSimpleExpression(operator="EQUALS", property="name", argument=["Test"])
    found = sdk.environment.query_environment(_environment_filter(equals))
    assert [e.id_ for e in found.result] == [fixtures.TEST.id]
    assert not hasattr(found, "query_token")  # the last page has no token (unset, not None)
    either = EnvironmentGroupingExpression(
        operator="or",
        nested_expression=[
            EnvironmentSimpleExpression(
                operator="EQUALS", property="classification", argument=["PROD"]
            ),
            EnvironmentSimpleExpression(operator="LIKE", property="name", argument=["Dev%"]),
        ],
    )
    found = sdk.environment.query_environment(_environment_filter(either))
    assert _names(found.result) == {"Production", "Development"}
    online = AtomSimpleExpression(operator="NOT_EQUALS", property="status", argument=["OFFLINE"])
    atoms = sdk.atom.query_atom(AtomQueryConfig(query_filter=AtomQueryConfigQueryFilter(online)))
    names = _names(atoms.result)
    assert {"Production Atom", "Test Molecule"} <= names and "Developer Laptop Atom" not in names


def test_boomi_pages_with_query_more_until_the_token_is_gone(rest_url: str) -> None:
    sdk = _boomi(rest_url).execution_record
    since = ExecutionRecordSimpleExpression(
        operator="GREATER_THAN_OR_EQUAL",
        property="executionTime",
        argument=["2000-01-01T00:00:00Z"],
    )
    page = sdk.query_execution_record(
        ExecutionRecordQueryConfig(query_filter=ExecutionRecordQueryConfigQueryFilter(since))
    )
    sizes, ids = [len(page.result)], [r.execution_id for r in page.result]
    while getattr(page, "query_token", None):
        assert "/" in page.query_token or "+" in page.query_token  # sent raw, as text/plain
        page = sdk.query_more_execution_record(page.query_token)
        sizes.append(len(page.result))
        ids += [r.execution_id for r in page.result]
    assert sizes == [100, 100, 50]
    assert len(set(ids)) == RECORDS


def test_boomi_creates_updates_and_deletes(rest_url: str) -> None:
    sdk = _boomi(rest_url)
    created = sdk.environment.create_environment(Environment(name="SDK Env", classification="TEST"))
    renamed = sdk.environment.update_environment(created.id_, Environment(name="SDK Env 2"))
    assert (renamed.id_, renamed.name, renamed.classification) == (created.id_, "SDK Env 2", "TEST")
    assert sdk.environment.get_environment(created.id_).name == "SDK Env 2"
    sdk.environment.delete_environment(created.id_)
    with pytest.raises(ApiError) as gone:
        sdk.environment.get_environment(created.id_)
    assert gone.value.status == 400

    role = sdk.role.create_role(
        Role(
            name="SDK Role",
            description="d",
            privileges=Privileges(privilege=[Privilege(name="API")]),
        )
    )
    assert [p.name for p in role.privileges.privilege] == ["API"]
    assert sdk.role.update_role(role.id_, Role(name="SDK Role 2")).name == "SDK Role 2"
    sdk.role.delete_role(role.id_)

    parent = fixtures.INTEGRATIONS_FOLDER_ID
    folder = sdk.folder.create_folder(Folder(name="SDK Folder", parent_id=parent))
    assert (folder.parent_name, folder.full_path) == (
        "Integrations",
        "Sandbox Account/Integrations/SDK Folder",
    )
    moved = sdk.folder.update_folder(folder.id_, Folder(name="Renamed"))
    assert moved.full_path == "Sandbox Account/Integrations/Renamed"
    sdk.folder.delete_folder(folder.id_)
    assert sdk.folder.get_folder(folder.id_).deleted is True  # Folders are marked, not removed


def test_boomi_bulk_get_answers_per_item(rest_url: str) -> None:
    request = EnvironmentBulkRequest(
        type_="GET", request=[BulkId(id_=fixtures.PRODUCTION.id), BulkId(id_="nope")]
    )
    first, second = _boomi(rest_url).environment.bulk_environment(request).response
    assert (first.status_code, first.result.name) == (200, "Production")
    assert (second.status_code, second.id_) == (400, "nope")
    assert "No such environment" in second.error_message


def test_boomi_async_token_then_poll(rest_url: str) -> None:
    service = _boomi(rest_url).atom_disk_space
    token = service.async_get_atom_disk_space(ATOM)
    assert token.response_status_code == 202
    assert token.async_token.token.startswith("AtomDiskSpace-")

    def poll() -> Any:
        try:
            return service.async_token_atom_disk_space(token.async_token.token)
        except ApiError as pending:  # SDK quirk: a bare 202 is an ApiError, not "not yet"
            assert pending.status == 202
            return None

    result = _poll(poll, lambda answer: answer is None)
    assert result.response_status_code == 200 and result.number_of_results == 1
    assert result.result[0].raw_total_size is not None
    with pytest.raises(ApiError) as fetched:  # single use: afterwards 204
        service.async_token_atom_disk_space(token.async_token.token)
    assert fetched.value.status == 204


def test_boomi_list_queues_session_id_and_records(rest_url: str) -> None:
    service = _boomi(rest_url).list_queues
    started = service.async_get_list_queues(ATOM)
    # SDK quirk: Boomi answers a QueueMessageResponse; the SDK's schema-typed model keeps it aside.
    session = started._kwargs["sessionId"]
    assert session.startswith("QueueList-")

    def poll() -> Any:
        try:
            return service.async_token_list_queues(session)
        except ApiError as pending:
            assert pending.status == 202
            return None

    result = _poll(poll, lambda answer: answer is None)
    assert result.number_of_results == len(result.result) > 0
    assert all("queueName" in record._kwargs for record in result.result)


def test_boomi_runs_a_process_and_polls_its_record(rest_url: str) -> None:
    sdk = _boomi(rest_url)
    request = sdk.execution_request.create_execution_request(
        ExecutionRequest(process_id=PROCESS, atom_id=ATOM)
    )
    assert request.request_id.startswith("executionrecord-")
    assert request.record_url.endswith(f"/ExecutionRecord/async/{request.request_id}")

    def status(record: Any) -> str | None:
        if record is None:  # 202: no record yet
            return None
        # SDK quirk: a running record has no recordedDate, which the SDK's model requires,
        # so it comes back as the raw dict.
        return record["status"] if isinstance(record, dict) else record.status

    record = _poll(
        lambda: sdk.execution_record.async_get_execution_record(request.request_id),
        lambda answer: status(answer) in (None, "INPROCESS"),
    )
    assert (record.status, record.process_name, record.atom_id) == (
        "COMPLETE",
        "Order Intake",
        ATOM,
    )


def test_boomi_errors_carry_status_and_message(rest_url: str) -> None:
    with pytest.raises(ApiError) as wrong_password:
        _boomi(rest_url, username=DEFAULT_USERNAME, password="wrong").account.get_account(
            DEFAULT_ACCOUNT_ID
        )
    assert wrong_password.value.status == 401
    with pytest.raises(ApiError) as bearer:  # SDK quirk: Bearer is not Boomi's token scheme
        _boomi(rest_url, access_token=DEFAULT_API_TOKEN).account.get_account(DEFAULT_ACCOUNT_ID)
    assert bearer.value.status == 401

    sdk = _boomi(rest_url)
    with pytest.raises(ApiError) as unknown:
        sdk.environment.get_environment("nope")
    assert unknown.value.status == 400
    assert unknown.value.response.body == {"@type": "Error", "message": "No such environment: nope"}
    two_arguments = EnvironmentSimpleExpression(
        operator="EQUALS", property="name", argument=["a", "b"]
    )
    with pytest.raises(ApiError) as bad_filter:
        sdk.environment.query_environment(_environment_filter(two_arguments))
    assert bad_filter.value.status == 400 and "EQUALS" in bad_filter.value.response.body["message"]
    with pytest.raises(ApiError) as no_process:
        sdk.execution_request.create_execution_request(
            ExecutionRequest(process_id="nope", atom_id=ATOM)
        )
    assert no_process.value.status == 400


def test_boomi_component_xml_round_trips(rest_url: str) -> None:
    service = _boomi(rest_url).component
    created = service.create_component(COMPONENT_XML.format(name="SDK Process"))
    meta = extract_component_xml_metadata(created)
    assert (meta["name"], meta["version"], meta["folderName"]) == (
        "SDK Process",
        "1",
        "Integrations",
    )
    component_id = meta["componentId"]
    fetched = service.get_component(component_id)
    assert b'<process xmlns="" allowSimultaneous="false"><shapes/></process>' in fetched
    changed = fetched.replace(b'allowSimultaneous="false"', b'allowSimultaneous="true"')
    assert (
        extract_component_xml_metadata(service.update_component(component_id, changed))["version"]
        == "2"
    )
    with pytest.raises(ApiError) as unchanged:  # an update that changes nothing is refused
        service.update_component(component_id, changed)
    assert unchanged.value.status == 400 and "No changes" in unchanged.value.error_detail
    bulk = service.bulk_component(
        ComponentBulkRequest(type_="GET", request=[BulkId(id_=component_id), BulkId(id_="nope")])
    )
    assert re.findall(rb'statusCode="(\d+)"', bulk) == [b"200", b"400"]


# -- pyboomi_platform: dicts from JSON, raw text for Component XML ----------------------------


def test_pyboomi_gets_the_account(rest_url: str) -> None:
    account = _pyboomi(rest_url).account_admin.get_account()
    assert (account["@type"], account["accountId"]) == ("Account", DEFAULT_ACCOUNT_ID)


def test_pyboomi_queries_with_simple_and_nested_filters(rest_url: str) -> None:
    environments = _pyboomi(rest_url).environment
    everything = environments.query_environments()  # sends {}: no filter selects all
    assert {"Production", "Test", "Development"} <= _names(everything["result"])
    simple = {"expression": {"operator": "EQUALS", "property": "name", "argument": ["Production"]}}
    found = environments.query_environments({"QueryFilter": simple})
    assert [e["id"] for e in found["result"]] == [fixtures.PRODUCTION.id]
    nested = {
        "expression": {
            "operator": "and",
            "nestedExpression": [
                {"operator": "NOT_EQUALS", "property": "classification", "argument": ["PROD"]},
                {"operator": "CONTAINS", "property": "name", "argument": ["e"]},
            ],
        }
    }
    found = environments.query_environments({"QueryFilter": nested})
    assert {"Test", "Development"} <= _names(found["result"])
    assert all(e["classification"] != "PROD" for e in found["result"])


def test_pyboomi_pages_with_query_more_until_the_token_is_gone(rest_url: str) -> None:
    records = _pyboomi(rest_url).execution_statistics
    window = ["2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"]
    between = {
        "expression": {"operator": "BETWEEN", "property": "executionTime", "argument": window}
    }
    page = records.query_execution_record({"QueryFilter": between})
    sizes, ids = [len(page["result"])], [r["executionId"] for r in page["result"]]
    while "queryToken" in page:
        page = records.query_more_execution_record(page["queryToken"])
        sizes.append(len(page["result"]))
        ids += [r["executionId"] for r in page["result"]]
    assert sizes == [100, 100, 50]
    assert len(set(ids)) == RECORDS


def test_pyboomi_creates_updates_and_deletes(rest_url: str) -> None:
    client = _pyboomi(rest_url)
    created = client.environment.create_environment("Py Env", "TEST")
    renamed = client.environment.update_environment(created["id"], name="Py Env 2")
    assert (renamed["name"], renamed["classification"]) == ("Py Env 2", "TEST")
    client.environment.delete_environment(created["id"])
    with pytest.raises(BoomiAPIError) as gone:
        client.environment.get_environment(created["id"])
    assert gone.value.status_code == 400

    role = client.security.create_role("Py Role", ["API"], description="d")
    assert role["Privileges"]["Privilege"] == [{"@type": "Privilege", "name": "API"}]
    assert client.security.modify_role(role["id"], name="Py Role 2")["name"] == "Py Role 2"
    client.security.delete_role(role["id"])

    folder = client.components.create_folder("Py Folder", parent_id=fixtures.INTEGRATIONS_FOLDER_ID)
    renamed = client.components.update_folder(folder["id"], name="Renamed")  # sends parentId: null
    assert (renamed["parentId"], renamed["fullPath"]) == (
        fixtures.INTEGRATIONS_FOLDER_ID,
        "Sandbox Account/Integrations/Renamed",
    )
    client.components.delete_folder(folder["id"])
    assert client.components.get_folder(folder["id"])["deleted"] is True


def test_pyboomi_bulk_get(rest_url: str) -> None:
    client = _pyboomi(rest_url)
    answer = client.environment.get_environment_bulk([fixtures.PRODUCTION.id, "nope"])
    assert [r["statusCode"] for r in answer["response"]] == [200, 400]
    assert answer["response"][0]["Result"]["name"] == "Production"
    with pytest.raises(BoomiAPIError) as folder_bulk:  # SDK quirk: sends {"ids": [...]}
        client.components.get_folder_bulk([fixtures.ROOT_FOLDER_ID])
    assert folder_bulk.value.status_code == 400 and "type" in str(folder_bulk.value)


def test_pyboomi_async_token_then_poll(rest_url: str) -> None:
    runtime = _pyboomi(rest_url).runtime_management
    token = runtime.get_atom_disk_space_async_by_id(ATOM)["asyncToken"]["token"]

    def pending(answer: dict[str, Any]) -> bool:
        return answer.get("content") == b""  # how it hands back a bare 202 (and a 204)

    result = _poll(lambda: runtime.get_atom_disk_space_async_by_token(token), pending)
    assert (result["@type"], result["responseStatusCode"]) == ("AsyncOperationResult", 200)
    assert result["result"][0]["@type"] == "AtomDiskSpace"
    assert pending(runtime.get_atom_disk_space_async_by_token(token))  # 204 once fetched

    session = runtime.get_list_queues_async_by_id(ATOM)["sessionId"]
    queues = _poll(lambda: runtime.get_list_queues_async_by_token(session), pending)
    assert {q["@type"] for q in queues["result"]} == {"QueueRecord"}


def test_pyboomi_runs_a_process_and_polls_its_record_url(rest_url: str) -> None:
    client = _pyboomi(rest_url)
    request = client.process_execution.create_execution_request(processId=PROCESS, atomId=ATOM)
    assert request["recordUrl"].startswith(rest_url)

    def fetch() -> dict[str, Any]:  # no SDK method for ExecutionRecord/async: its own session
        response = client.session.get(request["recordUrl"])
        return response.json() if response.status_code == 200 else {}

    record = _poll(fetch, lambda answer: answer.get("status") in (None, "INPROCESS"))
    assert (record["status"], record["processId"]) == ("COMPLETE", PROCESS)


def test_pyboomi_errors_carry_status_and_message(rest_url: str) -> None:
    with pytest.raises(BoomiAPIError) as wrong_token:
        _pyboomi(rest_url, token="wrong").account_admin.get_account()
    assert wrong_token.value.status_code == 401
    with pytest.raises(BoomiAPIError) as unprivileged:
        _pyboomi(rest_url, username=DEFAULT_UNPRIVILEGED_USERNAME).account_admin.get_account()
    assert unprivileged.value.status_code == 403
    client = _pyboomi(rest_url)
    with pytest.raises(BoomiAPIError) as unknown:
        client.environment.get_environment("nope")
    assert unknown.value.status_code == 400 and "No such environment: nope" in str(unknown.value)
    bogus = {"expression": {"operator": "EQUALS", "property": "bogus", "argument": ["x"]}}
    with pytest.raises(BoomiAPIError) as bad_filter:
        client.environment.query_environments({"QueryFilter": bogus})
    assert bad_filter.value.status_code == 400 and "bogus" in str(bad_filter.value)
    with pytest.raises(BoomiAPIError) as offline:
        client.runtime_management.get_atom_disk_space_async_by_id(fixtures.DEV_ATOM.id)
    assert offline.value.status_code == 410


def test_pyboomi_component_xml_round_trips(rest_url: str) -> None:
    components = _pyboomi(rest_url).components
    created = components.create_component(
        COMPONENT_XML.format(name="Py Process"), folder_id=fixtures.INTEGRATIONS_FOLDER_ID
    )
    component_id = re.search(r'componentId="([^"]+)"', created).group(1)  # type: ignore[union-attr]
    assert 'folderName="Integrations"' in created
    changed = components.get_component(component_id).replace('name="Py Process"', 'name="Py 2"')
    updated = components.update_component(component_id, changed)
    assert 'name="Py 2"' in updated and 'version="2"' in updated
    bulk = components.get_component_bulk([component_id])
    assert bulk.startswith("<?xml") and 'xsi:type="bns:Component"' in bulk
