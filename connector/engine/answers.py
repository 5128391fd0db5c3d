"""Turning outcomes into per-document answers, Boomi's way.

=====================================================  ===================  ==================
outcome                                                status               application code
=====================================================  ===================  ==================
2xx                                                    SUCCESS              the HTTP status
the API answered 4xx (or a bulk item failed)           APPLICATION_ERROR    the HTTP status
the document could not be sent: not XML, does not      APPLICATION_ERROR    ``400``, message
match the request profile, no id, a parameter                               "not sent: …"
without a value
401: credentials refused                               FAILURE, for every   ``401``
                                                       document still open
                                                       that passes the
                                                       checks above
503 after the retries, 5xx, timeouts, resets,          FAILURE              the HTTP status,
unreadable answers, anything unexpected                                     if there was one
=====================================================  ===================  ==================

A document the connector refuses to send is an APPLICATION_ERROR, not a FAILURE: it is about that
document's content, retrying cannot fix it, and it must follow the user's "Return Application
Error Responses" choice like an error the API would have given. Documents are checked before
they wait for a request, so a refused document gets that answer before or after a 401, whatever
the batching, concurrency or order.

With that flag set, an APPLICATION_ERROR carries an output document, the API's XML error shape
``<error><message>…</message></error>`` (whatever shape the API used), so the host can route it;
the status stays APPLICATION_ERROR. With the flag clear the answer has no output document.
Every output carries the application status code and message as document properties.
"""

from __future__ import annotations

import logging
import threading

from lxml import etree

from connector.documents import (
    APPLICATION_STATUS_CODE,
    APPLICATION_STATUS_MESSAGE,
    Document,
    OperationResponse,
    Status,
)
from connector.errors import (
    ApplicationError,
    AuthenticationError,
    ConfigError,
    ContractError,
    RemoteError,
    XMLInputError,
)
from connector.xml import to_bytes

log = logging.getLogger("connector.engine")

NOT_SENT = "not sent: "
NOT_SENT_CODE = "400"


def error_document(message: str) -> bytes:
    """The API's documented XML error body."""
    root = etree.Element("error")
    etree.SubElement(root, "message").text = message
    return to_bytes(root)


def classify(exc: BaseException) -> tuple[Status, str, str]:
    """Status, application status code and message for an exception."""
    if isinstance(exc, ApplicationError):
        return Status.APPLICATION_ERROR, str(exc.status or ""), str(exc)
    if isinstance(exc, XMLInputError):
        return Status.APPLICATION_ERROR, NOT_SENT_CODE, NOT_SENT + str(exc)
    if isinstance(exc, RemoteError):
        return Status.FAILURE, str(exc.status or ""), str(exc)
    if isinstance(exc, ConfigError):
        return Status.FAILURE, "", str(exc)
    return Status.FAILURE, "", f"internal error: {type(exc).__name__}: {exc}"


class Answers:
    """Answers documents through an :class:`OperationResponse`, applying the operation's
    "Return Application Error Responses" flag. Thread-safe.

    A 401 aborts the batch: :attr:`aborted` then holds the reason, and work not yet sent is
    answered FAILURE without a request.
    """

    def __init__(self, response: OperationResponse, *, return_errors: bool) -> None:
        self.response = response
        self.return_errors = return_errors
        self._lock = threading.Lock()
        self._aborted: str | None = None

    @property
    def aborted(self) -> str | None:
        with self._lock:
            return self._aborted

    def output(self, data: bytes, code: str, message: str = "") -> Document:
        return Document(data, {APPLICATION_STATUS_CODE: code, APPLICATION_STATUS_MESSAGE: message})

    def success(self, index: int, data: bytes | None, code: str, message: str = "") -> None:
        """1 → 1 (or 1 → 0 when ``data`` is None)."""
        doc = self.output(data, code, message) if data is not None else None
        self.response.add_result(index, Status.SUCCESS, code, message, doc)

    def partial(self, index: int, data: bytes, code: str = "200") -> None:
        self.response.add_partial_result(index, self.output(data, code))

    def finish(self, index: int, code: str, message: str = "") -> None:
        self.response.finish_partial_result(index, Status.SUCCESS, code, message)

    def fail(self, index: int, exc: BaseException, *, partial: bool = False) -> None:
        """Answer ``index`` for ``exc`` (closing a 1 → N answer when ``partial``)."""
        if isinstance(exc, ContractError):
            raise exc
        status, code, message = classify(exc)
        if isinstance(exc, AuthenticationError):
            with self._lock:
                self._aborted = self._aborted or message
        if status is Status.FAILURE and not isinstance(exc, RemoteError | ConfigError):
            log.error("document %d: %s", index + 1, message, exc_info=exc)  # from 1, as shown
        self._answer(index, status, code, message, partial)

    def fail_not_sent(self, index: int, *, partial: bool = False) -> None:
        """Answer a document the batch's 401 kept from being sent."""
        reason = self.aborted or "the batch was aborted"
        self._answer(index, Status.FAILURE, "401", NOT_SENT + reason, partial)

    def _answer(self, index: int, status: Status, code: str, message: str, partial: bool) -> None:
        error_output = None
        if status is Status.APPLICATION_ERROR and self.return_errors:
            error_output = self.output(error_document(message), code, message)
        if partial:
            if error_output is not None:
                self.response.add_partial_result(index, error_output)
            self.response.finish_partial_result(index, status, code, message)
        else:
            self.response.add_result(index, status, code, message, error_output)
