"""Documents, per-document results, and the response object a connector answers through.

A host hands a connector a batch of :class:`Document` values; the connector answers **every one
of them exactly once** through an :class:`OperationResponse`, in one of Boomi's four shapes:

* 1 → 1, one output per input: ``add_result``;
* 1 → 0, a status but no payload: ``add_empty_result``;
* 1 → N, many outputs (a query) then a final status: ``add_partial_result`` repeatedly, then
  ``finish_partial_result``;
* N → 1, several inputs answered by one output: ``add_combined_result``.

Outputs stream to the host's ``on_output`` callback as soon as they are added, so a query of a
million records never has to sit in memory.

Every answer is checked before anything is recorded: a status that is not a :class:`Status` (or
exactly one of its value strings, ``"SUCCESS"``...), a code or message that is neither ``str``
nor ``None`` (``None`` is ``""``), or an output that is not a :class:`Document` raises
:class:`TypeError` naming the method, the argument and the type given, in the plugin, where the
mistake is; the document stays unanswered and the host fails it like any other a plugin left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from connector.errors import ContractError

#: Document property names the connector sets on output documents (Boomi's "Application Status
#: Code" and "Application Status Message").
APPLICATION_STATUS_CODE: Final = "applicationStatusCode"
APPLICATION_STATUS_MESSAGE: Final = "applicationStatusMessage"


def _frozen_mapping(value: Mapping[str, str | None] | None, what: str) -> Mapping[str, str]:
    """A read-only copy of ``value`` without its ``None`` values (a property set to ``None`` is
    unset); a name or value that is not ``str`` is refused here, naming it, rather than failing
    later where a property is written, tracked or sent."""
    if value is not None and not isinstance(value, Mapping):
        raise TypeError(f"Document.{what} must be a mapping, not {type(value).__name__}")
    kept: dict[str, str] = {}
    for name, text in (value or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"Document.{what}: property names must be str, not {name!r}")
        if text is None:
            continue
        if not isinstance(text, str):
            raise TypeError(
                f"Document.{what}[{name!r}] must be str (or None to leave it unset), "
                f"not {type(text).__name__}"
            )
        kept[name] = text
    return MappingProxyType(kept)


@dataclass(frozen=True, eq=True)
class Document:
    """What flows between process steps: bytes plus document properties.

    ``properties`` are the document's properties (connector-set and user-defined);
    ``dynamic_operation_properties`` are per-document overrides of the operation's settings.
    Every value is text, as in Boomi: a value that is not ``str`` raises :class:`TypeError`
    naming the property, and ``None`` means unset (the property is left out).
    """

    data: bytes
    properties: Mapping[str, str] = field(default_factory=dict)
    dynamic_operation_properties: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes):
            raise TypeError(f"Document.data must be bytes, not {type(self.data).__name__}")
        object.__setattr__(self, "properties", _frozen_mapping(self.properties, "properties"))
        dynamic = _frozen_mapping(self.dynamic_operation_properties, "dynamic_operation_properties")
        object.__setattr__(self, "dynamic_operation_properties", dynamic)

    def with_properties(self, **updates: str | None) -> Document:
        """A copy with some properties added or replaced (``None`` unsets one)."""
        merged = {**self.properties, **updates}
        kept = {name: value for name, value in merged.items() if value is not None}
        return Document(self.data, kept, self.dynamic_operation_properties)


class Status(StrEnum):
    """Boomi's per-document outcome."""

    SUCCESS = "SUCCESS"
    APPLICATION_ERROR = "APPLICATION_ERROR"
    FAILURE = "FAILURE"


def _status(value: object, method: str) -> Status:
    """``value`` as a Status: a Status, or exactly one of its value strings."""
    if isinstance(value, Status):
        return value
    if isinstance(value, str) and value in Status.__members__:
        return Status(value)
    choices = ", ".join(s.value for s in Status)
    raise TypeError(
        f"{method}: status must be a Status ({choices}), not {type(value).__name__} {value!r}"
    )


