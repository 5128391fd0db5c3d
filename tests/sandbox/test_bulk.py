"""Bulk: limits per object and type, per-item errors inside a 200, request order kept."""

from __future__ import annotations

import httpx

from connector.sandbox import fixtures
from tests.sandbox.conftest import JSON, JSON_BODY, XML_BODY
from tests.sandbox.helpers import NS, error_message, xml

XSI = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _bulk_xml(kind: str, ids: list[str]) -> bytes:
    items = "".join(f'<api:request xsi:type="api:BulkId" id="{i}"/>' for i in ids)
    return (
        f'<api:BulkRequest xmlns:api="http://api.platform.boomi.com/" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" type="{kind}">{items}'
        "</api:BulkRequest>"
    ).encode()


def test_bulk_get_answers_each_item_in_order(client: httpx.Client) -> None:
    ids = [fixtures.INVOICE_SYNC.id, "not_a_real_process_id", fixtures.ORDER_INTAKE.id]
    response = client.post("/Process/bulk", content=_bulk_xml("GET", ids), headers=XML_BODY)
    assert response.status_code == 200
    items = xml(response).findall("bns:response", NS)
    assert [i.get("statusCode") for i in items] == ["200", "400", "200"]
    assert items[0].find("bns:Result", NS).get("name") == "Invoice Sync"  # type: ignore[union-attr]
    assert items[0].find("bns:Result", NS).get(XSI) == "bns:Process"  # type: ignore[union-attr]
    assert items[1].get("id") == "not_a_real_process_id"
    assert "No such process" in (items[1].get("errorMessage") or "")
    assert items[2].find("bns:Result", NS).get("id") == fixtures.ORDER_INTAKE.id  # type: ignore[union-attr]


def test_bulk_get_in_json(client: httpx.Client) -> None:
    body = {"type": "GET", "request": [{"id": fixtures.PRODUCTION.id}, {"id": "nope"}]}
    result = client.post("/Environment/bulk", json=body, headers=JSON).json()
    assert result["@type"] == "BulkResult"
    first, second = result["response"]
    assert first["statusCode"] == 200 and first["Result"]["name"] == "Production"
    assert second == {
        "@type": "BulkResponse",
        "id": "nope",
        "statusCode": 400,
        "errorMessage": "No such environment: nope",
    }


def test_limits_are_100_and_5_for_components(client: httpx.Client) -> None:
    ok = client.post("/Process/bulk", content=_bulk_xml("GET", ["x"] * 100))
    assert ok.status_code == 200
    over = client.post("/Process/bulk", content=_bulk_xml("GET", ["x"] * 101))
    assert over.status_code == 400 and "at most 100" in error_message(over)
    components = [fixtures.ORDER_INTAKE.id] * 5
    assert client.post("/Component/bulk", content=_bulk_xml("GET", components)).status_code == 200
    six = client.post("/Component/bulk", content=_bulk_xml("GET", [*components, "x"]))
    assert six.status_code == 400 and "at most 5" in error_message(six)


def test_only_documented_bulk_types_work(client: httpx.Client) -> None:
    response = client.post("/Process/bulk", content=_bulk_xml("DELETE", ["x"]))
    assert response.status_code == 400 and "Bulk DELETE is not supported" in error_message(response)


def _schedules(client: httpx.Client) -> list[dict[str, object]]:
    page = client.post("/ProcessSchedules/query", headers=JSON).json()
    return list(page["result"])


def test_process_schedules_bulk_update_takes_15(client: httpx.Client) -> None:
    schedule = _schedules(client)[0]
    item = (
        f'<api:request xsi:type="api:ProcessSchedules" id="{schedule["id"]}" '
        f'processId="{schedule["processId"]}" atomId="{schedule["atomId"]}">'
        '<api:Schedule minutes="5" hours="1" daysOfWeek="*" daysOfMonth="*" months="*" '
        'years="*"/></api:request>'
    )
    envelope = (
        '<api:BulkRequest xmlns:api="http://api.platform.boomi.com/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" type="UPDATE">{}</api:BulkRequest>'
    )
    response = client.post("/ProcessSchedules/bulk", content=envelope.format(item * 15))
    assert response.status_code == 200
    assert {r.get("statusCode") for r in xml(response).findall("bns:response", NS)} == {"200"}
    fetched = client.get(f"/ProcessSchedules/{schedule['id']}", headers=JSON).json()
    assert fetched["Schedule"][0]["minutes"] == "5"
    over = client.post("/ProcessSchedules/bulk", content=envelope.format(item * 16))
    assert over.status_code == 400 and "at most 15" in error_message(over)


def test_wrapped_json_bulk_request_is_read(client: httpx.Client) -> None:
    body = {"BulkRequest": {"type": "GET", "request": [{"id": fixtures.ROOT_FOLDER_ID}]}}
    result = client.post("/Folder/bulk", json=body, headers=JSON_BODY).json()
    assert result["response"][0]["Result"]["name"] == "Sandbox Account"


def test_a_json_bulk_request_without_a_type_says_so(client: httpx.Client) -> None:
    """pyboomi_platform's get_folder_bulk sends ``{"ids": [...]}``: the answer must name the
    missing type, not claim an empty bulk type is unsupported."""
    response = client.post("/Folder/bulk", json={"ids": [fixtures.ROOT_FOLDER_ID]}, headers=JSON)
    assert response.status_code == 400
    assert "type" in error_message(response) and "is missing" in error_message(response)
