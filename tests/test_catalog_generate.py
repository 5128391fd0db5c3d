"""The generator: deterministic, byte-identical to the committed artefacts, faithful to the spec."""

from __future__ import annotations

import csv
from functools import cache

import pytest
import xmlschema
from lxml import etree

from connector.atomsphere.catalog import data_dir, load_catalog
from connector.atomsphere.catalog.facts import ID_FIELD_OVERRIDES, OPERATOR_ARGUMENTS
from connector.atomsphere.catalog.generate import Artefact, iter_artefacts
from connector.atomsphere.catalog.model import WireAction, catalog_from_json, catalog_to_json
from connector.atomsphere.catalog.openapi import load_openapi
from connector.atomsphere.catalog.order import load_element_order
from connector.contract import Action
from tests.conftest import ORDER_XSD, REFERENCE, SPEC_PATH


@cache
def _generated() -> dict[str, Artefact]:
    doc = load_openapi(str(SPEC_PATH))
    order = load_element_order(str(ORDER_XSD))
    return {a.name: a for a in iter_artefacts(doc, element_order=order)}


def _tsv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize("name", ["catalog.json", "atomsphere.xsd", "atomsphere-unqualified.xsd"])
def test_committed_artefact_is_byte_identical_to_a_fresh_generation(name: str) -> None:
    committed = (data_dir() / name).read_bytes()
    assert committed == _generated()[name].content, (
        f"{name} is stale: run `atomsphere catalog generate --spec {SPEC_PATH} "
        f"--element-order {ORDER_XSD}`"
    )


def test_generation_is_deterministic() -> None:
    doc = load_openapi(str(SPEC_PATH))
    order = load_element_order(str(ORDER_XSD))
    again = {a.name: a.content for a in iter_artefacts(doc, element_order=order)}
    assert again == {name: a.content for name, a in _generated().items()}


def test_catalog_json_round_trips() -> None:
    catalog = load_catalog()
    assert catalog_from_json(catalog_to_json(catalog)) == catalog


def test_xsd_loads_in_libxml2_and_in_xmlschema() -> None:
    raw = _generated()["atomsphere.xsd"].content
    etree.XMLSchema(etree.fromstring(raw))
    schema = xmlschema.XMLSchema(raw.decode("utf-8"))
    assert schema.target_namespace == "http://api.platform.boomi.com/"
    assert {"QueryConfig", "QueryResult", "BulkRequest", "BulkResult", "AsyncOperationResult"} <= {
        el.local_name for el in schema.elements.values()
    }


def test_every_object_of_the_spec_is_in_the_catalog() -> None:
    expected = {row["object"] for row in _tsv("object_actions.tsv")}
    names = {o.name for o in load_catalog()}
    assert names == expected
    assert len(names) == 117


def test_every_endpoint_is_classified_as_in_the_reference_table() -> None:
    catalog = load_catalog()
    ours = {(e.method, e.path): (o.name, e.wire_action.value) for o in catalog for e in o.endpoints}
    rows = _tsv("object_actions.tsv")
    assert len(ours) == len(rows) == 382
    for row in rows:
        wire = row["action"].replace("ACTION(POST)", "ACTION")
        assert ours[(row["http_method"], row["path"])] == (row["object"], wire), row["path"]


def test_endpoint_content_types_and_codes_follow_the_spec() -> None:
    catalog = load_catalog()
    by_path = {(e.method, e.path): e for o in catalog for e in o.endpoints}
    for row in _tsv("object_actions.tsv"):
        endpoint = by_path[(row["http_method"], row["path"])]
        codes = {int(c) for c in row["spec_response_codes"].split(",") if c}
        assert set(endpoint.response_codes) == codes
        requested = {c for c in row["spec_request_content_types"].split(",") if c}
        assert set(endpoint.request_content_types) == requested


def test_bulk_limits() -> None:
    catalog = load_catalog()
    assert catalog.object("Component").bulk_limit() == 5
    assert catalog.object("Environment").bulk_limit() == 100
    assert catalog.object("ProcessSchedules").bulk_limit("UPDATE") == 15
    assert catalog.object("Environment").bulk_limit("UPDATE") is None
    assert catalog.object("ExecutionRecord").bulk_limit() is None
    bulk_objects = [o for o in catalog if o.endpoint(WireAction.BULK)]
    assert len(bulk_objects) == 45


def test_deprecated_objects_are_marked() -> None:
    deprecated = {o.name for o in load_catalog() if o.deprecated}
    assert deprecated == {
        "AtomConnectionFieldExtensionSummary",
        "ComponentAtomAttachment",
        "ComponentEnvironmentAttachment",
        "Deployment",
        "IntegrationPackAtomAttachment",
        "ProcessAtomAttachment",
        "ProcessEnvironmentAttachment",
    }


def test_id_fields_name_real_fields() -> None:
    catalog = load_catalog()
    for obj in catalog:
        if obj.id_field is None:
            continue
        assert obj.record_type is not None, obj.name
        names = {f.name for f in catalog.all_fields(obj.record_type)}
        assert obj.id_field in names, obj.name
    assert catalog.object("Environment").id_field == "id"
    assert catalog.object("Component").id_field == "componentId"
    assert catalog.object("Account").id_field == "accountId"
    for name, field in ID_FIELD_OVERRIDES.items():
        assert catalog.object(name).id_field == field


def test_query_filters_follow_the_spec_enums() -> None:
    catalog = load_catalog()
    rows = _tsv("query_filters.tsv")
    assert len(rows) == 71
    for row in rows:
        obj = catalog.object(row["object"])
        assert obj.query is not None, obj.name
        spec_ops = [o for o in row["spec_operators"].split(",") if o]
        assert list(obj.query.operators) == (spec_ops or list(OPERATOR_ARGUMENTS))
        spec_props = [p for p in row["spec_properties"].split(",") if p]
        assert [p.spec_name for p in obj.query.properties] == spec_props
        assert obj.query.properties_declared == bool(spec_props)


def test_account_filter_properties_are_sent_in_camel_case() -> None:
    query = load_catalog().object("Account").query
    assert query is not None
    assert [p.name for p in query.properties][:2] == ["accountId", "dateCreated"]
    assert query.property("DATECREATED") is query.property("dateCreated")


def test_connector_actions_derive_from_endpoints() -> None:
    catalog = load_catalog()
    assert catalog.object("Environment").actions == (
        Action.GET,
        Action.QUERY,
        Action.CREATE,
        Action.UPDATE,
        Action.DELETE,
    )
    assert catalog.object("ExecutionRequest").actions == (Action.EXECUTE,)
    assert catalog.object("ClearQueue").actions == (Action.EXECUTE,)
    assert Action.GET in catalog.object("AtomDiskSpace").actions  # async request, then poll
    assert Action.QUERY in catalog.object("ListenerStatus").actions  # async query


def test_attribute_and_element_placement_follows_the_spec() -> None:
    catalog = load_catalog()
    for row in _tsv("xml_attr_vs_element.tsv"):
        if row["schema"] not in catalog.types:
            continue
        fields = {f.name: f for f in catalog.all_fields(row["schema"])}
        for name in filter(None, row["spec_attributes"].split(",")):
            if name in fields:
                assert fields[name].kind.value == "attribute", (row["schema"], name)
        for name in filter(None, row["spec_elements"].split(",")):
            if name in fields:
                assert fields[name].kind.value == "element", (row["schema"], name)
