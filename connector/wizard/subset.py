"""Which definitions of a served schema a profile needs: everything reachable from its root.

Reachable means referenced by name from the root's definition, transitively (types, bases,
element and attribute references, groups, list and union members, substitution groups), plus
the polymorphic content an instance may carry: wherever an element is declared with a complex
type, a document may put any type derived from it there with ``xsi:type``, so those derived types
are reachable too. A strict wildcard that admits the API namespace makes every global element
reachable. Nothing outside the API namespace can be held, except XML Schema's built-in types.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from lxml import etree

from connector.errors import XMLInputError
from connector.wizard.served import DEFINITION_KINDS, ServedSchema
from connector.xml import XS_NS, local_name

#: Per XSD tag, its attributes holding QNames and the kind of definition each names
#: ("type" is a complex or simple type).
QNAME_ATTRIBUTES: Final[dict[str, dict[str, str]]] = {
    "element": {"type": "type", "ref": "element", "substitutionGroup": "element"},
    "attribute": {"type": "type", "ref": "attribute"},
    "extension": {"base": "type"},
    "restriction": {"base": "type"},
    "group": {"ref": "group"},
    "attributeGroup": {"ref": "attributeGroup"},
    "list": {"itemType": "type"},
    "union": {"memberTypes": "type"},
    # An identity constraint is declared inside the element that uses it: nothing to fetch.
    "keyref": {"refer": "identity"},
}

XML_NS: Final = "http://www.w3.org/XML/1998/namespace"

Key = tuple[str, str]
"""A top-level definition: (XSD kind, local name), e.g. ``("complexType", "Environment")``."""


@dataclass(frozen=True)
class Subset:
    """The root of a profile and the definitions it holds, in a stable order."""

    root: str
    #: True when the served schema declares the root element (else the profile declares it).
    root_declared: bool
    root_type: str | None
    definitions: tuple[Key, ...]


def reachable(served: ServedSchema, root: str) -> Subset:
    """The definitions a document rooted at ``root`` can use, or XMLInputError if ``root`` is
    not defined or reaches outside the API namespace."""
    declared = ("element", root) in served.definitions
    start: list[Key] = []
    root_type: str | None = None
    if declared:
        start.append(("element", root))
    elif ("complexType", root) in served.definitions:
        root_type = root
        start.append(("complexType", root))
        start.extend(("complexType", d) for d in served.derived_types(root))
    else:
        raise XMLInputError(f"{served.origin} defines no element or complex type {root!r}")
    seen: set[Key] = set()
    todo = deque(start)
    while todo:
        key = todo.popleft()
        if key in seen:
            continue
        definition = served.definitions.get(key)
        if definition is None:
            raise XMLInputError(f"{served.origin}: {key[1]!r} is referenced but not defined")
        seen.add(key)
        todo.extend(k for k in references(served, definition) if k not in seen)
    if declared:
        element = served.element(root)
        xsd_type = element.type if element is not None else None
        root_type = xsd_type.local_name if xsd_type is not None and xsd_type.name else None
    order = {kind: i for i, kind in enumerate(DEFINITION_KINDS)}
    ordered = sorted(seen, key=lambda k: (k != ("element", root), order[k[0]], k[1]))
    return Subset(root, declared, root_type, tuple(ordered))


def references(served: ServedSchema, definition: etree._Element) -> Iterator[Key]:
    """Every definition ``definition`` names, and the types derived from its element slots."""
    for node in definition.iter(f"{{{XS_NS}}}*"):
        tag = local_name(node.tag)
        for attribute, kind in QNAME_ATTRIBUTES.get(tag, {}).items():
            for value in (node.get(attribute) or "").split():
                name = resolve_qname(served, node, value)
                if name is None or kind == "identity":
                    continue
                key = type_key(served, name) if kind == "type" else (kind, name)
                yield key
                if tag == "element" and attribute == "type" and key[0] == "complexType":
                    yield from (("complexType", d) for d in served.derived_types(name))
        if tag == "any" and _strict_for_api(served, node):
            yield from (k for k in served.definitions if k[0] == "element")
        elif tag == "element" and node.get("ref") is None and node is definition:
            yield from _substitutes(served, node.get("name", ""))


def resolve_qname(served: ServedSchema, node: etree._Element, value: str) -> str | None:
    """The local name ``value`` refers to in the API namespace; None for a built-in type."""
    prefix, _, local = value.rpartition(":")
    namespace = XML_NS if prefix == "xml" else node.nsmap.get(prefix or None, "")
    if namespace == XS_NS:
        return None
    if namespace != served.namespace:
        raise XMLInputError(
            f"{served.origin}: {value!r} refers to namespace {namespace or '(none)'!r}; a "
            "profile can only hold definitions of the API namespace"
        )
    return local


def type_key(served: ServedSchema, name: str) -> Key:
    if ("complexType", name) in served.definitions:
        return ("complexType", name)
    return ("simpleType", name)


def _strict_for_api(served: ServedSchema, wildcard: etree._Element) -> bool:
    if wildcard.get("processContents", "strict") != "strict":
        return False
    allowed = (wildcard.get("namespace") or "##any").split()
    return "##any" in allowed or "##targetNamespace" in allowed or served.namespace in allowed


def _substitutes(served: ServedSchema, head: str) -> Iterator[Key]:
    """Global elements that may stand in for the global element ``head``."""
    for key, definition in served.definitions.items():
        group = definition.get("substitutionGroup") if key[0] == "element" else None
        if group and resolve_qname(served, definition, group) == head:
            yield key
