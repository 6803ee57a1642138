"""The request path's analyses around the nodes in view: a bounded, index-backed subgraph read
from Neo4j, then the same pure analytics as the batch on that small graph. Nothing here reads
the whole graph.

- Warm introductions: the nodes within `INTRO_RADIUS` ties of either end (each ball capped at
  `INTRO_BALL` nodes) hold every path of up to twice that many hops; `intro.warm_intro_paths`
  ranks and explains the paths on that subgraph by tie strength, with recency judged from the
  latest touch point of the whole graph, as a full run would. Below the caps the answer is the
  full run's; above them it is the best among the paths the balls hold.
- A referral cascade: the root and everyone downstream, then `referrals.cascade_tree`.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from graphcrm import model, queries
from graphcrm.analytics import intro, referrals
from graphcrm.analytics.spec import NODE_PROPS, AnalysisResult, Projection
from graphcrm.db import Graph, native
from graphcrm.errors import UnknownNode
from graphcrm.projection import project_around

INTRO = Projection(model.LABELS, intro.INTRO_TYPES, NODE_PROPS)
INTRO_RADIUS = 5
INTRO_BALL = 3000
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
) -> AnalysisResult:
    """The warm-introduction analysis on the chains Neo4j finds between `source` and `target`;
    the same tables as `graphcrm analyze intro`. UnknownNode, NoPath and the analysis' other
    errors as there."""
    for role, node in (("from", source), ("to", target)):
        if not graph.read(queries.internal("nodes_by_id").render(), {"ids": [node]}):
            raise UnknownNode(node, role=role)
    ids = _ball(graph, source) | _ball(graph, target)
    G = project_around(graph, ids, INTRO)
    moment = as_of if as_of is not None else latest_touch(graph)
    spec = intro.SPEC
    arguments = spec.arguments(
        {"source": source, "target": target, "k": k, "as_of": moment, "half_life_days": half_life_days}
    )
    return spec.compute(G, **arguments)


def _ball(graph: Graph, centre: str) -> set[str]:
    """Ids within INTRO_RADIUS ties of `centre`, breadth-first, at most INTRO_BALL of them."""
    seen, frontier = {centre}, [centre]
    statement = queries.internal("intro_neighbours").render()
    for _ in range(INTRO_RADIUS):
        room = INTRO_BALL - len(seen)
        if not frontier or room <= 0:
            break
        found = graph.read(statement, {"ids": frontier, "seen": sorted(seen), "limit": room})
        frontier = [r["id"] for r in found]
        seen.update(frontier)
    return seen


def cascade(graph: Graph, root: str) -> pd.DataFrame:
    """The referral tree below `root` (`referrals.cascade_tree`'s columns); UnknownNode when no
    node has that id."""
    rows = graph.read(queries.internal("referral_cascade_ids").render(), {"root": root})
    if not rows:
        raise UnknownNode(root, "customer, partner or employee")
    G = project_around(graph, [root, *rows[0]["ids"]], CASCADE)
    return referrals.cascade_tree(G, root)
