"""The connector and the sandbox under many concurrent operations, watched for leaks.

    .venv/bin/python benchmarks/load.py [--seconds 30] [--threads 16] [--records 500] [--quick]

Starts the sandbox in a child process on loopback (rate limit off), then ``--threads`` threads
share one AtomSphereClient (one httpx pool) and run, round-robin, a paged QUERY, a Get, a bulk
Get, a Create then Update then Delete, and an EXECUTE, through ``run_operation``, for a bounded
time. Open file descriptors, sockets, threads and resident size of both processes are sampled
over the run and after the client closes (and the sandbox has settled). It prints operations
per second, documents answered, errors by status, the start/end/max of each figure and a
verdict line, then the ratios measured side by side in the run: operations per second in its
last third against its first, resident size in its last quarter against its first, and file
descriptors after the close against before. Reported, never asserted;
tests/sandbox/test_no_leaks.py asserts the short form.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._ratios import ratio_block, ratio_line
from benchmarks.operations import sandbox_child
from connector.atomsphere.client import AtomSphereClient
from connector.atomsphere.connection import Connection
from connector.atomsphere.ratelimit import RateLimiter
from connector.documents import Document, OperationResponse
from connector.engine import OperationConfig, load_operation, run_operation
from connector.sandbox import fixtures
from connector.xml import API_NS

MIB = 1024 * 1024
#: Operation files as a user writes them (polling is quick: the sandbox answers at once).
OPERATIONS = {
    "query": "action: QUERY\nobject: ExecutionRecord\n",
    "get": "action: GET\nobject: Environment\nid: {param: env}\noptions: {bulk_get: false}\n",
    "bulk-get": "action: GET\nobject: Environment\nid: {param: env}\n",
    "create": "action: CREATE\nobject: Environment\n",
    "update": "action: UPDATE\nobject: Environment\n",
    "delete": "action: DELETE\nobject: Environment\nid: {param: env}\n",
    "execute": (
        "action: EXECUTE\nobject: ExecutionRequest\noptions: {poll_interval_seconds: 0.02}\n"
    ),
}
ENV_PARAM = "parameters:\n  env: {from: xpath, xpath: /bns:Environment/@id}\n"


@dataclass(frozen=True)
class Sample:
    fds: int
    sockets: int
    threads: int
    rss: int  # bytes


def sample(pid: int | str = "self") -> Sample:
    """Open fds, sockets, threads and resident size of a process (Linux /proc)."""
    folder = Path(f"/proc/{pid}")
    links = []
    for entry in (folder / "fd").iterdir():
        try:
            links.append(str(entry.readlink()))
        except OSError:
            continue  # closed while listed (this listing's own fd, for one)
    status = dict(
        line.split(":", 1) for line in (folder / "status").read_text().splitlines() if ":" in line
    )
    return Sample(
        fds=len(links),
        sockets=sum(1 for link in links if link.startswith("socket:")),
        threads=int(status["Threads"]),
        rss=int(status["VmRSS"].split()[0]) * 1024,
    )


def load_operations(folder: Path) -> dict[str, OperationConfig]:
    loaded = {}
    for name, body in OPERATIONS.items():
        path = folder / f"{name}.yaml"
        params = ENV_PARAM if "{param: env}" in body else ""
        path.write_text(f"kind: AtomSphereOperation\nversion: 1\nname: load-{name}\n{body}{params}")
        loaded[name] = load_operation(path)
    return loaded


def _env(env_id: str = "", name: str = "") -> Document:
    attrs = f' id="{env_id}"' if env_id else ""
    attrs += f' name="{name}" classification="TEST"' if name else ""
    return Document(f'<bns:Environment xmlns:bns="{API_NS}"{attrs}/>'.encode())


@dataclass
class Tally:
    """What the workers did; shared, so updated under a lock."""

    operations: int = 0
    documents: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, response: OperationResponse) -> None:
        with self.lock:
            self.operations += 1
            for result in response.results:
                self.documents += 1
                if not result.ok:
                    self.errors[result.status_code or result.status.value] += 1


class Workload:
    """The round of operations one worker runs again and again."""

    def __init__(self, ops: dict[str, OperationConfig], client: AtomSphereClient) -> None:
        self.ops = ops
        self.client = client
        self.tally = Tally()
        envs = [fixtures.PRODUCTION.id, fixtures.TEST.id, fixtures.DEVELOPMENT.id]
        self.ids = [_env(env_id) for env_id in envs]
        execute = (
            f'<bns:ExecutionRequest xmlns:bns="{API_NS}" processId="{fixtures.ORDER_INTAKE.id}" '
            f'atomId="{fixtures.PRODUCTION_ATOM.id}"/>'
        )
        self.execute = Document(execute.encode())

    def run(self, name: str, documents: list[Document]) -> OperationResponse:
        response = OperationResponse(documents, retain_outputs=True)
        run_operation(self.ops[name], self.client, documents, response)
        self.tally.add(response)
        return response

    def round(self, worker: int, turn: int) -> None:
        step = (worker + turn) % 5
        if step == 0:
            self.run("query", [Document(b"")])
        elif step == 1:
            self.run("get", [self.ids[turn % 3]])
        elif step == 2:
            self.run("bulk-get", self.ids * 4)
        elif step == 3:
            self._lifecycle(f"load-{worker}-{turn}")
        else:
            self.run("execute", [self.execute])

    def _lifecycle(self, name: str) -> None:
        created = self.run("create", [_env(name=name)]).results[0]
        if not created.ok or not created.outputs:
            return
        env_id = _attribute(created.outputs[0].data, "id")
        self.run("update", [_env(env_id, name=f"{name}-renamed")])
        self.run("delete", [_env(env_id)])


def _attribute(xml: bytes, name: str) -> str:
    text = xml.decode()
    start = text.index(f' {name}="') + len(name) + 3
    return text[start : text.index('"', start)]


@dataclass
class Run:
    seconds: float
    tally: Tally
    client: list[Sample]
    server: list[Sample]
    #: (seconds since the start, operations done) at each sample while every worker ran.
    progress: list[tuple[float, int]] = field(default_factory=list)


def drive(
    connection: Connection,
    server_pid: int,
    *,
    threads: int,
    until: Callable[[int, float], bool],
    every: float = 0.5,
) -> Run:
    """Run the workload on ``threads`` threads while ``until(turn, elapsed seconds)`` is false
    for each, sampling both
    processes. The first samples follow one warm-up round on its own client (catalogs, caches
    and the sandbox's lazy data are loaded once per process, not leaked); the last follow the
    client's close, once both processes have settled."""
    with tempfile.TemporaryDirectory() as folder:
        ops = load_operations(Path(folder))
    server_before = sample(server_pid)
    with AtomSphereClient(connection, limiter=RateLimiter(0)) as warm:
        for step in range(5):
            Workload(ops, warm).round(0, step)
    client_samples = [settled("self", sample())]
    server_samples = [settled(server_pid, server_before)]
    stop = threading.Event()
    client = AtomSphereClient(connection, limiter=RateLimiter(0))
    workload = Workload(ops, client)
    progress = [(0.0, 0)]

    def worker(index: int) -> None:
        turn = 0
        while not stop.is_set() and not until(turn, time.perf_counter() - started):
            workload.round(index, turn)
            turn += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,), name=f"load-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    while any(t.is_alive() for t in pool):
        pool[0].join(every)
        client_samples.append(sample())
        server_samples.append(sample(server_pid))
        if all(t.is_alive() for t in pool):  # the drain at the end is no measure of throughput
            progress.append((time.perf_counter() - started, workload.tally.operations))
    elapsed = time.perf_counter() - started
    client.close()
    client_samples.append(settled("self", client_samples[0]))
    server_samples.append(settled(server_pid, server_samples[0]))
    return Run(elapsed, workload.tally, client_samples, server_samples, progress)


