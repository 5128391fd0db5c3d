"""The one safe XML parser, and the namespace names every room shares.

Documents reach us from users, from the AtomSphere API and from gateways in between, so nothing
here trusts its input: no DTDs, no entity expansion, no network access, libxml2's default size
and depth limits (``huge_tree=False``), and an explicit byte ceiling. A document that declares a
DOCTYPE is refused outright: the API never sends one, and refusing it closes the door on
external-entity and entity-expansion attacks whatever libxml2 version is installed.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from connector.errors import XMLInputError

API_NS: Final = "http://api.platform.boomi.com/"
XSI_NS: Final = "http://www.w3.org/2001/XMLSchema-instance"
XS_NS: Final = "http://www.w3.org/2001/XMLSchema"
#: Prefixes the API itself writes; parse by namespace URI, never by prefix.
API_PREFIX: Final = "bns"
NSMAP: Final[dict[str | None, str]] = {API_PREFIX: API_NS, "xsi": XSI_NS}

#: The largest document accepted by default (a queryMore page is ~100 KB; an archive of
#: component XML can be a few MB).
DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024

XSI_TYPE: Final = f"{{{XSI_NS}}}type"


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


SAFE_PARSER: Final = _make_parser()


def parse_xml(
    data: bytes | str, *, source: str = "document", max_bytes: int = DEFAULT_MAX_BYTES
) -> etree._Element:
    """Parse untrusted XML and return its root element, or raise :class:`XMLInputError`.

    The message names ``source`` and, when libxml2 reports one, the line and column.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise XMLInputError(f"{source}: XML is {len(raw)} bytes, above the limit of {max_bytes}")
    if not raw.strip():
        raise XMLInputError(f"{source}: empty document where XML was expected")
    try:
        root = etree.fromstring(raw, parser=SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise XMLInputError(f"{source}: not well-formed XML: {_describe(exc)}") from None
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise XMLInputError(f"{source}: not acceptable XML: {exc}") from None
    # (lxml-stubs lacks DocInfo.doctype)
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise XMLInputError(f"{source}: a DOCTYPE is not allowed (DTDs and entities are refused)")
    return root


#: libxml2's advice to lift its safety limits is not advice for our users.
_LIMIT_HINT: Final = re.compile(r",? *(?:use|try) XML_PARSE_HUGE(?: option)?")


#: The position lxml appends to libxml2's message; ours is put in its place, once.
_POSITION: Final = re.compile(r",? *line \d+, column \d+$")
#: libxml2's "in tag NAME line N" (where the element was opened), told apart from the position.
_OPENED: Final = re.compile(r"\b(tag \S+|mismatch: \S+) line (\d+)\b")


def _describe(exc: etree.XMLSyntaxError) -> str:
    # One line: libxml2 puts newlines inside some messages, and a CLI error is one line.
    msg = " ".join(_LIMIT_HINT.sub("", exc.msg or str(exc)).split()).replace(" ,", ",")
    msg = _OPENED.sub(r"\1 opened on line \2", _POSITION.sub("", msg))
    line, column = exc.position if exc.position else (None, None)
    return f"{msg} (at line {line}, column {column})" if line else msg


def local_name(tag: object) -> str:
    """The local part of an element or attribute name, ``''`` for comments and PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    """The namespace URI of a Clark-notation name, ``''`` when it has none."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def api(local: str) -> str:
    """Clark-notation name of ``local`` in the AtomSphere API namespace."""
    return f"{{{API_NS}}}{local}"


def xsi_type_local_name(element: etree._Element) -> str:
    """The local name of an element's ``xsi:type``, resolved leniently.

    Boomi's own examples write ``bns:Process``, ``api:Process``, ``Process`` and even ``bns:``;
    the local part is the only reliable bit, so that is what callers get.
    """
    value = element.get(XSI_TYPE)
    if not value:
        return ""
    return value.strip().rpartition(":")[2]


def to_bytes(element: etree._Element) -> bytes:
    """Serialise an element as UTF-8 with an XML declaration, the form documents travel in."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def strip_formatting_whitespace(root: etree._Element) -> etree._Element:
    """Drop whitespace that only formats the document, in place; returns ``root``.

    Pretty-printed XML puts newlines inside elements that, by their schema, hold only attributes
    or children; XML Schema then calls the element "not empty". Whitespace between elements
    (tails) and whitespace-only text of an element with children or attributes is formatting.
    A leaf without attributes keeps its text, whitespace or not: there it may be a value.
    """
    for element in root.iter():
        if element.tail is not None and not element.tail.strip():
            element.tail = None
        text = element.text
        if text is not None and not text.strip() and (len(element) or element.attrib):
            element.text = None
    return root
