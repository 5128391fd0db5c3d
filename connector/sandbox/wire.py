"""The sandbox's own HTTP values: a request in, a response out, nothing else.

The application is a function from :class:`Request` to :class:`Response`; the httpx transport
and the loopback server only translate to and from these, so both adapters answer identically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final
from urllib.parse import parse_qsl

from connector.sandbox.accept import prefers_json

XML_TYPE: Final = "application/xml"
JSON_TYPE: Final = "application/json"
TEXT_TYPE: Final = "text/plain"
HTML_TYPE: Final = "text/html"


def _fold(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name.lower(), value) for name, value in headers)


@dataclass(frozen=True)
class Request:
    """One HTTP request. Header names are kept lower-case; ``query`` is the raw query string."""

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    #: The peer's address ("127.0.0.1"); in-process requests count as loopback.
    client: str = "127.0.0.1"
    #: ``scheme://host[:port]`` the request was sent to, for URLs the answer points back at.
    origin: str = "http://sandbox.invalid"
    #: Whether ``Host`` names the server: the loopback server checks it against the address it
    #: listens on (DNS rebinding, see :mod:`connector.loopback`); in-process, no other name
    #: could reach the sandbox.
    host_served: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "headers", _fold(self.headers))

    def header(self, name: str, default: str = "") -> str:
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return default

    @property
    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower-case."""
        return media_type(self.header("content-type"))

    @property
    def wants_json(self) -> bool:
        """True when the client's Accept ranks JSON above XML (q-values, wildcards); XML is the
        default."""
        return prefers_json(self.header("accept"))

    @property
    def body_is_json(self) -> bool:
        """True when the body is JSON: by a JSON or XML Content-Type, else (another type, such
        as text/plain, or none) by its first non-blank byte, leniently, as clients mislabel."""
        kind = self.content_type
        if kind == JSON_TYPE or kind.endswith("+json"):
            return True
        if kind in (XML_TYPE, "text/xml") or kind.endswith("+xml"):
            return False
        return self.body.lstrip()[:1] in (b"{", b"[")


class Abort(StrEnum):
    """How the connection ends instead of (or while) delivering a response."""

    #: The peer resets the connection before any byte of the response.
    RESET = "reset"
    #: Headers announce the whole body, the connection closes after part of it.
    TRUNCATE = "truncate"
    #: The request was processed; the peer resets after the headers and part of the body
    #: (before the headers when there is no body).
    RESET_BODY = "reset-body"


@dataclass(frozen=True)
class Response:
    """One HTTP response; ``abort`` asks the adapter to break the connection on purpose."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    abort: Abort | None = None
    #: Bytes delivered before a TRUNCATE or RESET_BODY abort.
    truncate_at: int = 0
    #: Seconds the adapter waits before answering (injected latency).
    delay: float = 0.0

    def header(self, name: str, default: str = "") -> str:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return default

    @property
    def content_type(self) -> str:
        return media_type(self.header("content-type"))

    def with_headers(self, *pairs: tuple[str, str]) -> Response:
        return replace(self, headers=(*self.headers, *pairs))


def media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def respond(status: int, body: bytes = b"", content_type: str | None = None) -> Response:
    headers: tuple[tuple[str, str], ...] = ()
    if content_type:
        headers = (("Content-Type", content_type),)
    return Response(status=status, headers=headers, body=body)
