"""Smoke test of the benchmark suite: `bench.run` at a tiny size through the same code as
`make bench`, so the benchmarks cannot rot. It checks only that every benchmark completes and
writes its table; timings are never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.run import plan

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "## Load, 300 customers",
    "## Projection Neo4j -> NetworkX (influencers), 300 customers",
    "## Analytics, 300 customers",
    "## PageRank and Louvain: graphcrm vs python-igraph, 300 customers",
    "## Batch (`analyze all --write`), 300 customers: before and after",
    "## Dashboard latency, 300 customers",
    "## Pages, 300 customers: before and after, one user",
    "## Pages, 300 customers: 4 concurrent sessions",
    "## Suite run, main size 300",
)


def test_plan_runs_the_main_size_first_then_load_and_analytics_at_growth_sizes() -> None:
    steps = plan(1000, [100, 10, 1000], ["load", "project", "analyze", "dashboard", "pages"])
    assert steps == [
        ("load", 1000),
        ("project", 1000),
        ("analyze", 1000),
        ("dashboard", 1000),
        ("pages", 1000),
        ("load", 10),
        ("analyze", 10),
        ("load", 100),
        ("analyze", 100),
    ]
    assert plan(1000, [10], ["dashboard"]) == [("dashboard", 1000)]


def test_suite_runs_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    env = {
        **os.environ,
        "GRAPHCRM_BENCH_OUT": str(tmp_path / "out"),
        "GRAPHCRM_BENCH_RESULTS": str(results),
        "GRAPHCRM_BENCH_HEAP": "512m",
        "GRAPHCRM_BENCH_PAGECACHE_MB": "128",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--size",
            "300",
            "--growth",
            "",
            "--repeats",
            "3",
            "--sessions",
            "4",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = results.read_text()
    for title in TABLES:
        assert title in text, f"missing table {title!r}"
    assert "could not run" not in text and "error" not in text.lower()
    assert "COUNTS DIFFER" not in text
    assert not list((tmp_path / "out").glob("neo4j-*/server.pid")), "a benchmark server was left running"
