"""Request bodies read as the endpoint's type: XML (any prefix, lenient ``xsi:type``) or JSON (by
Content-Type, or sniffed when none is sent).

A Create or Update names its type (``check_root``): an XML root element of another name, or in
a namespace other than the API's, or a JSON ``@type`` of another type, is a body of the wrong
type, 400, as the API's JAXB reader answers. (A root in no namespace is read, as one of Boomi's
own examples sends it; other endpoints read any root, as some of their examples name it
differently.)"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from connector.errors import XMLInputError
from connector.sandbox.codec_json import from_json
from connector.sandbox.codec_xml import BodyProblem, read_record
from connector.sandbox.shapes import Record, Shapes
from connector.sandbox.wire import Request
from connector.xml import API_NS, parse_xml


def body_root(request: Request, what: str) -> etree._Element:
    try:
        return parse_xml(request.body, source=what)
    except XMLInputError as exc:
        raise BodyProblem(str(exc)) from None


def body_json(request: Request, what: str) -> Any:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BodyProblem(f"{what}: not valid JSON: {exc}") from None


def read_body(
    shapes: Shapes, request: Request, type_name: str, *, check_root: bool = False
) -> Record:
    """The body as a record of ``type_name``; an empty body is an empty record."""
    if not request.body.strip():
        return {}
    if request.body_is_json:
        data = body_json(request, type_name)
        if isinstance(data, dict) and len(data) == 1:
            ((only_key, inner),) = data.items()
            if only_key == type_name and isinstance(inner, dict):
                data = inner  # {"ExecutionRequest": {...}}: some examples wrap the object
        if check_root and isinstance(data, dict) and data.get("@type", type_name) != type_name:
            sent = str(data["@type"])[:100]
            raise BodyProblem(f"Unexpected @type {sent!r}: the body must be a {type_name}")
        return from_json(shapes, type_name, data)
    root = body_root(request, type_name)
    if check_root:
        _check_root(root, type_name)
    return read_record(shapes, type_name, root)


def _check_root(root: etree._Element, type_name: str) -> None:
    name = etree.QName(root)
    if name.localname != type_name or name.namespace not in (API_NS, None):
        uri = (name.namespace or "")[:100]
        raise BodyProblem(
            f'unexpected element (uri:"{uri}", local:"{name.localname[:100]}"). '
            f"Expected elements are <{{{API_NS}}}{type_name}>"
        )
