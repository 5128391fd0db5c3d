"""What a profile holds: only what its root reaches, polymorphic and open content, annotations."""

from __future__ import annotations

import csv
import random

import pytest
import xmlschema
from lxml import etree

from connector.atomsphere.catalog import load_catalog, xml_schema
from connector.atomsphere.lenient import canonical_copy
from connector.contract import Action, ProfileRole
from connector.errors import XMLInputError
from connector.wizard import (
    SchemaDocument,
    ServedSchema,
    browse,
    build_profiles,
    bundled_schema,
    load_served_schema,
    resolve,
)
from connector.wizard.subset import reachable
from connector.wizard.xsd_writer import AC_NS, ProfileSpec, render_profile
from connector.xml import API_NS, SAFE_PARSER, XS_NS, XSI_TYPE
from tests.conftest import REFERENCE

XS = f"{{{XS_NS}}}"
AC = f"{{{AC_NS}}}"


def profile(object_name: str, action: Action, role: ProfileRole = ProfileRole.RESPONSE) -> bytes:
    served = bundled_schema()
    found = build_profiles(served, resolve(served, object_name, action)).get(role)
    assert found is not None
    return found.data


def names(data: bytes, kind: str) -> set[str]:
    root = etree.fromstring(data, parser=SAFE_PARSER)
    return {str(e.get("name")) for e in root.findall(f"{XS}{kind}")}


def synthetic(body: str) -> ServedSchema:
    data = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" '
        f'targetNamespace="urn:t" elementFormDefault="qualified">{body}</xs:schema>'
    ).encode()
    return load_served_schema(SchemaDocument(data, "synthetic"))


def render(served: ServedSchema, root: str) -> bytes:
    spec = ProfileSpec("Thing", Action.GET, ProfileRole.RESPONSE, root, True, "A thing.")
    return render_profile(served, spec, load_catalog())


def test_a_profile_holds_only_the_types_its_root_reaches() -> None:
    data = profile("Environment", Action.GET)
    assert names(data, "complexType") == {"BaseType", "Environment"}
    assert names(data, "simpleType") == {"EnvironmentClassificationEnum"}
    assert names(data, "element") == {"Environment"}


def test_a_profile_is_deterministic_whatever_the_order_of_the_served_schema() -> None:
    root = etree.fromstring(etree.tostring(bundled_schema().source), parser=SAFE_PARSER)
    children = list(root)
    random.Random(7).shuffle(children)
    for child in children:
        root.remove(child)
    root.extend(children)
    shuffled = load_served_schema(SchemaDocument(etree.tostring(root), "shuffled"))
    plan = resolve(shuffled, "ExecutionRequest", Action.EXECUTE)
    again = build_profiles(shuffled, plan)
    assert again.request is not None and again.response is not None
    assert again.request.data == profile("ExecutionRequest", Action.EXECUTE, ProfileRole.REQUEST)
    assert again.response.data == profile("ExecutionRequest", Action.EXECUTE)


def test_types_derived_from_a_slot_type_come_with_it_and_validate_through_xsi_type() -> None:
    served = synthetic(
        '<xs:complexType name="Base"><xs:sequence/></xs:complexType>'
        '<xs:complexType name="Shape"><xs:complexContent><xs:extension base="t:Base">'
        '<xs:attribute name="name" type="xs:string"/></xs:extension></xs:complexContent>'
        "</xs:complexType>"
        '<xs:complexType name="Circle"><xs:complexContent><xs:extension base="t:Shape">'
        '<xs:attribute name="radius" type="xs:decimal" use="required"/></xs:extension>'
        "</xs:complexContent></xs:complexType>"
        '<xs:complexType name="Drawing"><xs:complexContent><xs:extension base="t:Base">'
        '<xs:sequence><xs:element name="shape" type="t:Shape" maxOccurs="unbounded"/>'
        "</xs:sequence></xs:extension></xs:complexContent></xs:complexType>"
        '<xs:complexType name="Unrelated"><xs:complexContent><xs:extension base="t:Base"/>'
        "</xs:complexContent></xs:complexType>"
    )
    data = render(served, "Drawing")
    assert names(data, "complexType") == {"Base", "Shape", "Circle", "Drawing"}
    instance = (
        b'<Drawing xmlns="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns:t="urn:t"><shape name="a"/><shape xsi:type="t:Circle" radius="2"/></Drawing>'
    )
    schema = etree.XMLSchema(etree.fromstring(data, parser=SAFE_PARSER))
    assert schema.validate(etree.fromstring(instance)), schema.error_log
    assert xmlschema.XMLSchema10(data).is_valid(instance)
    missing_radius = instance.replace(b' radius="2"', b"")
    assert not schema.validate(etree.fromstring(missing_radius))


