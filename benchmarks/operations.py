"""Benchmarks of the operations engine against the sandbox over loopback.

    .venv/bin/python benchmarks/operations.py            # the full run (about half a minute)
    .venv/bin/python benchmarks/operations.py --quick    # smaller counts, for a smoke test

The sandbox runs in a child process, so the CPU time and memory measured here are the client's
alone. For a 10,000-record query, a Get of 1,000 ids (bulk, and one by one) and a Create of 1,000
documents it reports documents per second (a query's records count as documents), HTTP calls,
CPU per document and how far the resident size rose during the run (peak RSS, Linux);
then, with the sandbox's 10 requests-per-second limit on (and the client's own budget at 10), the
fraction of that ceiling achieved and the 503s seen. Results are printed, ending with the ratios
measured side by side, and written as JSON to ``benchmarks/results/``. Numbers are reported,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

from benchmarks._ratios import ratio_block, ratio_line
from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection, connection_from_mapping
from connector.atomsphere.ratelimit import RateLimiter
from connector.documents import Document, OperationResponse, Status
from connector.engine import OperationConfig, load_operation, run_operation
from connector.xml import API_NS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

SERVER = """
import sys
from connector.sandbox import Sandbox, SandboxConfig
config = SandboxConfig(rate_limit=float(sys.argv[1]), records=int(sys.argv[2]))
with Sandbox(config).serve("127.0.0.1", 0) as url:
    print(url, flush=True)
    sys.stdin.read()
