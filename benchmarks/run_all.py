"""Every benchmark in one command, each in a process of its own, then their ratio blocks.

    .venv/bin/python benchmarks/run_all.py           # the full runs (about two minutes)
    .venv/bin/python benchmarks/run_all.py --quick   # the quick forms (under a minute)

Runs operations.py, sandbox_throughput.py, host_reporting_commits.py and load.py (each with
``--quick`` when given) and fault_matrix.py, printing each one's output as it ends, then a
summary: every timing benchmark's ratios, measured side by side in its own run, and the fault
matrix's last line (a reliability table, not a timing: it has no ratios). A process of its own
keeps one benchmark's memory, threads and file descriptors out of the next one's figures. Exit
code 1 when a benchmark failed or printed no ratios.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._ratios import extract  # noqa: E402

#: The timing benchmarks, each ending with a ratio block; ``--quick`` is passed on.
TIMINGS = ("operations", "sandbox_throughput", "host_reporting_commits", "load")
#: The reliability table: no ratios, no quick form (about 20 s).
TABLE = "fault_matrix"


def run(name: str, quick: bool) -> tuple[int, str, float]:
    """(exit code, standard output, seconds) of one benchmark."""
    command = [sys.executable, str(ROOT / "benchmarks" / f"{name}.py")]
    if quick and name in TIMINGS:
        command.append("--quick")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=600)
    return done.returncode, done.stdout, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="each benchmark's quick form")
    args = parser.parse_args(argv)
    summary: list[str] = []
    failed = False
    for name in (*TIMINGS, TABLE):
        print(f"== {name}.py", flush=True)
        code, output, seconds = run(name, args.quick)
        print(output.rstrip())
        print(f"({seconds:.0f} s, exit code {code})\n", flush=True)
        summary.append(f"{name}.py:")
        if name in TIMINGS:
            block = extract(output)
            summary.extend(block[1:] or ["  no ratios printed"])
            failed |= code != 0 or not block
        else:
            last = output.strip().splitlines()[-1:] or ["no output"]
            summary.append(f"  {last[0]} (a reliability table, no ratios)")
            failed |= code != 0
    print("== ratios, each measured side by side within its benchmark's run")
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
