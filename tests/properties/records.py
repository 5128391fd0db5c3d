"""Reading output documents and the sandbox's own records, independently of the connector."""

from __future__ import annotations

from lxml import etree

from connector.documents import Document
from connector.sandbox import Sandbox
from connector.sandbox.shapes import Record
from connector.xml import SAFE_PARSER


def root(document: Document) -> etree._Element:
    return etree.fromstring(document.data, parser=SAFE_PARSER)


def field(document: Document, name: str) -> str | None:
    """A field of an output record: an attribute or a child element of its root."""
    element = root(document)
    value = element.get(name)
    if value is not None:
        return value
    for child in element:
        if etree.QName(child).localname == name:
            return child.text or ""
    return None


def held(sandbox: Sandbox, obj: str) -> list[Record]:
    """Every record the sandbox holds for ``obj``, in the order a query returns them."""
    collection = sandbox.store.collection(sandbox.seed.collection_name(obj))
    return [record for _, _, record in collection.scan()]
