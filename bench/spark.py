"""Spark benchmark: the batch on the local engine and on Spark (local[2]) for the same graph.

Usage: python -m bench.spark --size 10000 [--master local[2]]
Both run in a fresh Python process against the same loaded Neo4j: the local engine projects the
graph and computes everything `analyze all` stores; the Spark engine reads the generated import
directory and computes influencers, communities and rings. Peak RSS is the worker's Python (the
Spark driver's Python side), the Spark JVM (driver and, with a local master, the executors) and
the largest Python worker the JVM started.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench.common import connect, dataset, isolated, loaded_graph, record, settings_args


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
    """Worker: the local batch (`analytics.run.write_all`)."""
    from graphcrm.analytics.run import write_all

    started = time.perf_counter()
    done = write_all(connect(uri, username, password), started_by="bench")
    return {"total": time.perf_counter() - started, "written": sum(r.written for r in done.values())}


def spark_batch(uri: str, username: str, password: str, directory: str, master: str) -> dict[str, Any]:
    """Worker: the Spark batch (`spark.engine.write_all`), with the JVM's peak memory."""
    from graphcrm.spark import engine
    from graphcrm.spark.session import spark_session

    started = time.perf_counter()
    spark = spark_session(master)
    start_seconds = time.perf_counter() - started
    done = engine.write_all(connect(uri, username, password), directory, master=master, started_by="bench")
    total = time.perf_counter() - started
    jvm = spark.sparkContext._gateway.proc.pid
    workers = [_peak_mib(pid) for pid in _children(jvm)]
    result = {
        "total": total,
        "start": start_seconds,
        "written": sum(r.written for r in done.values()),
        "jvm_peak_rss_mib": _peak_mib(jvm),
        "worker_peak_rss_mib": max(workers, default=0.0),
        **{f"{name}_seconds": r.seconds for name, r in done.items()},
    }
    spark.stop()
    return result


def run(size: int, seed: int = 7, master: str = "local[2]", timeout: float = 3600) -> dict[str, Any]:
    """Both batches at `size` customers; records one table."""
    directory = dataset(size, seed)
    with loaded_graph(size, seed) as bench:
        connection = settings_args(bench.settings)
        local = isolated("bench.spark:local_batch", connection, timeout=timeout)
        spark = isolated(
            "bench.spark:spark_batch",
            {**connection, "directory": str(directory), "master": master},
            timeout=timeout,
        )
    rows = []
    for name, r in (("local", local), (f"spark {master}", spark)):
        if "error" in r:
            rows.append([name, "", "", "", "", "", r["error"]])
            continue
        parts = ", ".join(
            f"{k.removesuffix('_seconds')} {v:.0f}s" for k, v in r.items() if k.endswith("_seconds")
        )
        rows.append(
            [
                name,
                f"{r['total']:.1f}",
                f"{r['written']:,}",
                f"{r['peak_rss_mib']:,.0f}",
                f"{r.get('jvm_peak_rss_mib', 0):,.0f}",
                f"{r.get('worker_peak_rss_mib', 0):,.0f}",
                parts if "start" not in r else f"session start {r['start']:.0f}s; {parts}",
            ]
        )
    record(
        f"Batch: local engine vs Spark ({size:,} customers)",
        [
            "engine",
            "seconds",
            "nodes written",
            "Python peak MiB",
            "JVM peak MiB",
            "Python worker MiB",
            "notes",
        ],
        rows,
        "Local computes all five batch analyses from a Neo4j projection; Spark computes influencers, "
        "communities and rings from the import directory. With a local master the executors run in "
        "the driver's JVM.",
    )
    return {"local": local, "spark": spark}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    run(args.size, args.seed, args.master)


if __name__ == "__main__":
    main()
