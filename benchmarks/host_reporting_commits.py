"""What process reporting's commit policy costs, against one commit per step.

Process reporting commits each answered document (input tracking: one commit per document), and
the outputs still waiting for their answer (a query's records) in bounded units: every 100, or
after 0.1 s, so a killed run keeps what it streamed and the write lock is never held for long.
This measures both against one transaction for the whole step (what output tracking did before)
on the same database settings (WAL, synchronous=NORMAL), the policies taking turns for
``--repeat`` rounds (the median of each is printed), then the ratios of those medians. Reported,
never asserted:

    .venv/bin/python benchmarks/host_reporting_commits.py [--documents 5000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._ratios import ratio_block, ratio_line  # noqa: E402
from connector.contract import TrackingDirection  # noqa: E402
from connector.documents import Result, Status  # noqa: E402
from connector.host.reporting.database import ExecutionStatus, now  # noqa: E402
from connector.host.reporting.recorder import (  # noqa: E402
    COMMIT_AFTER,
    COMMIT_EVERY,
    ExecutionRecorder,
)
from connector.scrub import Scrubber  # noqa: E402

PER_DOCUMENT = "one commit per document (input tracking)"
BATCHED = f"every {COMMIT_EVERY} outputs or {COMMIT_AFTER} s (output tracking)"
PER_STEP = "one commit per step (for reference)"
#: How each policy records: (tracking direction, commit_every, commit_after).
POLICIES = {
    PER_DOCUMENT: (TrackingDirection.INPUT, 1, COMMIT_AFTER),
    BATCHED: (TrackingDirection.OUTPUT, COMMIT_EVERY, COMMIT_AFTER),
    PER_STEP: (TrackingDirection.OUTPUT, 10**9, 3600.0),
}


def _record(
    database: Path, documents: int, size: int, policy: tuple[TrackingDirection, int, float]
) -> float:
    direction, every, after = policy
    recorder = ExecutionRecorder(
        database, Scrubber(["secret"]), commit_every=every, commit_after=after
    )
    recorder.begin("bench", database.with_suffix(".yaml"), {})
    step = recorder.begin_step("operation", "Fetch", "steps[0]", tracking=direction)
    data = b"<thing>" + b"x" * max(size - 15, 0) + b"</thing>"
    started = now()
    begin = time.perf_counter()
    for i in range(documents):
        if direction is TrackingDirection.INPUT:
            answer = Result(i, Status.SUCCESS, "200", "OK")
            recorder.track(
                step, 0, i, direction, data, {"id": str(i)}, {"id": str(i)}, started, answer
            )
        else:  # one query input streaming all the records, answered at the end
            recorder.track(step, 0, 0, direction, data, {"id": str(i)}, {"id": str(i)}, started)
    if direction is TrackingDirection.OUTPUT:
        recorder.answer_outputs(step, 0, 0, Result(0, Status.SUCCESS, "200", "OK"))
    recorder.commit()
    elapsed = time.perf_counter() - begin
    recorder.finish(ExecutionStatus.COMPLETE)
    recorder.close()
    return elapsed


def ratios(seconds: dict[str, float], documents: int) -> str:
    """The ratio block from each policy's seconds for the same documents."""
    extra = (seconds[PER_DOCUMENT] - seconds[BATCHED]) * 1000 / documents
    return ratio_block(
        [
            ratio_line(
                "time, a commit per document vs the host's batched commits",
                seconds[PER_DOCUMENT] / seconds[BATCHED],
                f"{extra:+.3f} ms per document",
            ),
            ratio_line(
                "time, the host's batched commits vs one commit per step",
                seconds[BATCHED] / seconds[PER_STEP],
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--documents", type=int, default=5000, metavar="N", help="documents to record (5000)"
    )
    parser.add_argument(
        "--bytes", type=int, default=2000, metavar="N", help="bytes per document (2000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, metavar="N", help="rounds of every policy (3)"
    )
    parser.add_argument("--quick", action="store_true", help="1000 documents")
    args = parser.parse_args(argv)
    if args.quick:
        args.documents = 1000
    if args.documents < 1 or args.bytes < 0 or args.repeat < 1:
        parser.error("--documents and --repeat must be 1 or more, --bytes 0 or more")
    print(
        f"{args.documents} documents of {args.bytes} bytes, one tracked field, "
        f"median of {args.repeat} round(s)"
    )
    times: dict[str, list[float]] = {label: [] for label in POLICIES}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.repeat):  # taking turns, so a busy moment hits every policy
            for n, (label, policy) in enumerate(POLICIES.items()):
                database = Path(tmp) / f"{round_}-{n}.db"
                times[label].append(_record(database, args.documents, args.bytes, policy))
    seconds = {label: statistics.median(values) for label, values in times.items()}
    for label, elapsed in seconds.items():
        rate = args.documents / elapsed
        print(f"  {label + ':':<48} {elapsed:.3f} s  ({rate:,.0f} docs/s)")
    print()
    print(ratios(seconds, args.documents))
    return 0


if __name__ == "__main__":
    sys.exit(main())
