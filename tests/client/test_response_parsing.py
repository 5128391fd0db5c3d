"""Reading what the API sends: any prefix, unqualified xsi:type, whitespace, all error shapes."""

from __future__ import annotations

import pytest

from connector.atomsphere.bulk import match_items, parse_bulk_result
from connector.atomsphere.catalog import load_catalog, xml_schema
from connector.atomsphere.responses import (
    error_message,
    field_value,
    media_type,
    parse_async_result,
    parse_async_token,
    parse_envelope,
    parse_query_page,
    single_record,
)
from connector.errors import FatalRemoteError
from connector.xml import API_NS, XSI_TYPE, parse_xml
from tests.client.fakeapi import NS, env_result, query_result

TYPES = frozenset(load_catalog().types)


def _page(body: str, content_type: str = "application/xml; charset=UTF-8"):  # type: ignore[no-untyped-def]
    return parse_query_page(
        parse_envelope(body.encode(), content_type, source="test"), "Environment", TYPES
    )


def test_query_page_records_are_re_rooted_and_validate_as_their_object() -> None:
    page = _page(
        query_result([env_result("e1", "Prod", "PROD"), env_result("e2", "Dev")], "tok/+1")
    )
    assert page.token == "tok/+1"
    assert page.number_of_results == 2
    assert len(page.records) == 2
    root = parse_xml(page.records[0])
    assert root.tag == f"{{{API_NS}}}Environment"
    assert root.get(XSI_TYPE) is None
    assert (root.get("id"), root.get("name"), root.get("classification")) == ("e1", "Prod", "PROD")
    assert xml_schema().validate(root), xml_schema().error_log


def test_last_page_has_no_token() -> None:
    assert _page(query_result([env_result("e1", "x")])).token is None


def test_default_namespace_unqualified_type_and_pretty_printing_are_accepted() -> None:
    body = """<?xml version="1.0" encoding="UTF-8"?>
    <QueryResult xmlns="http://api.platform.boomi.com/"
                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" numberOfResults="1">
      <result xsi:type="ExecutionRecord">
        <executionId>execution-1</executionId>
        <status>ERROR</status>
      </result>
    </QueryResult>"""
    page = parse_query_page(parse_envelope(body.encode(), "text/xml", source="t"), "X", TYPES)
    root = parse_xml(page.records[0])
    assert root.tag == f"{{{API_NS}}}ExecutionRecord"
    assert field_value(root, "status") == "ERROR"
    assert xml_schema().validate(root), xml_schema().error_log


def test_nested_xsi_types_are_qualified_so_they_resolve() -> None:
    body = f"""<bns:BulkResult {NS}><bns:response statusCode="200">
      <bns:Result xsi:type="Process" id="p1" name="Order Intake"/>
    </bns:response></bns:BulkResult>"""
    items = parse_bulk_result(parse_xml(body), "Process", "id", TYPES)
    assert items[0].ok and items[0].id == "p1"
    root = parse_xml(items[0].record or b"")
    assert root.tag == f"{{{API_NS}}}Process"
    assert xml_schema().validate(root), xml_schema().error_log


def test_json_where_xml_was_expected_is_refused_with_a_clear_message() -> None:
    with pytest.raises(FatalRemoteError, match="expected an XML response, got JSON"):
        parse_envelope(b'{"@type": "QueryResult"}', "application/json", source="page")


def test_media_type_ignores_parameters() -> None:
    assert media_type("Application/XML; charset=UTF-8") == "application/xml"
    assert media_type(None) == ""


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            b"<error><message>No such process</message></error>",
            "application/xml",
            "No such process",
        ),
        (b'{"error": {"message": "Bad filter"}}', "application/json", "Bad filter"),
        (
            b'{"message": "Access denied due to insufficient permissions."}',
            "application/json",
            "Access denied due to insufficient permissions.",
        ),
        (
            b'{"@type": "Error", "message": "Cannot modify default Boomi roles"}',
            "application/json; charset=UTF-8",
            "Cannot modify default Boomi roles",
        ),
        (
            b'<bns:error xmlns:bns="http://api.platform.boomi.com/"><bns:message>x</bns:message></bns:error>',
            "application/xml",
            "x",
        ),
        (
            b"<html><head><title>502 Bad Gateway</title></head><body><hr></body></html>",
            "text/html",
            "502 Bad Gateway",
        ),
        (
            b"<!DOCTYPE html><html><head><title>Service  Unavailable</title>",
            "text/html",
            "Service Unavailable",
        ),
        (b"upstream connect error", "text/plain", None),
        (b"", "application/xml", None),
    ],
)
def test_error_bodies_in_every_shape(body: bytes, content_type: str, expected: str | None) -> None:
    assert error_message(body, content_type) == expected


def test_bulk_items_carry_per_item_status_and_match_ids() -> None:
    body = f"""<bns:BulkResult {NS}>
      <bns:response statusCode="200">
        <bns:Result xsi:type="bns:Process" id="p1" name="A"/>
      </bns:response>
      <bns:response errorMessage="No such process" statusCode="400" id="nope"/>
    </bns:BulkResult>"""
    items = parse_bulk_result(parse_xml(body), "Process", "id", TYPES)
    assert [(i.status_code, i.id, i.ok) for i in items] == [(200, "p1", True), (400, "nope", False)]
    assert items[1].error_message == "No such process"
    # Positional when the counts agree; by id (any order) when they do not.
    assert match_items(["p1", "nope"], items) == list(items)
    assert match_items(["nope", "x", "p1"], items) == [items[1], None, items[0]]


def test_async_token_and_result() -> None:
    token_body = f"""<bns:AsyncOperationTokenResult {NS} responseStatusCode="202">
      <bns:asyncToken token="AtomDiskSpace-12b08345"/></bns:AsyncOperationTokenResult>"""
    assert parse_async_token(parse_xml(token_body)) == "AtomDiskSpace-12b08345"
    queues = f'<bns:QueueMessageResponse {NS} sessionId="QueueList-1"/>'
    assert parse_async_token(parse_xml(queues)) == "QueueList-1"
    result = f"""<bns:AsyncOperationResult {NS} responseStatusCode="200" numberOfResults="1">
      <bns:result xsi:type="bns:ListenerStatus" status="listening" listenerId="l1"/>
    </bns:AsyncOperationResult>"""
    (record,) = parse_async_result(parse_xml(result), "ListenerStatus", TYPES)
    assert parse_xml(record).tag == f"{{{API_NS}}}ListenerStatus"
    empty = f"""<bns:AsyncOperationResult {NS} numberOfResults="0">
      <bns:result xsi:type="bns:CloudAttachmentProperties"/></bns:AsyncOperationResult>"""
    assert parse_async_result(parse_xml(empty), "CloudAttachmentProperties", TYPES) == ()


def test_single_record_unwraps_an_envelope_or_keeps_the_object() -> None:
    bare = parse_xml(
        f"<bns:ExecutionRecord {NS}><bns:status>COMPLETE</bns:status></bns:ExecutionRecord>"
    )
    assert single_record(bare, "ExecutionRecord") is bare
    wrapped = parse_xml(
        f'<bns:QueryResult {NS}><bns:result xsi:type="bns:ExecutionRecord">'
        "<bns:status>ERROR</bns:status></bns:result></bns:QueryResult>"
    )
    assert field_value(single_record(wrapped, "ExecutionRecord"), "status") == "ERROR"
