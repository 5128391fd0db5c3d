"""Query semantics: operators and their argument counts, nesting, property names, types."""

from __future__ import annotations

import httpx
import pytest

from connector.atomsphere.catalog import load_catalog
from connector.atomsphere.catalog.facts import OPERATOR_ARGUMENTS
from connector.sandbox import fixtures
from tests.sandbox.helpers import all_results, error_message, group, query_json, simple, xml

NS = {"bns": "http://api.platform.boomi.com/"}


def names(results: list[dict[str, object]]) -> list[object]:
    return [r.get("name") for r in results]


@pytest.mark.parametrize(
    "body", [b"", b"{}", b'{"QueryFilter":{}}', b'{"QueryFilter":{"expression":{}}}']
)
def test_empty_json_filters_return_everything(client: httpx.Client, body: bytes) -> None:
    response = client.post(
        "/Environment/query", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert xml(response).get("numberOfResults") == "4"


@pytest.mark.parametrize(
    "body",
    [
        b"<QueryConfig xmlns='http://api.platform.boomi.com/'/>",
        b"<api:QueryConfig xmlns:api='http://api.platform.boomi.com/'><api:QueryFilter/>"
        b"</api:QueryConfig>",
    ],
)
def test_empty_xml_filters_return_everything(client: httpx.Client, body: bytes) -> None:
    response = client.post("/Environment/query", content=body)
    assert len(xml(response).findall("bns:result", NS)) == 4


def test_xml_filter_with_any_prefix_and_unqualified_xsi_type(client: httpx.Client) -> None:
    body = (
        b'<q:QueryConfig xmlns:q="http://api.platform.boomi.com/" '
        b'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><q:QueryFilter>'
        b'<q:expression operator="EQUALS" property="name" i:type="SimpleExpression">'
        b"<q:argument>Production</q:argument></q:expression></q:QueryFilter></q:QueryConfig>"
    )
    root = xml(client.post("/Environment/query", content=body))
    results = root.findall("bns:result", NS)
    assert [r.get("id") for r in results] == [fixtures.PRODUCTION.id]
    assert results[0].get("{http://www.w3.org/2001/XMLSchema-instance}type") == "bns:Environment"


@pytest.mark.parametrize(("operator", "count"), sorted(OPERATOR_ARGUMENTS.items()))
def test_wrong_argument_count_is_refused_naming_operator_and_count(
    client: httpx.Client, operator: str, count: int
) -> None:
    arguments = ["x"] * (count + 1)
    response = query_json(client, "ExecutionRecord", simple(operator, "status", *arguments))
    assert response.status_code == 400
    message = error_message(response)
    if operator == "STARTS_WITH":  # not in ExecutionRecord's operator list
        assert "STARTS_WITH is not supported" in message
    else:
        assert operator in message and f"takes {count} argument" in message
        assert f"got {count + 1}" in message


def test_operator_outside_the_objects_list_is_refused(client: httpx.Client) -> None:
    assert "CONTAINS" not in load_catalog().object("X12ConnectorRecord").query.operators  # type: ignore[union-attr]
    response = query_json(client, "X12ConnectorRecord", simple("CONTAINS", "id", "a"))
    assert response.status_code == 400
    assert "not supported for X12ConnectorRecord" in error_message(response)


def test_unknown_operator_and_property_and_grouping_are_refused(client: httpx.Client) -> None:
    cases = [
        (simple("NOT_LIKE", "name", "a"), "Unknown query operator"),
        (simple("EQUALS", "colour", "red"), "Unknown property 'colour'"),
        (group("AND", simple("EQUALS", "name", "x")), "Invalid grouping operator 'AND'"),
    ]
    for expression, expected in cases:
        response = query_json(client, "Environment", expression)
        assert response.status_code == 400
        assert expected in error_message(response)


_NO_PROPERTY = "the simple expression EQUALS has no property"
_XML_NO_PROPERTY = (
    '<QueryConfig xmlns="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><QueryFilter>'
    '<expression operator="EQUALS"{kind}><argument>x</argument></expression>'
    "</QueryFilter></QueryConfig>"
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"QueryFilter":{"expression":{"operator":"EQUALS","argument":["x"]}}}', "json"),
        (
            '{"QueryFilter":{"expression":{"operator":"and","nestedExpression":[{"operator":'
            '"EQUALS","property":null,"argument":["x"]}]}}}',
            "json",
        ),
        (_XML_NO_PROPERTY.format(kind=""), "xml"),
        (_XML_NO_PROPERTY.format(kind=' xsi:type="SimpleExpression"'), "xml"),
    ],
)
def test_a_simple_expression_without_its_property_says_so(
    client: httpx.Client, body: str, content_type: str
) -> None:
    response = client.post(
        "/Environment/query",
        content=body,
        headers={"Content-Type": f"application/{content_type}"},
    )
    assert response.status_code == 400
    assert _NO_PROPERTY in error_message(response)
    assert "grouping" not in error_message(response)