def settled(pid: int | str, baseline: Sample, guard: float = 30.0) -> Sample:
    """A sample once the process's fds and threads are back to ``baseline`` (a closed
    connection's server thread, or an ended thread at the OS level, goes a moment later), or
    the last one after ``guard`` seconds: a leak shows as a figure that never came back."""
    deadline = time.monotonic() + guard
    while True:
        now = sample(pid)
        back = now.fds <= baseline.fds and now.threads <= baseline.threads
        if back or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


def _span(samples: list[Sample], name: str, scale: float = 1.0) -> str:
    values = [getattr(s, name) / scale for s in samples]
    fmt = "{:.1f}" if scale != 1.0 else "{:.0f}"
    start, end, peak = (fmt.format(v) for v in (values[0], values[-1], max(values)))
    return f"{name} {start} -> {end} (max {peak})"


def verdict(samples: list[Sample]) -> str:
    first, last = samples[0], samples[-1]
    leaked = last.fds > first.fds or last.threads > first.threads
    return (
        f"leaks: {'SUSPECTED' if leaked else 'none'} (fds {first.fds} -> {last.fds}, threads "
        f"{first.threads} -> {last.threads}, rss {(last.rss - first.rss) / MIB:+.1f} MiB)"
    )


def _quarters(samples: list[Sample]) -> list[Sample]:
    """The samples at the end of each quarter of the run."""
    during = samples[1:-1] or samples
    return [during[min(len(during) - 1, round(q * (len(during) - 1) / 4))] for q in (1, 2, 3, 4)]


