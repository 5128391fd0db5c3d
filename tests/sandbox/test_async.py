"""Async operations: token, 202 while pending, the result once, then 204."""

from __future__ import annotations

import re
import zoneinfo

import httpx

from connector.sandbox import fixtures
from tests.sandbox.conftest import JSON, FakeClock, make_client, make_sandbox
from tests.sandbox.helpers import NS, error_message, xml

XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _token(response: httpx.Response) -> str:
    root = xml(response)
    assert root.tag == "{http://api.platform.boomi.com/}AsyncOperationTokenResult"
    assert root.get("responseStatusCode") == "202"
    token = root.find("bns:asyncToken", NS).get("token")  # type: ignore[union-attr]
    assert token
    return token


def test_token_then_202_then_result_then_204(client: httpx.Client) -> None:
    token = _token(client.get(f"/async/AtomDiskSpace/{fixtures.PRODUCTION_ATOM.id}"))
    assert token.startswith("AtomDiskSpace-")
    poll = f"/async/AtomDiskSpace/response/{token}"
    assert client.get(poll).status_code == 202
    result = client.get(poll)
    assert result.status_code == 200
    root = xml(result)
    assert root.tag == "{http://api.platform.boomi.com/}AsyncOperationResult"
    assert (root.get("responseStatusCode"), root.get("numberOfResults")) == ("200", "1")
    assert root.find("bns:result", NS).get(XSI) == "bns:AtomDiskSpace"  # type: ignore[union-attr]
    assert client.get(poll).status_code == 204


def test_a_token_answers_only_under_the_object_it_was_issued_for(client: httpx.Client) -> None:
    token = _token(client.get(f"/async/AtomDiskSpace/{fixtures.PRODUCTION_ATOM.id}"))
    for _ in range(2):  # refused before the job is touched, pending or not
        other = client.get(f"/async/AtomCounters/response/{token}", headers=JSON)
        assert other.status_code == 400
        assert error_message(other) == "The async token was issued for AtomDiskSpace requests"
    poll = f"/async/AtomDiskSpace/response/{token}"
    assert [client.get(poll).status_code for _ in range(3)] == [202, 200, 204]


def test_pending_polls_are_configurable_and_tokens_expire(clock: FakeClock) -> None:
    sandbox = make_sandbox(clock, async_pending_polls=3, async_token_ttl=1800)
    with make_client(sandbox) as client:
        token = _token(client.get(f"/async/AtomCounters/{fixtures.PRODUCTION_ATOM.id}"))
        poll = f"/async/AtomCounters/response/{token}"
        assert [client.get(poll).status_code for _ in range(3)] == [202, 202, 202]
        clock.advance(1801)
        assert client.get(poll).status_code == 204


def test_json_async_result(client: httpx.Client) -> None:
    first = client.get(f"/async/AtomSecurityPolicies/{fixtures.TEST_MOLECULE.id}", headers=JSON)
    token = first.json()["asyncToken"]["token"]
    assert first.json()["responseStatusCode"] == 202
    client.get(f"/async/AtomSecurityPolicies/response/{token}")
    result = client.get(f"/async/AtomSecurityPolicies/response/{token}", headers=JSON).json()
    assert result["@type"] == "AsyncOperationResult" and result["numberOfResults"] == 1
    assert result["result"][0]["atomId"] == fixtures.TEST_MOLECULE.id


def test_offline_runtime_answers_410_and_unknown_ids_400(client: httpx.Client) -> None:
    offline = client.get(f"/async/AtomDiskSpace/{fixtures.DEV_ATOM.id}")
    assert offline.status_code == 410
    assert client.get("/async/AtomDiskSpace/no-such-atom").status_code == 400
    assert client.get("/async/AtomDiskSpace/response/AtomDiskSpace-nope").status_code == 400


