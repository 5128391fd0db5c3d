"""Running a process: documents through steps, answers into process reporting.

One execution runs its steps in order; a route or a branch runs its branches one after the
other, each to its end (as Boomi does). A step receives every document the previous step let
through, unless it sets ``batch_size``. After a connector step, an APPLICATION_ERROR answer with
"Return Application Error Responses" cleared, or a FAILURE, stops the execution once the step
has answered all its documents (every batch runs): the documents are recorded as errored and the
execution ends with status ERROR.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import pluggy

from connector.contract import ExecutionContext, TrackingDirection
from connector.documents import Document, Result, Status
from connector.errors import ConfigError, ConnectorError
from connector.host.archive import Archiver
from connector.host.cache import DocumentCaches
from connector.host.model import (
    BranchStep,
    DocumentsStart,
    EndStatus,
    EndStep,
    LookupStep,
    NoDataStart,
    OperationStep,
    Process,
    RouteStep,
    SetPropertiesStep,
    StartStep,
    Step,
    WriteStep,
)
from connector.host.operation_step import (
    BatchRun,
    flowing_status,
    resolve_values,
    with_application_status,
)
from connector.host.paths import check_file_name, make_folder, write_file
from connector.host.reporting.database import ExecutionStatus, now
from connector.host.reporting.queries import last_run_date
from connector.host.reporting.recorder import ExecutionRecorder
from connector.host.spool import Flowing, InputOrder, SpoolFolder, Stream
from connector.scrub import Scrubber

log = logging.getLogger("connector.host")


class StopReason(StrEnum):
    """Why an execution ended with ERROR."""

    APPLICATION_ERRORS = "application_errors"
    FAILURES = "failures"
    END_STEP = "end_step"
    HOST_ERROR = "host_error"


@dataclass(frozen=True)
class RunResult:
    execution_id: str
    status: ExecutionStatus
    message: str
    database: Path
    stopped_by: StopReason | None = None


class _Stop(Exception):
    def __init__(self, reason: StopReason, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def check_properties(process: Process, overrides: Mapping[str, str]) -> None:
    unknown = sorted(set(overrides) - set(process.properties))
    if unknown:
        declared = ", ".join(sorted(process.properties)) or "none"
        raise ConfigError(
            f"--property {unknown[0]}: process {process.name!r} declares no such "
            f"property (declared: {declared})"
        )


def run_process(
    process: Process,
    pm: pluggy.PluginManager,
    *,
    database: Path,
    properties: Mapping[str, str] | None = None,
) -> RunResult:
    """Run ``process`` once, recording it in the reporting database at ``database``."""
    overrides = dict(properties or {})
    check_properties(process, overrides)
    scrubber = Scrubber(process.secrets)
    recorder = ExecutionRecorder(database, scrubber)
    try:
        values = process.with_properties(overrides)
        last_run = last_run_date(recorder.db, process.name)
        execution_id = recorder.begin(process.name, process.source, values)
        context = ExecutionContext(execution_id, process.name, values, last_run)
        with tempfile.TemporaryDirectory(prefix="atomsphere-run-") as folder:
            execution = _Execution(process, pm, recorder, scrubber, context, Path(folder))
            try:
                status, message, reason = execution.run()
            finally:
                execution.spools.close()
        return RunResult(execution_id, status, message, database, reason)
    finally:
        recorder.close()


class _Execution:
    def __init__(
        self,
        process: Process,
        pm: pluggy.PluginManager,
        recorder: ExecutionRecorder,
        scrubber: Scrubber,
        context: ExecutionContext,
        folder: Path,
    ) -> None:
        self.process = process
        self.pm = pm
        self.recorder = recorder
        self.scrubber = scrubber
        self.context = context
        self.spools = SpoolFolder(folder)
        self.caches = DocumentCaches()
        self.archivers: dict[str, Archiver] = {}
        self.written = 0

    def run(self) -> tuple[ExecutionStatus, str, StopReason | None]:
        try:
            self._steps(self.process.steps, self._start(self.process.start))
        except _Stop as stop:
            message = self.scrubber.text(str(stop))
            self.recorder.finish(ExecutionStatus.ERROR, message)
            return ExecutionStatus.ERROR, message, stop.reason
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
            self.recorder.finish(ExecutionStatus.ABORTED, str(exc) or "interrupted")
            raise
        except BaseException as exc:
            self.recorder.finish(ExecutionStatus.ERROR, f"{type(exc).__name__}: {exc}")
            raise
        self.recorder.finish(ExecutionStatus.COMPLETE)
        return ExecutionStatus.COMPLETE, "", None

    # -- start ------------------------------------------------------------------------------

    def _start(self, start: StartStep) -> Stream:
        if isinstance(start, OperationStep):
            empty = self.spools.new()
            empty.append(Flowing(Document(b"")))
            return self._operation(start, Stream(empty), is_start=True)
        seq = self.recorder.begin_step(
            "start", start.name, start.where, tracking=TrackingDirection.OUTPUT
        )
        spool = self.spools.new()
        if isinstance(start, NoDataStart):
            spool.append(Flowing(Document(b"")))
        else:
            assert isinstance(start, DocumentsStart)
            started = now()
            for i, entry in enumerate(start.documents):
                document = Document(
                    entry.data, entry.properties, entry.dynamic_operation_properties
                )
                spool.append(Flowing(document, Status.SUCCESS, i))
                self.recorder.track(
                    seq,
                    0,
                    i,
                    TrackingDirection.OUTPUT,
                    entry.data,
                    entry.properties,
                    {},
                    started,
                    answer=Result(i, Status.SUCCESS),
                )
        self.recorder.end_step(seq, 0, spool.count)
        return Stream(spool)

    # -- steps ------------------------------------------------------------------------------

    def _steps(self, steps: tuple[Step, ...], stream: Stream) -> None:
        for step in steps:
            if stream.is_empty():
                return
            if isinstance(step, OperationStep):
                stream = self._operation(step, stream, is_start=False)
            elif isinstance(step, WriteStep):
                stream = self._write(step, stream)
            elif isinstance(step, LookupStep):
                stream = self._lookup(step, stream)
            elif isinstance(step, SetPropertiesStep):
                stream = self._set_properties(step, stream)
            elif isinstance(step, RouteStep):
                self._route(step, stream)
                return
            elif isinstance(step, BranchStep):
                self._branch(step, stream)
                return
            else:
                self._end(step, stream)
                return

    def _operation(self, step: OperationStep, stream: Stream, *, is_start: bool) -> Stream:
        settings = step.operation.settings
        seq = self.recorder.begin_step(
            "start" if is_start else "operation",
            step.name,
            step.where,
            operation=settings.name,
            connector=step.connection.connector,
            tracking=step.tracking,
        )
        spool = self.spools.new()
        context = replace(self.context, is_start_step=is_start)
        archiver = self._archiver(step)
        results: dict[int, Result] = {}
        offset = 0
        for batch_no, batch in enumerate(stream.batches(step.batch_size)):
            run = BatchRun(
                self.pm,
                step,
                seq,
                batch_no,
                offset,
                context,
                self.recorder,
                self.scrubber,
                InputOrder(spool, self.spools),
                archiver,
                [item.document for item in batch],
            )
            for result in run.run():
                results[offset + result.index] = result
            offset += len(batch)
        # Every batch runs even after an error: batch_size changes how documents are handed
        # over, never which of them are answered (Boomi stops once the step has processed all).
        self._stop_if_errors(step, seq, offset, spool.count, results.values())
        self.recorder.end_step(seq, offset, spool.count)
        flag = settings.return_application_errors

        def answered(item: Flowing) -> Flowing | None:
            result = results[item.origin]
            status = flowing_status(result, flag)
            if status is None:
                return None
            return Flowing(with_application_status(item.document, result), status, item.origin)

        outputs = Stream(spool, answered)
        if step.caching is not None:
            self._fill_cache(step, outputs)
        return outputs

    def _stop_if_errors(
        self, step: OperationStep, seq: int, inputs: int, outputs: int, results: Iterable[Result]
    ) -> None:
        results = list(results)
        flag = step.operation.settings.return_application_errors
        failures = sum(1 for r in results if r.status is Status.FAILURE)
        errors = sum(1 for r in results if r.status is Status.APPLICATION_ERROR and not flag)
        if not failures and not errors:
            return
        self.recorder.end_step(seq, inputs, outputs)
        if failures:
            raise _Stop(
                StopReason.FAILURES,
                f"step {step.name!r}: {_documents(failures)} failed; "
                "the process stopped after the step",
            )
        raise _Stop(
            StopReason.APPLICATION_ERRORS,
            f"step {step.name!r}: {_documents(errors)} "
            f"{'was an application error' if errors == 1 else 'were application errors'} "
            "(Return Application Error Responses is off); the process stopped after the step",
        )

    def _archiver(self, step: OperationStep) -> Archiver | None:
        if step.archive_directory is None:
            return None
        key = str(step.archive_directory)
        if key not in self.archivers:
            self.archivers[key] = Archiver(
                step.archive_directory, step.operation_name, self.scrubber
            )
        return self.archivers[key]

    def _fill_cache(self, step: OperationStep, outputs: Stream) -> None:
        assert step.caching is not None
        for item in outputs:
            if item.status is not Status.SUCCESS:
                continue
            try:
                key = step.caching.key.resolve(item.document, self.context)
            except ConnectorError as exc:
                log.warning("step %s: document not cached: %s", step.name, exc)
                continue
            if key is not None:
                self.caches.add(step.caching.cache, key, item.document)

    def _write(self, step: WriteStep, stream: Stream) -> Stream:
        seq = self.recorder.begin_step("write", step.name, step.where)
        written = 0
        try:
            make_folder(step.folder)
        except OSError as exc:
            self.recorder.end_step(seq, _count(stream), 0)
            raise _Stop(StopReason.HOST_ERROR, f"step {step.name!r}: {_reason(exc)}") from exc
        for number, item in enumerate(stream, 1):
            try:
                self.written += 1
                name = f"{self.context.execution_id}_{self.written}.xml"
                if step.file_name is not None:
                    chosen = step.file_name.resolve(item.document, self.context)
                    name = check_file_name(chosen, "file name") if chosen else name
                write_file(step.folder / name, item.document.data, step.if_exists)
            except (ConnectorError, OSError) as exc:
                inputs = _count(stream)
                self.recorder.end_step(seq, inputs, written)
                raise _Stop(
                    StopReason.HOST_ERROR,
                    f"step {step.name!r}, document {number} of {inputs}: {_reason(exc)}",
                ) from exc
            written += 1
        self.recorder.end_step(seq, written, written)
        return stream

    def _lookup(self, step: LookupStep, stream: Stream) -> Stream:
        seq = self.recorder.begin_step("lookup", step.name, step.where)
        spool = self.spools.new()
        for item in stream:
            values: dict[str, str] = {}
            try:
                key = step.key.resolve(item.document, self.context)
            except ConnectorError as exc:
                log.warning("step %s: no lookup key for a document: %s", step.name, exc)
            else:
                found = self.caches.get(step.cache, key) if key is not None else ()
                cached = found[0] if found else None
                what = f"step {step.name!r}: property"
                values = resolve_values(step.properties, cached, self.context, what)
            spool.append(replace(item, document=item.document.with_properties(**values)))
        self.recorder.end_step(seq, spool.count, spool.count)
        return Stream(spool)

    def _set_properties(self, step: SetPropertiesStep, stream: Stream) -> Stream:
        seq = self.recorder.begin_step("set_properties", step.name, step.where)
        spool = self.spools.new()
        for item in stream:
            document = item.document
            values = resolve_values(
                step.properties, document, self.context, f"step {step.name!r}: property"
            )
            what = f"step {step.name!r}: dynamic operation property"
            dynamic = resolve_values(
                step.dynamic_operation_properties, document, self.context, what
            )
            # Both resolve on the document as it came in, like one Boomi Set Properties shape.
            document = Document(
                document.data,
                {**document.properties, **values},
                {**document.dynamic_operation_properties, **dynamic},
            )
            spool.append(replace(item, document=document))
        self.recorder.end_step(seq, spool.count, spool.count)
        return Stream(spool)

    def _route(self, step: RouteStep, stream: Stream) -> None:
        seq = self.recorder.begin_step("route", step.name, step.where)
        spools = {status: self.spools.new() for status in step.branches}
        inputs = 0
        for item in stream:
            inputs += 1
            if item.status in spools:
                spools[item.status].append(item)
        self.recorder.end_step(seq, inputs, sum(s.count for s in spools.values()))
        for status, steps in step.branches.items():
            self._steps(steps, Stream(spools[status]))

    def _branch(self, step: BranchStep, stream: Stream) -> None:
        seq = self.recorder.begin_step("branch", step.name, step.where)
        count = sum(1 for _ in stream)
        self.recorder.end_step(seq, count, count * len(step.branches))
        for steps in step.branches:
            self._steps(steps, stream)

    def _end(self, step: EndStep, stream: Stream) -> None:
        seq = self.recorder.begin_step("end", step.name, step.where)
        count = sum(1 for _ in stream)
        self.recorder.end_step(seq, count, 0)
        if step.status is EndStatus.ERROR:
            raise _Stop(
                StopReason.END_STEP,
                step.message or f"step {step.name!r}: {_documents(count)} reached an error end",
            )


def _documents(count: int) -> str:
    return f"{count} document" if count == 1 else f"{count} documents"


def _reason(exc: ConnectorError | OSError) -> str:
    """The path and the system's reason for an OSError (``/out/a.xml: Permission denied``)."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)


def _count(stream: Stream) -> int:
    return sum(1 for _ in stream)
