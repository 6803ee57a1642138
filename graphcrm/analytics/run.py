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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import networkx as nx
import pandas as pd

from graphcrm import around, compact, model, queries, results, scores
from graphcrm.analytics import influencers
from graphcrm.analytics.registry import ANALYSES, BATCH, analysis
from graphcrm.analytics.spec import NODE_PROPS, Analysis, AnalysisResult, Projection
from graphcrm.db import Graph
from graphcrm.errors import AnalysisInputError
from graphcrm.ingest.loader import apply_schema
from graphcrm.memory import cyclic_gc_paused
from graphcrm.projection import project

__all__ = [
    "ANALYSES",
    "AnalysisResult",
    "StoredResult",
    "compute",
    "projection_for",
    "run_analysis",
    "stored_result",
    "write_all",
]


# How stored tables are laid out; raised when their order or meaning changes, so that a run an
# earlier version stored is not read as if it were laid out this way (the pages then ask for a
# recompute). 2: a narrowed table lists the rows that pass first (`Analysis.narrowing`).
STORED_LAYOUT = "2"


def projection_for(name: str, **params: Any) -> Projection:
    """The projection analysis `name` needs for these parameters."""
    spec = analysis(name)
    if spec.projection is None:
        raise AnalysisInputError(f"The {name} analysis is computed by the server and projects nothing.")
    if name == "influencers" and not params.get("partner"):
        return influencers.ALONE
    return spec.projection


def compute(G: nx.MultiDiGraph | compact.CompactGraph, name: str, **params: Any) -> AnalysisResult:
    """Run analysis `name` on a projected graph (no database access); `params` are its declared
    parameters (defaults filled in) and any internal inputs the batch passes on. On a
    `CompactGraph` it runs the analysis' `compact` form, or on the NetworkX graph built from it
    when the analysis has none."""
    spec = analysis(name)
    arguments = spec.arguments(params)
    started = time.perf_counter()
    with cyclic_gc_paused():
        if isinstance(G, compact.CompactGraph) and spec.compact is not None:
            result = spec.compact(G, **arguments)
            result.nodes, result.edges = G.n, G.number_of_edges()
        else:
            G = G.to_networkx() if isinstance(G, compact.CompactGraph) else G
            result = spec.compute(G, **arguments)
            result.nodes, result.edges = G.number_of_nodes(), G.number_of_edges()
        result.compute_seconds = time.perf_counter() - started
    return result


def run_analysis(
    graph: Graph, name: str, *, write: bool = False, started_by: str = "graphcrm", **params: Any
) -> AnalysisResult:
    """Read what `name` needs from Neo4j, run it, and with `write` store its node scores (and
    tables) as a new run, holding the one batch lock while it writes.

    Parameters
    ----------
    graph
        The database connection.
    name
        One of `ANALYSES`; its declaration lists the parameters, their defaults and bounds.
    write
        Store the analysis' node scores (its declared `scores`) and record the run.
    started_by
        Who asked (recorded with the run).
    **params
        The analysis' parameters.

    Raises
    ------
    AnalysisInputError
        Unknown analysis or parameter, a value out of bounds, an unknown id, no path, or `write`
        for an analysis without scores.
    graphcrm.errors.BatchRunning
        With `write`, when another recompute is running.
    graphcrm.errors.DatabaseError
        The database failed; the message is one sentence.
    """
    spec = analysis(name)
    if write and not spec.scores:
        raise AnalysisInputError(f"The {name} analysis has no node scores to write.")
    arguments = spec.arguments(params)
    if spec.query is not None:
        return _query_and_compute(graph, spec, arguments)
    if write:
        return _write_one(graph, spec, arguments, started_by)
    if name == "intro":
        return _search_and_compute(graph, arguments)
    return _project_and_compute(graph, name, arguments)


def _search_and_compute(graph: Graph, arguments: dict[str, Any]) -> AnalysisResult:
    """Warm introductions on the bounded search around the two ends (`around.intro_paths`, what
    the page shows) instead of a projection of the whole graph; `caveat` says when the search
    stopped at its cap without proving its paths the strongest."""
    found = around.intro_paths(graph, **arguments)
    found.result.caveat = found.caveat
    return found.result


