"""The block each timing benchmark ends with: ratios of figures measured side by side in one run.

Absolute figures move with the machine and its load; a ratio of two figures taken in the same
run, on the same machine and the same data, moves much less. ``run_all.py`` collects the blocks.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The line that opens the block; the block runs to the next blank line or the end.
HEADER = "ratios (measured side by side in this run):"


def ratio_line(label: str, value: float, detail: str = "") -> str:
    """``label: 1.23x (detail)``; two decimals, so a ratio near 1 still shows its drift."""
    return f"  {label}: {value:.2f}x" + (f" ({detail})" if detail else "")


def ratio_block(lines: Iterable[str]) -> str:
    return "\n".join([HEADER, *lines])


def extract(output: str) -> list[str]:
    """The ratio block of a benchmark's output (empty when it printed none)."""
    lines = output.splitlines()
    if HEADER not in lines:
        return []
    block = []
    for line in lines[lines.index(HEADER) :]:
        if not line.strip():
            break
        block.append(line)
    return block
