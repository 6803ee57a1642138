"""The request path's analyses around the nodes in view: a bounded, index-backed subgraph read
from Neo4j, then the same pure analytics as the batch on that small graph. Nothing here reads
the whole graph.

- Warm introductions: a best-first search from both ends reads the ties of the nearest nodes
  (by tie cost, -log strength) in growing rounds, until the k strongest paths of the subgraph
  read so far are provably the whole graph's (each costs less than the two ends' search radii
  together) or it has read the ties of `intro_max_nodes` (a setting) nodes; then
  `intro.warm_intro_paths` ranks and explains them, with recency judged from the latest touch
  point of the whole graph, as a full run would. Below the cap the answer is the full run's; at
  the cap it is the best among the paths read.
- A referral cascade: the root and everyone downstream, then `referrals.cascade_tree`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, datetime
from itertools import zip_longest

import pandas as pd

from graphcrm import model, queries, settings
from graphcrm.analytics import intro, referrals
from graphcrm.analytics.intro_search import SearchGraph
from graphcrm.analytics.spec import NODE_PROPS, AnalysisResult, Projection
from graphcrm.db import Graph, native
from graphcrm.errors import NoPath, UnknownNode
from graphcrm.memory import cyclic_gc_paused
from graphcrm.projection import incident_ties, project_around

INTRO = Projection(model.LABELS, intro.INTRO_TYPES, NODE_PROPS)
# What the search reads of each tie: only what its strength is judged from (`strength.tie_strength`).
SEARCH = Projection(
    model.LABELS, intro.INTRO_TYPES, (), ("id", "at", "sentiment", "converted", "relation", "strength")
)
# How many nodes' ties a warm-introduction search reads first from each end (the rounds then
# double, up to the `intro_max_nodes` setting).
INTRO_FIRST_ROUND = 8


@dataclass(frozen=True)
class Introductions:
    """A warm-introduction answer: the analysis' tables, whether the paths are provably the whole
    graph's strongest (else the strongest among the ties of the `searched` nodes nearest the two
    ends), and how many nodes' ties were read."""

    result: AnalysisResult
    proven: bool
    searched: int

    @property
    def caveat(self) -> str:
        """What a reader must be told about paths that are not proven ("" when they are)."""
        if self.proven:
            return ""
        return (
            f"The strongest among the chains through the {self.searched:,} people and accounts nearest "
            "the two ends; a stronger chain further out may exist."
        )


CASCADE = Projection(model.LABELS, (model.REFERRED,), NODE_PROPS)


def latest_touch(graph: Graph) -> datetime | None:
    """The latest touch point in the graph (None when there is none)."""
    rows = graph.read(queries.internal("latest_touch").render())
    return native(rows[0]["at"]) if rows else None


def intro_paths(
    graph: Graph,
    source: str,
    target: str,
    *,
    k: int = 3,
    as_of: date | datetime | None = None,
    half_life_days: float = 90.0,
) -> Introductions:
    """The warm-introduction analysis on the ties the bounded search reads around `source` and
    `target`; the same tables as `graphcrm analyze intro`. UnknownNode, NoPath and the analysis'
    other errors as there."""
    _check_ends(graph, source, target)
    moment = as_of if as_of is not None else latest_touch(graph)
    spec = intro.SPEC
    arguments = spec.arguments(
        {"source": source, "target": target, "k": k, "as_of": moment, "half_life_days": half_life_days}
    )
    started = time.perf_counter()
    with cyclic_gc_paused():
        found = _search(graph, source, target, k=k, as_of=moment, half_life_days=half_life_days)
        G = project_around(graph, {source, target} | found.near, INTRO)
    read = time.perf_counter()
    try:
        with cyclic_gc_paused():
            result = spec.compute(G, **arguments)
    except NoPath as err:
        if found.proven:
            raise
        raise NoPath(
            f"{str(err).rstrip('.')} among the {len(found.complete):,} people and accounts nearest the "
            "two ends; a chain further out was not searched."
        ) from None
    result.projection_seconds, result.compute_seconds = read - started, time.perf_counter() - read
    result.nodes, result.edges = G.number_of_nodes(), G.number_of_edges()
    return Introductions(result, found.proven, len(found.complete))


def _check_ends(graph: Graph, source: str, target: str) -> None:
    """UnknownNode when no node has the id `source` or `target`."""
    for role, node in (("from", source), ("to", target)):
        if not graph.read(queries.internal("nodes_by_id").render(), {"ids": [node]}):
            raise UnknownNode(node, role=role)


@dataclass
class _Found:
    """What the search found: whether its paths are proven the whole graph's strongest, the
    nodes whose ties it read, and the nodes the strongest paths run through."""

    proven: bool
    complete: set[str]
    near: set[str]


def _search(
    graph: Graph,
    source: str,
    target: str,
    *,
    k: int,
    as_of: datetime | date | None,
    half_life_days: float,
) -> _Found:
    """The best-first search from both ends (see the module's docstring); at the cap, `near` holds
    the nodes of the strongest paths among the ties read."""
    known = SearchGraph([source, target])
    todo, size = ({source, target} if source != target else set()), INTRO_FIRST_ROUND
    cap = settings.value("intro_max_nodes")
    while todo and len(known.complete) < cap:
        _read(graph, known, todo, as_of=as_of, half_life_days=half_life_days)
        survey = known.survey(source, target, limit=cap)
        if survey.bound == math.inf or (
            {source, target} <= survey.near
            and intro.k_cheapest_within(known.subgraph(survey.near), source, target, k, survey.bound)
        ):
            return _Found(True, known.complete, survey.near)
        size *= 2
        todo = _next_round(survey.fronts, size, cap - len(known.complete))
    return _Found(False, known.complete, known.strongest(source, target, k))


def _read(
    graph: Graph,
    known: SearchGraph,
    todo: set[str],
    *,
    as_of: datetime | date | None,
    half_life_days: float,
) -> None:
    """Read the ties of the `todo` nodes (each tie once) into `known`."""
    edges = {
        (source, target, key): attrs
        for source, target, key, attrs in incident_ties(graph, todo, SEARCH, known=known.complete)
    }
    costs = intro.tie_costs(
        [(u, v, attrs) for (u, v, _), attrs in edges.items()], as_of=as_of, half_life_days=half_life_days
    )
    known.add_ties(costs, complete=todo)


def _next_round(fronts: list[list[tuple[float, str]]], size: int, room: int) -> set[str]:
    """The next nodes whose ties to read: the `size` nearest of each end's front, taken in turn
    from the two ends, at most `room` of them."""
    chosen: dict[str, None] = {}
    for pair in zip_longest(*(front[:size] for front in fronts)):
        for entry in pair:
            if entry is not None and len(chosen) < room:
                chosen[entry[1]] = None
    return set(chosen)


def cascade(graph: Graph, root: str) -> pd.DataFrame:
    """The referral tree below `root` (`referrals.cascade_tree`'s columns); UnknownNode when no
    node has that id."""
    rows = graph.read(queries.internal("referral_cascade_ids").render(), {"root": root})
    if not rows:
        raise UnknownNode(root, "customer, partner or employee")
    G = project_around(graph, [root, *rows[0]["ids"]], CASCADE)
    return referrals.cascade_tree(G, root)