def _write_one(graph: Graph, spec: Analysis, arguments: dict[str, Any], started_by: str) -> AnalysisResult:
    """One analysis computed and stored as the batch would store it (its narrowing parameters at
    the batch's values; what it shows is then narrowed to the ones asked for)."""
    batch = spec.arguments(batch_arguments(spec, arguments.get("seed", 7)))
    changed = [p.option for p in spec.shaping() if p.name != "seed" and arguments[p.name] != batch[p.name]]
    if changed:
        raise AnalysisInputError(
            "--write stores what the dashboard reads, with the batch's settings; "
            f"leave out {', '.join(changed)} or run without --write."
        )
    stored = {**arguments, **spec.batch_params}
    apply_schema(graph)
    with results.batch_lock(graph, started_by) as progress:
        progress(f"projecting for {spec.name}")
        data_at = datetime.now(UTC)
        result = _project_and_compute(graph, spec.name, stored)
        progress(f"writing {spec.name}")
        _store(graph, result, stored, started_by, seed=arguments.get("seed", 7), data_at=data_at)
    result.tables = spec.narrow(result.tables, arguments)
    return result


def _query_and_compute(graph: Graph, spec: Analysis, arguments: dict[str, Any]) -> AnalysisResult:
    """An analysis the server aggregates: its canned query's rows, shaped by its compute."""
    started = time.perf_counter()
    rows = graph.read(queries.library()[spec.query].text, arguments)
    result = spec.compute(rows, **arguments)
    result.compute_seconds = time.perf_counter() - started
    return result


def _project_and_compute(graph: Graph, name: str, arguments: dict[str, Any]) -> AnalysisResult:
    """Project what `name` reads (as columns when it has a compact form) and compute it."""
    started = time.perf_counter()
    projection = projection_for(name, **arguments)
    if analysis(name).compact is not None:
        C = compact.project_compact(graph, projection)
        projection_seconds = time.perf_counter() - started
        result = compute(C, name, **arguments)
        result.labels = C.labels()
    else:
        G = project(graph, projection)
        projection_seconds = time.perf_counter() - started
        result = compute(G, name, **arguments)
        result.labels = {n: d["label"] for n, d in G.nodes(data=True) if "label" in d}
    result.projection_seconds = projection_seconds
    return result


def write_all(graph: Graph, *, seed: int = 7, started_by: str = "graphcrm") -> dict[str, AnalysisResult]:
    """The batch: compute everything the pages read (`registry.BATCH`) from one compact projection
    (`graphcrm.compact`) and store it (node scores, and the tables of the analyses that keep
    them), one run per analysis. Influence and communities are computed once and handed to the
    analyses that use them. Only one batch runs at a time (`results.batch_lock`); another raises
    BatchRunning."""
    apply_schema(graph)
    with results.batch_lock(graph, started_by) as progress:
        progress("projecting the graph")
        data_at = datetime.now(UTC)
        started = time.perf_counter()
        needed = {t for name in BATCH if ANALYSES[name].projection for t in ANALYSES[name].projection.types}
        types = tuple(t for t in model.REL_TYPES if t in needed)
        C = compact.project_compact(graph, Projection(model.LABELS, types, NODE_PROPS))
        projection_seconds = time.perf_counter() - started
        done: dict[str, AnalysisResult] = {}
        inputs: dict[str, Any] = {}
        for name in BATCH:
            progress(f"computing {name}")
            spec = ANALYSES[name]
            handed = {k: v for k, v in inputs.items() if k in spec.internal}
            if spec.query is not None:
                done[name] = _query_and_compute(graph, spec, spec.arguments(batch_arguments(spec, seed)))
                continue
            done[name] = compute(C, name, **batch_arguments(spec, seed), **handed)
            if name == "influencers":
                ranked = done[name].value
                inputs["influence"] = dict(zip(ranked["id"], ranked["influence"], strict=True))
            if name == "communities":
                inputs["community"] = done[name].value.membership
        progress("writing the scores")
        _write_scores(graph, C, done)
        for name, result in done.items():
            progress(f"writing {name}")
            if ANALYSES[name].query is None:
                result.projection_seconds = projection_seconds
            arguments = ANALYSES[name].arguments(batch_arguments(ANALYSES[name], seed))
            _store(graph, result, arguments, started_by, seed=seed, data_at=data_at, scores_written=True)
    return done