def test_a_field_of_a_type_with_subtypes_brings_them_into_real_profiles() -> None:
    served = bundled_schema()
    with_field = {
        p.file_name: names(p.data, "complexType")
        for a in Action
        for plan in browse(served, a).plans
        for p in build_profiles(served, plan)
        if "Field" in names(p.data, "complexType")
    }
    assert with_field, "some profile should reach the polymorphic Field type"
    assert all("FieldSummary" in types for types in with_field.values())


def test_open_content_stays_open() -> None:
    data = profile("Component", Action.GET)
    schema = etree.XMLSchema(etree.fromstring(data, parser=SAFE_PARSER))
    document = etree.fromstring(
        b'<bns:Component xmlns:bns="http://api.platform.boomi.com/" componentId="c-1">'
        b'<bns:object><process xmlns="" allowSimultaneous="false"><shapes><shape x="1"/>'
        b"</shapes></process></bns:object></bns:Component>"
    )
    assert schema.validate(document), schema.error_log


def test_a_strict_wildcard_makes_every_global_element_reachable() -> None:
    served = synthetic(
        '<xs:element name="Box"><xs:complexType><xs:sequence>'
        '<xs:any namespace="##targetNamespace" maxOccurs="unbounded"/>'
        "</xs:sequence></xs:complexType></xs:element>"
        '<xs:element name="Apple" type="xs:string"/>'
        '<xs:element name="Pear" type="t:Pear"/>'
        '<xs:complexType name="Pear"><xs:attribute name="ripe" type="xs:boolean"/>'
        "</xs:complexType>"
    )
    subset = reachable(served, "Box")
    assert set(subset.definitions) == {
        ("element", "Box"),
        ("element", "Apple"),
        ("element", "Pear"),
        ("complexType", "Pear"),
    }
    assert subset.definitions[0] == ("element", "Box")  # the root comes first
    etree.XMLSchema(etree.fromstring(render(served, "Box"), parser=SAFE_PARSER))


def test_substitution_group_members_come_with_their_head() -> None:
    served = synthetic(
        '<xs:element name="Fruit" type="xs:string"/>'
        '<xs:element name="Kiwi" type="xs:string" substitutionGroup="t:Fruit"/>'
        '<xs:element name="Bowl"><xs:complexType><xs:sequence><xs:element ref="t:Fruit"/>'
        "</xs:sequence></xs:complexType></xs:element>"
    )
    assert ("element", "Kiwi") in reachable(served, "Bowl").definitions


def test_a_reference_outside_the_api_namespace_cannot_be_held() -> None:
    served = synthetic(
        '<xs:import namespace="urn:other"/>'
        '<xs:element name="Thing" xmlns:o="urn:other"><xs:complexType><xs:sequence>'
        '<xs:any namespace="urn:other" processContents="skip"/></xs:sequence>'
        '<xs:attribute name="lang" type="xs:language"/></xs:complexType></xs:element>'
    )
    etree.XMLSchema(etree.fromstring(render(served, "Thing"), parser=SAFE_PARSER))
    # xmlschema knows the XML namespace by heart; a profile cannot carry it along.
    served = synthetic(
        '<xs:import namespace="http://www.w3.org/XML/1998/namespace"/>'
        '<xs:element name="Note"><xs:complexType><xs:attribute ref="xml:lang"/>'
        "</xs:complexType></xs:element>"
    )
    with pytest.raises(XMLInputError, match="refers to namespace 'http://www.w3.org/XML/1998"):
        render(served, "Note")


def test_an_undefined_root_is_reported() -> None:
    with pytest.raises(XMLInputError, match="defines no element or complex type 'Nothing'"):
        reachable(bundled_schema(), "Nothing")


