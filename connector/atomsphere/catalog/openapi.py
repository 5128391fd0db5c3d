"""Reading Boomi's OpenAPI document: from a file or a URL, with ``$ref`` resolution.

The spec is large (4 MB) but trusted only as data: it is parsed with :mod:`json`, bounded in
size, and nothing in it is executed or fetched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from connector.atomsphere.urls import check_http_url, looks_like_url
from connector.errors import ConfigError, Problem

#: The most the generator reads from one location (the spec is 4 MB, the XSD under 1 MB).
MAX_SPEC_BYTES: Final = 64 * 1024 * 1024
_IDENTIFIER: Final = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
ENVELOPE_NAMES: Final = frozenset(
    {
        "QueryConfig",
        "SimpleExpression",
        "GroupingExpression",
        "QueryResult",
        "BulkRequest",
        "BulkResult",
        "AsyncOperationTokenResult",
        "QueryFilter",
    }
)


@dataclass(frozen=True)
class OpenAPIDocument:
    """A parsed spec plus the hash of its exact bytes (recorded in the catalog)."""

    data: Mapping[str, Any]
    sha256: str
    source: str

    @property
    def schemas(self) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self.data.get("components", {}).get("schemas", {})
        return result

    @property
    def paths(self) -> Mapping[str, Any]:
        result: Mapping[str, Any] = self.data.get("paths", {})
        return result

    def resolve(self, node: Mapping[str, Any], where: str = "") -> Mapping[str, Any]:
        """Follow ``$ref`` chains inside the document (``where``: the JSON path of ``node``)."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen or not isinstance(ref, str) or not ref.startswith("#/"):
                raise self.error(where, f"unresolvable $ref {ref!r}")
            seen.add(ref)
            target: Any = self.data
            for part in ref[2:].split("/"):
                key = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, Mapping) or key not in target:
                    raise self.error(where, f"$ref {ref!r} points at nothing")
                target = target[key]
            node = target
        if not isinstance(node, Mapping):
            raise self.error(where, f"expected an object, found {type(node).__name__}")
        return node

    def error(self, where: str, message: str) -> ConfigError:
        """A problem at the JSON path ``where`` of the spec, as one line naming the file."""
        return ConfigError([Problem(message, self.source, field=where)])


def json_path(*parts: str | int) -> str:
    """``components.schemas.X.properties["bad name"]``: a JSON path people can follow."""
    text = ""
    for part in parts:
        text = child(text, part)
    return text


def child(path: str, key: str | int) -> str:
    """The JSON path of ``key`` under ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def ref_name(node: Mapping[str, Any]) -> str | None:
    """The schema name a ``{"$ref": "#/components/schemas/X"}`` points at."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return ref.rsplit("/", 1)[1]
    return None


def load_openapi(location: str, *, client: httpx.Client | None = None) -> OpenAPIDocument:
    """Load a spec from a path or an ``http(s)://`` URL (see :func:`read_location`)."""
    raw = read_location(
        location, what="spec", option="--spec", accept="application/json", client=client
    )
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError([Problem(f"not valid JSON: {exc}", location, line)]) from None
    if not isinstance(data, dict) or not str(data.get("openapi", "")).startswith("3."):
        raise ConfigError([Problem("not an OpenAPI 3 document (no 'openapi: 3.x')", location)])
    if not data.get("paths") or not data.get("components", {}).get("schemas"):
        raise ConfigError([Problem("the spec has no paths or no component schemas", location)])
    return OpenAPIDocument(data, hashlib.sha256(raw).hexdigest(), location)


def read_location(
    location: str,
    *,
    what: str,
    option: str,
    accept: str,
    client: httpx.Client | None = None,
) -> bytes:
    """The bytes at a path or an ``http(s)://`` URL, at most :data:`MAX_SPEC_BYTES`.

    Everything the generator reads (the spec, an element-order XSD) comes through here, so a
    missing file or a failed fetch is one :class:`ConfigError` naming ``what`` and the location.
    For a URL (e.g. an account's ``/api/rest/v1/{accountId}/openapi.json`` or ``?xsd=1``),
    credentials come from ``ATOMSPHERE_USERNAME`` with ``ATOMSPHERE_API_TOKEN`` or
    ``ATOMSPHERE_PASSWORD``, never from the URL (one with ``user:secret@`` is refused, naming
    the command-line ``option``).
    """
    if looks_like_url(location):
        url = check_http_url(  # never one with a password in it
            location,
            field=option,
            credentials="set ATOMSPHERE_USERNAME and ATOMSPHERE_API_TOKEN or ATOMSPHERE_PASSWORD",
        )
        return _fetch(url, what, accept, client)
    path = Path(location)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise ConfigError([Problem(f"larger than {MAX_SPEC_BYTES} bytes", location)])
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Problem(f"{what} file not found", location)]) from None
    except OSError as exc:
        raise ConfigError([Problem(f"cannot read {what}: {exc.strerror}", location)]) from None


def _fetch(url: str, what: str, accept: str, client: httpx.Client | None) -> bytes:
    user = os.environ.get("ATOMSPHERE_USERNAME")
    token = os.environ.get("ATOMSPHERE_API_TOKEN")
    password = os.environ.get("ATOMSPHERE_PASSWORD")
    auth: httpx.BasicAuth | None = None
    if user and token:
        auth = httpx.BasicAuth(f"BOOMI_TOKEN.{user}", token)
    elif user and password:
        auth = httpx.BasicAuth(user, password)
    own = client is None
    http = client or httpx.Client(timeout=60.0, follow_redirects=True)
    try:
        with http.stream("GET", url, auth=auth, headers={"Accept": accept}) as resp:
            if resp.status_code != 200:
                raise ConfigError([Problem(f"HTTP {resp.status_code} fetching the {what}", url)])
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > MAX_SPEC_BYTES:
                    raise ConfigError([Problem(f"larger than {MAX_SPEC_BYTES} bytes", url)])
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise ConfigError(
            [Problem(f"cannot fetch the {what}: {type(exc).__name__}", url)]
        ) from None
    finally:
        if own:
            http.close()