"""


@dataclass(frozen=True)
class Measurement:
    """One run. ``processed`` is what throughput counts: input documents, or a query's records."""

    scenario: str
    documents: int
    outputs: int
    seconds: float
    http_calls: int
    cpu_ms_per_document: float
    peak_mib: float | None
    busy_503: int
    failures: int
    rate_limit: float

    @property
    def processed(self) -> int:
        return max(self.documents, self.outputs)

    @property
    def per_second(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0

    @property
    def ceiling_fraction(self) -> float | None:
        """The steady request rate (calls after the first, over the time they took) as a
        fraction of the rate limit; None when there is no limit."""
        if not self.rate_limit or not self.seconds or self.http_calls < 2:
            return None
        return (self.http_calls - 1) / self.seconds / self.rate_limit


@contextmanager
def sandbox_child(
    rate_limit: float, records: int
) -> Iterator[tuple[subprocess.Popen[str], Connection]]:
    """A sandbox in a child process (its CPU, fds and memory its own); yields it and a
    connection to it."""
    child = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(rate_limit), str(records)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url:
            raise SystemExit("the sandbox did not start")
        from connector.sandbox import DEFAULT_ACCOUNT_ID, DEFAULT_PASSWORD, DEFAULT_USERNAME

        yield (
            child,
            connection_from_mapping(
                {
                    "base_url": url,
                    "account_id": DEFAULT_ACCOUNT_ID,
                    "username": DEFAULT_USERNAME,
                    "password": DEFAULT_PASSWORD,
                    "rate_limit": rate_limit,
                }
            ),
        )
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


@contextmanager
def sandbox(rate_limit: float, records: int) -> Iterator[Connection]:
    """A sandbox in a child process; yields a connection to it."""
    with sandbox_child(rate_limit, records) as (_child, connection):
        yield connection


def measure(
    scenario: str,
    connection: Connection,
    operation: OperationConfig,
    documents: Sequence[Document],
    *,
    retain: bool = False,
    keep: Callable[[Document], None] | None = None,
) -> Measurement:
    """Run ``operation`` once on ``documents`` with a fresh client and limiter."""
    limiter = RateLimiter(connection.rate_limit)
    outputs = 0

    def on_output(_index: int, document: Document) -> None:
        nonlocal outputs
        outputs += 1
        if keep is not None:
            keep(document)

    with AtomSphereClient(connection, limiter=limiter) as client:
        response = OperationResponse(documents, on_output=on_output, retain_outputs=retain)
        start_rss = reset_peak_rss()
        cpu, wall = time.process_time(), time.perf_counter()
        run_operation(operation, client, documents, response)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = peak_rss_above(start_rss)
        stats = client.http.stats()
    failures = sum(1 for r in response.results if r.status is not Status.SUCCESS)
    return Measurement(
        scenario=scenario,
        documents=len(documents),
        outputs=outputs,
        seconds=wall,
        http_calls=stats.calls,
        cpu_ms_per_document=cpu * 1000 / max(1, len(documents), outputs),
        peak_mib=peak,
        busy_503=stats.statuses.get(503, 0),
        failures=failures,
        rate_limit=connection.rate_limit,
    )


def _status_kib(field: str) -> int | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else None


def reset_peak_rss() -> int | None:
    """Reset the process's peak resident size (Linux) and return the current one, in KiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_kib("VmRSS")


def peak_rss_above(start: int | None) -> float | None:
    """How far the resident size rose above ``start`` during the run, in MiB."""
    peak = _status_kib("VmHWM")
    if start is None or peak is None:
        return None
    return max(0, peak - start) / 1024


def environments(count: int, prefix: str) -> list[Document]:
    return [
        Document(
            f"<bns:Environment xmlns:bns={quoteattr(API_NS)} name={quoteattr(f'{prefix}-{n}')} "
            'classification="TEST"/>'.encode()
        )
        for n in range(count)
    ]


#: The operations measured, as a user would write them.
OPERATIONS = {
    "create": "action: CREATE\nobject: Environment\n",
    "get": (
        "action: GET\nobject: Environment\nid: {param: env}\n"
        "parameters:\n  env: {from: xpath, xpath: /bns:Environment/@id}\n"
    ),
    "query": "action: QUERY\nobject: ExecutionRecord\n",
}


def operations(folder: Path) -> dict[str, OperationConfig]:
    loaded = {}
    for name, body in OPERATIONS.items():
        path = folder / f"{name}.yaml"
        path.write_text(f"kind: AtomSphereOperation\nversion: 1\nname: bench-{name}\n{body}")
        loaded[name] = load_operation(path)
    return loaded


def run_all(quick: bool) -> list[Measurement]:
    records, creates, gets = (1_000, 100, 100) if quick else (10_000, 1_000, 1_000)
    limited_creates = 30 if quick else 100
    with tempfile.TemporaryDirectory() as folder:
        ops = operations(Path(folder))
    one_by_one = replace(ops["get"], options=replace(ops["get"].options, bulk_get=False))
    results: list[Measurement] = []
    with sandbox(0, records) as connection:
        unlimited = replace(connection, rate_limit=0.0)
        created: list[Document] = []
        results.append(
            measure(
                f"Create {creates}",
                unlimited,
                ops["create"],
                environments(creates, "b"),
                keep=created.append,
            )
        )
        results.append(measure(f"Get {gets} ids, bulk", unlimited, ops["get"], created[:gets]))
        results.append(
            measure(f"Get {gets} ids, one by one", unlimited, one_by_one, created[:gets])
        )
        results.append(
            measure(f"Query {records} records", unlimited, ops["query"], [Document(b"")])
        )
        results.append(
            measure(
                f"Query {records} records, outputs kept",
                unlimited,
                ops["query"],
                [Document(b"")],
                retain=True,
            )
        )
    with sandbox(10, records) as limited:
        results.append(
            measure(f"Query {records} records at 10 rps", limited, ops["query"], [Document(b"")])
        )
        results.append(
            measure(
                f"Create {limited_creates} at 10 rps",
                limited,
                ops["create"],
                environments(limited_creates, "l"),
            )
        )
    return results


def ratios(results: Sequence[Measurement]) -> str:
    """The ratio block: bulk Get against one by one, a streamed query's speed against a kept
    one's, and each rate-limited run against its ceiling."""
    by_name = {m.scenario.split(",")[-1].strip(): m for m in results}
    lines = []
    bulk, single = by_name.get("bulk"), by_name.get("one by one")
    if bulk and single:
        lines.append(
            ratio_line(
                "documents/s, bulk Get vs one-by-one Get",
                bulk.per_second / single.per_second,
                f"{single.http_calls / max(1, bulk.http_calls):.0f}x fewer HTTP calls",
            )
        )
    streamed = next((m for m in results if m.scenario.endswith("records")), None)
    kept = by_name.get("outputs kept")
    if streamed and kept:
        lines.append(
            ratio_line(
                "records/s, query streamed vs outputs kept", streamed.per_second / kept.per_second
            )
        )
    lines.extend(
        ratio_line(f"requests/s vs the limit, {m.scenario}", m.ceiling_fraction)
        for m in results
        if m.ceiling_fraction is not None
    )
    return ratio_block(lines)


def report(results: Sequence[Measurement]) -> str:
    header = (
        f"{'scenario':<34} {'docs':>6} {'outputs':>7} {'seconds':>8} {'docs/s':>8} "
        f"{'calls':>6} {'CPU ms/doc':>10} {'+RSS MiB':>8} {'503s':>5} {'ceiling':>8}"
    )
    lines = [header, "-" * len(header)]
    for m in results:
        peak = f"{m.peak_mib:.1f}" if m.peak_mib is not None else "-"
        ceiling = f"{m.ceiling_fraction:.2f}" if m.ceiling_fraction is not None else "-"
        lines.append(
            f"{m.scenario:<34} {m.documents:>6} {m.outputs:>7} {m.seconds:>8.2f} "
            f"{m.per_second:>8.0f} {m.http_calls:>6} {m.cpu_ms_per_document:>10.3f} {peak:>8} "
            f"{m.busy_503:>5} {ceiling:>8}"
        )
    by_name = {m.scenario.split(",")[-1].strip(): m for m in results}
    streamed = next((m for m in results if m.scenario.endswith("records")), None)
    kept = by_name.get("outputs kept")
    if streamed and kept and streamed.peak_mib is not None and kept.peak_mib is not None:
        lines.append("")
        lines.append(
            f"query memory, streamed to the host vs every output kept: peak RSS +"
            f"{streamed.peak_mib:.1f} MiB vs +{kept.peak_mib:.1f} MiB"
        )
    lines.extend(["", ratios(results)])
    failed = [m for m in results if m.failures]
    for m in failed:
        lines.append(f"warning: {m.scenario}: {m.failures} documents did not succeed")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts (a smoke test)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run_all(args.quick)
    print(report(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"operations-{stamp}.json"
    payload = [
        {**asdict(m), "per_second": m.per_second, "ceiling_fraction": m.ceiling_fraction}
        for m in results
    ]
    out.write_text(json.dumps(payload, indent=2) + "\n", "utf-8")
    print(f"\n{time.perf_counter() - started:.0f} s in all; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
