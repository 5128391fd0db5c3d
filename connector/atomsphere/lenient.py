"""Reading what the API (and Boomi's own examples) really send, not only what the schema says.

The API's namespace is reliable; everything else about a response may vary: the prefix, whether
``xsi:type`` is qualified (``bns:Process``, ``api:Process``, ``Process``, even ``bns:``), and
pretty-printing whitespace. Before a response is validated or re-rooted, it is brought to the one
canonical form the generated XSD describes.
"""

from __future__ import annotations

from collections.abc import Container
from copy import deepcopy
from typing import Any

from lxml import etree

from connector.xml import API_NS, API_PREFIX, XSI_TYPE, strip_formatting_whitespace


def qualify_xsi_types(root: etree._Element, known_types: Container[str]) -> etree._Element:
    """Make every ``xsi:type`` naming an API type resolve to the API's namespace.

    Only local names in ``known_types`` are touched, so foreign types stay as they were. Works in
    place when the API namespace is already bound on the root; otherwise returns a new root that
    binds it (lxml cannot add a declaration to an existing element). Use the returned element.
    """
    if not any(
        _needs_fix(element, known_types) for element in root.iter() if element.get(XSI_TYPE)
    ):
        return root
    prefix = _bound_prefix(root)
    if prefix is None:
        root = _rebind(root)
        prefix = API_PREFIX
    for element in root.iter():
        value = element.get(XSI_TYPE)
        if value is not None and _needs_fix(element, known_types):
            local = value.strip().rpartition(":")[2]
            element.set(XSI_TYPE, f"{prefix}:{local}" if prefix else local)
    return root


def _needs_fix(element: etree._Element, known_types: Container[str]) -> bool:
    prefix, _, local = (element.get(XSI_TYPE) or "").strip().rpartition(":")
    if local not in known_types:
        return False
    return element.nsmap.get(prefix or None) != API_NS


def _bound_prefix(root: etree._Element) -> str | None:
    """A prefix bound to the API namespace on the root ('' for the default namespace)."""
    for prefix, uri in sorted(root.nsmap.items(), key=lambda item: item[0] or ""):
        if uri == API_NS:
            return prefix or ""
    return None


def _rebind(root: etree._Element) -> etree._Element:
    nsmap: dict[Any, str] = {**root.nsmap}  # a None key is the default namespace
    nsmap[API_PREFIX] = API_NS
    fresh = etree.Element(root.tag, nsmap=nsmap)
    for key, value in root.attrib.items():
        fresh.set(key, value)
    fresh.text = root.text
    fresh.extend(list(root))
    return fresh


def canonical_copy(root: etree._Element, known_types: Container[str]) -> etree._Element:
    """A copy of ``root`` without formatting whitespace and with qualified ``xsi:type`` values."""
    copy = deepcopy(root)
    strip_formatting_whitespace(copy)
    return qualify_xsi_types(copy, known_types)
