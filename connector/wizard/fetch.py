"""Fetching the schema a connection serves, as Boomi's connector does: ``?xsd=1``, else ``?wsdl``.

Only the connection's own origin is ever contacted: a WSDL that points its schema elsewhere is
refused rather than followed, and nothing a schema references is fetched (the schema is loaded
with every external resource forbidden, see :mod:`connector.wizard.served`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx
from lxml import etree

from connector.atomsphere.connection import Connection
from connector.atomsphere.responses import error_message
from connector.errors import (
    ApplicationError,
    AuthenticationError,
    FatalRemoteError,
    RemoteError,
    RetriableError,
    XMLInputError,
)
from connector.xml import API_NS, XS_NS, local_name, parse_xml

WSDL_NS: Final = "http://schemas.xmlsoap.org/wsdl/"
#: How much of an error body a message quotes.
_BODY_EXCERPT: Final = 200


@dataclass(frozen=True)
class SchemaDocument:
    """The bytes of one XML Schema document and the URL (or label) it came from."""

    data: bytes
    origin: str


def fetch_schema(
    connection: Connection, transport: httpx.BaseTransport | None = None
) -> SchemaDocument:
    """The API schema ``connection`` serves: ``?xsd=1``, or the schema its ``?wsdl`` carries.

    A 404 or 405 on ``?xsd=1`` falls back to the WSDL; any other failure is raised with the URL
    and HTTP status (secrets scrubbed).
    """
    with connection.http_client(transport) as client:
        xsd_url = f"{connection.soap_url}?xsd=1"
        response = _get(client, connection, xsd_url)
        if response.status_code not in (404, 405):
            _raise_for_status(response, connection, xsd_url)
            return SchemaDocument(response.content, xsd_url)
        wsdl_url = f"{connection.soap_url}?wsdl"
        response = _get(client, connection, wsdl_url)
        _raise_for_status(response, connection, wsdl_url)
        return _schema_from_wsdl(client, connection, response.content, wsdl_url)


def _get(client: httpx.Client, connection: Connection, url: str) -> httpx.Response:
    try:
        return client.get(url, headers={"Accept": "application/xml, text/xml"})
    except httpx.TimeoutException as exc:
        raise RetriableError(connection.scrub(f"{url}: timed out ({exc})")) from None
    except httpx.HTTPError as exc:
        raise RetriableError(connection.scrub(f"{url}: cannot connect ({exc})")) from None


def _raise_for_status(response: httpx.Response, connection: Connection, url: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    found = error_message(response.content, response.headers.get("content-type"))
    body = found or " ".join(response.text.split())[:_BODY_EXCERPT]
    reason = response.reason_phrase or ""
    message = connection.scrub(
        f"{url}: HTTP {status} {reason}".rstrip() + (f": {body}" if body else "")
    )
    error: type[RemoteError]
    if status == 401:
        error = AuthenticationError
    elif status in (503, 504):
        error = RetriableError
    elif 400 <= status < 500:
        error = ApplicationError
    else:
        error = FatalRemoteError
    raise error(message, status=status, body=connection.scrub(response.text[:_BODY_EXCERPT]))


def _schema_from_wsdl(
    client: httpx.Client, connection: Connection, data: bytes, wsdl_url: str
) -> SchemaDocument:
    """The API namespace's schema inside (or imported by) a WSDL's ``types``.

    A WSDL may carry other namespaces' schemas (faults, common types), or a wrapper schema that
    imports several: only the schema whose targetNamespace is the API's is the API's schema.
    """
    root = parse_xml(data, source=wsdl_url)
    if root.tag != f"{{{WSDL_NS}}}definitions":
        raise XMLInputError(f"{wsdl_url}: not a WSDL 1.1 document (root {local_name(root.tag)!r})")
    schemas = root.findall(f"{{{WSDL_NS}}}types/{{{XS_NS}}}schema")
    for schema in schemas:
        if schema.get("targetNamespace") == API_NS and any(_is_definition(c) for c in schema):
            return SchemaDocument(etree.tostring(schema, encoding="UTF-8"), wsdl_url)
    seen: list[str] = []
    for schema in schemas:
        seen.append(schema.get("targetNamespace", ""))
        for reference in schema.iter(f"{{{XS_NS}}}import", f"{{{XS_NS}}}include"):
            # An include brings its schema's own namespace; an import names the one it brings.
            if local_name(reference.tag) == "include":
                namespace = schema.get("targetNamespace", "")
            else:
                namespace = reference.get("namespace", "")
            location = reference.get("schemaLocation")
            seen.append(namespace)
            if location and namespace == API_NS:
                return _fetch_imported(client, connection, urljoin(wsdl_url, location))
    others = ", ".join(sorted({n or "no namespace" for n in seen}))
    raise XMLInputError(
        f"{wsdl_url}: the WSDL carries no XML Schema for the API namespace {API_NS}"
        + (f" (only {others})" if others else "")
    )


def _fetch_imported(client: httpx.Client, connection: Connection, url: str) -> SchemaDocument:
    """The schema document a WSDL imports for the API namespace, from the connection's origin."""
    _require_same_origin(url, connection)
    response = _get(client, connection, url)
    _raise_for_status(response, connection, url)
    root = parse_xml(response.content, source=url)
    namespace = root.get("targetNamespace", "")
    if root.tag == f"{{{XS_NS}}}schema" and namespace != API_NS:
        raise XMLInputError(
            f"{url}: the WSDL imports it for {API_NS}, but its targetNamespace is "
            f"{namespace or 'absent'}"
        )
    return SchemaDocument(response.content, url)


def _is_definition(element: etree._Element) -> bool:
    return local_name(element.tag) not in ("", "annotation", "import", "include")


def _require_same_origin(url: str, connection: Connection) -> None:
    wanted, got = urlsplit(connection.soap_url), urlsplit(url)
    if (got.scheme, got.netloc) != (wanted.scheme, wanted.netloc):
        raise XMLInputError(
            f"the WSDL imports its schema from {url}, outside the connection's "
            f"{wanted.scheme}://{wanted.netloc}; refusing to fetch it"
        )
