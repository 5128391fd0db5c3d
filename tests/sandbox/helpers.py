"""Small readers for sandbox answers (tests only; independent of the connector's client)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from lxml import etree

from connector.xml import API_NS, SAFE_PARSER

NS = {"bns": API_NS}


def xml(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content, parser=SAFE_PARSER)


def error_message(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json()["message"])
    return str(xml(response).findtext("message"))


def simple(operator: str, prop: str, *arguments: str) -> dict[str, Any]:
    return {"operator": operator, "property": prop, "argument": list(arguments)}


def group(operator: str, *nested: dict[str, Any]) -> dict[str, Any]:
    return {"operator": operator, "nestedExpression": list(nested)}


def query_json(client: httpx.Client, obj: str, expression: dict[str, Any] | None) -> httpx.Response:
    body: dict[str, Any] = {"QueryFilter": {"expression": expression} if expression else {}}
    return client.post(
        f"/{obj}/query",
        content=json.dumps(body),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )


def all_results(client: httpx.Client, obj: str, expression: dict[str, Any] | None) -> list[Any]:
    """Every result of a JSON query, following queryTokens."""
    response = query_json(client, obj, expression)
    assert response.status_code == 200, response.text
    page = response.json()
    results = list(page["result"])
    while "queryToken" in page:
        response = client.post(
            f"/{obj}/queryMore",
            content=page["queryToken"],
            headers={"Content-Type": "text/plain", "Accept": "application/json"},
        )
        assert response.status_code == 200, response.text
        page = response.json()
        results.extend(page["result"])
    return results