def test_property_names_ignore_case_and_underscores(client: httpx.Client) -> None:
    for spelling in ("NAME", "Name", "n_a_m_e"):
        found = all_results(client, "Environment", simple("EQUALS", spelling, "Test"))
        assert names(found) == ["Test"]
    account = all_results(client, "Account", simple("EQUALS", "ACCOUNTID", "sandbox-A1B2C3"))
    assert len(account) == 1


def test_equals_is_case_sensitive_but_enums_are_not(client: httpx.Client) -> None:
    assert all_results(client, "Environment", simple("EQUALS", "name", "test")) == []
    prod = all_results(client, "Environment", simple("EQUALS", "classification", "prod"))
    assert names(prod) == ["Production"]


def test_like_percent_and_underscore(client: httpx.Client) -> None:
    assert names(all_results(client, "Environment", simple("LIKE", "name", "Prod%"))) == [
        "Production"
    ]
    assert names(all_results(client, "Environment", simple("LIKE", "name", "T_st"))) == ["Test"]
    assert all_results(client, "Environment", simple("LIKE", "name", "Prod")) == []


def test_contains_not_equals_and_nulls(client: httpx.Client) -> None:
    contains = all_results(client, "Environment", simple("CONTAINS", "name", "velop"))
    assert names(contains) == ["Development"]
    others = all_results(client, "Environment", simple("NOT_EQUALS", "name", "Test"))
    assert "Test" not in names(others) and len(others) == 3
    null = all_results(client, "ExecutionRecord", simple("IS_NULL", "message"))
    not_null = all_results(client, "ExecutionRecord", simple("IS_NOT_NULL", "message"))
    assert len(null) + len(not_null) == 1000
    assert {r["status"] for r in not_null} == {"ERROR"}
    assert "ERROR" not in {r["status"] for r in null}


def test_nested_groups_to_any_depth(client: httpx.Client) -> None:
    deep = simple("EQUALS", "name", "Test")
    for level in range(12):
        deep = group("and" if level % 2 else "or", deep)
    assert names(all_results(client, "Environment", deep)) == ["Test"]
    either = group(
        "or",
        simple("EQUALS", "name", "Test"),
        group("and", simple("EQUALS", "classification", "PROD"), simple("LIKE", "name", "P%")),
    )
    assert sorted(names(all_results(client, "Environment", either))) == ["Production", "Test"]


def test_dates_compare_as_dates_and_between_is_inclusive(client: httpx.Client) -> None:
    records = all_results(client, "ExecutionRecord", None)
    times = sorted(r["executionTime"] for r in records)
    low, high = times[10], times[20]
    between = all_results(client, "ExecutionRecord", simple("BETWEEN", "executionTime", low, high))
    assert sorted(r["executionTime"] for r in between) == times[10:21]
    # The same instant written with an offset and milliseconds selects the same records.
    shifted = low.replace("Z", ".000+00:00")
    after = all_results(
        client, "ExecutionRecord", simple("GREATER_THAN_OR_EQUAL", "executionTime", shifted)
    )
    assert len(after) == len([t for t in times if t >= low])
    bad = query_json(client, "ExecutionRecord", simple("GREATER_THAN", "executionTime", "soon"))
    assert bad.status_code == 400 and "not a date" in error_message(bad)


