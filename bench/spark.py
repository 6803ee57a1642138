"""Spark benchmark: the batch on the local engine, before and after the Spark merge, and on Spark
(local[2]), for the same graph in one run.

Usage: python -m bench.spark --size 10000 [--master local[2]] [--before REV] [--rounds 2]

Every batch runs in a fresh Python process against the same loaded Neo4j:
- the local engine at this commit (`analytics.run.write_all`: all five batch analyses from a
  Neo4j projection);
- the local engine at `--before` (default: the commit before the Spark engine was merged), from a
  temporary git worktree with its own `bench.pages:batch` worker, so "nothing in the local path
  got slower" is measured, not assumed;
- the Spark engine (`spark.engine`: influencers, communities, rings) reading the generated import
  directory, timed per stage: session start, read and check of the input, each analysis's
  computation and its write-back by the executors.
The two local engines run `--rounds` times each (2), interleaved (now, before, now, before), so
neither is the only one to meet a cold page cache; every time is shown, the fastest is the
figure. Peak RSS: each worker's Python; for Spark also the JVM (driver and, with a local master,
the executors: they run inside it) and the largest Python worker the JVM started, read from the
kernel's high-water marks in /proc.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, connect, dataset, isolated, loaded_graph, record, settings_args
from bench.pages import checkout

# The commit before `Merge branch 'spark'` (3e70e34): the local engine before the Spark engine.
DEFAULT_BEFORE = "3e70e34^1"
STAGES = ("influencers", "communities", "rings")


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        listed = (task / "children").read_text().split()
        found += [int(child) for child in listed]
    return found + [grandchild for child in found for grandchild in _children(child)]


def local_batch(uri: str, username: str, password: str) -> dict[str, Any]:
    """Worker: the local batch (`analytics.run.write_all`) and how many nodes it wrote."""
    from graphcrm.analytics.run import write_all

    started = time.perf_counter()
    done = write_all(connect(uri, username, password), started_by="bench")
    return {"seconds": time.perf_counter() - started, "written": sum(r.written for r in done.values())}


def spark_batch(uri: str, username: str, password: str, directory: str, master: str) -> dict[str, Any]:
    """Worker: the Spark batch, timed per stage, with the JVM's and its Python workers' peak memory."""
    from graphcrm.spark import engine
    from graphcrm.spark.frames import read_directory
    from graphcrm.spark.session import shuffle_partitions, spark_session

    started = time.perf_counter()
    spark = spark_session(master)
    stages = {"session start": time.perf_counter() - started}
    mark = time.perf_counter()
    frames = read_directory(spark, directory)
    stages["read and check input"] = time.perf_counter() - mark
    done = engine.store_batch(connect(uri, username, password), frames, started_by="bench")
    total = time.perf_counter() - started
    for name, result in done.items():
        stages[f"{name}: compute"] = result.compute_seconds
        stages[f"{name}: write-back"] = result.write_seconds
    jvm = spark.sparkContext._gateway.proc.pid
    workers = [_peak_mib(pid) for pid in _children(jvm)]
    result = {
        "total": total,
        "written": sum(r.written for r in done.values()),
        "written_by": {name: r.written for name, r in done.items()},
        "stages": stages,
        "partitions": shuffle_partitions(master),
        "jvm_peak_rss_mib": _peak_mib(jvm),
        "worker_peak_rss_mib": max(workers, default=0.0),
    }
    spark.stop()
    return result


def input_rows(directory: Path) -> tuple[int, int]:
    """Node rows and relationship rows of an import directory (data lines of its CSV files)."""
    from graphcrm import model

    def lines(name: str) -> int:
        path = directory / name
        if not path.exists():
            return 0
        with path.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)

    nodes = sum(lines(nt.file) for nt in model.NODE_TYPES.values())
    return nodes, lines(model.RELATIONSHIPS_FILE)


def run(
    size: int,
    seed: int = 7,
    master: str = "local[2]",
    timeout: float = 3600,
    before: str | None = DEFAULT_BEFORE,
    rounds: int = 2,
) -> dict[str, Any]:
    """The local batch now and before, then the Spark batch, at `size` customers; two tables."""
    directory = dataset(size, seed)
    local: dict[str, list[dict[str, Any]]] = {"now": [], "before": []}
    with loaded_graph(size, seed) as bench:
        connection = settings_args(bench.settings)
        if before:
            with checkout(before) as tree:
                for _ in range(rounds):
                    local["now"].append(isolated("bench.spark:local_batch", connection, timeout=timeout))
                    earlier = isolated("bench.pages:batch", connection, timeout=timeout, cwd=tree)
                    local["before"].append(earlier)
        else:
            local["now"].append(isolated("bench.spark:local_batch", connection, timeout=timeout))
        spark = isolated(
            "bench.spark:spark_batch",
            {**connection, "directory": str(directory), "master": master},
            timeout=timeout,
        )
    _report(size, master, before, local, spark, input_rows(directory))
    return {"local": local, "spark": spark}


def _local_row(name: str, runs: list[dict[str, Any]]) -> list[str]:
    failed = [r["error"] for r in runs if "error" in r]
    if failed:
        return [name, "", "", "", "", "", failed[0]]
    seconds = [r["seconds"] for r in runs]
    return [
        name,
        f"{min(seconds):.1f}",
        f"{runs[0]['written']:,}" if "written" in runs[0] else "",
        f"{max(r['peak_rss_mib'] for r in runs):,.0f}",
        "",
        "",
        "runs: " + " / ".join(f"{s:.1f}s" for s in seconds),
    ]


def _spark_row(name: str, r: dict[str, Any]) -> list[str]:
    if "error" in r:
        return [name, "", "", "", "", "", r["error"]]
    return [
        name,
        f"{r['total']:.1f}",
        f"{r['written']:,}",
        f"{r['peak_rss_mib']:,.0f}",
        f"{r['jvm_peak_rss_mib']:,.0f}",
        f"{r['worker_peak_rss_mib']:,.0f}",
        f"{r['partitions']} shuffle partitions",
    ]


def _report(
    size: int,
    master: str,
    before: str | None,
    local: dict[str, list[dict[str, Any]]],
    spark: dict[str, Any],
    rows: tuple[int, int],
) -> None:
    rows_by_engine = [_local_row("local, this commit", local["now"])]
    if before:
        rows_by_engine.append(_local_row(f"local, before Spark ({_short(before)})", local["before"]))
    rows_by_engine.append(_spark_row(f"spark {master}", spark))
    header = ["engine", "seconds", "nodes written", "Python peak MiB", "JVM peak MiB", "Python worker MiB"]
    record(
        f"Batch: local engine (now and before Spark) vs Spark ({size:,} customers)",
        [*header, "notes"],
        rows_by_engine,
        "Local computes all five batch analyses from a Neo4j projection; Spark computes influencers, "
        "communities and rings from the import directory. Local seconds: the fastest run, "
        "interleaved with the other tree's. With a local master the executors run in the driver's JVM.",
    )
    if "stages" in spark:
        _record_stages(size, master, spark, rows)


def _record_stages(size: int, master: str, spark: dict[str, Any], rows: tuple[int, int]) -> None:
    nodes, relationships = rows
    table = []
    for stage, seconds in spark["stages"].items():
        name, _, step = stage.partition(": ")
        count = spark["written_by"].get(name, 0) if step == "write-back" else nodes + relationships
        per_row = f"{seconds / count * 1e6:,.1f}" if count and stage != "session start" else ""
        table.append([stage, f"{seconds:.1f}", f"{count:,}" if per_row else "", per_row])
    record(
        f"Spark {master} batch by stage ({size:,} customers)",
        ["stage", "seconds", "rows", "µs per row"],
        table,
        f"Input: {nodes:,} node rows and {relationships:,} relationship rows. Rows: the input rows "
        "for reading and computing, the nodes written for a write-back; µs per row on 2 local cores, "
        "so per core-row about twice that.",
    )


def _short(revision: str) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or revision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="earlier commit to compare ('' for none)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed for each batch")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each local engine, interleaved")
    args = parser.parse_args()
    run(args.size, args.seed, args.master, args.timeout, args.before or None, max(args.rounds, 1))


if __name__ == "__main__":
    main()
