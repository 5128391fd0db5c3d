"""Requests per second the sandbox serves over loopback: GET, and a 100-result QUERY page.

Reported, not asserted (speed depends on the machine). One command::

    .venv/bin/python benchmarks/sandbox_throughput.py [--requests 500] [--clients 1]

Starts a sandbox on a free loopback port (rate limit off), warms up, then times a bounded
number of requests per scenario and prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from connector.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, Sandbox, SandboxConfig, fixtures


def _scenarios(client: httpx.Client) -> dict[str, Callable[[], httpx.Response]]:
    process = f"/Process/{fixtures.ORDER_INTAKE.id}"
    return {
        "GET Process (XML)": lambda: client.get(process),
        "GET Process (JSON)": lambda: client.get(process, headers={"Accept": "application/json"}),
        "QUERY ExecutionRecord, 100 results (XML)": lambda: client.post("/ExecutionRecord/query"),
        "QUERY ExecutionRecord, 100 results (JSON)": lambda: client.post(
            "/ExecutionRecord/query", headers={"Accept": "application/json"}
        ),
    }


def _run(url: str, name: str, requests: int, clients: int) -> tuple[float, float]:
    """(requests per second, median latency in ms) of ``requests`` calls over ``clients``."""
    latencies: list[float] = []

    def worker(count: int) -> None:
        with httpx.Client(base_url=url, auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD)) as client:
            call = _scenarios(client)[name]
            call()  # warm the connection
            for _ in range(count):
                started = time.perf_counter()
                response = call()
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")

    share = max(requests // clients, 1)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, [share] * clients))
    elapsed = time.perf_counter() - started
    return share * clients / elapsed, statistics.median(latencies) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="requests per scenario")
    parser.add_argument("--clients", type=int, default=1, help="concurrent client threads")
    parser.add_argument("--records", type=int, default=10_000, help="ExecutionRecord rows")
    args = parser.parse_args(argv)
    sandbox = Sandbox(SandboxConfig(rate_limit=0, records=args.records))
    rows = []
    with sandbox.serve() as url:
        with httpx.Client(base_url=url, auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD)) as client:
            names = list(_scenarios(client))
        for name in names:
            rate, median = _run(url, name, args.requests, args.clients)
            rows.append((name, f"{rate:,.0f}", f"{median:.2f}"))
    header = ("scenario", "requests/s", "median ms")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    print(f"sandbox over loopback: {args.requests} requests per scenario, {args.clients} client(s)")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
