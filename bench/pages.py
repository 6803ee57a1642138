"""Page benchmark: every dashboard page's server time, today's design against an earlier commit's
in the same run, for one user and for concurrent sessions, plus the batch that feeds the pages.

Usage: python -m bench.pages --size 100000 [--before REV] [--sessions 20] [--rounds 3]

Each tree (this one, and `--before`'s in a temporary git worktree) is served by a real Streamlit
server over the same data set, with Streamlit's agent API on (`--server.enableAgentApi`, for this
benchmark only; `graphcrm serve` keeps it off). A request to `POST /_stcore/agent/interact` opens
a new session on one page with its query parameters and answers once the page's script has run,
so its latency is the server's time to the page's content, with no browser competing for the
cores. The servers run with `GRAPHCRM_CACHE_TTL=0`, so no visit is answered from an earlier
visit's cached reads: every visit does the page's work. A page's first visit also pays for
importing its modules and for Neo4j planning its queries, once per server; it is shown apart, and
the figure is the median of the next visits.

Concurrency: `--sessions` clients open pages at once (each client a different page in turn), for
`--rounds` rounds, on the same server once every page has been visited; p50/p95 latency and the number
of failed pages (an HTTP error, or an exception or error element on the page). The earlier tree
is timed for one user only: its pages recompute whole-graph analyses, which at scale would hold
the machine for the length of the run.

Before the pages, the batch (`write_all`, what `graphcrm analyze all --write` runs) stores the
results the pages read, in a fresh process: its time and peak memory are the batch row.
Targets at 1,000,000 customers: every page under 1 s for one user; p95 under 5 s with 20
sessions and no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import ROOT, connect, isolated, loaded_graph, record, settings_args
from graphcrm import server
from graphcrm.db import Graph, Settings

SINGLE_TARGET_S = 1.0
P95_TARGET_S = 5.0
# The commit before the pages read stored results (issue 12): each page computed on request.
DEFAULT_BEFORE = "bbf5c73^"
READY_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 1800.0


def batch(uri: str, username: str, password: str) -> dict[str, Any]:
    """Worker: run the batch (`write_all`) once; its time (`isolated` adds the peak memory)."""
    from graphcrm.analytics.run import write_all

    graph = connect(uri, username, password)
    graph.verify()
    started = time.perf_counter()
    write_all(graph, started_by="bench")
    return {"seconds": time.perf_counter() - started}


def page_visits(graph: Graph, seed: int = 7) -> list[tuple[str, dict[str, list[str]]]]:
    """Each page with the query parameters a user would open it with: a partner's reach on
    Influencers, a manager and a customer on Warm intro (chosen at random from the data)."""
    chooser = random.Random(seed)

    def pick(label: str) -> str:
        ids = graph.read(f"MATCH (n:{label}) RETURN n.id AS id ORDER BY id LIMIT 500")
        return chooser.choice([r["id"] for r in ids])

    return [
        ("", {}),
        ("explore", {}),
        ("influencers", {"partner": [pick("Partner")]}),
        ("intro", {"from": [pick("Employee")], "to": [pick("Customer")]}),
        ("accounts", {}),
        ("partners", {}),
        ("cypher", {}),
    ]


@contextmanager
def streamlit_server(tree: Path, settings: Settings, cache_ttl: str | None = "0") -> Iterator[str]:
    """A Streamlit server for the dashboard in `tree`, agent API on, answering at the yielded URL;
    `cache_ttl` None keeps the shipped result cache (`GRAPHCRM_CACHE_TTL`'s default)."""
    port = server.free_port()
    entry = tree / "graphcrm" / "ui" / "asgi.py"
    script = entry if entry.exists() else tree / "app.py"
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "NEO4J_URI": settings.uri,
        "NEO4J_USERNAME": settings.username,
        "NEO4J_PASSWORD": settings.password,
    }
    env.pop("GRAPHCRM_CACHE_TTL", None)
    if cache_ttl is not None:
        env["GRAPHCRM_CACHE_TTL"] = cache_ttl
    argv = [sys.executable, "-m", "streamlit", "run", str(script), "--server.enableAgentApi", "true"]
    argv += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    argv += ["--browser.gatherUsageStats", "false"]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(argv, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still inside a page that recomputes for minutes
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Streamlit server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet, or not answering yet
            pass
        time.sleep(0.2)  # between polls of the health endpoint, the readiness signal
    raise RuntimeError(f"the Streamlit server at {url} was not ready within {READY_TIMEOUT_S:.0f} s")


def visit(url: str, page: str, query: dict[str, list[str]]) -> tuple[float, str | None]:
    """Open `page` in a new session; the seconds until its run finished, and what failed. The
    agent API answers `wait_timed_out` after `server.agentWaitTimeout` (30 s) while the run goes
    on; the visit then keeps waiting for the same run, as that answer says to."""
    payload: dict[str, Any] = {"page": page, "query_params": query}
    started = time.perf_counter()
    while True:
        request = urllib.request.Request(
            f"{url}/_stcore/agent/interact",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as answer:
                snapshot = json.loads(answer.read())
        except urllib.error.HTTPError as err:
            return time.perf_counter() - started, f"HTTP {err.code}"
        error = snapshot.get("error")
        if not error:
            return time.perf_counter() - started, _failure(snapshot.get("tree", {}))
        if error.get("code") != "wait_timed_out" or time.perf_counter() - started > REQUEST_TIMEOUT_S:
            return time.perf_counter() - started, json.dumps(error)[:200]
        payload = {"session_id": snapshot["session_id"]}


def _failure(node: dict[str, Any]) -> str | None:
    """The first exception or error element in a page's tree, as text."""
    if node.get("type") in ("exception", "error"):
        return json.dumps(node.get("props", {}))[:200]
    for child in node.get("children", []):
        found = _failure(child)
        if found:
            return found
    return None


def single_user(url: str, visits: list[tuple[str, dict]], repeats: int) -> dict[str, dict[str, Any]]:
    """Per page: its first visit, the median of `repeats` more visits, and any failure."""
    times: dict[str, dict[str, Any]] = {}
    for page, query in visits:
        first, failed = visit(url, page, query)
        again = [visit(url, page, query) for _ in range(repeats)]
        failures = [f for f in [failed, *(f for _, f in again)] if f]
        times[page or "overview"] = {
            "first": first,
            "median": statistics.median(t for t, _ in again),
            "failed": failures[0] if failures else None,
        }
    return times


def concurrent(url: str, visits: list[tuple[str, dict]], sessions: int, rounds: int) -> dict[str, Any]:
    """`sessions` clients opening pages at the same moment, `rounds` times; latencies and failures."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    for round_number in range(rounds):
        start = threading.Barrier(sessions)

        def client(index: int, offset: int = round_number, start: threading.Barrier = start) -> None:
            page, query = visits[(index + offset) % len(visits)]
            start.wait()
            took, failed = visit(url, page, query)
            with lock:
                latencies.append(took)
                if failed:
                    failures.append(f"{page or 'overview'}: {failed}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
        "failures": failures,
    }


@contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """A temporary git worktree of `revision`."""
    folder = Path(tempfile.mkdtemp(prefix="graphcrm-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), revision], cwd=ROOT, check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _commit(revision: str) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or revision


def run(
    size: int, before: str | None = DEFAULT_BEFORE, sessions: int = 20, rounds: int = 3, repeats: int = 3
) -> None:
    """The batch, then every page before and after, then the concurrent sessions; two tables."""
    with loaded_graph(size) as bench:
        ran = isolated("bench.pages:batch", settings_args(bench.settings))
        if "error" in ran:
            raise RuntimeError(f"the batch failed: {ran['error']}")
        visits = page_visits(bench.graph)
        with streamlit_server(ROOT, bench.settings) as url:
            after = single_user(url, visits, repeats)
            load = concurrent(url, visits, sessions, rounds)
        with streamlit_server(ROOT, bench.settings, cache_ttl=None) as url:
            for page, query in visits:
                visit(url, page, query)
            shipped = concurrent(url, visits, sessions, rounds)
        earlier: dict[str, dict[str, Any]] = {}
        if before:
            with checkout(before) as tree, streamlit_server(tree, bench.settings) as url:
                earlier = single_user(url, visits, repeats=1)
    _report(
        size, before, ran, after, earlier, {"none (every visit computes)": load, "shipped": shipped}, sessions
    )


def _report(
    size: int,
    before: str | None,
    ran: dict[str, Any],
    after: dict[str, dict[str, Any]],
    earlier: dict[str, dict[str, Any]],
    loads: dict[str, dict[str, Any]],
    sessions: int,
) -> None:
    rows = []
    for page, now in after.items():
        then = earlier.get(page, {})
        met = now["median"] < SINGLE_TARGET_S and not now["failed"]
        rows.append(
            [
                page,
                f"{then['median']:.2f}" if then else "",
                f"{now['first']:.2f}",
                f"{now['median']:.2f}",
                now["failed"] or then.get("failed") or "",
                "met" if met else "missed",
            ]
        )
    label = f"before ({_commit(before)}) s" if before else "before s"
    record(
        f"Pages, {size:,} customers: before and after, one user",
        ["page", label, "after, first visit s", "after s", "failure", f"after < {SINGLE_TARGET_S:g} s"],
        rows,
        notes=(
            f"Batch feeding the pages (`write_all`, fresh process): {ran['seconds']:.1f} s, "
            f"peak RSS {ran['peak_rss_mib']:,.0f} MiB. No result caching (GRAPHCRM_CACHE_TTL=0); "
            "'s' is the median of the visits after the first."
        ),
    )
    record(
        f"Pages, {size:,} customers: {sessions} concurrent sessions",
        [
            "result cache",
            "sessions",
            "requests",
            "p50 s",
            "p95 s",
            "max s",
            "failed pages",
            f"p95 < {P95_TARGET_S:g} s, 0 failed",
        ],
        [_load_row(cache, load, sessions) for cache, load in loads.items()],
        notes=(
            "One Streamlit process serves every session. 'shipped': the dashboard's own result cache "
            "(GRAPHCRM_CACHE_TTL, 60 s), warmed by one visit per page, so concurrent visitors of a page "
            "share its reads."
        ),
    )


def _load_row(cache: str, load: dict[str, Any], sessions: int) -> list[str]:
    met = load["p95"] < P95_TARGET_S and not load["failures"]
    return [
        cache,
        str(sessions),
        str(load["requests"]),
        f"{load['p50']:.2f}",
        f"{load['p95']:.2f}",
        f"{load['max']:.2f}",
        "; ".join(load["failures"][:3]) or "0",
        "met" if met else "missed",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="earlier commit to compare ('' for none)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="timed visits per page after the first")
    args = parser.parse_args()
    run(args.size, args.before or None, args.sessions, args.rounds, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
