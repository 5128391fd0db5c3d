"""How much committing every answered document costs, against one commit per step.

Process reporting commits each answered document so that a killed run keeps every answer it
gave. This measures that choice against the alternative (one commit at the end of the step) on
the same database settings (WAL, synchronous=NORMAL). Reported, never asserted:

    .venv/bin/python benchmarks/host_reporting_commits.py [DOCUMENTS] [BYTES]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from connector.contract import TrackingDirection
from connector.documents import Result, Status
from connector.host.reporting.database import ExecutionStatus, now
from connector.host.reporting.recorder import ExecutionRecorder
from connector.scrub import Scrubber


def _record(folder: Path, documents: int, size: int, *, per_document: bool) -> float:
    recorder = ExecutionRecorder(folder / f"{per_document}.db", Scrubber(["secret"]))
    recorder.begin("bench", folder / "bench.yaml", {})
    step = recorder.begin_step("operation", "Fetch", "steps[0]", tracking=TrackingDirection.INPUT)
    data = b"<thing>" + b"x" * max(size - 15, 0) + b"</thing>"
    started = now()
    begin = time.perf_counter()
    for i in range(documents):
        answer = Result(i, Status.SUCCESS, "200", "OK")
        recorder.track(
            step,
            0,
            i,
            TrackingDirection.INPUT,
            data,
            {"id": str(i)},
            {"id": str(i)},
            started,
            answer=answer if per_document else None,
        )
    recorder.commit()
    elapsed = time.perf_counter() - begin
    recorder.finish(ExecutionStatus.COMPLETE)
    recorder.close()
    return elapsed


def main() -> None:
    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        per_step = _record(folder, documents, size, per_document=False)
        per_document = _record(folder, documents, size, per_document=True)
    print(f"{documents} documents of {size} bytes, input tracking, one tracked field")
    print(f"  one commit per step:     {per_step:.3f} s  ({documents / per_step:,.0f} docs/s)")
    print(
        f"  one commit per document: {per_document:.3f} s  "
        f"({documents / per_document:,.0f} docs/s, {per_document / per_step:.1f}x)"
    )


if __name__ == "__main__":
    main()
