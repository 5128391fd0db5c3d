"""Request bodies read as the endpoint's type: XML (any prefix, any root name, lenient
``xsi:type``) or JSON (by Content-Type, or sniffed when none is sent)."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from connector.errors import XMLInputError
from connector.sandbox.codec_json import from_json
from connector.sandbox.codec_xml import BodyProblem, read_record
from connector.sandbox.shapes import Record, Shapes
from connector.sandbox.wire import Request
from connector.xml import parse_xml


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


def read_body(shapes: Shapes, request: Request, type_name: str) -> Record:
    """The body as a record of ``type_name``; an empty body is an empty record."""
    if not request.body.strip():
        return {}
    if request.body_is_json:
        data = body_json(request, type_name)
        if isinstance(data, dict) and len(data) == 1:
            ((only_key, inner),) = data.items()
            if only_key == type_name and isinstance(inner, dict):
                data = inner  # {"ExecutionRequest": {...}}: some examples wrap the object
        return from_json(shapes, type_name, data)
    return read_record(shapes, type_name, body_root(request, type_name))
