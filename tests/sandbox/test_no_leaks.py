"""A few hundred concurrent operations over loopback leak nothing: once the client (and its
pool) is closed, this process and the sandbox's are back to their file descriptors and threads.

The short form of benchmarks/load.py (same workload and sampling); counts, not timings, are
asserted, and the settle wait after the close is a bounded poll.
"""

from __future__ import annotations

import gc
import re

import pytest

from benchmarks._ratios import HEADER
from benchmarks.load import drive, report
from benchmarks.operations import sandbox_child

THREADS, TURNS = 8, 25  # 200 rounds: about 320 operations, every action


@pytest.mark.slow
def test_concurrent_operations_leave_no_fds_or_threads_behind() -> None:
    gc.collect()  # what earlier tests left for the collector closes now, not mid-measurement
    with sandbox_child(0, 200) as (child, connection):
        run = drive(connection, child.pid, threads=THREADS, until=lambda turn, _s: turn >= TURNS)
    assert run.tally.errors == {}
    assert run.tally.operations >= THREADS * TURNS
    assert max(s.sockets for s in run.client) > run.client[0].sockets  # it did hold connections
    for samples in (run.client, run.server):
        first, last = samples[0], samples[-1]
        # Nothing more than before (fewer is no leak: another test's object may be collected).
        assert last.fds <= first.fds and last.sockets <= first.sockets, (first, last)
        assert last.threads <= first.threads, (first, last)
    # The benchmark's report ends with its ratios (their shape, not their values); a run this
    # short may have too few samples to split into thirds, so throughput's line may be missing.
    block = report(run, THREADS).split(f"\n{HEADER}\n")[1].splitlines()
    assert all(re.match(r"^  \S.*: \d+\.\d\dx \(.+\)$", line) for line in block), block
    assert [line.split(":")[0].strip() for line in block[-4:]] == [
        "client rss, last quarter vs first quarter of the run",
        "client fds, after the close vs before the run",
        "sandbox rss, last quarter vs first quarter of the run",
        "sandbox fds, after the close vs before the run",
    ]
