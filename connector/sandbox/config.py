"""The sandbox's settings: one frozen value, with the defaults every other room may rely on."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Final, Literal

from connector.errors import ConfigError

DEFAULT_ACCOUNT_ID: Final = "sandbox-A1B2C3"
DEFAULT_USERNAME: Final = "sandbox@example.com"
DEFAULT_PASSWORD: Final = "sandbox-password"
DEFAULT_API_TOKEN: Final = "sandbox-token"
#: A user who authenticates (with the default password or token) but holds no privilege: every
#: call answers 403, as Boomi does for a user without the API privilege.
DEFAULT_UNPRIVILEGED_USERNAME: Final = "no-privileges@example.com"
DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 9090
DEFAULT_RATE_LIMIT: Final = 10.0
DEFAULT_SEED: Final = 1
DEFAULT_RECORDS: Final = 1000
DEFAULT_PAGE_SIZE: Final = 100
#: Loopback server limits (docs/sandbox.md, "Limits"): a request body over this is 413 unread,
DEFAULT_MAX_BODY_BYTES: Final = 10 * 1024 * 1024
#: a request (head and body) not complete this many seconds after the server starts waiting
#: for it is dropped (idle keep-alive connections included),
DEFAULT_REQUEST_TIMEOUT: Final = 30.0
#: and at most this many connections are served at once (one thread each).
DEFAULT_MAX_CONNECTIONS: Final = 128
#: The longest ``request_timeout``: a day. A longer one only keeps dead connections, and the
#: socket layer overflows on absurd values (``1e300``).
MAX_REQUEST_TIMEOUT: Final = 86400.0

NumberOfResults = Literal["page", "total"]
#: Fields a caller authenticates with: an empty one would let ``user:`` (no password) in.
_CREDENTIALS: Final = ("username", "password", "api_token", "unprivileged_username")
_FLOATS: Final = (
    "rate_limit",
    "rate_burst",
    "query_token_ttl",
    "async_token_ttl",
    "request_timeout",
)
_ACCOUNT_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that shapes a sandbox's behaviour; two sandboxes with equal configs (and no
    state file) answer every request identically.

    ``rate_limit`` is requests per second per account (``0`` turns the limiter off) and
    ``rate_burst`` the bucket size (``None``: one second's worth). ``records`` is the size of the
    large log-like collections (ExecutionRecord, AuditLog, Event, connector records...).
    ``number_of_results`` picks what ``numberOfResults`` means on a QueryResult: ``"page"``, the
    results on this page, or ``"total"``, every match of the query.
    """

    account_id: str = DEFAULT_ACCOUNT_ID
    username: str = DEFAULT_USERNAME
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    api_token: str = field(default=DEFAULT_API_TOKEN, repr=False)
    unprivileged_username: str = DEFAULT_UNPRIVILEGED_USERNAME
    rate_limit: float = DEFAULT_RATE_LIMIT
    rate_burst: float | None = None
    seed: int = DEFAULT_SEED
    records: int = DEFAULT_RECORDS
    page_size: int = DEFAULT_PAGE_SIZE
    number_of_results: NumberOfResults = "page"
    #: Seconds a queryToken stays valid after the page that issued it.
    query_token_ttl: float = 1800.0
    #: Seconds an async token stays answerable (Boomi: 30 minutes, then 204).
    async_token_ttl: float = 1800.0
    #: How many polls of an async token answer 202 before the result is ready.
    async_pending_polls: int = 1
    #: How many polls of ``ExecutionRecord/async/{requestId}`` answer 202 before the record
    #: exists, and how many observations show it INPROCESS before its final status.
    execution_pending_polls: int = 1
    execution_running_polls: int = 1
    #: Processes whose executions end in ERROR (besides the seeded failing process).
    error_process_ids: tuple[str, ...] = ()
    #: Objects answered with Boomi's deprecation headers; ``None``: those the catalog marks.
    deprecated_objects: tuple[str, ...] | None = None
    #: Where ``recordUrl`` and download URLs point; ``None``: the URL the request came to.
    public_base_url: str | None = None
    #: The loopback server's limits (ignored in-process): the largest request body in bytes,
    #: the seconds a client has to deliver a whole request, the connections served at once.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    #: Validate every XML response against the generated XSD before sending it (tests).
    validate_responses: bool = False
    #: Managed sub-accounts, each with data of its own, reached through the Partner API path
    #: ``/partner/api/rest/v1/{account_id}/…?overrideAccount=SUB``.
    sub_accounts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = [f"{name} must not be empty" for name in _CREDENTIALS if not getattr(self, name)]
        problems += [
            f"{name} must not contain ':' (HTTP Basic ends the user name at the first ':')"
            for name in ("username", "unprivileged_username")
            if ":" in getattr(self, name)
        ]
        problems += [
            f"{name} must be a finite number"
            for name in _FLOATS
            if getattr(self, name) is not None and not math.isfinite(getattr(self, name))
        ]
        if problems:  # the range checks below would only repeat these
            raise ConfigError("; ".join(problems))
        if self.rate_limit < 0:
            problems.append("rate_limit must be >= 0")
        if self.rate_burst is not None and self.rate_burst < 1:
            problems.append("rate_burst must be >= 1")
        if self.records < 0:
            problems.append("records must be >= 0")
        if not 1 <= self.page_size <= 1000:
            problems.append("page_size must be between 1 and 1000")
        if self.number_of_results not in ("page", "total"):
            problems.append("number_of_results must be 'page' or 'total'")
        if not self.account_id or "/" in self.account_id:
            problems.append("account_id must be a non-empty path segment")
        for sub in dict.fromkeys(self.sub_accounts):  # each problem once
            if (problem := sub_account_problem(sub)) is not None:
                problems.append(f"sub-account {sub!r}: {problem}")
            elif sub == self.account_id or self.sub_accounts.count(sub) > 1:
                problems.append(f"sub-account {sub!r} is the account itself or given twice")
        for name in ("async_pending_polls", "execution_pending_polls", "execution_running_polls"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0")
        if self.max_body_bytes < 0:
            problems.append("max_body_bytes must be >= 0")
        if not 0 < self.request_timeout <= MAX_REQUEST_TIMEOUT:
            problems.append(f"request_timeout must be > 0 and <= {MAX_REQUEST_TIMEOUT:g}")
        if self.max_connections < 1:
            problems.append("max_connections must be >= 1")
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def burst(self) -> float:
        return self.rate_burst if self.rate_burst is not None else max(self.rate_limit, 1.0)


def sub_account_problem(sub: str) -> str | None:
    """What is wrong with one sub-account id on its own, if anything."""
    if not _ACCOUNT_ID.fullmatch(sub):
        return "letters, digits, '.', '_' and '-' only"
    return None
