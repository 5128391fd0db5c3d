"""The fault matrix as a table: every action under every fault, through the reference host.

    .venv/bin/python benchmarks/fault_matrix.py

A reliability table, not a timing: it prints pass or fail per cell, so no ratios (the timing
benchmarks end with theirs; ``run_all.py`` runs it with them).

Runs each cell of ``tests/reliability/matrix.py`` (the same cells the test suite runs) and prints
one row per fault and one column per action. A cell reads ``ok 3/3`` when every input document
got the expected answer (status and message), the sandbox shows nothing created or executed
twice and the process report agrees with the connector, with the expected answers that were not
SUCCESS in brackets (``1F``: one FAILURE, ``1A``: one APPLICATION_ERROR); otherwise it shows
the first problem.
``-`` marks a fault that does not apply to the action (query tokens exist only for Query). The
last line counts the cells that held and the input documents lost (never answered by the
connector, missing from the report, or missing outputs). About 20 s on the 2-core development
machine; the in-process cells run on a fake clock, the server that dies runs over loopback.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector.documents import Status  # noqa: E402
from tests.reliability.harness import Outcome, run_cell  # noqa: E402
from tests.reliability.matrix import DOCUMENTS, FAULTS, Cell, Column, cells  # noqa: E402

WIDTH = 60


def _text(outcome: Outcome) -> str:
    if outcome.ok:
        answered = [a for a in outcome.answers if a is not None]
        others = Counter(a.status.value[0] for a in answered if a.status is not Status.SUCCESS)
        mix = " ".join(f"{n}{letter}" for letter, n in sorted(others.items()))
        return f"ok {len(answered)}/{DOCUMENTS}" + (f" ({mix})" if mix else "")
    problem = outcome.problems[0]
    return "FAIL " + (problem if len(problem) <= WIDTH else problem[: WIDTH - 1] + "…")


def table(outcomes: dict[tuple[str, Column], Outcome]) -> list[str]:
    header = ["fault", *(c.value for c in Column)]
    rows = [
        [fault.name, *(_cell_text(outcomes.get((fault.name, c))) for c in Column)]
        for fault in FAULTS
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _cell_text(outcome: Outcome | None) -> str:
    return "-" if outcome is None else _text(outcome)


def main() -> int:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    matrix: list[Cell] = cells()
    outcomes = {(cell.fault.name, cell.column): run_cell(cell) for cell in matrix}
    for text in table(outcomes):
        print(text)
    survived = sum(1 for o in outcomes.values() if o.ok)
    lost = sum(o.lost for o in outcomes.values())
    print()
    print(f"faults survived: {survived}/{len(outcomes)}, documents lost: {lost}")
    return 0 if survived == len(outcomes) and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
