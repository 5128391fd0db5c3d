"""XML and JSON of the same record agree field for field, for every object with a GET or QUERY;
JSON follows the API's conventions (``@type``, arrays even when empty, typed numbers)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from lxml import etree

from connector.atomsphere.catalog import WireAction, load_catalog
from connector.sandbox import Sandbox
from connector.xml import local_name
from tests.sandbox.conftest import JSON
from tests.sandbox.helpers import NS, xml

XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: Objects whose GET answers XML only (Boomi's own description of Component GET).
XML_ONLY = {"Component"}


def _objects() -> list[str]:
    names = []
    for info in load_catalog():
        actions = set(info.wire_actions)
        if info.name in XML_ONLY or not actions & {WireAction.GET, WireAction.QUERY}:
            continue
        names.append(info.name)
    return names


def _from_xml(element: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in element.attrib.items() if not k.startswith(f"{{{XSI}")}
    grouped: dict[str, list[Any]] = {}
    for child in element:
        value: Any = _from_xml(child) if len(child) or child.attrib else (child.text or "")
        grouped.setdefault(local_name(child.tag), []).append(value)
    out.update({k: v[0] if len(v) == 1 else v for k, v in grouped.items()})
    return out


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items() if k != "@type" and v != []}
    if isinstance(value, list):
        items = [_from_json(v) for v in value]
        return items[0] if len(items) == 1 else items
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _pair(client: httpx.Client, sandbox: Sandbox, name: str) -> tuple[Any, Any]:
    info = sandbox.catalog.object(name)
    get = info.endpoint(WireAction.GET)
    if get is not None and "{" in get.path:
        key = sandbox.store.collection(sandbox.seed.collection_name(name)).first_key()
        path = get.path.split("{")[0] + str(key)
        as_xml = xml(client.get(path))
        as_json = client.get(path, headers=JSON).json()
        return _from_xml(as_xml), _from_json(as_json)
    if get is not None:
        return _from_xml(xml(client.get(get.path))), _from_json(
            client.get(get.path, headers=JSON).json()
        )
    first = xml(client.post(f"/{name}/query")).find("bns:result", NS)
    assert first is not None, name
    page = client.post(f"/{name}/query", headers=JSON).json()
    return _from_xml(first), _from_json(page["result"][0])


@pytest.mark.parametrize("name", _objects())
def test_xml_and_json_agree_field_for_field(
    sandbox: Sandbox, client: httpx.Client, name: str
) -> None:
    from_xml, from_json = _pair(client, sandbox, name)
    assert from_xml, name
    assert from_xml == from_json


def test_json_conventions(client: httpx.Client) -> None:
    process = client.post("/Process/query", headers=JSON).json()["result"][0]
    assert process["@type"] == "Process" and process["IntegrationPack"] == []
    record = client.post("/ExecutionRecord/query", headers=JSON).json()
    assert record["@type"] == "QueryResult" and isinstance(record["numberOfResults"], int)
    first = record["result"][0]
    assert isinstance(first["inboundDocumentCount"], int)
    assert isinstance(first["executionDuration"], int)
    schedules = client.post("/ProcessSchedules/query", headers=JSON).json()["result"][0]
    assert schedules["Retry"]["@type"] == "ScheduleRetry"
    assert isinstance(schedules["Retry"]["maxRetry"], int)


def test_xml_conventions(client: httpx.Client) -> None:
    response = client.post("/Environment/query")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    assert b"\n" not in response.content
    assert response.content.count(b"<bns:result ") == 4
    assert b'xsi:type="bns:Environment"' in response.content
    schedules = xml(client.post("/ProcessSchedules/query")).find("bns:result", NS)
    assert schedules is not None
    assert schedules.get("processId") and schedules.find("bns:Schedule", NS) is not None


def test_json_requests_with_xml_answers_and_back(client: httpx.Client) -> None:
    created = client.post(
        "/Environment",
        json={"@type": "Environment", "name": "Mixed", "classification": "TEST"},
        headers={"Accept": "application/xml"},
    )
    assert xml(created).get("name") == "Mixed"
    body = b'<Environment xmlns="http://api.platform.boomi.com/" name="Other"/>'
    as_json = client.post(
        "/Environment", content=body, headers={"Accept": "application/json"}
    ).json()
    assert as_json["name"] == "Other" and as_json["@type"] == "Environment"


@pytest.mark.parametrize(
    ("accept", "answer"),
    [
        (None, "application/xml"),
        ("*/*", "application/xml"),
        ("application/*", "application/xml"),
        ("application/json", "application/json"),
        ("application/xml;q=0.1, application/json", "application/json"),
        ("application/json, application/xml;q=0.1", "application/json"),
        ("application/json;q=0.1, application/xml", "application/xml"),
        ("application/xml, application/json;q=0.1", "application/xml"),
        ("application/json, application/xml", "application/json"),  # equal: the first listed
        ("application/xml, application/json", "application/xml"),
        ("application/json;q=0", "application/xml"),  # JSON refused
        ("application/json;q=0, */*", "application/xml"),
        ("application/xml;q=0", "application/json"),  # XML refused, JSON not
        ("application/xml;q=0, */*;q=0.5", "application/json"),
        ("*/*;q=0.2, application/json;q=0.5", "application/json"),
        ("application/json;q=0.5, */*", "application/xml"),  # the most specific range counts
        ("application/*;q=0.3, application/json;q=0.2", "application/xml"),
        ("text/html", "application/xml"),  # neither acceptable: the default
        ("application/json;q=abc, application/xml;q=0.5", "application/xml"),  # unreadable q
        ("APPLICATION/JSON; Q=0.9, application/xml; q=0.8", "application/json"),
    ],
)
def test_accept_q_values_and_ranges_choose_the_format(
    client: httpx.Client, accept: str | None, answer: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/Environment/no-such-id", headers=headers)  # errors negotiate too
    assert response.status_code == 400
    assert response.headers["Content-Type"].split(";")[0] == answer
    found = client.post("/Environment/query", headers=headers)
    assert found.headers["Content-Type"].split(";")[0] == answer


_JSON_ENVIRONMENT = b' {"name":"Sniffed","classification":"TEST"}'
_XML_ENVIRONMENT = (
    b'<Environment xmlns="http://api.platform.boomi.com/" name="Sniffed" classification="TEST"/>'
)


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        (None, _JSON_ENVIRONMENT, None),
        (None, _XML_ENVIRONMENT, None),
        ("text/plain", _JSON_ENVIRONMENT, None),
        ("text/plain", _XML_ENVIRONMENT, None),
        ("application/x-www-form-urlencoded", _JSON_ENVIRONMENT, None),
        ("application/octet-stream", _XML_ENVIRONMENT, None),
        ("application/json", _JSON_ENVIRONMENT, None),
        ("application/vnd.example+json", _XML_ENVIRONMENT, "not valid JSON"),
        ("application/xml", _JSON_ENVIRONMENT, "not well-formed XML"),
        ("text/xml", _JSON_ENVIRONMENT, "not well-formed XML"),
        ("application/vnd.example+xml", _XML_ENVIRONMENT, None),
    ],
)
def test_a_body_is_read_by_its_content_type_else_sniffed(
    client: httpx.Client, content_type: str | None, body: bytes, problem: str | None
) -> None:
    """As docs/sandbox.md §Formats says: a JSON or XML Content-Type decides; any other, or
    none, is sniffed (JSON when the body starts with ``{`` or ``[``, else XML)."""
    headers = dict(JSON) | ({"Content-Type": content_type} if content_type else {})
    response = client.post("/Environment", content=body, headers=headers)
    if problem is None:
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Sniffed"
    else:
        assert response.status_code == 400 and problem in response.json()["message"]