def _write_scores(graph: Graph, C: compact.CompactGraph, done: Mapping[str, AnalysisResult]) -> None:
    """Every analysis' node scores in one pass, each node once with all of its scores (a node an
    analysis did not score loses that score: it is stale). Each result gets its rows written and
    its share of the pass' seconds."""
    started = time.perf_counter()
    frames = {name: result.score_frame() for name, result in done.items()}
    frames = {name: frame for name, frame in frames.items() if len(frame)}
    if not frames:
        return
    whole = pd.concat([_nullable(frame).set_index("id") for frame in frames.values()], axis=1, join="outer")
    whole = whole.rename_axis("id").reset_index()
    known = pd.Series(C.nodes["label"].to_numpy(), index=pd.Index(C.nodes["id"], dtype=object))
    whole["label"] = known.reindex(whole["id"]).to_numpy()
    scores.write_score_frame(graph, whole)
    seconds = time.perf_counter() - started
    total = sum(len(frame) for frame in frames.values())
    for name, frame in frames.items():
        found = known.index.get_indexer(pd.Index(frame["id"].to_numpy(dtype=object))) >= 0
        done[name].written = int(found.sum())
        done[name].write_seconds = seconds * len(frame) / total


def _nullable(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with whole-number columns as nullable integers, so that aligning it with other
    analyses' rows (missing values) keeps them whole numbers in Neo4j."""
    ints = [column for column in frame.columns if pd.api.types.is_integer_dtype(frame[column])]
    return frame.astype(dict.fromkeys(ints, "Int64"))


def batch_arguments(spec: Analysis, seed: int) -> dict[str, Any]:
    """The parameters the batch runs `spec` with: its defaults, the batch's seed, `batch_params`.
    Every engine of the batch (local, Spark) runs an analysis with these."""
    seeded = {"seed": seed} if any(p.name == "seed" for p in spec.params) else {}
    return {**seeded, **spec.batch_params}


def stored_result(graph: Graph, name: str, *, limit: int | None = None, **params: Any) -> StoredResult | None:
    """The latest stored run of `name` that answers these parameters, its tables read back (at most
    `limit` rows each, narrowed by the spec's `narrowing` parameters), or None when there is none.
    The request path: nothing is projected or recomputed."""
    spec = analysis(name)
    if not spec.stores_tables:
        return None
    arguments = spec.arguments(params)
    run = results.latest_run(graph, name)
    if run is None:
        return None
    if run.params != recorded_parameters(spec, arguments, arguments.get("seed", 7)) | {
        p: run.params.get(p) for p in spec.narrowing
    }:
        return None
    for name in spec.narrowing:
        if arguments[name] is not None and float(arguments[name]) < float(run.params.get(name) or 0):
            return None
    tables = {}
    for table in spec.tables:
        narrowed = [(p, column) for p, (t, column) in spec.narrowing.items() if t == table.name]
        where = (narrowed[0][1], arguments[narrowed[0][0]]) if narrowed else None
        tables[table.name] = results.read_table(
            graph, run, table.name, table.columns, limit=limit, where=where
        )
    return StoredResult(run, tables)


@dataclass(frozen=True)
class StoredResult:
    """A stored run and its tables (what a page or a read command shows, with `run.as_of()`)."""

    run: results.Run
    tables: dict[str, pd.DataFrame]


def recorded_parameters(spec: Analysis, arguments: Mapping[str, Any], seed: int) -> dict[str, str]:
    """What a run records of its parameters, as text: those that shape what is stored, the
    narrowing ones, the seed (the batch hands seeded influence and communities on) and the
    `STORED_LAYOUT` it was stored in. Every engine records these, so `stored_result` finds a run
    whichever engine made it, and never one stored in another layout."""
    kept = [p.name for p in spec.shaping()] + list(spec.narrowing)
    recorded = {name: str(arguments[name]) for name in kept if arguments.get(name) is not None}
    return recorded | {"seed": str(seed), "layout": STORED_LAYOUT}


def _store(
    graph: Graph,
    result: AnalysisResult,
    arguments: dict[str, Any],
    started_by: str,
    *,
    seed: int,
    data_at: datetime,
    scores_written: bool = False,
) -> None:
    """Write `result` as a new run: its node scores (unless the batch's one pass wrote them), its
    tables when its spec keeps them."""
    spec = ANALYSES[result.name]
    started = time.perf_counter()
    run_id = results.begin_run(
        graph, result.name, recorded_parameters(spec, arguments, seed), started_by=started_by
    )
    if not scores_written and len(result.score_frame()):
        result.written = scores.write_score_frame(graph, _labelled(result.score_frame(), result.labels))
    if spec.stores_tables:
        results.store_tables(graph, run_id, result.tables)
    result.write_seconds += time.perf_counter() - started
    total = result.projection_seconds + result.compute_seconds + result.write_seconds
    results.finish_run(graph, run_id, nodes=result.written, seconds=total, data_at=data_at)


def _labelled(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """`frame` with each row's node label (from the projection) as column `label`."""
    return frame.assign(label=[labels.get(node_id) for node_id in frame["id"].tolist()])
