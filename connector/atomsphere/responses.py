"""Reading the API's answers leniently: envelopes, records, async tokens and error bodies.

Responses are matched on the media type alone (``application/xml; charset=UTF-8`` is XML) and on
element local names, never on prefixes: Boomi's envelopes are ``bns:``-prefixed in one example
and use the default namespace in the next. A record inside an envelope (``<bns:result
xsi:type="bns:Environment">``) is re-rooted as its object element (``<bns:Environment>``) without
the ``xsi:type``, so each record is a stand-alone document a response profile rooted at the
object validates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree

from connector.atomsphere.lenient import qualify_xsi_types
from connector.errors import FatalRemoteError, XMLInputError
from connector.xml import (
    API_NS,
    API_PREFIX,
    XSI_TYPE,
    api,
    local_name,
    parse_xml,
    strip_formatting_whitespace,
    to_bytes,
    xsi_type_local_name,
)

#: How much of an unreadable body is kept for diagnostics (after secrets are scrubbed).
RAW_BODY_LIMIT: Final = 4096

#: How far into an unparsable body a gateway page's ``<title>`` is looked for.
TITLE_SCAN_LIMIT: Final = 64 * 1024
#: A title is a line of text; a longer one is cut (a page title is not a document).
TITLE_MAX: Final = 300
# No ``<`` inside a tag: each match attempt stops at the next ``<``, so hostile text stays linear.
_TAGS = re.compile(r"<[^<>]*>")


def media_type(content_type: str | None) -> str:
    """``application/xml; charset=UTF-8`` → ``application/xml``."""
    return (content_type or "").partition(";")[0].strip().lower()


def is_json(content_type: str | None, body: bytes) -> bool:
    kind = media_type(content_type)
    if kind.endswith("json"):
        return True
    return not kind and body.lstrip()[:1] in (b"{", b"[")


def parse_envelope(body: bytes, content_type: str | None, *, source: str) -> etree._Element:
    """Parse an XML response body; an answer that is not XML is the remote side's failure."""
    if is_json(content_type, body):
        raise FatalRemoteError(f"{source}: expected an XML response, got JSON")
    try:
        root = parse_xml(body, source=source)
    except XMLInputError as exc:
        raise FatalRemoteError(f"unreadable answer: {exc}") from None
    strip_formatting_whitespace(root)
    return root