def test_date_looking_strings_compare_as_dates(client: httpx.Client) -> None:
    found = all_results(
        client, "Account", simple("BETWEEN", "dateCreated", "2019-01-01", "2019-12-31T23:59:59Z")
    )
    assert len(found) == 1
    assert all_results(client, "Account", simple("LESS_THAN", "dateCreated", "2019-03-14")) == []


def test_numbers_compare_as_numbers(client: httpx.Client) -> None:
    records = all_results(client, "ExecutionRecord", None)
    expected = [r for r in records if r["inboundDocumentCount"] > 9]
    found = all_results(
        client, "ExecutionRecord", simple("GREATER_THAN", "inboundDocumentCount", "9")
    )
    assert len(found) == len(expected) > 0  # "10" > "9" numerically, not as text
    bad = query_json(client, "ExecutionRecord", simple("LESS_THAN", "inboundDocumentCount", "x"))
    assert bad.status_code == 400


def test_booleans_compare_as_booleans(client: httpx.Client) -> None:
    live = all_results(client, "ComponentMetadata", simple("EQUALS", "deleted", "FALSE"))
    assert len(live) == 18 and all(r["deleted"] is False for r in live)
    assert all_results(client, "ComponentMetadata", simple("EQUALS", "deleted", "true")) == []
    assert client.delete(f"/ComponentMetadata/{live[-1]['componentId']}").status_code == 200
    gone = all_results(client, "ComponentMetadata", simple("EQUALS", "deleted", "TRUE"))
    assert [r["componentId"] for r in gone] == [live[-1]["componentId"]]
    bad = query_json(client, "ComponentMetadata", simple("EQUALS", "deleted", "yes"))
    assert bad.status_code == 400


def test_repeated_property_matches_any_value(client: httpx.Client) -> None:
    atoms = all_results(client, "Atom", None)
    capability = atoms[0]["capabilities"][0]
    found = all_results(client, "Atom", simple("CONTAINS", "capabilities", capability))
    assert {a["id"] for a in found} == {a["id"] for a in atoms if capability in a["capabilities"]}


def test_starts_with_refuses_spaces(client: httpx.Client) -> None:
    response = query_json(client, "X12ConnectorRecord", simple("STARTS_WITH", "id", "a b"))
    assert response.status_code == 400 and "spaces" in error_message(response)


@pytest.mark.parametrize(
    ("name", "day_field"),
    [
        ("ExecutionCountAccount", "date"),
        ("ThroughputAccountGroup", "date"),
        ("ApiUsageCount", "processDate"),
    ],
)
def test_count_days_filter_on_process_date_as_dates(
    client: httpx.Client, name: str, day_field: str
) -> None:
    days = [str(r[day_field])[:10] for r in all_results(client, name, None)]
    first, second, third = days[1:4]

    def found(expression: dict[str, object]) -> list[str]:
        return [str(r[day_field])[:10] for r in all_results(client, name, expression)]

    assert found(simple("BETWEEN", "processDate", first, second)) == [first, second]
    assert found(simple("BETWEEN", "processDate", f"{first}T00:00:00Z", f"{second}T23:59:59Z")) == [
        first,
        second,
    ]
    assert found(simple("EQUALS", "processDate", third)) == [third]
    assert found(simple("GREATER_THAN", "processDate", f"{third}T00:00:00Z")) == days[4:]
    assert found(simple("LESS_THAN_OR_EQUAL", "processDate", first)) == days[:2]
