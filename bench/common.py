"""What the benchmarks share: dedicated Neo4j servers, data sets by size, isolated timing runs and
the results file.

Every benchmark runs against its own throwaway server under `bench/out/` (never the user's), which
is stopped when the benchmark ends, also on failure. Steps whose peak memory matters run in a
fresh Python process (`isolated`), so each figure is that step's own peak resident memory.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphcrm import server
from graphcrm.db import Graph, Settings

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = Path(os.environ.get("GRAPHCRM_BENCH_OUT", BENCH / "out"))
RESULTS = Path(os.environ.get("GRAPHCRM_BENCH_RESULTS", BENCH / "RESULTS.md"))
HEAP = os.environ.get("GRAPHCRM_BENCH_HEAP", "4g")
PAGECACHE_MB = int(os.environ.get("GRAPHCRM_BENCH_PAGECACHE_MB", "4096"))
LOADED_MARK = "loaded.json"


def machine() -> str:
    """One line describing this machine, for the results table."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    java = shutil.which("java") or "java"
    done = subprocess.run([java, "-version"], capture_output=True, text=True)
    jvm = (done.stderr.splitlines() or ["unknown Java"])[0].replace('"', "")
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, {jvm}, "
        f"Neo4j heap {HEAP} / page cache {PAGECACHE_MB} MiB"
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    Read from the kernel's high-water mark (`VmHWM`), which starts afresh with each program:
    `getrusage`'s `ru_maxrss` survives fork and exec, so in an `isolated` worker it reported the
    benchmark runner's own peak (5.4 GiB after the load benchmark) instead of the worker's.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dataset(size: int, seed: int = 7) -> Path:
    """The generated data set for `size` customers (made once, then reused)."""
    directory = OUT / f"data-{size}-{seed}"
    if not (directory / "interactions.csv").exists():
        from graphcrm.ingest.generate import generate

        shutil.rmtree(directory, ignore_errors=True)
        started = time.perf_counter()
        generate(directory, customers=size, seed=seed)
        print(f"generated {size:,} customers in {time.perf_counter() - started:.1f}s -> {directory}")
    return directory


@dataclass
class BenchServer:
    """A running dedicated server and a connection to it."""

    home: server.ServerHome
    graph: Graph

    @property
    def settings(self) -> Settings:
        return self.graph.settings


@contextmanager
def dedicated_server(
    name: str,
    *,
    import_dir: Path | None = None,
    keep_store: bool = False,
    heap: str = HEAP,
    pagecache_mb: int = PAGECACHE_MB,
) -> Iterator[BenchServer]:
    """A Neo4j just for one benchmark (never the user's), stopped afterwards even on failure.

    The store starts empty and is deleted afterwards, unless `keep_store`: then an existing store
    of the same name is reused and kept (see `loaded_graph`).
    """
    home = server.ServerHome(OUT / f"neo4j-{name}")
    if not keep_store:
        shutil.rmtree(home.root, ignore_errors=True)
    shared = server.ServerHome.resolve(ROOT / ".graphcrm" / "neo4j")
    server.build(shared)
    shutil.rmtree(home.build, ignore_errors=True)
    shutil.copytree(shared.build, home.build)
    port = server.free_port()
    try:
        details = server.start(home, port=port, heap=heap, pagecache_mb=pagecache_mb, import_dir=import_dir)
        graph = Graph(Settings(details.uri, details.username, details.password))
        yield BenchServer(home, graph)
    finally:
        server.stop(home)
        if not keep_store:
            shutil.rmtree(home.dbms, ignore_errors=True)


@contextmanager
def loaded_graph(size: int, seed: int = 7) -> Iterator[BenchServer]:
    """A dedicated server holding the data set of `size` customers, loaded by graphcrm once and
    kept under bench/out for the projection, analytics and dashboard benchmarks."""
    name = f"graph-{size}-{seed}"
    mark = OUT / f"neo4j-{name}" / LOADED_MARK
    if not mark.exists():
        shutil.rmtree(mark.parent, ignore_errors=True)
    with dedicated_server(name, keep_store=True) as bench:
        if not mark.exists():
            from graphcrm.ingest.loader import load_directory

            summary = load_directory(bench.graph, dataset(size, seed))
            mark.write_text(json.dumps({"rows": summary.rows, "seconds": summary.write_seconds}))
            print(f"loaded {summary.rows:,} rows for the {size:,}-customer graph")
        yield bench


def settings_args(settings: Settings) -> dict[str, str]:
    """Connection settings as plain keyword arguments for an `isolated` worker."""
    return {"uri": settings.uri, "username": settings.username, "password": settings.password}


def connect(uri: str, username: str, password: str) -> Graph:
    """A Graph for the connection passed to an `isolated` worker."""
    return Graph(Settings(uri, username, password))


_BOOT = """
import json, sys
if not {rust}:
    sys.modules["neo4j._rust"] = None
from bench.common import _worker_main
_worker_main({target!r})
"""


def isolated(
    target: str, kwargs: dict[str, Any], *, rust: bool = True, timeout: float = 3600, cwd: Path = ROOT
) -> dict[str, Any]:
    """Run `module:function(**kwargs)` in a fresh Python process and return its result dict,
    with `peak_rss_mib` (the process's peak) and `base_rss_mib` (after imports) added.

    `rust=False` hides the driver's Rust extension from that process; `cwd` (default this tree)
    is where it runs, so another checkout's packages are the ones it imports. A worker that fails
    or runs past `timeout` seconds gives `{"error": "..."}` instead of raising.
    """
    code = _BOOT.format(rust=rust, target=target)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(kwargs),
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f}s"}
    sys.stderr.write(done.stderr[-4000:])
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail[:200]}
    return json.loads(lines[-1])


def _worker_main(target: str) -> None:
    module, function = target.split(":")
    kwargs = json.loads(sys.stdin.read())
    worker = getattr(importlib.import_module(module), function)
    base = current_rss_mib()
    result = worker(**kwargs)
    result.update(base_rss_mib=base, peak_rss_mib=peak_rss_mib())
    print(json.dumps(result, default=str))


def rust_extension() -> bool:
    """True when the neo4j driver's Rust extension is installed and imported."""
    import neo4j._codec.packstream.v1 as packstream

    return getattr(packstream, "_rust_pack", None) is not None


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """`with timed() as t: ...` then `t["seconds"]`."""
    box: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - started


def median_ms(samples: list[float]) -> float:
    """The median of durations in seconds, in milliseconds."""
    return statistics.median(samples) * 1000 if samples else float("nan")


def rate(count: float, seconds: float) -> str:
    """`count / seconds` formatted with thousands separators ('' when not measured)."""
    return f"{count / seconds:,.0f}" if seconds else ""


def record(title: str, header: list[str], rows: list[list[str]], notes: str = "") -> None:
    """Print a markdown table and append it, with the machine and date, to bench/RESULTS.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"## {title} — {stamp}", "", f"Machine: {machine()}; commit {git_revision()}.", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if notes:
        lines += ["", notes]
    text = "\n".join(lines) + "\n\n"
    print(text, flush=True)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `make bench`; newest last.\n\n")
    with RESULTS.open("a") as handle:
        handle.write(text)


def git_revision() -> str:
    """The short commit hash of the checkout, with '-dirty' when tracked files other than the
    results file (which a run's first table has already appended to) have local changes."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    kept = [f":(exclude){RESULTS.relative_to(ROOT)}"] if RESULTS.is_relative_to(ROOT) else []
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", *kept],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return (done.stdout.strip() or "unknown") + ("-dirty" if status.stdout.strip() else "")
