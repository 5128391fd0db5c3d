"""The one safe parser refuses hostile XML with a clear message."""

from __future__ import annotations

import pytest

from connector.errors import XMLInputError
from connector.xml import parse_xml, strip_formatting_whitespace, to_bytes


def test_parses_ordinary_xml() -> None:
    root = parse_xml(b'<a xmlns="urn:x"><b>1</b></a>')
    assert root.tag == "{urn:x}a"


def test_external_entities_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    with pytest.raises(XMLInputError, match="DOCTYPE is not allowed"):
        parse_xml(xxe, source="input 3")


def test_billion_laughs_is_refused() -> None:
    bomb = b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    bomb += b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>'
    with pytest.raises(XMLInputError):
        parse_xml(bomb)


def test_malformed_xml_names_source_and_line() -> None:
    with pytest.raises(XMLInputError) as info:
        parse_xml(b"<a>\n<b>\n</a>", source="docs/input.xml")
    assert "docs/input.xml" in str(info.value)
    assert "line 3" in str(info.value)


def test_size_limit() -> None:
    with pytest.raises(XMLInputError, match="above the limit"):
        parse_xml(b"<a>" + b"x" * 200 + b"</a>", max_bytes=100)


def test_empty_and_non_utf8_input() -> None:
    with pytest.raises(XMLInputError, match="empty"):
        parse_xml(b"   ")
    with pytest.raises(XMLInputError):
        parse_xml(b'<?xml version="1.0" encoding="UTF-8"?><a>\xff\xfe</a>')


def test_deep_nesting_is_refused() -> None:
    deep = b"<a>" * 20000 + b"</a>" * 20000
    with pytest.raises(XMLInputError):
        parse_xml(deep)


def test_formatting_whitespace_is_dropped_but_leaf_values_kept() -> None:
    root = parse_xml(b'<a x="1">\n  <b>  </b>\n  <c y="2">\n  </c>\n</a>')
    strip_formatting_whitespace(root)
    assert to_bytes(root).endswith(b'<a x="1"><b>  </b><c y="2"/></a>')


def test_a_not_well_formed_document_gives_its_position_once() -> None:
    with pytest.raises(XMLInputError) as info:
        parse_xml(b'<Environment xmlns="http://api.platform.boomi.com/"><name>x</name>')
    message = str(info.value)
    assert message.endswith(
        "Premature end of data in tag Environment opened on line 1 (at line 1, column 67)"
    ), message
    assert message.count("column") == 1
