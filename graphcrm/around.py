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
from dataclasses import dataclass
from datetime import date, datetime
from itertools import zip_longest

import networkx as nx
import pandas as pd

from graphcrm import model, queries, settings
from graphcrm.analytics import intro, referrals
from graphcrm.analytics.spec import NODE_PROPS, AnalysisResult, Projection
from graphcrm.db import Graph, native
from graphcrm.errors import NoPath, UnknownNode
from graphcrm.projection import add_incident, project_around

INTRO = Projection(model.LABELS, intro.INTRO_TYPES, NODE_PROPS)
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
    for role, node in (("from", source), ("to", target)):
        if not graph.read(queries.internal("nodes_by_id").render(), {"ids": [node]}):
            raise UnknownNode(node, role=role)
    moment = as_of if as_of is not None else latest_touch(graph)
    spec = intro.SPEC
    arguments = spec.arguments(
        {"source": source, "target": target, "k": k, "as_of": moment, "half_life_days": half_life_days}
    )
    G, proven, searched = _search(graph, source, target, k=k, as_of=moment, half_life_days=half_life_days)
    try:
        return Introductions(spec.compute(G, **arguments), proven, searched)
    except NoPath as err:
        if proven:
            raise
        raise NoPath(
            f"{str(err).rstrip('.')} among the {searched:,} people and accounts nearest the two "
            "ends; a chain further out was not searched."
        ) from None


def _search(
    graph: Graph, source: str, target: str, *, k: int, as_of: datetime | date | None, half_life_days: float
) -> tuple[nx.MultiDiGraph, bool, int]:
    """The ties read by the best-first search from both ends (see the module's docstring), whether
    they provably hold the `k` strongest paths, and how many nodes' ties were read."""
    G = project_around(graph, [source, target], INTRO)
    complete: set[str] = set()
    todo, size = ({source, target} if source != target else set()), INTRO_FIRST_ROUND
    proven, cap = False, settings.value("intro_max_nodes")
    while todo and len(complete) < cap:
        add_incident(graph, G, todo, INTRO)
        complete |= todo
        T = intro.cost_graph(G, as_of=as_of, half_life_days=half_life_days)
        fronts = [intro.search_front(T, end, complete) for end in (source, target)]
        bound = sum(front[0][0] if front else math.inf for front in fronts)
        proven = bound == math.inf or intro.k_cheapest_within(T, source, target, k, bound)
        if proven:
            break
        size *= 2
        todo = _next_round(fronts, size, cap - len(complete))
    return G, proven, len(complete)


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
