"""Base URLs: what an http(s) URL may look like here, and what Boomi's URL forms say.

The rules are regular expressions so that the published connection schema
(``connector/schemas/connection.schema.json``) can carry the very same ones; a test keeps the
two equal. A URL is never echoed in a message: it may carry a password (``user:secret@host``),
which is refused without showing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from connector.errors import ConfigError, Problem

#: Any scheme, then an authority with userinfo (``user:secret@``) in it.
USERINFO: Final = r"^\s*[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*@"
_PORT: Final = (
    r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
)
_HOST: Final = r"(?:[A-Za-z0-9._\-]+|\[[0-9A-Fa-f:.]+\])"
#: An acceptable http(s) URL: a host name, IPv4 or bracketed IPv6 address, an optional port
#: from 1 to 65535, no userinfo, no spaces or control characters (surrounding blanks allowed).
HTTP_URL: Final = (
    rf"^\s*[Hh][Tt][Tt][Pp][Ss]?://{_HOST}(?::{_PORT})?(?:[/?#][^\u0000-\u0020\u007f]*)?\s*$"
)

_USERINFO = re.compile(USERINFO)
_HTTP_URL = re.compile(HTTP_URL)
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_AUTHORITY = re.compile(r"^\s*[^:/?#]+://(?P<authority>[^/?#]*)")
_HOST_PORT = re.compile(r"(?P<host>\[[^\]]*\]?|[^:]*)(?::(?P<port>.*))?")
_WSDL = re.compile(r"^(?P<base>https?://[^/]+)/api/soap/v1/(?P<account>[^/?#]+)", re.IGNORECASE)
_REST = re.compile(
    r"^(?P<base>https?://[^/]+)(?P<partner>/partner)?/api/rest/v1/(?P<account>[^/?#]+)",
    re.IGNORECASE,
)


def looks_like_url(text: str) -> bool:
    """Whether ``text`` starts like a URL (``scheme://``), acceptable or not."""
    return bool(re.match(r"^\s*[A-Za-z][A-Za-z0-9+.\-]*://", text))


#: Where a connection's credentials go instead of the URL.
CONNECTION_CREDENTIALS: Final = "set username, and password or api_token, instead"


def check_http_url(
    text: str,
    field: str = "base_url",
    source: str = "",
    credentials: str = CONNECTION_CREDENTIALS,
) -> str:
    """``text`` stripped when it is an acceptable http(s) URL (see :data:`HTTP_URL`), else a
    ConfigError with one problem saying what is wrong, without the URL itself; ``credentials``
    says where a user name and password belong instead."""
    url = text.strip()
    if _HTTP_URL.match(url):
        return url
    raise ConfigError([Problem(_what_is_wrong(url, credentials), source, field=field)])


def _what_is_wrong(url: str, credentials: str) -> str:
    if _USERINFO.match(url):
        return f"must not carry a user name or password (user:secret@host): {credentials}"
    scheme = _SCHEME.match(url)
    if scheme is None or "://" not in url:
        return "must be an http(s) URL such as https://api.boomi.com"
    if scheme.group(1).lower() not in ("http", "https"):
        return f"must be an http(s) URL, not {scheme.group(1)!r}"
    if re.search(r"[\u0000-\u0020\u007f]", url):
        return "must not contain spaces or control characters"
    authority = _AUTHORITY.match(url)
    parts = _HOST_PORT.fullmatch(authority.group("authority") if authority else "")
    host, port = (parts.group("host"), parts.group("port")) if parts else ("", None)
    if not host:
        return "has no host name"
    if host.startswith("[") and not re.fullmatch(r"\[[0-9A-Fa-f:.]+\]", host):
        return "has an invalid IPv6 address (write it as [::1])"
    if port is not None and not re.fullmatch(_PORT, port):
        return "port must be a number from 1 to 65535"
    return "has an invalid host name (letters, digits, '.', '-' and '_', or an [IPv6] address)"


@dataclass(frozen=True)
class BaseUrl:
    """What a base URL says: the host, and in Boomi's URL forms the account and the API."""

    base: str
    account: str | None = None
    #: True for the Partner API form, False for the REST or WSDL form, None for a bare host.
    partner: bool | None = None


def parse_base_url(url: str) -> BaseUrl:
    """Normalise a base URL; Boomi's WSDL, REST and Partner forms also yield the account id.

    ``https://api.boomi.com/api/soap/v1/acct-1?wsdl`` and ``…/api/rest/v1/acct-1`` → the
    Platform API on ``acct-1``; ``…/partner/api/rest/v1/acct-1`` → the Partner API on ``acct-1``;
    ``https://api.boomi.com/`` → the host alone. Anything :func:`check_http_url` refuses is a
    ConfigError on ``base_url``.
    """
    text = check_http_url(url)
    match = _WSDL.match(text)
    if match:
        return BaseUrl(match.group("base"), match.group("account"), False)
    match = _REST.match(text)
    if match:
        return BaseUrl(match.group("base"), match.group("account"), bool(match.group("partner")))
    parts = urlsplit(text)  # cannot fail: the URL is checked
    return BaseUrl(f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}")


def split_base_url(url: str) -> tuple[str, str | None]:
    """(host, account id or None) of a base URL; see :func:`parse_base_url`."""
    parsed = parse_base_url(url)
    return parsed.base, parsed.account