def rss_trend(samples: list[Sample]) -> str:
    """Resident size at each quarter of the run and its growth over the second half: memory
    that is flat stops growing once pools and caches are warm, a leak keeps the slope."""
    marks = _quarters(samples)
    quarters = " / ".join(f"{m.rss / MIB:.1f}" for m in marks)
    return f"rss by quarter {quarters} MiB (second half {(marks[3].rss - marks[1].rss) / MIB:+.1f})"


def _operations_at(progress: list[tuple[float, int]], seconds: float) -> tuple[float, int]:
    """The progress sample nearest ``seconds`` into the run."""
    return min(progress, key=lambda point: abs(point[0] - seconds))


def ratios(run: Run) -> str:
    """The ratio block: throughput late against early (when the run sampled enough to split it
    into thirds), memory and fds end against start."""
    lines = []
    if len(run.progress) >= 4:
        end = run.progress[-1][0]
        (t0, n0), (t1, n1) = run.progress[0], _operations_at(run.progress, end / 3)
        (t2, n2), (t3, n3) = _operations_at(run.progress, 2 * end / 3), run.progress[-1]
        if t1 > t0 and t3 > t2 and n1 > n0:
            lines.append(
                ratio_line(
                    "operations/s, last third vs first third of the run",
                    ((n3 - n2) / (t3 - t2)) / ((n1 - n0) / (t1 - t0)),
                    f"{(n1 - n0) / (t1 - t0):.1f} -> {(n3 - n2) / (t3 - t2):.1f}/s",
                )
            )
    for who, samples in (("client", run.client), ("sandbox", run.server)):
        marks, first, last = _quarters(samples), samples[0], samples[-1]
        lines.append(
            ratio_line(
                f"{who} rss, last quarter vs first quarter of the run",
                marks[3].rss / marks[0].rss,
                f"{marks[0].rss / MIB:.1f} -> {marks[3].rss / MIB:.1f} MiB",
            )
        )
        lines.append(
            ratio_line(
                f"{who} fds, after the close vs before the run",
                last.fds / max(1, first.fds),
                f"{first.fds} -> {last.fds}; threads {first.threads} -> {last.threads}",
            )
        )
    return ratio_block(lines)


def report(run: Run, threads: int) -> str:
    tally = run.tally
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(tally.errors.items())) or "none"
    lines = [
        f"{threads} threads for {run.seconds:.1f} s: {tally.operations} operations "
        f"({tally.operations / run.seconds:.1f}/s), {tally.documents} documents answered "
        f"({tally.documents / run.seconds:.1f}/s), errors: {errors}",
    ]
    for who, samples in (("client", run.client), ("sandbox", run.server)):
        figures = [_span(samples, n) for n in ("fds", "sockets", "threads")]
        figures.append(_span(samples, "rss", MIB) + " MiB")
        lines.append(f"{who:<8} " + "; ".join(figures))
        lines.append(f"{who:<8} {rss_trend(samples)}")
        lines.append(f"{who:<8} {verdict(samples)}")
    lines.extend(["", ratios(run)])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run (30)")
    parser.add_argument("--threads", type=int, default=16, help="concurrent worker threads (16)")
    parser.add_argument("--records", type=int, default=500, help="ExecutionRecord rows (500)")
    parser.add_argument("--quick", action="store_true", help="6 seconds")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 6.0
    if args.seconds <= 0 or args.threads < 1 or args.records < 1:
        parser.error("--seconds must be above 0, --threads and --records 1 or more")
    with sandbox_child(0, args.records) as (child, connection):
        run = drive(
            connection,
            child.pid,
            threads=args.threads,
            until=lambda _turn, elapsed: elapsed > args.seconds,
        )
    print(report(run, args.threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
