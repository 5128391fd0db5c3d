"""Response bodies in the format the client asked for: records, the API's envelopes
(QueryResult, BulkResult, AsyncOperationTokenResult, AsyncOperationResult, QueueMessageResponse)
and error bodies. XML uses the ``bns`` prefix and an XML declaration on one line, as the API
does; JSON carries ``@type`` everywhere."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree

from connector.sandbox.codec_json import to_json
from connector.sandbox.codec_xml import new_root, write_record, xsi_type_value
from connector.sandbox.shapes import Record, Shapes
from connector.sandbox.wire import JSON_TYPE, XML_TYPE, Response
from connector.xml import XSI_TYPE, api

XML_CONTENT_TYPE: Final = f"{XML_TYPE};charset=UTF-8"
JSON_CONTENT_TYPE: Final = f"{JSON_TYPE};charset=UTF-8"
_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


@dataclass(frozen=True)
class Typed:
    """A record with the type it is written as (``xsi:type`` / ``@type``)."""

    type: str
    record: Record


@dataclass(frozen=True)
class BulkItem:
    status: int
    result: Typed | None = None
    id: str | None = None
    error: str | None = None


class Renderer:
    """Writes bodies as XML or JSON (one renderer per response)."""

    def __init__(self, shapes: Shapes, as_json: bool) -> None:
        self.shapes = shapes
        self.as_json = as_json

    # -- plumbing -------------------------------------------------------------------------------

    def _xml(self, root: etree._Element, status: int) -> Response:
        body = _DECLARATION + etree.tostring(root, encoding="UTF-8")
        return Response(status, (("Content-Type", XML_CONTENT_TYPE),), body)

    def _json(self, value: Any, status: int) -> Response:
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(status, (("Content-Type", JSON_CONTENT_TYPE),), body)

    def _slot(self, parent: etree._Element, tag: str, item: Typed) -> None:
        element = etree.SubElement(parent, api(tag))
        element.set(XSI_TYPE, xsi_type_value(item.type))
        write_record(self.shapes, item.type, item.record, element)

    # -- bodies ---------------------------------------------------------------------------------

    def record(self, item: Typed, status: int = 200, root: str | None = None) -> Response:
        if self.as_json:
            return self._json(to_json(self.shapes, item.type, item.record), status)
        element = new_root(root or item.type)
        return self._xml(write_record(self.shapes, item.type, item.record, element), status)

    def query_result(self, items: Sequence[Typed], token: str | None, number: int) -> Response:
        if self.as_json:
            value: dict[str, Any] = {"@type": "QueryResult"}
            if token:
                value["queryToken"] = token
            value["result"] = [to_json(self.shapes, i.type, i.record) for i in items]
            value["numberOfResults"] = number
            return self._json(value, 200)
        root = new_root("QueryResult")
        root.set("numberOfResults", str(number))
        if token:
            etree.SubElement(root, api("queryToken")).text = token
        for item in items:
            self._slot(root, "result", item)
        return self._xml(root, 200)

    def bulk_result(self, items: Sequence[BulkItem]) -> Response:
        if self.as_json:
            responses = []
            for item in items:
                entry: dict[str, Any] = {"@type": "BulkResponse"}
                if item.result is not None:
                    entry["Result"] = to_json(self.shapes, item.result.type, item.result.record)
                if item.id is not None:
                    entry["id"] = item.id
                entry["statusCode"] = item.status
                if item.error is not None:
                    entry["errorMessage"] = item.error
                responses.append(entry)
            return self._json({"@type": "BulkResult", "response": responses}, 200)
        root = new_root("BulkResult")
        for item in items:
            response = etree.SubElement(root, api("response"))
            if item.id is not None:
                response.set("id", item.id)
            response.set("statusCode", str(item.status))
            if item.error is not None:
                response.set("errorMessage", item.error)
            if item.result is not None:
                self._slot(response, "Result", item.result)
        return self._xml(root, 200)

    def async_token(self, token: str) -> Response:
        record = {"asyncToken": {"token": token}, "responseStatusCode": "202"}
        return self.record(Typed("AsyncOperationTokenResult", record))

    def async_result(self, items: Sequence[Typed]) -> Response:
        if self.as_json:
            value = {
                "@type": "AsyncOperationResult",
                "result": [to_json(self.shapes, i.type, i.record) for i in items],
                "numberOfResults": len(items),
                "responseStatusCode": 200,
            }
            return self._json(value, 200)
        root = new_root("AsyncOperationResult")
        root.set("numberOfResults", str(len(items)))
        root.set("responseStatusCode", "200")
        for item in items:
            self._slot(root, "result", item)
        return self._xml(root, 200)

    def queue_message(self, session_id: str, message: str) -> Response:
        if self.as_json:
            value = {"@type": "QueueMessageResponse", "sessionId": session_id, "message": message}
            return self._json(value, 200)
        root = new_root("QueueMessageResponse")
        root.set("sessionId", session_id)
        root.set("message", message)
        return self._xml(root, 200)

    def error(self, status: int, message: str) -> Response:
        """Boomi's error body: ``<error><message>`` (no namespace) or ``@type: Error``."""
        return self.message("error", status, message)

    def message(self, root_name: str, status: int, message: str) -> Response:
        if self.as_json:
            if root_name == "error":
                return self._json({"@type": "Error", "message": message}, status)
            return self._json({"message": message}, status)
        root = etree.Element(root_name)
        etree.SubElement(root, "message").text = message
        return self._xml(root, status)
