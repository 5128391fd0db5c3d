"""``atomsphere run``: perform an operation file on documents from files, folders or stdin.

Inputs are read as documents (a file's properties, and its dynamic operation properties under
``dynamic_operation_properties``, may sit beside it in ``FILE.properties.json``);
every output document is written to ``--output`` as its own file with a ``.properties.json``
sidecar (the outputs an earlier run left there are removed first), or to stdout. A summary goes
to stderr; ``--json`` prints one line per answer. The exit code says whether every document
succeeded (0), some were application errors (3) or some failed (4).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from connector.atomsphere.connection import resolve_connection
from connector.atomsphere.pool import DEFAULT_POOL
from connector.cli._args import iso_datetime
from connector.cli._inputs import PROPERTIES_SUFFIX, InputDocument, read_inputs
from connector.cli.output import ExitCode, plural
from connector.contract import ExecutionContext
from connector.documents import Document, OperationResponse, Result, Status
from connector.engine import OperationConfig, load_operation, run_operation
from connector.errors import ConfigError, Problem
from connector.host.paths import write_file
from connector.parameters import Parameter

HELP_ORDER = 10
#: The names ``--output`` gives its files (an output and its sidecar): how a later run knows
#: which files an earlier one wrote, and removes only those.
OUTPUT_NAME: Final = re.compile(r"input-\d{5,}-output-\d{5,}\.xml(?:\.properties\.json)?")
#: Seconds between progress line updates on a terminal.
PROGRESS_EVERY: Final = 0.25


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run an operation file on input documents",
        description=(
            "Run an operation (operations/*.yaml) against the AtomSphere API. Input documents "
            "come from files, folders (every file in it, sorted) or stdin ('-'); a file's "
            "document properties may be given in FILE.properties.json, a JSON object whose "
            "values are strings, numbers or true/false (null: unset); its key "
            "dynamic_operation_properties holds, the same way, the document's dynamic operation "
            "properties (per-document overrides such as id). Without --input the "
            "operation runs once on an empty document (a Query or Get with its own values)."
        ),
        epilog="Exit codes: 0 every document succeeded, 2 bad operation, connection, arguments "
        "or input files (nothing sent), 3 some documents were application errors, 4 some "
        "documents failed.",
    )
    parser.add_argument("operation", type=Path, metavar="OPERATION.yaml")
    parser.add_argument(
        "--connection", type=Path, metavar="FILE", help="connection YAML (default: ATOMSPHERE_*)"
    )
    parser.add_argument(
        "--input",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="input files or folders, or - (repeatable; read in the order given)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set the operation's parameter NAME to a static VALUE (repeatable)",
    )
    parser.add_argument(
        "--process-property",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a process property, for parameters that read one (repeatable)",
    )
    parser.add_argument(
        "--last-run-date",
        type=iso_datetime,
        metavar="DATETIME",
        help="the process's last successful run (ISO 8601), for last_run_date parameters",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="write output documents here (default: stdout); the outputs an earlier run left "
        "there (input-*-output-*.xml and their .properties.json) are removed first, other "
        "files are left alone",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON line per answer on stdout (without --output, the output documents are "
        "included in it as 'documents')",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    operation = _with_params(load_operation(args.operation), args.param)
    connection = resolve_connection(args.connection)
    if connection is None:
        raise ConfigError(
            "no connection: pass --connection FILE or set ATOMSPHERE_ACCOUNT_ID, "
            "ATOMSPHERE_USERNAME and ATOMSPHERE_PASSWORD (or ATOMSPHERE_API_TOKEN)"
        )
    inputs = read_inputs(args.input)
    context = ExecutionContext(
        process_name=operation.settings.name,
        process_properties=dict(_pairs(args.process_property, "--process-property")),
        last_run_date=args.last_run_date,
    )
    client = DEFAULT_POOL.client(connection)
    writer = OutputWriter(args.output, to_stdout=not args.json and args.output is None)
    writer.clear_earlier(inputs)
    progress = Progress(len(inputs)) if sys.stderr.isatty() else None
    response = _response([i.document for i in inputs], writer, progress)
    calls_before = client.http.stats().calls
    run_operation(operation, client, response.inputs, response, context)
    if progress is not None:
        progress.done()
    results = response.results
    if args.json:
        for result in results:
            print(json.dumps(_json_line(result, inputs, writer)), flush=True)
    calls = client.http.stats().calls - calls_before
    _summary(
        operation, connection.target, results, inputs, writer, calls, getattr(args, "quiet", False)
    )
    return _exit_code(results)


def _with_params(operation: OperationConfig, pairs: Sequence[str]) -> OperationConfig:
    if not pairs:
        return operation
    overrides = {
        name: Parameter.from_config(name, {"from": "static", "value": value})
        for name, value in _pairs(pairs, "--param")
    }
    return operation.with_parameters(overrides)


def _pairs(values: Sequence[str], option: str) -> Iterable[tuple[str, str]]:
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise ConfigError([Problem(f"expected NAME=VALUE, got {value!r}", field=option)])
        yield name, text


# -- outputs -------------------------------------------------------------------------------


@dataclass
class OutputWriter:
    """Writes each output document as it arrives: a file plus its properties, or to stdout."""

    folder: Path | None
    to_stdout: bool
    paths: dict[int, list[str]] = field(default_factory=dict)
    #: Every file written for an input (outputs and sidecars), so a failed one's can go.
    files: dict[int, list[Path]] = field(default_factory=dict)
    #: With ``--json`` and no ``--output``, outputs travel inside the JSON lines.
    inline: dict[int, list[str]] = field(default_factory=dict)
    count: int = 0
    #: Output documents of an earlier run removed (with their sidecars) before this run wrote.
    removed: int = 0

    def __post_init__(self) -> None:
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                problem = f"cannot create the output folder: {exc.strerror}"
                raise ConfigError([Problem(problem, str(self.folder), field="--output")]) from None

    def clear_earlier(self, inputs: Sequence[InputDocument]) -> None:
        """Remove the outputs an earlier run left in the folder, so that it holds this run's.

        Only regular files named as this command names its outputs go; anything else (other
        files, folders, a symbolic link, which this command never writes) stays. When one of
        them is an input of this run, nothing is removed: the run would delete what it reads.
        """
        if self.folder is None:
            return
        earlier = sorted(
            p
            for p in self.folder.iterdir()
            if OUTPUT_NAME.fullmatch(p.name) and p.is_file() and not p.is_symlink()
        )
        reading = {i.path.resolve() for i in inputs if i.path is not None}
        problems = [
            Problem(
                "this input is an earlier run's output in the --output folder, which a run "
                "clears first: give another --output folder",
                str(path),
            )
            for path in earlier
            if path.resolve() in reading
        ]
        if problems:
            raise ConfigError(problems)
        for path in earlier:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                problem = f"cannot remove an earlier run's output: {exc.strerror}"
                raise ConfigError([Problem(problem, str(path), field="--output")]) from None
            self.removed += path.suffix == ".xml"

    def write(self, index: int, document: Document) -> None:
        """Write one output; ``count`` only counts outputs that were written."""
        if self.folder is not None:
            number = len(self.paths.setdefault(index, [])) + 1
            path = self.folder / f"input-{index + 1:05d}-output-{number:05d}.xml"
            written = self.files.setdefault(index, [])
            written.append(write_file(path, document.data))
            sidecar = path.with_name(path.name + PROPERTIES_SUFFIX)
            properties = (json.dumps(dict(document.properties), indent=2) + "\n").encode()
            written.append(write_file(sidecar, properties))
            self.paths[index].append(str(path))
        elif self.to_stdout:
            # One document per line, without its XML declaration; --output keeps exact bytes.
            data = document.data.strip()
            if data.startswith(b"<?xml"):
                data = data[data.find(b"?>") + 2 :].lstrip()
            sys.stdout.buffer.write(data + b"\n")
            sys.stdout.flush()
        else:
            text = document.data.decode("utf-8", errors="replace")
            self.inline.setdefault(index, []).append(text)
        self.count += 1

    def discard(self, index: int) -> None:
        """Remove what was written for an input that failed: a FAILURE has no outputs, and
        a later output it could not write must not leave the earlier ones behind."""
        for path in self.files.pop(index, []):
            path.unlink(missing_ok=True)
        self.count -= len(self.paths.pop(index, []))


class Progress:
    """A single self-updating line on a terminal: answered documents and outputs so far."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.answered = 0
        self.outputs = 0
        self._shown = 0.0
        self._lock = threading.Lock()

    def update(self, *, answered: int = 0, outputs: int = 0) -> None:
        with self._lock:
            self.answered += answered
            self.outputs += outputs
            now = time.monotonic()
            if now - self._shown < PROGRESS_EVERY:
                return
            self._shown = now
            line = f"\r{self.answered}/{self.total} documents answered, {self.outputs} outputs"
            sys.stderr.write(line)
            sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def _response(
    inputs: Sequence[Document], writer: OutputWriter, progress: Progress | None
) -> OperationResponse:
    """Outputs stream to the writer; answers and outputs count for the progress line."""

    def output(index: int, document: Document) -> None:
        writer.write(index, document)
        if progress is not None:
            progress.update(outputs=1)

    def answered(result: Result) -> None:
        if result.status is Status.FAILURE:
            writer.discard(result.index)
        if progress is not None:
            progress.update(answered=1)

    return OperationResponse(inputs, on_output=output, on_result=answered, retain_outputs=False)