def children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Child elements called ``name`` in any namespace (Boomi's examples are not consistent)."""
    for child in element:
        if local_name(child.tag) == name:
            yield child


def first_child(element: etree._Element, name: str) -> etree._Element | None:
    return next(children(element, name), None)


def reroot(
    record: etree._Element, element_name: str, known_types: Container[str] = ()
) -> etree._Element:
    """``record`` as a stand-alone ``<bns:{element_name}>`` element in the API namespace.

    Attributes (except ``xsi:type``), text and children move over unchanged; nested ``xsi:type``
    values naming API types are qualified so they resolve.
    """
    fresh = etree.Element(api(element_name), nsmap={API_PREFIX: API_NS})
    for key, value in record.attrib.items():
        if key != XSI_TYPE:
            fresh.set(key, value)
    fresh.text = record.text
    fresh.extend(list(record))
    fresh = qualify_xsi_types(fresh, known_types)
    etree.cleanup_namespaces(fresh)
    return fresh


def record_type(record: etree._Element, default: str) -> str:
    """The object a polymorphic slot holds: its ``xsi:type`` local name, else ``default``."""
    return xsi_type_local_name(record) or default


# -- envelopes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryPage:
    """One page of a query: its records (re-rooted) and the token for the next page, if any."""

    records: tuple[bytes, ...]
    token: str | None
    number_of_results: int | None = None


def parse_query_page(
    root: etree._Element, default_type: str, known_types: Container[str] = ()
) -> QueryPage:
    """A ``QueryResult`` page. The token is the only end signal: ``numberOfResults`` is ambiguous
    on the real API, so it is reported but never used to stop."""
    if local_name(root.tag) != "QueryResult" and first_child(root, "result") is None:
        raise FatalRemoteError(f"expected a QueryResult page, got <{local_name(root.tag)}>")
    token_element = first_child(root, "queryToken")
    token = (token_element.text or "").strip() if token_element is not None else ""
    records = tuple(
        to_bytes(reroot(r, record_type(r, default_type), known_types))
        for r in children(root, "result")
    )
    return QueryPage(records, token or None, _int(root.get("numberOfResults")))


def parse_async_token(root: etree._Element) -> str:
    """The token of an ``AsyncOperationTokenResult`` (or ListQueues' ``sessionId``)."""
    for element in root.iter():
        if local_name(element.tag) == "asyncToken" and element.get("token"):
            return str(element.get("token")).strip()
    session = root.get("sessionId")
    if session:
        return session.strip()
    raise FatalRemoteError(f"no async token in <{local_name(root.tag)}>")


def parse_async_result(
    root: etree._Element, default_type: str, known_types: Container[str] = ()
) -> tuple[bytes, ...]:
    """The records of an ``AsyncOperationResult``.

    An empty result may still hold one empty typed element with ``numberOfResults="0"``; it is
    not a record.
    """
    results = list(children(root, "result"))
    if _int(root.get("numberOfResults")) == 0 and all(_is_empty(r) for r in results):
        return ()
    return tuple(to_bytes(reroot(r, record_type(r, default_type), known_types)) for r in results)


def single_record(
    root: etree._Element, default_type: str, known_types: Container[str] = ()
) -> etree._Element:
    """A response that is one object, or an envelope around one (``ExecutionRecord/async``)."""
    results = list(children(root, "result"))
    if results:
        return reroot(results[0], record_type(results[0], default_type), known_types)
    return root


def field_value(element: etree._Element, name: str) -> str | None:
    """A field of a record, as an attribute or a child element (the API uses both, per field)."""
    value = element.get(name)
    if value is not None:
        return value.strip()
    child = first_child(element, name)
    if child is not None and child.text is not None and child.text.strip():
        return child.text.strip()
    return None


def _is_empty(element: etree._Element) -> bool:
    return (
        len(element) == 0 and not (element.text or "").strip() and set(element.attrib) <= {XSI_TYPE}
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- error bodies --------------------------------------------------------------------------------


def error_message(body: bytes, content_type: str | None) -> str | None:
    """The API's message from any of its three error shapes, or None when the body has none.

    XML ``<error><message>…</message></error>`` (any namespace, or a ``message`` attribute);
    JSON ``{"error": {"message": …}}``, ``{"message": …}`` and ``{"@type": "Error", "message":
    …}``; an HTML gateway page gives its ``<title>``.
    """
    text = body.strip()
    if not text:
        return None
    if is_json(content_type, text):
        return _json_message(text)
    if text[:1] == b"<":
        return _xml_message(text)
    return None


def _json_message(text: bytes) -> str | None:
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: [[[[... nested too deeply
        return None
    if not isinstance(data, dict):
        return None
    nested = data.get("error")
    if isinstance(nested, dict) and nested.get("message") is not None:
        return str(nested["message"]).strip()
    for key in ("message", "errorMessage"):
        if data.get(key) is not None:
            return str(data[key]).strip()
    if isinstance(nested, str):
        return nested.strip()
    return None


def _xml_message(text: bytes) -> str | None:
    try:
        root = parse_xml(text, source="error body", max_bytes=1024 * 1024)
    except XMLInputError:
        return _html_title(text)
    if local_name(root.tag).lower() == "html":
        for element in root.iter():
            if local_name(element.tag).lower() == "title":
                return _clean("".join(str(t) for t in element.itertext()))
        return None
    for key in ("message", "errorMessage"):
        if root.get(key):
            return str(root.get(key)).strip()
    for element in root.iter():
        if local_name(element.tag) in ("message", "errorMessage"):
            return "".join(str(t) for t in element.itertext()).strip()
    return None


def _html_title(text: bytes) -> str | None:
    """The ``<title>`` of a page that is not well-formed, found in linear time.

    A regular expression like ``<title[^>]*>(.*?)</title>`` backtracks quadratically on a body
    of repeated ``<title`` and takes minutes on a few hundred KB a hostile gateway may send.
    """
    head = text[:TITLE_SCAN_LIMIT]
    lowered = head.lower()
    start = lowered.find(b"<title")
    opened = lowered.find(b">", start) if start >= 0 else -1
    end = lowered.find(b"</title", opened) if opened >= 0 else -1
    if end < 0:
        return None
    title = _clean(head[opened + 1 : end].decode("utf-8", "replace"))
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX] + "…"


def _clean(text: str) -> str:
    return " ".join(_TAGS.sub(" ", text).split())


def means_not_found(status: int | None, message: str) -> bool:
    """A 404, or the API's 400 business error for an unknown id ("No such environment: x")."""
    return status == 404 or (status == 400 and message.lower().startswith("no such "))


def raw_excerpt(body: bytes, limit: int = RAW_BODY_LIMIT) -> str:
    """The start of a body as text, for diagnostics (callers scrub secrets from it)."""
    text = body[:limit].decode("utf-8", "replace")
    return text + ("…" if len(body) > limit else "")
