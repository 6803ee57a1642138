"""Analytics benchmark: every `graphcrm analyze` analysis at one size, projection and computation
timed apart, with its peak memory; PageRank and Louvain side by side with python-igraph.

Usage: python -m bench.analyze --size 100000 [--only influencers,communities]
Each analysis runs in a fresh Python process through `graphcrm.analytics.run.run_analysis` (the
path the CLI and the dashboard take). The igraph reference gets exactly the edge lists NetworkX
works on: the weighted influence DiGraph (`influencers.influence_graph`) for PageRank and the
weighted customer social graph (`views.social_graph`) for Louvain. Targets: influencers end to end
under a minute; graphcrm's PageRank within 3x of igraph's time.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import connect, isolated, loaded_graph, record, settings_args
from graphcrm.analytics.run import ANALYSES

INFLUENCERS_TARGET_SECONDS = 60.0
PAGERANK_TARGET_RATIO = 3.0


def analysis(uri: str, username: str, password: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Worker: run one analysis through `run_analysis`; its timings and the graph's size."""
    from graphcrm.analytics.run import run_analysis

    graph = connect(uri, username, password)
    graph.verify()
    started = time.perf_counter()
    result = run_analysis(graph, name, **params)
    return {
        "total": time.perf_counter() - started,
        "projection": result.projection_seconds,
        "compute": result.compute_seconds,
        "nodes": result.nodes,
        "edges": result.edges,
        "rows": len(result.main),
    }


def reference(uri: str, username: str, password: str) -> dict[str, Any]:
    """Worker: graphcrm's PageRank and Louvain against igraph on the same weighted edge lists,
    with NetworkX's PageRank (what graphcrm used before) for its accuracy and time."""
    import igraph as ig
    import networkx as nx
    import numpy as np

    from graphcrm.analytics.communities import communities
    from graphcrm.analytics.influencers import Ties, influence_graph
    from graphcrm.analytics.run import projection_for
    from graphcrm.analytics.views import social_graph
    from graphcrm.memory import cyclic_gc_paused
    from graphcrm.projection import project

    G = project(connect(uri, username, password), projection_for("influencers"))
    out: dict[str, Any] = {}

    with cyclic_gc_paused():  # as `run.compute` runs every analysis
        started = time.perf_counter()
        ties = Ties.of(G)
        out["our_arrays"] = time.perf_counter() - started
        started = time.perf_counter()
        ours = ties.pagerank(0.85)
        out["our_pagerank"] = time.perf_counter() - started
    sources, targets = ties.edges()
    edges = list(zip(sources.tolist(), targets.tolist(), strict=True))
    weights = ties.weights.data.tolist()
    started = time.perf_counter()
    IH = ig.Graph(n=ties.n, edges=edges, directed=True)
    out["ig_pagerank_build"] = time.perf_counter() - started
    started = time.perf_counter()
    ig_rank = np.asarray(IH.pagerank(damping=0.85, weights=weights))
    out["ig_pagerank"] = time.perf_counter() - started
    H = influence_graph(G)
    started = time.perf_counter()
    nx_rank = nx.pagerank(H, alpha=0.85, weight="weight")
    out["nx_pagerank"] = time.perf_counter() - started
    out["our_pagerank_diff"] = float(np.abs(ours - ig_rank).max()) if len(ig_rank) else 0.0
    out["nx_pagerank_diff"] = max((abs(nx_rank[n] - ig_rank[i]) for n, i in ties.index.items()), default=0.0)
    out["pagerank_graph"] = (ties.n, len(edges))

    with cyclic_gc_paused():
        started = time.perf_counter()
        found = communities(G, seed=7)
        out["our_louvain"] = time.perf_counter() - started
    out["our_modularity"] = found.modularity
    out["our_communities"] = len(set(found.membership.values()))
    S = social_graph(G)
    index = {n: i for i, n in enumerate(S)}
    started = time.perf_counter()
    IS = ig.Graph(n=len(index), edges=[(index[u], index[v]) for u, v in S.edges()])
    IS.es["weight"] = [w for _, _, w in S.edges(data="weight")]
    out["ig_louvain_build"] = time.perf_counter() - started
    started = time.perf_counter()
    clusters = IS.community_multilevel(weights="weight")
    out["ig_louvain"] = time.perf_counter() - started
    out["ig_modularity"] = clusters.modularity
    out["ig_communities"] = len(clusters)
    out["louvain_graph"] = (S.number_of_nodes(), S.number_of_edges())
    return out


def intro_endpoints(bench_graph: Any) -> dict[str, str]:
    """An employee and a company they do not manage, for the warm-introduction analysis."""
    row = bench_graph.read(
        "MATCH (e:Employee)-[:MANAGES]->(:Company)<-[:SUPPLIES]-(c:Company) "
        "WHERE NOT (e)-[:MANAGES]->(c) RETURN e.id AS source, c.id AS target ORDER BY source, target LIMIT 1"
    )
    return row[0] if row else {}


