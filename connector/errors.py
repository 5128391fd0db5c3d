"""The one error tree of the project.

Every error the connector raises on purpose derives from :class:`ConnectorError`, so a host can
catch one type at its boundary. Subclasses also inherit the matching built-in where one exists,
so ``except ValueError`` keeps working for callers that know nothing about us. Whether an error
is worth retrying is part of its type, not of its message.

::

    ConnectorError
    ├── ConfigError (ValueError)            a file or value the user wrote is wrong
    │   └── UnknownNameError (LookupError)  an object, action or field that does not exist
    ├── ContractError (RuntimeError)        a plugin or host broke the hook contract
    ├── PluginError (RuntimeError)          an installed plugin cannot be loaded
    ├── XMLInputError (ValueError)          a document is not acceptable XML
    └── RemoteError                         the AtomSphere API (or the way to it) failed
        ├── RetriableError                  worth another try: 503, 504, timeouts, resets
        │   └── RateLimitedError            503 with the rate-limit meaning
        └── FatalRemoteError                retrying cannot help
            ├── AuthenticationError         401: credentials refused
            └── ApplicationError            4xx about this request (bad id, no such object...)

Messages never contain secrets: credentials are redacted before an error is built.

Outside the tree, :class:`Terminated` (a ``KeyboardInterrupt``) is SIGTERM, stopping a run the
way Ctrl-C does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ConnectorError(Exception):
    """Root of every error this package raises deliberately."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration file, located as precisely as the file allows."""

    message: str
    source: str = ""
    line: int | None = None
    field: str = ""

    def __str__(self) -> str:
        if not self.source and self.line is None:
            return f"{self.field}: {self.message}" if self.field else self.message
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ConfigError(ConnectorError, ValueError):
    """A configuration file or value is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownNameError(ConfigError, LookupError):
    """A name (object, action, field, connector) that does not exist; suggests close matches."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f" (did you mean {', '.join(self.suggestions)}?)" if self.suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


class ContractError(ConnectorError, RuntimeError):
    """A plugin or a host broke the hook contract (e.g. answered a document twice)."""


class PluginError(ConnectorError, RuntimeError):
    """An installed plugin cannot be loaded: its entry point fails to import, raises while
    loading, or implements a hook that does not exist. The message names the entry point and its
    distribution; the ``atomsphere`` commands print it and exit 2."""


class XMLInputError(ConnectorError, ValueError):
    """Bytes that were meant to be XML were refused: not well-formed, hostile, or too large."""


class RemoteError(ConnectorError):
    """The AtomSphere API, or the network on the way to it, did not give a usable answer.

    ``status`` is the HTTP status when there was a response, ``None`` for transport failures.
    """

    retriable = False

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(message)


class RetriableError(RemoteError):
    """A failure that may succeed on a later attempt (503, 504, timeouts, connection resets)."""

    retriable = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status, body=body)


class RateLimitedError(RetriableError):
    """HTTP 503 because the account's request rate was exceeded."""


class FatalRemoteError(RemoteError):
    """A failure that another attempt cannot fix."""


class AuthenticationError(FatalRemoteError):
    """HTTP 401: the credentials were refused; every document of the batch fails."""


class ApplicationError(FatalRemoteError):
    """The API answered 4xx about this request; the document gets APPLICATION_ERROR.

    ``after_lost_answer`` is set when an earlier attempt of the same request may have taken
    effect (its answer was lost): a Delete retried into "no such object" has done its work.
    """

    after_lost_answer = False


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: handled exactly as Ctrl-C (the execution is recorded ABORTED and
    temporary files are removed), only the exit code differs (143, not 130)."""
