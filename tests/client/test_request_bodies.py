"""QueryConfig and BulkRequest bodies have the documented shape and validate against the schema."""

from __future__ import annotations

from lxml import etree

from connector.atomsphere.bulk import bulk_get_request
from connector.atomsphere.catalog import xml_schema
from connector.atomsphere.query import (
    GroupingExpression,
    SimpleExpression,
    describe,
    query_config,
)
from connector.xml import API_NS, XSI_NS, parse_xml

NS = {"a": API_NS, "xsi": XSI_NS}


def _xsi_type(element: etree._Element) -> str:
    value = element.get(f"{{{XSI_NS}}}type") or ""
    prefix, _, local = value.rpartition(":")
    assert element.nsmap.get(prefix or None) == API_NS, "xsi:type must resolve to the API namespace"
    return local


def test_query_config_nests_groups_with_lower_case_operators_and_typed_expressions() -> None:
    tree = GroupingExpression(
        "and",
        (
            SimpleExpression("status", "NOT_EQUALS", ("deleted",)),
            GroupingExpression(
                "or",
                (
                    SimpleExpression(
                        "dateCreated", "BETWEEN", ("2014-01-01T00:00:00Z", "2016-01-01T00:00:00Z")
                    ),
                    SimpleExpression("name", "IS_NULL"),
                ),
            ),
        ),
    )
    root = parse_xml(query_config(tree))
    assert xml_schema().validate(root), xml_schema().error_log
    top = root.find("a:QueryFilter/a:expression", NS)
    assert top is not None
    assert (top.get("operator"), _xsi_type(top)) == ("and", "GroupingExpression")
    first, group = top.findall("a:nestedExpression", NS)
    assert (_xsi_type(first), first.get("property"), first.get("operator")) == (
        "SimpleExpression",
        "status",
        "NOT_EQUALS",
    )
    assert [a.text for a in first.findall("a:argument", NS)] == ["deleted"]
    assert group.get("operator") == "or"
    between, null = group.findall("a:nestedExpression", NS)
    assert [a.text for a in between.findall("a:argument", NS)] == [
        "2014-01-01T00:00:00Z",
        "2016-01-01T00:00:00Z",
    ]
    assert null.findall("a:argument", NS) == []


def test_no_filter_is_an_empty_query_filter() -> None:
    root = parse_xml(query_config(None))
    assert xml_schema().validate(root)
    assert root.tag == f"{{{API_NS}}}QueryConfig"
    query_filter = root.find("a:QueryFilter", NS)
    assert query_filter is not None and len(query_filter) == 0


def test_arguments_are_escaped_not_concatenated() -> None:
    root = parse_xml(query_config(SimpleExpression("name", "EQUALS", ("a<b & 'c'",))))
    assert root.findtext("a:QueryFilter/a:expression/a:argument", namespaces=NS) == "a<b & 'c'"


def test_describe_is_readable() -> None:
    tree = GroupingExpression(
        "or", (SimpleExpression("a", "EQUALS", ("1",)), SimpleExpression("b", "IS_NULL"))
    )
    assert describe(tree) == "(a EQUALS '1') or (b IS_NULL)"
    assert describe(None) == "every record"


def test_bulk_get_request_lists_typed_ids_in_order() -> None:
    root = parse_xml(bulk_get_request(["id-1", "id/2+x"]))
    assert xml_schema().validate(root), xml_schema().error_log
    assert root.get("type") == "GET"
    requests = root.findall("a:request", NS)
    assert [r.get("id") for r in requests] == ["id-1", "id/2+x"]
    assert {_xsi_type(r) for r in requests} == {"BulkId"}
