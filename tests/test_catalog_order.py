"""Element order from an XSD (``catalog generate --element-order``): reading it, applying it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import xmlschema
from xmlschema.validators import XsdComplexType

from connector.atomsphere.catalog import FieldInfo, FieldKind, TypeInfo, load_catalog
from connector.atomsphere.catalog.order import element_order, load_element_order, sort_fields
from connector.errors import ConfigError
from tests.conftest import ORDER_XSD

XSD = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" xmlns:o="urn:other"
           targetNamespace="urn:t">
  <xs:complexType name="Base">
    <xs:sequence>
      <xs:element name="zeta" type="xs:string"/>
      <xs:element name="alpha" type="xs:string"/>
    </xs:sequence>
    <xs:attribute name="id" type="xs:string"/>
  </xs:complexType>
  <xs:complexType name="Middle">
    <xs:complexContent>
      <xs:extension base="tns:Base">
        <xs:sequence>
          <xs:element ref="tns:Properties"/>
          <xs:choice><xs:element name="yes"/><xs:element name="no"/></xs:choice>
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="Leaf">
    <xs:complexContent>
      <xs:extension base="tns:Middle">
        <xs:sequence>
          <xs:element name="licensing">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="standard"/><xs:element name="enterprise"/>
              </xs:sequence>
            </xs:complexType>
          </xs:element>
          <xs:element name="alpha" type="xs:string"/>
        </xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="Foreign">
    <xs:complexContent>
      <xs:extension base="o:Base"><xs:sequence><xs:element name="b"/></xs:sequence></xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="Empty"><xs:sequence/></xs:complexType>
</xs:schema>
"""


def _element(name: str, type_name: str = "xs:string") -> FieldInfo:
    return FieldInfo(name, FieldKind.ELEMENT, type_name)


def _attribute(name: str) -> FieldInfo:
    return FieldInfo(name, FieldKind.ATTRIBUTE, "xs:string")


def test_inherited_elements_come_first_refs_and_choices_included() -> None:
    order = element_order(XSD, "test.xsd")
    assert order.sequences["Base"] == ("zeta", "alpha")
    assert order.sequences["Middle"] == ("zeta", "alpha", "Properties", "yes", "no")
    # Leaf redeclares alpha: it keeps its inherited place
    assert order.sequences["Leaf"] == ("zeta", "alpha", "Properties", "yes", "no", "licensing")
    assert order.sequences["Empty"] == ()


def test_a_base_in_another_namespace_is_not_inherited() -> None:
    assert element_order(XSD, "test.xsd").sequences["Foreign"] == ("b",)


def test_anonymous_types_are_keyed_by_their_owner_and_element() -> None:
    assert element_order(XSD, "test.xsd").sequences["Leaf/licensing"] == ("standard", "enterprise")


def test_known_elements_in_order_then_everything_else_by_name() -> None:
    fields = [_element("b"), _attribute("id"), _element("newer"), _element("z"), _element("a")]
    ordered = sort_fields(fields, ("z", "b", "a", "gone"))
    assert [f.name for f in ordered] == ["z", "b", "a", "id", "newer"]


def test_without_a_sequence_fields_are_alphabetical() -> None:
    fields = [_element("b"), _attribute("c"), _element("a")]
    assert [f.name for f in sort_fields(fields, None)] == ["a", "b", "c"]


def test_types_follow_their_sequence_and_anonymous_ones_their_owners() -> None:
    order = element_order(XSD, "test.xsd")
    types = {
        "Leaf": TypeInfo("Leaf", None, (_element("licensing", "Licensing"), _element("zeta"))),
        "Licensing": TypeInfo(
            "Licensing", None, (_element("enterprise"), _element("extra"), _element("standard"))
        ),
        "Unknown": TypeInfo("Unknown", None, (_element("b"), _element("a"))),
    }
    ordered = order.order_types(types)
    assert [f.name for f in ordered["Leaf"].fields] == ["zeta", "licensing"]
    assert [f.name for f in ordered["Licensing"].fields] == ["standard", "enterprise", "extra"]
    assert [f.name for f in ordered["Unknown"].fields] == ["a", "b"]


def test_an_extension_cycle_is_one_error_naming_the_file() -> None:
    cyclic = XSD.replace(b'<xs:complexType name="Base">', b'<xs:complexType name="Old">').replace(
        b'<xs:complexType name="Empty"><xs:sequence/></xs:complexType>',
        b'<xs:complexType name="Base"><xs:complexContent><xs:extension base="tns:Leaf"/>'
        b"</xs:complexContent></xs:complexType>",
    )
    with pytest.raises(ConfigError) as info:
        element_order(cyclic, "cyclic.xsd")
    assert str(info.value) == (
        "cyclic.xsd: complexType extension cycle: Base -> Leaf -> Middle -> Base"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document where XML was expected"),
        (b"<xs:schema", "not well-formed XML"),
        (b"<definitions/>", "not an XML Schema (the root is 'definitions')"),
        (
            b'<!DOCTYPE s [<!ENTITY e "x">]><s/>',
            "a DOCTYPE is not allowed (DTDs and entities are refused)",
        ),
    ],
)
def test_a_file_that_is_not_an_xsd_is_one_error_naming_it(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "order.xsd"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        load_element_order(str(path))
    assert str(info.value).startswith(f"{path}: {message}")
    assert "\n" not in str(info.value)


def test_a_missing_file_is_one_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"none\.xsd: XSD file not found$"):
        load_element_order(str(tmp_path / "none.xsd"))


def test_a_url_is_read_like_the_spec() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404)
        return httpx.Response(200, content=XSD)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        order = load_element_order("https://example.invalid/xsd", client=client)
        assert order.sequences["Base"] == ("zeta", "alpha")
        with pytest.raises(ConfigError) as info:
            load_element_order("https://example.invalid/missing", client=client)
    assert str(info.value) == "https://example.invalid/missing: HTTP 404 fetching the XSD"


def test_every_committed_type_boomis_schema_has_lists_its_elements_in_that_order() -> None:
    """Read by xmlschema, independently of the generator's reader (inherited elements first)."""
    real = xmlschema.XMLSchema(str(ORDER_XSD))
    catalog = load_catalog()
    checked = 0
    for name in catalog.types:
        xsd_type = real.types.get(name)
        if not isinstance(xsd_type, XsdComplexType) or not hasattr(
            xsd_type.content, "iter_elements"
        ):
            continue
        sequence = list(dict.fromkeys(e.local_name for e in xsd_type.content.iter_elements()))
        own = [f.name for f in catalog.types[name].fields if f.kind is FieldKind.ELEMENT]
        known = [n for n in own if n in sequence]
        assert known == sorted(known, key=sequence.index), name
        assert own == known + sorted(set(own) - set(known)), name
        checked += len(known) > 1
    assert checked > 80  # types with two or more elements both know
