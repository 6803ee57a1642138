"""Batch benchmark: `graphcrm analyze all --write` (`write_all`) at one size, this tree against an
earlier commit's in the same run, each in a fresh process with its peak memory.

Usage: python -m bench.batch --size 1000000 [--before REV]   (REV '' to skip the earlier tree)

The earlier tree runs in a temporary git worktree (its own `bench.pages:batch` worker, so any
commit that has the page benchmark works). This tree's worker also reports the stages: the
projection, each analysis' computation and the writing of scores and tables. Both runs write
into the same store, one after the other; the earlier one first, so this tree's run finds the
same state any later batch would. Targets at 1,000,000 customers: at most 120 s end to end,
peak client RSS at most 2 GiB; at 5,000,000 customers the batch completes on this machine.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import connect, isolated, loaded_graph, record, settings_args
from bench.pages import checkout

# The last commit whose batch projected one NetworkX graph for all analyses.
DEFAULT_BEFORE = "8f42edd"
TARGET_SECONDS = 120.0
TARGET_RSS_MIB = 2048.0


def batch(uri: str, username: str, password: str) -> dict[str, Any]:
    """Worker: run the batch once; its time, stages and peak memory (added by `isolated`)."""
    from graphcrm.analytics.run import write_all

    graph = connect(uri, username, password)
    graph.verify()
    started = time.perf_counter()
    done = write_all(graph, started_by="bench")
    seconds = time.perf_counter() - started
    projected = [r.projection_seconds for r in done.values() if r.projection_seconds]
    return {
        "seconds": seconds,
        "projection": max(projected, default=0.0),
        "compute": {name: r.compute_seconds for name, r in done.items()},
        "write": sum(r.write_seconds for r in done.values()),
    }


def run(size: int, before: str | None, timeout: float) -> None:
    """The earlier tree's batch, then this tree's, on the same store; one table."""
    with loaded_graph(size) as bench:
        settings = settings_args(bench.settings)
        earlier: dict[str, Any] = {}
        if before:
            with checkout(before) as tree:
                earlier = isolated("bench.pages:batch", settings, timeout=timeout, cwd=tree)
        now = isolated("bench.batch:batch", settings, timeout=timeout)
    _report(size, before, earlier, now)


def _report(size: int, before: str | None, earlier: dict[str, Any], now: dict[str, Any]) -> None:
    rows = []
    if before:
        rows.append([f"before ({before})", *_cells(earlier), "", "", ""])
    stages = ["", "", ""]
    if "error" not in now:
        compute = ", ".join(f"{name} {s:.1f}" for name, s in now["compute"].items())
        stages = [f"{now['projection']:.1f}", compute, f"{now['write']:.1f}"]
    rows.append(["after (this tree)", *_cells(now), *stages])
    met = "error" not in now and now["seconds"] <= TARGET_SECONDS and now["peak_rss_mib"] <= TARGET_RSS_MIB
    record(
        f"Batch (`analyze all --write`), {size:,} customers: before and after",
        ["tree", "seconds", "peak RSS MiB", "projection s", "compute s", "write s"],
        rows,
        notes=(
            f"Each run a fresh process on the same store, the earlier tree first. Targets "
            f"(1M): <= {TARGET_SECONDS:.0f} s and <= {TARGET_RSS_MIB:,.0f} MiB: "
            f"{'met' if met else 'missed'} by this tree."
        ),
    )


def _cells(ran: dict[str, Any]) -> list[str]:
    if "error" in ran:
        return [f"failed: {ran['error']}", ""]
    return [f"{ran['seconds']:.1f}", f"{ran['peak_rss_mib']:,.0f}"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="earlier commit to compare ('' for none)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds each run may take")
    args = parser.parse_args()
    run(args.size, args.before or None, args.timeout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