def _text(value: object, method: str, argument: str) -> str:
    """A status code or message: text, or None for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(
            f"{method}: {argument} must be str (or None), not {type(value).__name__} {value!r}"
        )
    return value


def _document(value: object, method: str) -> Document:
    if not isinstance(value, Document):
        raise TypeError(f"{method}: output must be a Document, not {type(value).__name__}")
    return value


def _output(value: object, method: str) -> Document | None:
    """An optional output: a Document, or None for none."""
    if value is not None and not isinstance(value, Document):
        raise TypeError(f"{method}: output must be a Document or None, not {type(value).__name__}")
    return value


def _index(value: object, method: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{method}: index must be int, not {type(value).__name__} {value!r}")
    return value


@dataclass(frozen=True)
class Result:
    """The answer for one input document.

    ``status_code`` and ``message`` are the application status code and message (for an API
    call, the HTTP status and the API's message). ``outputs`` holds the output documents when the
    response retains them; ``output_count`` is always the number produced. ``combined_into`` names
    the input whose result carries the shared output of an N → 1 answer.
    """

    index: int
    status: Status
    status_code: str = ""
    message: str = ""
    outputs: tuple[Document, ...] = ()
    output_count: int = 0
    combined_into: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.SUCCESS


OutputListener = Callable[[int, Document], None]
ResultListener = Callable[["Result"], None]


class OperationResponse:
    """Collects one answer per input document and enforces that contract.

    Thread-safe: a connector may answer documents from worker threads. Answering a document twice,
    or an index that is not in the batch, raises :class:`~connector.errors.ContractError`.
    ``on_output`` hears every output document as it is added, ``on_result`` every answer as it
    is given (both called under the response's lock, in order).
    """

    def __init__(
        self,
        inputs: Sequence[Document],
        *,
        on_output: OutputListener | None = None,
        on_result: ResultListener | None = None,
        retain_outputs: bool = True,
    ) -> None:
        self.inputs: tuple[Document, ...] = tuple(inputs)
        self._on_output = on_output
        self._on_result = on_result
        self._retain = retain_outputs
        self._lock = threading.RLock()
        self._results: dict[int, Result] = {}
        self._partial: dict[int, list[Document]] = {}
        self._partial_counts: dict[int, int] = {}

    # -- the four shapes ---------------------------------------------------------------------

    def add_result(
        self,
        index: int,
        status: Status,
        status_code: str = "",
        message: str = "",
        output: Document | None = None,
    ) -> Result:
        """Answer input ``index`` with one output (1 → 1), or none when ``output`` is None."""
        method = "add_result"
        index = _index(index, method)
        status = _status(status, method)
        status_code = _text(status_code, method, "status_code")
        message = _text(message, method, "message")
        output = _output(output, method)
        outputs = (output,) if output is not None else ()
        with self._lock:
            self._check_open(index)
            for doc in outputs:
                self._emit(index, doc)
            return self._store(
                Result(
                    index,
                    status,
                    status_code,
                    message,
                    outputs if self._retain else (),
                    len(outputs),
                )
            )

    def add_empty_result(
        self, index: int, status: Status, status_code: str = "", message: str = ""
    ) -> Result:
        """Answer input ``index`` with a status and no payload (1 → 0)."""
        method = "add_empty_result"
        index = _index(index, method)
        status = _status(status, method)
        status_code = _text(status_code, method, "status_code")
        message = _text(message, method, "message")
        return self.add_result(index, status, status_code, message, None)

    def add_partial_result(self, index: int, output: Document) -> None:
        """Add one of many outputs for input ``index`` (1 → N); finish it later."""
        index = _index(index, "add_partial_result")
        output = _document(output, "add_partial_result")
        with self._lock:
            self._check_open(index)
            self._emit(index, output)
            self._partial_counts[index] = self._partial_counts.get(index, 0) + 1
            if self._retain:
                self._partial.setdefault(index, []).append(output)

    def finish_partial_result(
        self, index: int, status: Status, status_code: str = "", message: str = ""
    ) -> Result:
        """Close a 1 → N answer with its final status (a query that failed half-way included)."""
        method = "finish_partial_result"
        index = _index(index, method)
        status = _status(status, method)
        status_code = _text(status_code, method, "status_code")
        message = _text(message, method, "message")
        with self._lock:
            self._check_open(index)
            outputs = tuple(self._partial.pop(index, ()))
            count = self._partial_counts.pop(index, 0)
            return self._store(Result(index, status, status_code, message, outputs, count))

    def add_combined_result(
        self,
        indexes: Iterable[int],
        status: Status,
        status_code: str = "",
        message: str = "",
        output: Document | None = None,
    ) -> tuple[Result, ...]:
        """Answer several inputs with one shared output (N → 1)."""
        method = "add_combined_result"
        if isinstance(indexes, str | bytes) or not isinstance(indexes, Iterable):
            raise TypeError(
                f"{method}: indexes must be an iterable of int, not {type(indexes).__name__}"
            )
        chosen = [_index(i, method) for i in dict.fromkeys(indexes)]
        status = _status(status, method)
        status_code = _text(status_code, method, "status_code")
        message = _text(message, method, "message")
        output = _output(output, method)
        if not chosen:
            raise ContractError("add_combined_result needs at least one input index")
        with self._lock:
            for index in chosen:
                self._check_open(index)
            first = self.add_result(chosen[0], status, status_code, message, output)
            rest = tuple(
                self._store(Result(i, status, status_code, message, combined_into=chosen[0]))
                for i in chosen[1:]
            )
            return (first, *rest)

    # -- helpers for connectors and hosts -----------------------------------------------------

    def fail_unanswered(self, message: str, status_code: str = "") -> tuple[Result, ...]:
        """Answer every document still open with FAILURE; returns the results it added.

        Hosts call this after a connector returns (or raises), so no document is ever lost.
        Partial answers are closed with the outputs they already produced.
        """
        added: list[Result] = []
        with self._lock:
            for index in range(len(self.inputs)):
                if index in self._results:
                    continue
                if index in self._partial_counts:
                    added.append(
                        self.finish_partial_result(index, Status.FAILURE, status_code, message)
                    )
                else:
                    added.append(self.add_empty_result(index, Status.FAILURE, status_code, message))
        return tuple(added)

    def is_answered(self, index: int) -> bool:
        with self._lock:
            return index in self._results

    def unanswered(self) -> tuple[int, ...]:
        with self._lock:
            return tuple(i for i in range(len(self.inputs)) if i not in self._results)

    @property
    def results(self) -> tuple[Result, ...]:
        """Results in input order; raises ContractError while some input is unanswered."""
        with self._lock:
            missing = self.unanswered()
            if missing:
                raise ContractError(f"inputs {list(missing)} have not been answered")
            return tuple(self._results[i] for i in range(len(self.inputs)))

    # -- internals -----------------------------------------------------------------------------

    def _check_open(self, index: int) -> None:
        if not 0 <= index < len(self.inputs):
            raise ContractError(f"input index {index} is not in this batch of {len(self.inputs)}")
        if index in self._results:
            raise ContractError(f"input {index} has already been answered")

    def _emit(self, index: int, output: Document) -> None:
        if self._on_output is not None:
            self._on_output(index, output)

    def _store(self, result: Result) -> Result:
        self._results[result.index] = result
        if self._on_result is not None:
            self._on_result(result)
        return result