def run(size: int, seed: int = 7, only: list[str] | None = None, timeout: float = 1800) -> dict[str, Any]:
    """Run the analyses (all, or `only` these; 'igraph' names the reference) and record tables."""
    names = only or [*ANALYSES, "igraph"]
    results: dict[str, dict[str, Any]] = {}
    with loaded_graph(size, seed) as bench:
        connection = settings_args(bench.settings)
        for name in names:
            if name == "igraph":
                results[name] = isolated("bench.analyze:reference", connection, timeout=timeout)
                continue
            params: dict[str, Any] = {}
            if name == "intro":
                params = intro_endpoints(bench.graph)
            print(f"analysis {name} at {size:,} customers", flush=True)
            results[name] = isolated(
                "bench.analyze:analysis", {**connection, "name": name, "params": params}, timeout=timeout
            )
    rows = []
    for name, r in results.items():
        if name == "igraph":
            continue
        if "error" in r:
            rows.append([name, "", "", "", "", "", "", r["error"]])
            continue
        verdict = ""
        if name == "influencers":
            verdict = "met" if r["total"] < INFLUENCERS_TARGET_SECONDS else "missed"
            verdict = f"< 60 s: {verdict}"
        rows.append(
            [
                name,
                f"{r['nodes']:,}",
                f"{r['edges']:,}",
                f"{r['projection']:.1f}",
                f"{r['compute']:.1f}",
                f"{r['total']:.1f}",
                f"{r['peak_rss_mib']:,.0f}",
                verdict,
            ]
        )
    if rows:
        record(
            f"Analytics, {size:,} customers",
            [
                "analysis",
                "nodes",
                "relationships",
                "projection s",
                "compute s",
                "total s",
                "peak RSS MiB",
                "target",
            ],
            rows,
            "Each analysis in a fresh process via `run_analysis` (projection of only what it needs, then "
            "the pure analytics function); total includes connecting and result tables.",
        )
    ref = results.get("igraph")
    if ref is not None:
        record_reference(size, ref)
    return results


def record_reference(size: int, ref: dict[str, Any]) -> None:
    """The graphcrm vs igraph table."""
    if "error" in ref:
        record(f"PageRank and Louvain vs igraph, {size:,} customers", ["error"], [[ref["error"]]])
        return
    ig_pagerank = ref["ig_pagerank"] + ref["ig_pagerank_build"]
    ratio = ref["our_pagerank"] / ig_pagerank if ig_pagerank else float("inf")
    with_arrays = (ref["our_arrays"] + ref["our_pagerank"]) / ig_pagerank if ig_pagerank else float("inf")
    ig_louvain = ref["ig_louvain"] + ref["ig_louvain_build"]
    pr_nodes, pr_edges = ref["pagerank_graph"]
    lv_nodes, lv_edges = ref["louvain_graph"]
    rows = [
        [
            "PageRank (weighted, directed)",
            f"{pr_nodes:,} / {pr_edges:,}",
            f"{ref['our_pagerank']:.2f} (+ {ref['our_arrays']:.2f} arrays)",
            f"{ref['ig_pagerank']:.2f} + {ref['ig_pagerank_build']:.2f} build",
            f"{ratio:.1f}x ({with_arrays:.1f}x with arrays)",
            f"{ref['nx_pagerank']:.2f}",
            f"graphcrm max abs diff {ref['our_pagerank_diff']:.1e}; NetworkX {ref['nx_pagerank_diff']:.1e}",
            f"within 3x: {'met' if ratio <= PAGERANK_TARGET_RATIO else 'missed'}"
            f"{'' if with_arrays <= PAGERANK_TARGET_RATIO else ' (missed with arrays)'}",
        ],
        [
            "Louvain (weighted, undirected)",
            f"{lv_nodes:,} / {lv_edges:,}",
            f"{ref['our_louvain']:.2f}",
            f"{ref['ig_louvain']:.2f} + {ref['ig_louvain_build']:.2f} build",
            f"{ref['our_louvain'] / ig_louvain:.1f}x" if ig_louvain else "",
            "",
            f"modularity {ref['our_modularity']:.3f} vs {ref['ig_modularity']:.3f}; "
            f"{ref['our_communities']:,} vs {ref['ig_communities']:,} communities",
            "",
        ],
    ]
    record(
        f"PageRank and Louvain: graphcrm vs python-igraph, {size:,} customers",
        [
            "algorithm",
            "nodes / edges",
            "graphcrm s",
            "igraph s",
            "graphcrm / igraph",
            "NetworkX s",
            "agreement with igraph",
            "target",
        ],
        rows,
        "graphcrm's PageRank is `influencers.Ties.pagerank` (building its igraph graph and solving), "
        "shown apart from `Ties.of`, which turns the projected NetworkX graph into the arrays that "
        "PageRank, brokerage and the KNOWS counts share; its Louvain time is the whole `communities` "
        "analysis, including its summary. Both with the cyclic GC paused, as `run.compute` does. "
        "igraph's reference gets the edge lists ready-made; its build (Python edge list -> "
        "igraph.Graph) is shown apart and counted in the ratio. NetworkX's PageRank is the default "
        "`nx.pagerank` (it stops once the summed change is below 1e-6 per node, so it drifts further "
        "from the exact ranks as the graph grows).",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="customers in the generated data set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated analyses (and/or 'igraph')")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per analysis")
    args = parser.parse_args(argv)
    only = [x for x in args.only.split(",") if x] or None
    run(args.size, args.seed, only, args.timeout)


if __name__ == "__main__":
    main()
