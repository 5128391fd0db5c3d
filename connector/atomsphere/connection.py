"""Where and as whom: the AtomSphere connection, its credentials, and how they are loaded.

A connection comes from a YAML file (values may reference ``${ENV_VAR}``), from the
``ATOMSPHERE_*`` environment variables, or from the mapping a host passes through the hooks; the
field names are those of ``plugin.yaml``. Secrets are wrapped in :class:`Secret`, whose ``str``
and ``repr`` never show the value, so a connection can be logged or put in an error safely.
"""

from __future__ import annotations

import base64
import math
import os
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import httpx

from connector.atomsphere.partner import OVERRIDE_PARAMETER, PARTNER_PREFIX, PLATFORM_PREFIX
from connector.atomsphere.urls import BaseUrl, parse_base_url
from connector.errors import ConfigError, Problem
from connector.scrub import Scrubber
from connector.yamlfiles import LoadedYaml, load_yaml_file, packaged_schema, validate

DEFAULT_BASE_URL: Final = "https://api.boomi.com"
TOKEN_USER_PREFIX: Final = "BOOMI_TOKEN."
OTP_HEADER: Final = "X-Boomi-OTP"
#: The ``api`` field: Boomi's Platform API, or the Partner API (which may act on sub-accounts).
PLATFORM: Final = "platform"
PARTNER: Final = "partner"

#: Connection field → environment variable (the same names as ``plugin.yaml``'s ``env``).
ENVIRONMENT: Final[dict[str, str]] = {
    "base_url": "ATOMSPHERE_BASE_URL",
    "account_id": "ATOMSPHERE_ACCOUNT_ID",
    "username": "ATOMSPHERE_USERNAME",
    "password": "ATOMSPHERE_PASSWORD",
    "api_token": "ATOMSPHERE_API_TOKEN",
    "otp": "ATOMSPHERE_OTP",
    "api": "ATOMSPHERE_API",
}

