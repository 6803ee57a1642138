"""Run an analysis against Neo4j: projection -> pure function -> optional score write-back.

The one entry point for the CLI and the dashboard::

    result = run_analysis(graph, "influencers", top=20)        # AnalysisResult
    result.main                                                # the headline DataFrame
    result.tables                                              # every table, by name
    write_all(graph)                                           # compute and store all node scores

`compute(G, name, ...)` runs the same analysis on an already projected graph (the dashboard may
cache one projection and run several analyses on it). Each analysis reads only the labels and
relationship types it needs (`PROJECTIONS`). Scores written back (`SCORE_PROPERTIES`) become node
properties, and each write records the run (`graphcrm.scores.record_run`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from graphcrm import model, scores
from graphcrm.analytics import communities as communities_mod
from graphcrm.analytics import coverage, funnel, influencers, intro, partners, referrals, rings
from graphcrm.db import Graph
from graphcrm.errors import AnalysisInputError
from graphcrm.memory import cyclic_gc_paused
from graphcrm.projection import Projection, project

NODE_PROPS: tuple[str, ...] = (
    "name",
    "stage",
    "city",
    "lifetime_value",
    "annual_value",
    "industry",
    "size",
    "role",
    "kind",
    "income_band",
)
_ALL_LABELS = model.LABELS
_SOCIAL = (model.CUSTOMER, model.PARTNER, model.COMPANY)
PROJECTIONS: dict[str, Projection] = {
    "influencers": Projection(
        _SOCIAL, (model.REFERRED, model.KNOWS, model.PARTNERS_WITH, model.WORKS_AT), NODE_PROPS
    ),
    "referrals": Projection(_ALL_LABELS, (model.REFERRED,), NODE_PROPS),
    "communities": Projection(_SOCIAL, (model.REFERRED, model.KNOWS), NODE_PROPS),
    "intro": Projection(_ALL_LABELS, intro.INTRO_TYPES, NODE_PROPS),
    "coverage": Projection(
        _ALL_LABELS,
        (model.MANAGES, model.WORKS_AT, model.INTERACTED, model.KNOWS, model.REFERRED),
        NODE_PROPS,
    ),
    "partners": Projection((model.PARTNER, model.COMPANY, model.CUSTOMER), partners.LINK_TYPES, NODE_PROPS),
    "rings": Projection(_ALL_LABELS, (model.REFERRED, model.WORKS_AT, model.KNOWS), NODE_PROPS),
    "funnel": Projection((model.CUSTOMER, model.COMPANY), (), NODE_PROPS),
}
ANALYSES: tuple[str, ...] = tuple(PROJECTIONS)
# Influencers without a partner filter read only referrals, social ties and what `why` and
# `converted_value` need: at 1M customers a third less to transfer than `PROJECTIONS`' version.
INFLUENCERS_ALONE = Projection(
    _SOCIAL,
    (model.REFERRED, model.KNOWS),
    ("lifetime_value", "annual_value"),
    rel_props=("converted", "relation", "strength"),
)
SCORE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "influencers": (
        "influence",
        "pagerank",
        "referral_reach",
        "cascade_depth",
        "converted_value",
        "brokerage",
        "influence_why",
    ),
    "communities": ("community",),
    "rings": ("referral_ring",),
}


@dataclass
class AnalysisResult:
    """What one analysis produced, and how long each step took (seconds)."""

    name: str
    tables: dict[str, pd.DataFrame]
    value: Any = field(repr=False)
    nodes: int = 0
    edges: int = 0
    projection_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    written: int = 0
    score_rows: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def main(self) -> pd.DataFrame:
        """The headline table (the first one)."""
        return next(iter(self.tables.values()))


def projection_for(name: str, **params: Any) -> Projection:
    """The projection analysis `name` needs (the funnel also reads its `segment` property)."""
    _check(name)
    spec = PROJECTIONS[name]
    segment = params.get("segment")
    if name == "funnel" and segment and segment not in spec.node_props:
        known = sorted({key for label in spec.labels for key in model.NODE_TYPES[label].props})
        if segment not in known:
            choices = ", ".join(known)
            raise AnalysisInputError(f"Unknown segment property {segment!r}; choose one of {choices}.")
        return Projection(spec.labels, spec.types, (*spec.node_props, segment))
    if name == "influencers" and not params.get("partner"):
        return INFLUENCERS_ALONE
    return spec


def compute(G: nx.MultiDiGraph, name: str, **params: Any) -> AnalysisResult:
    """Run analysis `name` on a projected graph (no database access); `params` are the keyword
    parameters of the analysis (see `run_analysis`)."""
    _check(name)
    started = time.perf_counter()
    with cyclic_gc_paused():
        result = _COMPUTE[name](G, **params)
        result.compute_seconds = time.perf_counter() - started
        result.nodes, result.edges = G.number_of_nodes(), G.number_of_edges()
    return result


def run_analysis(graph: Graph, name: str, *, write: bool = False, **params: Any) -> AnalysisResult:
    """Project what `name` needs from Neo4j, run it, and with `write` store its node scores.

    Parameters
    ----------
    graph
        The database connection.
    name
        One of `ANALYSES`.
    write
        Store the analysis' node scores (`SCORE_PROPERTIES`) and record the run.
    **params
        Keyword parameters of the analysis, all optional except intro's `source` and `target`:

    influencers: top, partner (a Partner id: only its reach), alpha, seed, betweenness_samples,
        exact_betweenness_limit, weights.
    referrals: root (a node id: also its cascade tree), top.
    communities: seed, resolution, min_size.
    intro: source and target (required), k, as_of, half_life_days.
    coverage: as_of, stale_days, trend_days, top_influencers, weak_tie, split_managers.
    partners: top_candidates, per_partner.
    rings: window_days, min_burst.
    funnel: segment (a node property such as 'size', 'industry', 'city').

    Raises
    ------
    AnalysisInputError
        Unknown analysis, unknown id, no path, or `write` for an analysis without scores.
    graphcrm.db.DatabaseError
        The database failed; the message is one sentence.
    """
    _check(name)
    if write and name not in SCORE_PROPERTIES:
        raise AnalysisInputError(f"The {name} analysis has no node scores to write.")
    started = time.perf_counter()
    G = project(graph, projection_for(name, **params))
    projection_seconds = time.perf_counter() - started
    result = compute(G, name, **params)
    result.projection_seconds = projection_seconds
    if write:
        _write(graph, G, result)
    return result


def write_all(graph: Graph, *, seed: int = 7) -> dict[str, AnalysisResult]:
    """Compute every node score (influence and its components, community, referral ring) from one
    projection and write them back, recording one run per analysis."""
    started = time.perf_counter()
    needed = {t for name in SCORE_PROPERTIES for t in PROJECTIONS[name].types}
    G = project(graph, Projection(_ALL_LABELS, tuple(t for t in model.REL_TYPES if t in needed), NODE_PROPS))
    projection_seconds = time.perf_counter() - started
    results = {"influencers": compute(G, "influencers", seed=seed)}
    ranked = results["influencers"].value
    influence = dict(zip(ranked["id"], ranked["influence"], strict=True))
    results["communities"] = compute(G, "communities", seed=seed, influence=influence)
    results["rings"] = compute(G, "rings")
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


def _check(name: str) -> None:
    if name not in PROJECTIONS:
        raise AnalysisInputError(f"Unknown analysis {name!r}; choose one of {', '.join(ANALYSES)}.")


def _influencers(
    G: nx.MultiDiGraph, *, top: int | None = None, partner: str | None = None, **params: Any
) -> AnalysisResult:
    full = influencers.influencers(G, **params)
    within = partners.partner_reach(G, partner) if partner else None
    shown = influencers.select(full, within=within, top=top)
    columns = ("id", *SCORE_PROPERTIES["influencers"])
    rows = _records(full.rename(columns={"why": "influence_why"}), columns)
    return AnalysisResult("influencers", {"influencers": shown}, full, score_rows=rows)


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """`frame[columns]` as one dict per row, via plain lists (`to_dict` walks Arrow strings one
    by one: 9 s for a million rows)."""
    values = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _referrals(G: nx.MultiDiGraph, *, root: str | None = None, top: int | None = None) -> AnalysisResult:
    stats = referrals.referral_stats(G)
    tables = {"tree": referrals.cascade_tree(G, root)} if root else {}
    tables |= {
        "cascades": referrals.referral_cascades(G, top=top),
        "summary": stats.summary(),
        "by_channel": stats.by_channel.reset_index(),
        "by_month": stats.by_month.reset_index(),
    }
    return AnalysisResult("referrals", tables, stats)


def _communities(
    G: nx.MultiDiGraph, *, seed: int = 7, influence: dict[str, float] | None = None, **params: Any
) -> AnalysisResult:
    if influence is None:
        ranked = influencers.influencers(G, seed=seed)
        influence = dict(zip(ranked["id"], ranked["influence"], strict=True))
    found = communities_mod.communities(G, seed=seed, influence=influence, **params)
    rows = [{"id": n, "community": c} for n, c in found.membership.items()]
    return AnalysisResult("communities", {"communities": found.summary}, found, score_rows=rows)


def _intro(G: nx.MultiDiGraph, *, source: str, target: str, **params: Any) -> AnalysisResult:
    found = intro.warm_intro_paths(G, source, target, **params)
    summary = pd.DataFrame(
        [
            {
                "path": number,
                "strength": path.strength,
                "hops": len(path.hops),
                "route": " -> ".join(path.nodes),
            }
            for number, path in enumerate(found, start=1)
        ],
        columns=["path", "strength", "hops", "route"],
    )
    return AnalysisResult("intro", {"hops": intro.paths_frame(found), "paths": summary}, found)


def _coverage(G: nx.MultiDiGraph, **params: Any) -> AnalysisResult:
    report = coverage.account_coverage(G, **params)
    return AnalysisResult("coverage", report.tables(), report)


def _partners(G: nx.MultiDiGraph, **params: Any) -> AnalysisResult:
    report = partners.partner_report(G, **params)
    return AnalysisResult("partners", report.tables(), report)


def _rings(G: nx.MultiDiGraph, **params: Any) -> AnalysisResult:
    found = rings.referral_rings(G, **params)
    membership = rings.ring_membership(found)
    candidates = [n for n, d in G.nodes(data=True) if d.get("label") in (model.CUSTOMER, model.PARTNER)]
    rows = [{"id": n, "referral_ring": membership.get(n)} for n in sorted(candidates)]
    return AnalysisResult("rings", {"rings": found}, found, score_rows=rows)


def _funnel(G: nx.MultiDiGraph, *, segment: str | None = None) -> AnalysisResult:
    table = funnel.lifecycle_funnel(G, segment=segment)
    return AnalysisResult("funnel", {"funnel": table}, table)


_COMPUTE: dict[str, Callable[..., AnalysisResult]] = {
    "influencers": _influencers,
    "referrals": _referrals,
    "communities": _communities,
    "intro": _intro,
    "coverage": _coverage,
    "partners": _partners,
    "rings": _rings,
    "funnel": _funnel,
}
