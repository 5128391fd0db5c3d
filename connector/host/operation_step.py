"""Running one connector step on a batch: the hook call, and what the host does per answer.

The connector answers through an :class:`OperationResponse`; the host listens to it. Outputs
stream to the step's spool in input order (:class:`~connector.host.spool.InputOrder`) and, under
output tracking, into process reporting and the archive as they are produced; each answer is
recorded and committed the moment it is given (under input tracking, the input is archived then,
numbered as the report numbers it). After the hook returns or raises (any exception but
KeyboardInterrupt, ``SystemExit`` included: a plugin's library calling ``sys.exit()`` fails the
plugin's documents, not the run), every document still unanswered is failed, so none is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pluggy

from connector.contract import ExecutionContext, TrackingDirection
from connector.documents import (
    APPLICATION_STATUS_CODE,
    APPLICATION_STATUS_MESSAGE,
    Document,
    OperationResponse,
    Result,
    Status,
)
from connector.errors import ConnectorError
from connector.host.archive import Archiver
from connector.host.model import OperationStep
from connector.host.reporting.database import now
from connector.host.reporting.recorder import ExecutionRecorder
from connector.host.spool import Flowing, InputOrder
from connector.parameters import Parameter
from connector.scrub import Scrubber

log = logging.getLogger("connector.host")


def resolve_values(
    parameters: Mapping[str, Parameter],
    document: Document | None,
    context: ExecutionContext,
    what: str,
) -> dict[str, str]:
    """The parameters' values for one document. One that cannot be resolved is left out with a
    warning: tracked fields and properties are metadata and never fail a document."""
    values: dict[str, str] = {}
    for name, parameter in parameters.items():
        try:
            value = parameter.resolve(document, context)
        except ConnectorError as exc:
            log.warning("%s %s not set: %s", what, name, exc)
            continue
        if value is not None:
            values[name] = value
    return values


def carry_properties(source: Document, output: Document) -> Document:
    """The output with the input's document properties it does not set itself.

    Not the input's dynamic operation properties: they were for this step, which consumed them
    (an output carries only those its connector set, normally none)."""
    merged = {**source.properties, **output.properties}
    return Document(output.data, merged, output.dynamic_operation_properties)


def flowing_status(result: Result, return_application_errors: bool) -> Status | None:
    """The status an answer's outputs flow on with, or None when they go no further."""
    if result.status is Status.SUCCESS:
        return Status.SUCCESS
    if result.status is Status.APPLICATION_ERROR and return_application_errors:
        return Status.APPLICATION_ERROR
    return None


def with_application_status(document: Document, result: Result) -> Document:
    """Boomi's Application Status Code and Message, unless the connector set them itself."""
    updates = {
        APPLICATION_STATUS_CODE: result.status_code,
        APPLICATION_STATUS_MESSAGE: result.message,
    }
    missing = {k: v for k, v in updates.items() if k not in document.properties}
    return document.with_properties(**missing) if missing else document


class HostError(ConnectorError):
    """The host itself failed while recording an answer (disk full, database locked...)."""


@dataclass
class BatchRun:
    """One batch of one connector step: runs the hook and records every answer."""

    pm: pluggy.PluginManager
    step: OperationStep
    step_seq: int
    batch: int
    offset: int
    context: ExecutionContext
    recorder: ExecutionRecorder
    scrubber: Scrubber
    outputs: InputOrder
    archiver: Archiver | None
    inputs: Sequence[Document]
    started_at: str = field(default_factory=now)
    results: dict[int, Result] = field(default_factory=dict)
    _host_error: BaseException | None = None

    def run(self) -> list[Result]:
        """Answers in input order, once every input has one."""
        inputs = self.inputs
        response = OperationResponse(
            inputs,
            on_output=self._guard(self._output),
            on_result=self._guard(self._answer),
            retain_outputs=False,
        )
        failure = "the connector returned without answering this document"
        connector = self.step.connection.connector
        try:
            handled = self.pm.hook.connector_execute(
                connector_id=connector,
                operation=self.step.operation,
                connection=self.step.connection.fields,
                documents=list(inputs),
                response=response,
                context=self.context,
            )
            if handled is None:
                failure = f"no installed plugin executes operations for connector {connector!r}"
        except KeyboardInterrupt:
            raise  # Ctrl-C (or SIGTERM) stops the run: the execution is ABORTED
        except BaseException as exc:  # a library's sys.exit() too: the plugin failed, not the run
            if self._host_error is None:
                failure = self.scrubber.text(f"{type(exc).__name__}: {exc}")
                log.warning(
                    "step %r: connector %r raised %s; its unanswered documents failed",
                    self.step.name,
                    connector,
                    failure,
                )
        if self._host_error is not None:
            raise HostError(
                f"recording step {self.step.name!r}: {self._host_error}"
            ) from self._host_error
        response.fail_unanswered(failure)
        return [self.results[i] for i in range(len(inputs))]

    def _guard(self, listener: Callable[..., None]) -> Callable[..., None]:
        """Remember the first host failure, so a connector that swallows it cannot hide it."""

        def guarded(*args: object) -> None:
            if self._host_error is not None:
                raise HostError("process reporting already failed") from self._host_error
            try:
                listener(*args)
            except Exception as exc:
                self._host_error = exc
                raise

        return guarded

    def _output(self, index: int, output: Document) -> None:
        document = carry_properties(self.inputs[index], output)
        self.outputs.add(index, Flowing(document, Status.SUCCESS, self.offset + index))
        if self.step.tracking is TrackingDirection.OUTPUT:
            self._track(index, document, None)

    def _answer(self, result: Result) -> None:
        self.results[result.index] = result
        source = self.inputs[result.index]
        if self.step.tracking is TrackingDirection.INPUT:
            self._track(result.index, source, result)
        elif result.combined_into is None:
            answered = self.recorder.answer_outputs(self.step_seq, self.batch, result.index, result)
            if not answered and not result.ok:
                self._track(result.index, None, result, fields_from=source)
        if (
            result.status is Status.APPLICATION_ERROR
            and result.output_count == 0
            and result.combined_into is None
            and self.step.operation.settings.return_application_errors
        ):
            # The error response flows on: with no document of its own, the input carries it,
            # without the dynamic operation properties this step consumed.
            carrier = Document(source.data, source.properties)
            flowing = Flowing(carrier, Status.APPLICATION_ERROR, self.offset + result.index)
            self.outputs.add(result.index, flowing)
        self.outputs.answered(result.index)

    def _track(
        self,
        index: int,
        document: Document | None,
        result: Result | None,
        fields_from: Document | None = None,
    ) -> None:
        """Record the document (and archive it under the same number, the ``#`` that
        ``atomsphere execution`` shows, once the report holds it: a run killed in between
        leaves the archive short of a document, never holding one the report lacks)."""
        basis = document if document is not None else fields_from
        assert basis is not None
        tracked = self.recorder.track(
            self.step_seq,
            self.batch,
            index,
            self.step.tracking,
            document.data if document is not None else None,
            basis.properties,
            resolve_values(self.step.tracked_fields, basis, self.context, "tracked field"),
            self.started_at,
            answer=result,
        )
        if document is not None and self.archiver is not None:
            self.recorder.commit()  # an output still waiting for its answer is committed now
            self.archiver.archive(tracked, document.data)
