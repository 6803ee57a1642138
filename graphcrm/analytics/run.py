"""Run an analysis against Neo4j: its declared input -> its pure function -> optional write-back.

The one entry point for the CLI and the dashboard::

    result = run_analysis(graph, "influencers", top=20)        # AnalysisResult
    result.main                                                # the headline table
    result.tables                                              # every table, by name
    write_all(graph)                                           # the batch: store every score

What each analysis reads, takes and writes is its declaration (`graphcrm.analytics.registry`).
`compute(G, name, ...)` runs one on an already projected graph (no database access). Scores
written back become node properties, and each write records the run (`graphcrm.scores`).
"""

from __future__ import annotations

import time
from typing import Any

import networkx as nx

from graphcrm import model, queries, scores
from graphcrm.analytics import influencers
from graphcrm.analytics.registry import ANALYSES, BATCH, analysis
from graphcrm.analytics.spec import NODE_PROPS, AnalysisResult, Projection
from graphcrm.db import Graph
from graphcrm.errors import AnalysisInputError
from graphcrm.memory import cyclic_gc_paused
from graphcrm.projection import project

__all__ = ["ANALYSES", "AnalysisResult", "compute", "projection_for", "run_analysis", "write_all"]


def projection_for(name: str, **params: Any) -> Projection:
    """The projection analysis `name` needs for these parameters."""
    spec = analysis(name)
    if spec.projection is None:
        raise AnalysisInputError(f"The {name} analysis is computed by the server and projects nothing.")
    if name == "influencers" and not params.get("partner"):
        return influencers.ALONE
    return spec.projection


def compute(G: nx.MultiDiGraph, name: str, **params: Any) -> AnalysisResult:
    """Run analysis `name` on a projected graph (no database access); `params` are its declared
    parameters (defaults filled in) and any internal inputs the batch passes on."""
    spec = analysis(name)
    arguments = spec.arguments(params)
    started = time.perf_counter()
    with cyclic_gc_paused():
        result = spec.compute(G, **arguments)
        result.compute_seconds = time.perf_counter() - started
        result.nodes, result.edges = G.number_of_nodes(), G.number_of_edges()
    return result


def run_analysis(graph: Graph, name: str, *, write: bool = False, **params: Any) -> AnalysisResult:
    """Read what `name` needs from Neo4j, run it, and with `write` store its node scores.

    Parameters
    ----------
    graph
        The database connection.
    name
        One of `ANALYSES`; its declaration lists the parameters, their defaults and bounds.
    write
        Store the analysis' node scores (its declared `scores`) and record the run.
    **params
        The analysis' parameters.

    Raises
    ------
    AnalysisInputError
        Unknown analysis or parameter, a value out of bounds, an unknown id, no path, or `write`
        for an analysis without scores.
    graphcrm.errors.DatabaseError
        The database failed; the message is one sentence.
    """
    spec = analysis(name)
    if write and not spec.scores:
        raise AnalysisInputError(f"The {name} analysis has no node scores to write.")
    arguments = spec.arguments(params)
    started = time.perf_counter()
    if spec.query is not None:
        rows = graph.read(queries.library()[spec.query].text, arguments)
        result = spec.compute(rows, **arguments)
        result.compute_seconds = time.perf_counter() - started
        return result
    G = project(graph, projection_for(name, **arguments))
    projection_seconds = time.perf_counter() - started
    result = compute(G, name, **arguments)
    result.projection_seconds = projection_seconds
    if write:
        _write(graph, G, result)
    return result


def write_all(graph: Graph, *, seed: int = 7) -> dict[str, AnalysisResult]:
    """The batch: compute every stored score (`registry.BATCH`) from one projection and write
    them back, recording one run per analysis. Influence and communities are computed once and
    handed to the analyses that use them."""
    started = time.perf_counter()
    needed = {t for name in BATCH for t in ANALYSES[name].projection.types}
    types = tuple(t for t in model.REL_TYPES if t in needed)
    G = project(graph, Projection(model.LABELS, types, NODE_PROPS))
    projection_seconds = time.perf_counter() - started
    results = {"influencers": compute(G, "influencers", seed=seed)}
    ranked = results["influencers"].value
    influence = dict(zip(ranked["id"], ranked["influence"], strict=True))
    results["communities"] = compute(G, "communities", seed=seed, influence=influence)
    community = results["communities"].value.membership
    results["rings"] = compute(G, "rings")
    results["coverage"] = compute(G, "coverage", influence=influence, community=community)
    for result in results.values():
        result.projection_seconds = projection_seconds
        _write(graph, G, result)
    return results


def _write(graph: Graph, G: nx.MultiDiGraph, result: AnalysisResult) -> None:
    started = time.perf_counter()
    labels = {n: d["label"] for n, d in G.nodes(data=True) if "label" in d}
    result.written = scores.write_node_scores(graph, labels, result.score_rows)
    result.write_seconds = time.perf_counter() - started
    total = result.projection_seconds + result.compute_seconds + result.write_seconds
    scores.record_run(graph, result.name, nodes=result.written, seconds=total)