def _listeners(client: httpx.Client, container: str) -> dict[str, str]:
    body = (
        b'<QueryConfig xmlns="http://api.platform.boomi.com/" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><QueryFilter>'
        b'<expression operator="EQUALS" property="containerId" xsi:type="SimpleExpression">'
        b"<argument>" + container.encode() + b"</argument></expression>"
        b"</QueryFilter></QueryConfig>"
    )
    token = _token(client.post("/async/ListenerStatus/query", content=body))
    assert client.get(f"/async/ListenerStatus/response/{token}").status_code == 202
    root = xml(client.get(f"/async/ListenerStatus/response/{token}"))
    results = root.findall("bns:result", NS)
    assert {r.get(XSI) for r in results} <= {"bns:ListenerStatus"}
    return {str(r.get("listenerId")): str(r.get("status")) for r in results}


def test_listener_status_is_a_query_by_container(client: httpx.Client) -> None:
    production = _listeners(client, fixtures.PRODUCTION_ATOM.id)
    assert set(production) >= {p.id for p in fixtures.PROCESSES}
    assert not set(production) & set(_listeners(client, fixtures.TEST_MOLECULE.id))


def test_change_listener_status_pauses_and_resumes(client: httpx.Client) -> None:
    listener, atom = fixtures.ORDER_INTAKE.id, fixtures.PRODUCTION_ATOM.id
    for action, status in (("pause", "paused"), ("resume", "listening"), ("pause_all", "paused")):
        body = (
            f'<ChangeListenerStatusRequest xmlns="http://api.platform.boomi.com/" '
            f'listenerId="{listener}" containerId="{atom}" action="{action}"/>'
        )
        assert client.post("/changeListenerStatus", content=body).status_code == 200
        assert _listeners(client, atom)[listener] == status
    assert set(_listeners(client, atom).values()) == {"paused"}
    bad = client.post(
        "/changeListenerStatus",
        content=b'<ChangeListenerStatusRequest xmlns="http://api.platform.boomi.com/" '
        b'action="explode"/>',
    )
    assert bad.status_code == 400 and "explode" in error_message(bad)


def _result(client: httpx.Client, name: str, atom: str) -> dict[str, object]:
    token = client.get(f"/async/{name}/{atom}", headers=JSON).json()["asyncToken"]["token"]
    poll = f"/async/{name}/response/{token}"
    assert client.get(poll).status_code == 202
    answer = client.get(poll, headers=JSON).json()
    return answer["result"][0]  # type: ignore[no-any-return]


def _bytes(size: object) -> tuple[int, int]:
    """``"50 MB"`` → the range of raw byte counts it can stand for (whole units, rounded down)."""
    match = re.fullmatch(r"(\d+) (B|KB|MB|GB|TB)", str(size))
    assert match, size
    unit = 1024 ** ["B", "KB", "MB", "GB", "TB"].index(match.group(2))
    return int(match.group(1)) * unit, (int(match.group(1)) + 1) * unit


def test_disk_space_sizes_are_plausible_and_add_up(client: httpx.Client) -> None:
    for atom in (fixtures.PRODUCTION_ATOM.id, fixtures.TEST_MOLECULE.id):
        space = _result(client, "AtomDiskSpace", atom)
        directories = space["DiskSpaceDirectory"]
        assert isinstance(directories, list) and directories
        for directory in directories:
            low, high = _bytes(directory["size"])
            assert low <= directory["rawSize"] < high
            assert re.fullmatch(r"[a-z]+", directory["file"])
        total = space["rawTotalSize"]
        assert total == sum(d["rawSize"] for d in directories)
        low, high = _bytes(space["totalSize"])
        assert low <= total < high  # type: ignore[operator]
        assert _bytes(space["quotaLimit"])[0] == space["rawQuotaLimit"]  # whole gigabytes
        assert space["rawQuotaLimit"] > total  # type: ignore[operator]


def test_cloud_attachment_properties_name_their_runtime_and_a_real_time_zone(
    client: httpx.Client,
) -> None:
    found = _result(client, "CloudAttachmentProperties", fixtures.PRODUCTION_ATOM.id)
    assert found["runtimeId"] == fixtures.PRODUCTION_ATOM.id
    assert found["containerName"] == fixtures.PRODUCTION_ATOM.name
    zoneinfo.ZoneInfo(str(found["defaultTimeZoneForAccountSchedules"]))  # raises if not a zone
