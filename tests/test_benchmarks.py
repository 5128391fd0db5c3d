"""Each timing benchmark ends with its ratio block (benchmarks/README.md). Tiny counts, and the
block's shape is checked, never its values: speed is measured in benchmarks, not asserted here.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import host_reporting_commits, operations, sandbox_throughput
from benchmarks._ratios import HEADER, extract

RATIO = re.compile(r"^  \S.*: \d+\.\d\dx( \(.+\))?$")


def _assert_block(output: str, lines: int) -> None:
    block = extract(output)
    assert block[:1] == [HEADER], output
    assert len(block) == 1 + lines, block
    for line in block[1:]:
        assert RATIO.match(line), line


def test_sandbox_throughput_ends_with_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert sandbox_throughput.main(["--requests", "4", "--clients", "2", "--records", "150"]) == 0
    _assert_block(capsys.readouterr().out, 5)  # JSON/XML twice, page vs GETs, 2 clients twice


def test_host_reporting_commits_ends_with_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert host_reporting_commits.main(["--documents", "20", "--repeat", "1"]) == 0
    _assert_block(capsys.readouterr().out, 2)


def test_operations_report_ends_with_its_ratios() -> None:
    def measured(scenario: str, calls: int, limit: float = 0.0) -> operations.Measurement:
        return operations.Measurement(scenario, 10, 10, 0.5, calls, 0.1, 1.0, 0, 0, limit)

    results = [
        measured("Get 10 ids, bulk", 1),
        measured("Get 10 ids, one by one", 10),
        measured("Query 10 records", 1),
        measured("Query 10 records, outputs kept", 1),
        measured("Create 10 at 10 rps", 10, 10.0),
    ]
    _assert_block(operations.report(results), 3)  # bulk vs single, streamed vs kept, ceiling
