"""Every action under every fault (tests/reliability/matrix.py): no exception escapes, every
document is answered once with the right status and message, nothing is created or executed
twice, and the process report agrees with the connector's answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.harness import run_cell
from tests.reliability.matrix import Cell, cells


@pytest.mark.parametrize("cell", cells(), ids=lambda c: c.id)
def test_fault_matrix_cell(cell: Cell, tmp_path: Path) -> None:
    outcome = run_cell(cell, tmp_path)
    assert outcome.problems == [], f"expected {cell.expected.describe()}"
    assert outcome.lost == 0
