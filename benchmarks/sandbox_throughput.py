"""Requests per second the sandbox serves over loopback: GET, and a 100-result QUERY page.

Reported, not asserted (speed depends on the machine). One command::

    .venv/bin/python benchmarks/sandbox_throughput.py [--requests 500] [--clients 1] [--quick]

Starts a sandbox on a free loopback port (rate limit off), warms up, then times a bounded
number of requests per scenario and prints a table, then the ratios measured side by side:
JSON against XML per request, a record read through one QUERY page against a GET per record,
and (with ``--clients`` above 1) that many clients against one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from benchmarks._ratios import ratio_block, ratio_line
from connector.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME, Sandbox, SandboxConfig, fixtures

GET_XML, GET_JSON = "GET Process (XML)", "GET Process (JSON)"
QUERY_XML, QUERY_JSON = "QUERY ExecutionRecord page (XML)", "QUERY ExecutionRecord page (JSON)"
JSON = {"Accept": "application/json"}


def _scenarios(client: httpx.Client) -> dict[str, Callable[[], httpx.Response]]:
    process = f"/Process/{fixtures.ORDER_INTAKE.id}"
    return {
        GET_XML: lambda: client.get(process),
        GET_JSON: lambda: client.get(process, headers=JSON),
        QUERY_XML: lambda: client.post("/ExecutionRecord/query"),
        QUERY_JSON: lambda: client.post("/ExecutionRecord/query", headers=JSON),
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


def _page_size(url: str) -> int:
    with httpx.Client(base_url=url, auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD)) as client:
        answer = client.post("/ExecutionRecord/query", headers=JSON).json()
    return int(answer["numberOfResults"])


def ratios(
    rates: dict[str, float], page: int, clients: int, alone: dict[str, float] | None = None
) -> str:
    """The ratio block from requests per second by scenario (``alone``: with one client)."""
    lines = [
        ratio_line(
            f"JSON vs XML, {kind}",
            rates[json] / rates[xml],
            "requests/s",
        )
        for kind, xml, json in (("GET", GET_XML, GET_JSON), ("QUERY page", QUERY_XML, QUERY_JSON))
    ]
    # A GET answers one record, a page ``page`` of them: the time of ``page`` GETs over one page.
    lines.append(
        ratio_line(
            f"time for {page} records, {page} GETs vs one QUERY page (XML)",
            page * rates[QUERY_XML] / rates[GET_XML],
        )
    )
    if alone is not None:
        lines.extend(
            ratio_line(
                f"{clients} clients vs 1 client, {name}", rates[name] / alone[name], "requests/s"
            )
            for name in (GET_XML, QUERY_XML)
        )
    return ratio_block(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500, help="requests per scenario (500)")
    parser.add_argument("--clients", type=int, default=1, help="concurrent client threads (1)")
    parser.add_argument("--records", type=int, default=10_000, help="ExecutionRecord rows (10000)")
    parser.add_argument("--quick", action="store_true", help="100 requests per scenario")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests = 100
    if args.requests < 1 or args.clients < 1 or args.records < 1:
        parser.error("--requests, --clients and --records must be 1 or more")
    sandbox = Sandbox(SandboxConfig(rate_limit=0, records=args.records))
    rates: dict[str, float] = {}
    alone: dict[str, float] | None = {} if args.clients > 1 else None
    rows = []
    with sandbox.serve() as url:
        page = _page_size(url)
        for name in (GET_XML, GET_JSON, QUERY_XML, QUERY_JSON):
            rate, median = _run(url, name, args.requests, args.clients)
            rates[name] = rate
            row = [name, f"{rate:,.0f}", f"{median:.2f}"]
            if alone is not None:  # the baseline right after, on the same warm sandbox
                alone[name] = _run(url, name, args.requests, 1)[0]
                row.append(f"{alone[name]:,.0f}")
            rows.append(tuple(row))
    header: tuple[str, ...] = ("scenario", "requests/s", "median ms")
    if alone is not None:
        header = (*header, "1 client req/s")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(
        f"sandbox over loopback: {args.requests} requests per scenario, {args.clients} "
        f"client(s), {page} results per QUERY page"
    )
    for row in [header, tuple("-" * w for w in widths), *rows]:
        right = (v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True))
        print("  ".join([row[0].ljust(widths[0]), *right]))
    print()
    print(ratios(rates, page, args.clients, alone))
    return 0


if __name__ == "__main__":
    sys.exit(main())