#: Bounds of the number fields (the connection schema states the same ones): a request may take
#: a millisecond to a day; the rate limit is 0 (off) or a thousandth to a million per second.
TIMEOUT_RANGE: Final = (0.001, 86400.0)
TIMEOUT_MESSAGE: Final = "must be a number of seconds from 0.001 to 86400"
RATE_LIMIT_RANGE: Final = (0.001, 1_000_000.0)
RATE_LIMIT_MESSAGE: Final = "must be 0 (no limit) or a number from 0.001 to 1000000"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: A number written as text: decimal, optionally signed, with an optional exponent.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class Secret:
    """A credential whose value is shown only to the code that sends it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class Connection:
    """An AtomSphere account reached with one user's credentials."""

    account_id: str
    username: str
    secret: Secret = field(repr=False)
    auth_type: str = "password"
    base_url: str = DEFAULT_BASE_URL
    otp: Secret | None = field(default=None, repr=False)
    timeout_seconds: float = 60.0
    rate_limit: float = 10.0
    verify_tls: bool = True
    api: str = PLATFORM

    @property
    def partner(self) -> bool:
        """Whether requests go through the Partner API (and may name a sub-account)."""
        return self.api == PARTNER

    @property
    def rest_url(self) -> str:
        """``https://api.boomi.com/api/rest/v1/{accountId}`` (``/partner/api/rest/v1/…`` for the
        Partner API): every REST path hangs off it."""
        prefix = PARTNER_PREFIX if self.partner else PLATFORM_PREFIX
        return f"{self.base_url}{prefix}/{self.account_id}"

    @property
    def soap_url(self) -> str:
        """``…/api/soap/v1/{accountId}``: add ``?wsdl`` or ``?xsd=1`` for the schema."""
        return f"{self.base_url}/api/soap/v1/{self.account_id}"

    @property
    def target(self) -> str:
        """Where this connection goes, without any secret (for messages and reports)."""
        return f"{self.rest_url} as {self.username}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for scrubbing text that might echo one: the password or token
        also as the base64 ``user:secret`` of its Basic-auth header, which a gateway may echo
        (with the ``BOOMI_TOKEN.`` user or without, whichever was sent)."""
        secret = self.secret.reveal()
        values = [secret]
        if secret:
            user = self.username.removeprefix(TOKEN_USER_PREFIX)
            for sent in (user, TOKEN_USER_PREFIX + user):
                values.append(base64.b64encode(f"{sent}:{secret}".encode()).decode("ascii"))
        if self.otp:
            values.append(self.otp.reveal())
        return tuple(v for v in values if v)

    def auth(self) -> httpx.Auth:
        return AtomSphereAuth(self)

    def http_client(self, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        """A plain pooled client for this connection (no retries or rate limit: the API client
        in :mod:`connector.atomsphere.client` adds those)."""
        return httpx.Client(
            auth=self.auth(),
            timeout=httpx.Timeout(self.timeout_seconds),
            verify=self.verify_tls,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": "atomsphere-connector"},
        )

    def scrub(self, text: str) -> str:
        """``text`` with every secret of this connection replaced by ``***``."""
        return Scrubber(self.secrets).text(text)


class AtomSphereAuth(httpx.Auth):
    """HTTP Basic as the Platform API wants it: ``user:password`` or ``BOOMI_TOKEN.user:token``,
    plus the optional two-factor header with password authentication."""

    def __init__(self, connection: Connection) -> None:
        user = connection.username
        if connection.auth_type == "token" and not user.startswith(TOKEN_USER_PREFIX):
            user = TOKEN_USER_PREFIX + user
        self._basic = httpx.BasicAuth(user, connection.secret.reveal())
        password = connection.auth_type == "password"
        self._otp = connection.otp.reveal() if connection.otp and password else None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._otp:
            request.headers[OTP_HEADER] = self._otp
        yield from self._basic.auth_flow(request)


# -- building connections ---------------------------------------------------------------------


def connection_from_mapping(values: Mapping[str, Any], *, source: str = "") -> Connection:
    """Build a connection from plugin.yaml field ids → values (what hosts pass to the hooks)."""
    problems: list[Problem] = []

    def text(key: str) -> str:
        value = values.get(key)
        return "" if value is None else str(value).strip()

    parsed = BaseUrl(DEFAULT_BASE_URL)
    if text("base_url"):
        try:
            parsed = parse_base_url(text("base_url"))
        except ConfigError as exc:
            problems.extend(replace(p, source=source) for p in exc.problems)
    account = text("account_id") or parsed.account or ""
    api = _api(text("api"), parsed, source, problems)
    if not account:
        problems.append(Problem("an account id is required", source, field="account_id"))
    auth_type = text("auth_type") or ("token" if text("api_token") else "password")
    if auth_type not in ("password", "token"):
        problems.append(Problem("must be 'password' or 'token'", source, field="auth_type"))
    username = text("username")
    if not username:
        problems.append(Problem("a user name is required", source, field="username"))
    secret_key = "api_token" if auth_type == "token" else "password"
    secret = text(secret_key)
    if not secret:
        problems.append(
            Problem(f"required for {auth_type} authentication", source, field=secret_key)
        )
    otp = text("otp")
    if otp and auth_type == "token":  # plugin.yaml shows otp with password authentication only
        problems.append(
            Problem(
                "a one-time password goes with password authentication; "
                "token authentication takes none",
                source,
                field="otp",
            )
        )
    numbers = {}
    for key, default, (low, high), message in (
        ("timeout_seconds", 60.0, TIMEOUT_RANGE, TIMEOUT_MESSAGE),
        ("rate_limit", 10.0, RATE_LIMIT_RANGE, RATE_LIMIT_MESSAGE),
    ):
        number = _number(values.get(key, default))
        off = key == "rate_limit" and number == 0
        if number is None or not (off or low <= number <= high):
            problems.append(Problem(message, source, field=key))
        numbers[key] = default if number is None else number
    verify = _boolean(values.get("verify_tls", True))
    if verify is None:
        problems.append(Problem("must be true or false", source, field="verify_tls"))
    if problems:
        raise ConfigError(problems)
    return Connection(
        account_id=account,
        username=username,
        secret=Secret(secret),
        auth_type=auth_type,
        base_url=parsed.base,
        otp=Secret(otp) if otp else None,
        timeout_seconds=numbers["timeout_seconds"],
        rate_limit=numbers["rate_limit"],
        verify_tls=bool(verify),
        api=api,
    )


def _number(raw: Any) -> float | None:
    """A finite number, or its text (a ``${VAR}`` value, an environment or host string)."""
    if isinstance(raw, str):
        raw = raw.strip()
        if not _NUMBER.fullmatch(raw):
            return None
    elif isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        number = float(raw)
    except OverflowError:  # an integer too large for a float is as absurd as infinity
        return None
    return number if math.isfinite(number) else None


def _boolean(raw: Any) -> bool | None:
    """A boolean, or the text ``true``/``false`` in any case (a ``${VAR}`` value, an environment
    or host string); anything else, ``"maybe"`` or ``"no"`` included, is None: a typo must not
    silently mean "verify" or "do not verify"."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        return {"true": True, "false": False}.get(raw.strip().lower())
    return None