# -- reporting ------------------------------------------------------------------------------


def _json_line(
    result: Result, inputs: Sequence[InputDocument], writer: OutputWriter
) -> dict[str, Any]:
    return {
        "index": result.index,
        "input": inputs[result.index].source,
        "status": result.status.value,
        "code": result.status_code,
        "message": result.message,
        "outputs": result.output_count,
        "paths": writer.paths.get(result.index, []),
        **({"documents": writer.inline[result.index]} if result.index in writer.inline else {}),
    }


def _summary(
    operation: OperationConfig,
    target: str,
    results: Sequence[Result],
    inputs: Sequence[InputDocument],
    writer: OutputWriter,
    calls: int,
    quiet: bool,
) -> None:
    """What ran and how it went, on stderr; ``-q`` keeps only the documents that did not
    succeed (the exit code still tells the outcome)."""
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    where = f" in {writer.folder}" if writer.folder is not None else ""
    if writer.removed:
        where += f" ({plural(writer.removed, 'output')} of an earlier run removed)"
    if not quiet:
        print(
            f"{operation.settings.name}: {operation.action.value} {operation.object.name} "
            f"on {target}\n"
            f"{plural(len(results), 'document')}: {counts[Status.SUCCESS]} succeeded, "
            f"{plural(counts[Status.APPLICATION_ERROR], 'application error')}, "
            f"{counts[Status.FAILURE]} failed; {plural(writer.count, 'output document')}{where}; "
            f"{plural(calls, 'HTTP call')}",
            file=sys.stderr,
        )
    for result in results:
        if result.status is not Status.SUCCESS:
            code = f" {result.status_code}" if result.status_code else ""
            print(
                f"  document {result.index + 1} ({inputs[result.index].source}): "
                f"{result.status.value}{code}: {result.message}",
                file=sys.stderr,
            )


def _exit_code(results: Sequence[Result]) -> int:
    statuses = {r.status for r in results}
    if Status.FAILURE in statuses:
        return ExitCode.DOCUMENT_FAILURES
    if Status.APPLICATION_ERROR in statuses:
        return ExitCode.APPLICATION_ERRORS
    return ExitCode.OK
