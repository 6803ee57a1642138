"""Projection benchmark: Neo4j -> NetworkX for the influencer analysis, with and without the driver's
Rust extension (`neo4j-rust-ext`).

Usage: python -m bench.project --size 100000
Each run is a fresh Python process (so its peak memory is its own) reading the influencer
projection (`graphcrm.analytics.run.projection_for("influencers")`) from a dedicated server holding
the data set, after one untimed warm-up run (query plans, page cache). Target: at least 200,000
relationships/s.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import connect, isolated, loaded_graph, rate, record, settings_args

TARGET_RELS_PER_SECOND = 200_000


def measure(uri: str, username: str, password: str, analysis: str = "influencers") -> dict[str, Any]:
    """Worker: project what `analysis` needs and say how long it took and how big it was."""
    from bench.common import rust_extension
    from graphcrm.analytics.run import projection_for
    from graphcrm.projection import project

    graph = connect(uri, username, password)
    graph.verify()
    started = time.perf_counter()
    G = project(graph, projection_for(analysis))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "rust": rust_extension(),
    }


def run(size: int, seed: int = 7, repeats: int = 1) -> list[dict[str, Any]]:
    """Project at `size` customers with and without the Rust extension; record the table."""
    results = []
    with loaded_graph(size, seed) as bench:
        isolated("bench.project:measure", settings_args(bench.settings))
        for rust in (False, True):
            for _ in range(repeats):
                result = isolated("bench.project:measure", settings_args(bench.settings), rust=rust)
                result["variant"] = "with neo4j-rust-ext" if rust else "pure-Python driver"
                results.append(result)
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["variant"], "", "", "", "", "", r["error"]])
            continue
        ok = r["edges"] / r["seconds"] >= TARGET_RELS_PER_SECOND
        rows.append(
            [
                r["variant"]
                + ("" if r["rust"] == ("ext" in r["variant"]) else " (extension state unexpected)"),
                f"{r['nodes']:,}",
                f"{r['edges']:,}",
                f"{r['seconds']:.1f}",
                rate(r["edges"], r["seconds"]),
                f"{r['peak_rss_mib']:,.0f} ({r['base_rss_mib']:,.0f} before)",
                "met" if ok else "missed",
            ]
        )
    record(
        f"Projection Neo4j -> NetworkX (influencers), {size:,} customers",
        ["driver", "nodes", "relationships", "seconds", "relationships/s", "peak RSS MiB", "target 200k/s"],
        rows,
        f"Each row is a fresh process reading the influencer projection ({_described()}) into a "
        "MultiDiGraph; relationships/s counts the whole projection time, nodes included.",
    )
    return results


def _described() -> str:
    """The labels and types the influencer projection reads, for the table's note."""
    from graphcrm.analytics.run import projection_for

    spec = projection_for("influencers")
    return f"{', '.join(spec.labels)}; {', '.join(spec.types)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="customers in the generated data set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    run(args.size, args.seed, args.repeats)


if __name__ == "__main__":
    main()
