"""Element order: the API's own order of child elements, taken from an XML Schema of the API.

The spec lists properties alphabetically, but the service writes child elements in its own (Java
field) order, and its XSD (``?xsd=1``) declares that order in ``xs:sequence``. Generating the
catalog with such an XSD (``atomsphere catalog generate --element-order``) orders each type's
fields the way the API does, so what the sandbox writes also validates against Boomi's schema.

For each named ``complexType`` (and each anonymous one inside an element of it) the order is its
elements as the schema lists them, those inherited through ``complexContent/extension`` first (as
XML Schema itself orders them). A type the XSD knows gets its known elements first, in that
order, then everything else (newer elements, attributes) alphabetically; a type the XSD does not
know stays alphabetical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Final

import httpx
from lxml import etree

from connector.atomsphere.catalog.model import FieldInfo, TypeInfo
from connector.atomsphere.catalog.openapi import read_location
from connector.errors import ConfigError, Problem, XMLInputError
from connector.xml import XS_NS, local_name, parse_xml

_XS: Final = f"{{{XS_NS}}}"
#: What may hold a type's elements: model groups, and the content of an extension.
_CONTAINERS: Final = frozenset(
    _XS + tag for tag in ("sequence", "choice", "all", "complexContent", "extension", "restriction")
)


@dataclass(frozen=True)
class ElementOrder:
    """The ordered element names of every complex type of one XSD (see :func:`iter_sequences`)."""

    #: Keyed by type name, or ``Owner/element`` for the anonymous type of an element.
    sequences: Mapping[str, tuple[str, ...]]
    #: The hash of the XSD's exact bytes (recorded in the catalog, like the spec's).
    sha256: str
    source: str

    def order_types(self, types: Mapping[str, TypeInfo]) -> dict[str, TypeInfo]:
        """``types`` with their fields in the API's order, where this XSD knows the type.

        A type is known by name, or as the anonymous type of an element of a known type: the
        spec names ``Account``'s ``licensing`` type ``Licensing``, the XSD leaves it anonymous.
        """
        keys = {name: name for name in sorted(types) if name in self.sequences}
        pending = list(keys)
        while pending:
            owner = pending.pop(0)
            for field in types[owner].fields:
                path = f"{keys[owner]}/{field.name}"
                if field.type in types and field.type not in keys and path in self.sequences:
                    keys[field.type] = path
                    pending.append(field.type)
        return {
            name: replace(
                info, fields=sort_fields(info.fields, self.sequences.get(keys.get(name, "")))
            )
            for name, info in types.items()
        }


def sort_fields(
    fields: Iterable[FieldInfo], sequence: tuple[str, ...] | None
) -> tuple[FieldInfo, ...]:
    """``fields`` ordered by ``sequence`` (names not in it after, by name); by name without one."""
    position = {name: i for i, name in enumerate(sequence or ())}

    def key(field: FieldInfo) -> tuple[int, int, str]:
        known = position.get(field.name)
        return (0, known, "") if known is not None else (1, 0, field.name)

    return tuple(sorted(fields, key=key))


def load_element_order(location: str, *, client: httpx.Client | None = None) -> ElementOrder:
    """Read the XSD at a path or ``http(s)://`` URL; every problem is one line naming it."""
    raw = read_location(
        location,
        what="XSD",
        option="--element-order",
        accept="application/xml, text/xml",
        client=client,
    )
    return element_order(raw, location)


def element_order(raw: bytes, source: str) -> ElementOrder:
    """The element order of the XSD ``raw`` (``source`` names it in errors)."""
    try:
        root = parse_xml(raw, source=source)
    except XMLInputError as exc:
        raise ConfigError(str(exc)) from None
    if root.tag != _XS + "schema":
        found = local_name(root.tag) or "no element"
        raise ConfigError([Problem(f"not an XML Schema (the root is {found!r})", source)])
    sequences = dict(iter_sequences(root, source))
    if not sequences:
        raise ConfigError([Problem("the XSD names no complexType to take an order from", source)])
    return ElementOrder(sequences, hashlib.sha256(raw).hexdigest(), source)


def iter_sequences(schema: etree._Element, source: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(key, ordered element names) for each complex type of ``schema``, sorted by key.

    A named top-level type is keyed by its name; the anonymous type of an element by its owner's
    key and the element's name (``Account/licensing``), which no type name can clash with.
    """
    own: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    target_namespace = schema.get("targetNamespace")
    for node in schema.iterchildren(_XS + "complexType"):
        name = node.get("name")
        if name:
            _collect(node, name, target_namespace, own)

    def full(key: str, chain: tuple[str, ...]) -> tuple[str, ...]:
        if key in chain:
            cycle = " -> ".join((*chain, key))
            raise ConfigError([Problem(f"complexType extension cycle: {cycle}", source)])
        base, names = own[key]
        inherited = full(base, (*chain, key)) if base in own else ()
        return tuple(dict.fromkeys((*inherited, *names)))

    for key in sorted(own):
        yield key, full(key, ())


def _collect(
    complex_type: etree._Element,
    key: str,
    target_namespace: str | None,
    own: dict[str, tuple[str | None, tuple[str, ...]]],
) -> None:
    elements = list(_element_nodes(complex_type))
    names = (e.get("name") or e.get("ref", "").rpartition(":")[2] for e in elements)
    own[key] = (_base(complex_type, target_namespace), tuple(n for n in names if n))
    for element in elements:
        inline = element.find(_XS + "complexType")
        if inline is not None and element.get("name"):
            _collect(inline, f"{key}/{element.get('name')}", target_namespace, own)


def _base(complex_type: etree._Element, target_namespace: str | None) -> str | None:
    """The local name of the type ``complex_type`` extends in this schema's namespace."""
    extension = complex_type.find(f"{_XS}complexContent/{_XS}extension")
    if extension is None or not extension.get("base"):
        return None
    prefix, _, local = str(extension.get("base")).rpartition(":")
    return local if extension.nsmap.get(prefix or None) == target_namespace else None


def _element_nodes(node: etree._Element) -> Iterator[etree._Element]:
    """The ``xs:element`` particles of ``node``'s content model, in document order."""
    for child in node:
        if child.tag in _CONTAINERS:
            yield from _element_nodes(child)
        elif child.tag == _XS + "element":
            yield child