def _api(given: str, parsed: BaseUrl, source: str, problems: list[Problem]) -> str:
    """The ``api`` field, else what the base URL's form says; a contradiction is a problem."""
    if given and given not in (PLATFORM, PARTNER):
        problems.append(Problem(f"must be {PLATFORM!r} or {PARTNER!r}", source, field="api"))
        return PLATFORM
    from_url = None if parsed.partner is None else (PARTNER if parsed.partner else PLATFORM)
    if given and from_url and given != from_url:
        problems.append(
            Problem(f"api is {given!r}, but base_url is a {from_url} API URL", source, field="api")
        )
    return given or from_url or PLATFORM


def require_partner(connection: Connection, account: str) -> None:
    """Refuse to name a sub-account on a connection that is not a Partner API connection."""
    if not connection.partner:
        raise ConfigError(
            f"override account {account!r} needs a Partner API connection (api: partner); "
            f"{connection.target} uses the Platform API, which has no {OVERRIDE_PARAMETER}"
        )


def connection_from_environment(env: Mapping[str, str] | None = None) -> Connection | None:
    """The connection the ``ATOMSPHERE_*`` variables describe, or None when none is set."""
    source = os.environ if env is None else env
    values = {key: source[var] for key, var in ENVIRONMENT.items() if source.get(var)}
    if not values:
        return None
    try:
        return connection_from_mapping(values, source="environment")
    except ConfigError as exc:  # name the variable the user set, not the field it feeds
        named = [replace(p, field=ENVIRONMENT.get(p.field, p.field)) for p in exc.problems]
        raise ConfigError(named) from None


def load_connection_file(path: Path, env: Mapping[str, str] | None = None) -> Connection:
    """Load a connection YAML file, expanding ``${ENV_VAR}`` references in its values.

    The schema checks the file as written; what a ``${VAR}`` reference stands for is checked
    once expanded, by the same rules as the environment's values (``true``/``false`` for a
    boolean, a number's digits for a number), and located at the field's line.
    """
    schema = packaged_schema("connection")
    loaded = load_yaml_file(path, schema)
    validate(loaded, schema)
    values = _expand(loaded, os.environ if env is None else env)
    try:
        return connection_from_mapping(values, source=str(path))
    except ConfigError as exc:
        located = [replace(p, line=p.line or loaded.line_of((p.field,))) for p in exc.problems]
        raise ConfigError(located) from None


def _expand(loaded: LoadedYaml, env: Mapping[str, str]) -> dict[str, Any]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in loaded.data.items():
        if key in ("kind", "version"):  # the file's identity, not a setting
            continue
        if isinstance(value, str):

            def lookup(match: re.Match[str], key: str = key) -> str:
                name = match.group(1)
                if name not in env:
                    problems.append(
                        loaded.problem((key,), f"environment variable {name} is not set")
                    )
                    return ""
                return env[name]

            value = _ENV_REF.sub(lookup, value)
        values[key] = value
    if problems:
        raise ConfigError(problems)
    return values


def resolve_connection(
    path: Path | None = None, env: Mapping[str, str] | None = None
) -> Connection | None:
    """A connection file when given, else the environment; None when neither says anything."""
    if path is not None:
        return load_connection_file(path, env)
    return connection_from_environment(env)
