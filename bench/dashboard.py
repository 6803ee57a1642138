"""Dashboard latency benchmark: the Explore page's type-ahead search and depth-2 neighbourhood, and
the Influencers page's read of written-back scores, at one size.

Usage: python -m bench.dashboard --size 100000 [--repeats 15]
Calls the same package functions the pages call (`explore.search_nodes`, `explore.neighbourhood`,
`summaries.influencer_table`) with the pages' default arguments, against a dedicated server holding
the data set with scores written back (`write_all` is run first when they are missing). Each query
runs once cold (first call: planning, cold caches), then `repeats` times over varied inputs; the
median is the figure. EXPLAIN shows which operators read the data, so a label scan is caught.
Target: each median under 300 ms.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from bench.common import loaded_graph, median_ms, record, timed
from graphcrm import explore, queries, summaries
from graphcrm.db import Graph

TARGET_MS = 300.0
SCANS = ("AllNodesScan", "NodeByLabelScan", "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan")


def plan_operators(graph: Graph, cypher: str, params: dict[str, Any]) -> list[str]:
    """The operator names of the query's EXPLAIN plan, leaves first."""

    def walk(plan: dict[str, Any]) -> list[str]:
        found: list[str] = []
        for child in plan.get("children", []):
            found += walk(child)
        return [*found, plan["operatorType"].split("@")[0]]

    plan = graph.run_read(lambda tx: tx.run("EXPLAIN " + cypher, params).consume().plan)
    return walk(plan) if plan else []


def ensure_scores(graph: Graph) -> float | None:
    """Write influence and community scores back when missing; return the seconds it took."""
    scored = graph.read("MATCH (n:Customer) WHERE n.influence IS NOT NULL RETURN n.id AS id LIMIT 1")
    if scored:
        return None
    from graphcrm.analytics.run import write_all

    with timed() as took:
        write_all(graph)
    return took["seconds"]


def latency(call: Callable[[Any], object], inputs: list[Any]) -> tuple[float, list[float]]:
    """Seconds of the first (cold) call, then of one call per input."""
    with timed() as cold:
        call(inputs[0])
    samples = []
    for value in inputs:
        started = time.perf_counter()
        call(value)
        samples.append(time.perf_counter() - started)
    return cold["seconds"], samples


def run(size: int, seed: int = 7, repeats: int = 15, score: bool = True) -> dict[str, Any]:
    """Measure the page reads at `size` customers and record the table; without `score` (and no
    scores stored) the influencer reads find nothing, which the table then says."""
    chooser = random.Random(seed)
    with loaded_graph(size, seed) as bench:
        graph = bench.graph
        scoring = ensure_scores(graph) if score else None
        names = [
            r["name"]
            for r in graph.read(
                "MATCH (n:Customer) WHERE n.id IN $ids RETURN n.name AS name",
                {"ids": [f"C{chooser.randrange(1, size + 1):07d}" for _ in range(repeats)]},
            )
        ] or ["a"]
        prefixes = [name[: 2 + i % 5] for i, name in enumerate(names)]
        prefixes = (prefixes * repeats)[:repeats]
        hubs = [r["id"] for r in explore.top_referrers(graph, limit=max(1, repeats // 3))]
        ordinary = [
            r["id"]
            for r in graph.read(
                "MATCH (n:Customer) WHERE n.id IN $ids RETURN n.id AS id",
                {"ids": [f"C{chooser.randrange(1, size + 1):07d}" for _ in range(repeats)]},
            )
        ]
        starts = ((hubs + ordinary) * repeats)[:repeats] or ["C0000001"]
        communities = [
            r["c"]
            for r in graph.read(
                "MATCH (n:Customer) WHERE n.community IS NOT NULL "
                "RETURN DISTINCT n.community AS c ORDER BY c LIMIT $n",
                {"n": repeats},
            )
        ] or [0]
        communities = (communities * repeats)[:repeats]
        filters: list[dict[str, Any]] = [
            {},
            {"stages": ["commitment"]},
            {"stages": ["expansion", "awareness"]},
        ]
        filters = (filters * repeats)[:repeats]

        measured = {
            "Explore: type-ahead search (limit 15)": latency(
                lambda text: explore.search_nodes(graph, text, limit=15), prefixes
            ),
            "Explore: depth-2 neighbourhood (150 nodes, 25 per node)": latency(
                lambda node: explore.neighbourhood(graph, node, depth=2, max_nodes=150), starts
            ),
            "Influencers: written-back scores (top 50; all, by stage)": latency(
                lambda f: summaries.influencer_table(graph, limit=50, **f), filters
            ),
            "Influencers: one community (top 50)": latency(
                lambda c: summaries.influencer_table(graph, limit=50, community=c), communities
            ),
        }
        plans = {
            "Explore: type-ahead search (limit 15)": plan_operators(
                graph,
                queries.internal("search_nodes").render(),
                {"query": explore.lucene_query(prefixes[0]), "limit": 15},
            ),
            "Explore: depth-2 neighbourhood (150 nodes, 25 per node)": plan_operators(
                graph,
                queries.internal("expand").render(),
                {
                    "ids": starts[:1],
                    "types": list(explore.DEFAULT_TYPES),
                    "labels": ["Customer"],
                    "stages": [],
                    "min_strength": 0.0,
                    "per_node": 25,
                },
            ),
            "Influencers: written-back scores (top 50; all, by stage)": plan_operators(
                graph,
                summaries.influencer_statement(),
                {"limit": 50, "stages": ["commitment"], "community": None},
            ),
            "Influencers: one community (top 50)": plan_operators(
                graph,
                summaries.influencer_statement(),
                {"limit": 50, "stages": [], "community": communities[0]},
            ),
        }
    rows = []
    for query, (cold, samples) in measured.items():
        operators = plans[query]
        reads = sorted({op for op in operators if "Seek" in op or "Scan" in op or "Procedure" in op})
        scans = [op for op in operators if op in SCANS]
        median = median_ms(samples)
        rows.append(
            [
                query,
                f"{median:.0f}",
                f"{max(samples) * 1000:.0f}",
                f"{cold * 1000:.0f}",
                str(len(samples)),
                ", ".join(reads) + (f" — SCAN: {', '.join(scans)}" if scans else ""),
                "met" if median < TARGET_MS else "missed",
            ]
        )
    notes = (
        "Inputs vary per run: prefixes of 2-6 letters of random customers' names; neighbourhoods of "
        "the top referrers (hubs) and random customers; the influencer table unfiltered and by stage, "
        "and for the largest communities (numbered by size). Cold = the first call after the server started."
    )
    if not score:
        notes += " Scores were not written first: the influencer rows read an unscored graph (no rows)."
    if scoring is not None:
        notes += f" Scores were written first by `write_all` in {scoring:.0f} s (not part of any figure)."
    record(
        f"Dashboard latency, {size:,} customers",
        ["page read", "median ms", "max ms", "cold ms", "runs", "plan reads via", "target < 300 ms"],
        rows,
        notes,
    )
    return {query: median_ms(samples) for query, (_, samples) in measured.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="customers in the generated data set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--no-scoring", action="store_true", help="do not run write_all when scores are missing"
    )
    args = parser.parse_args(argv)
    run(args.size, args.seed, args.repeats, score=not args.no_scoring)


if __name__ == "__main__":
    main()