def test_query_records_carry_field_documentation_and_filter_annotations() -> None:
    root = etree.fromstring(profile("ExecutionRecord", Action.QUERY), parser=SAFE_PARSER)
    query = root.find(f"{XS}element[@name='ExecutionRecord']/{XS}annotation/{XS}appinfo/{AC}query")
    assert query is not None
    operators = {o.get("name"): o.get("arguments") for o in query.findall(f"{AC}operator")}
    assert operators["BETWEEN"] == "2" and operators["IS_NULL"] == "0"
    props = {p.get("name"): p.attrib for p in query.findall(f"{AC}property")}
    assert props["launcherId"]["field"] == "launcherID"  # matched as Boomi matches names
    assert props["executionTime"]["type"] == "xs:dateTime"
    field = root.find(f".//{XS}element[@name='executionTime']")
    assert field is not None
    assert field.findtext(f"{XS}annotation/{XS}documentation")
    marker = field.find(f"{XS}annotation/{XS}appinfo/{AC}filterable")
    assert marker is not None and marker.get("property") == "executionTime"
    assert "GREATER_THAN_OR_EQUAL" in (marker.get("operators") or "").split()
    profile_facts = root.find(f"{XS}annotation/{XS}appinfo/{AC}profile")
    assert profile_facts is not None and dict(profile_facts.attrib) == {
        "object": "ExecutionRecord",
        "action": "QUERY",
        "role": "response",
        "root": "ExecutionRecord",
    }


def test_a_filter_property_without_a_record_field_is_listed_on_the_root_only() -> None:
    root = etree.fromstring(profile("Process", Action.QUERY), parser=SAFE_PARSER)
    props = {p.get("name"): p.get("field") for p in root.iter(f"{AC}property")}
    assert "integrationPackId" in props and props["integrationPackId"] is None
    marked = {m.get("property") for m in root.iter(f"{AC}filterable")}
    assert "integrationPackId" not in marked and {"name", "id"} <= marked


def _record_examples() -> list[tuple[str, Action, str]]:
    with (REFERENCE / "spec-examples" / "INDEX.tsv").open(encoding="utf-8") as handle:
        rows = {r["file"]: r for r in csv.DictReader(handle, delimiter="\t")}
    found = []
    for action in (Action.GET, Action.QUERY):
        for plan in browse(bundled_schema(), action).plans:
            name = f"{action.value.title()}{plan.object}.response.200.xml"
            if rows.get(name, {}).get("well_formed") == "yes":
                found.append((plan.object, action, name))
    return found


def test_boomi_example_records_are_judged_by_the_profile_as_by_the_whole_schema() -> None:
    known = {*load_catalog().types, "BulkId"}
    accepted = 0
    for object_name, action, name in _record_examples():
        data = profile(object_name, action)
        schema = etree.XMLSchema(etree.fromstring(data, parser=SAFE_PARSER))
        root = canonical_copy(
            etree.fromstring((REFERENCE / "spec-examples" / name).read_bytes(), SAFE_PARSER),
            known,
        )
        records = root.findall(f"{{{API_NS}}}result") if action is Action.QUERY else [root]
        for record in records:
            record_root = resolve(bundled_schema(), object_name, action).response
            record.tag = f"{{{API_NS}}}{record_root}"
            record.attrib.pop(XSI_TYPE, None)
            alone = etree.fromstring(etree.tostring(record, with_tail=False))
            assert schema.validate(alone) == xml_schema().validate(alone), (name, schema.error_log)
            accepted += schema.validate(alone)
    assert accepted >= 100


def test_identity_constraints_keep_working_with_rewritten_prefixes() -> None:
    served = synthetic(
        '<xs:element name="Box"><xs:complexType><xs:sequence>'
        '<xs:element name="item" maxOccurs="unbounded"><xs:complexType>'
        '<xs:attribute name="id" type="xs:string"/><xs:attribute name="ref" type="xs:string"/>'
        "</xs:complexType></xs:element></xs:sequence></xs:complexType>"
        '<xs:key name="itemKey"><xs:selector xpath=".//t:item"/><xs:field xpath="@id"/></xs:key>'
        '<xs:keyref name="itemRef" refer="t:itemKey"><xs:selector xpath="t:item"/>'
        '<xs:field xpath="@ref"/></xs:keyref></xs:element>'
    )
    schema = etree.XMLSchema(etree.fromstring(render(served, "Box"), parser=SAFE_PARSER))
    good = b'<Box xmlns="urn:t"><item id="a"/><item id="b" ref="a"/></Box>'
    assert schema.validate(etree.fromstring(good)), schema.error_log
    assert not schema.validate(etree.fromstring(good.replace(b'ref="a"', b'ref="z"')))
