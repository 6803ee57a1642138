"""Warm introductions: the strongest chains of people and accounts from one node to another.

"Who can introduce us?" A path from one of our employees (or anyone) to a target customer or
company through MANAGES, WORKS_AT, KNOWS, REFERRED and PARTNERS_WITH ties, plus employees'
touch points (INTERACTED). Every tie is treated as usable in both directions (a referral can be
asked about by either side). A hop's strength is `strength.tie_strength` in (0, 1]; a path's
strength is the product of its hops', so one weak link weakens the whole chain. The k best paths
are the k loopless paths of least total cost ``-log(strength)`` (Yen's algorithm, via
`networkx.shortest_simple_paths`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any, NamedTuple

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.spec import NODE_PROPS, Analysis, AnalysisResult, Param, Projection, Table
from graphcrm.analytics.strength import TouchStats, tie_strength, touch_stats
from graphcrm.analytics.views import edges_of_type, knows_strength, resolve_as_of
from graphcrm.errors import AnalysisInputError, NoPath, UnknownNode

INTRO_TYPES: tuple[str, ...] = (
    model.MANAGES,
    model.WORKS_AT,
    model.KNOWS,
    model.REFERRED,
    model.PARTNERS_WITH,
    model.INTERACTED,
)
# How a tie reads walking along it (forward) and against it (backward).
_PHRASES: dict[str, tuple[str, str]] = {
    model.MANAGES: ("manages", "is managed by"),
    model.WORKS_AT: ("works at", "employs"),
    model.KNOWS: ("knows", "knows"),
    model.REFERRED: ("referred", "was referred by"),
    model.PARTNERS_WITH: ("partners with", "is a partner account of"),
    model.INTERACTED: ("has been in touch with", "has been in touch with"),
}
MIN_STRENGTH = 1e-3
HOP_COLUMNS = ("path", "path_strength", "step", "source", "target", "kind", "strength", "reason")


@dataclass(frozen=True)
class Hop:
    """One step of an introduction path, oriented in walking order."""

    source: str
    target: str
    kind: str
    strength: float
    reason: str


@dataclass(frozen=True)
class IntroPath:
    """A chain of hops; `strength` is the product of the hops' strengths, in (0, 1]."""

    hops: tuple[Hop, ...]

    @property
    def strength(self) -> float:
        return math.prod(h.strength for h in self.hops)

    @property
    def nodes(self) -> list[str]:
        return [self.hops[0].source, *(h.target for h in self.hops)]


class _Tie(NamedTuple):
    """The strongest tie of a pair: its strength, kind, original `source`, and what its `detail`
    text is made of (rendered only for the hops shown, not for every edge of the graph)."""

    strength: float
    kind: str
    source: str
    attrs: Mapping[str, Any]
    stats: TouchStats | None

    @property
    def detail(self) -> str:
        return _detail(self.kind, self.attrs, self.stats)


def _strongest_ties(
    G: nx.MultiDiGraph, *, as_of: date | datetime | None, half_life_days: float
) -> dict[tuple[str, str], _Tie]:
    """The strongest tie of each pair of nodes (keyed by the ids in sorted order), in the order the
    pairs first occur among `G`'s edges (see `_strongest_of`)."""
    return _strongest_of(list(edges_of_type(G, *INTRO_TYPES)), as_of=as_of, half_life_days=half_life_days)


def _strongest_of(
    edges: list[tuple[str, str, Mapping[str, Any]]], *, as_of: date | datetime | None, half_life_days: float
) -> dict[tuple[str, str], _Tie]:
    """The strongest of `edges` (`(source, target, attributes)` with `type`) for each pair, in the
    order the pairs first occur. A later tie replaces an earlier one only when stronger; a second
    INTERACTED edge never replaces the first (their pair's touches are already pooled)."""
    interactions = [edge for edge in edges if edge[2]["type"] == model.INTERACTED]
    touches = touch_stats(interactions, resolve_as_of(interactions, as_of), half_life_days=half_life_days)
    best: dict[tuple[str, str], _Tie] = {}
    for u, v, d in edges:
        if u == v:
            continue
        kind = d["type"]
        pair = (u, v) if u < v else (v, u)
        held = best.get(pair)
        if kind == model.INTERACTED and held is not None and held.kind == model.INTERACTED:
            continue
        stats = touches.get((u, v)) if kind in (model.MANAGES, model.INTERACTED) else None
        strength = max(tie_strength(kind, d, stats), MIN_STRENGTH)
        if held is None or held.strength < strength:
            best[pair] = _Tie(strength, kind, u, d, stats)
    return best


def _cost_graph(G: nx.MultiDiGraph, ties: Mapping[tuple[str, str], _Tie]) -> nx.Graph:
    """Every node of `G` and one edge per tie with its ``cost`` -log(strength), added in the ties'
    order (the order Dijkstra and Yen's algorithm meet neighbours in, which settles ties between
    equally strong paths)."""
    T = nx.Graph()
    T.add_nodes_from(G.nodes)
    T.add_edges_from((u, v, {"cost": -math.log(tie.strength)}) for (u, v), tie in ties.items())
    return T


def cost_graph(
    G: nx.MultiDiGraph, *, as_of: date | datetime | None = None, half_life_days: float = 90.0
) -> nx.Graph:
    """The undirected graph `warm_intro_paths` searches: one edge per pair of tied nodes with
    ``cost`` = -log of the strongest tie's strength, so that the cheapest path is the strongest.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("E1", "CO1", "WORKS_AT", type="WORKS_AT")
    'WORKS_AT'
    >>> round(cost_graph(G)["E1"]["CO1"]["cost"], 3)  # -log(0.7)
    0.357
    """
    return _cost_graph(G, _strongest_ties(G, as_of=as_of, half_life_days=half_life_days))


def tie_costs(
    edges: list[tuple[str, str, Mapping[str, Any]]],
    *,
    as_of: date | datetime | None = None,
    half_life_days: float = 90.0,
) -> dict[tuple[str, str], float]:
    """The ``cost`` `cost_graph` gives each pair tied by `edges` (`(source, target, attributes)`
    with `type`, as a projected graph's), keyed by the ids in sorted order: what a search that
    reads ties in rounds adds to the cost graph it holds. `edges` must hold every tie of each of
    its pairs, once (the touch points of a pair are all that judges it, with `as_of` given).

    Examples
    --------
    >>> {pair: round(cost, 3) for pair, cost in tie_costs([("E1", "CO1", {"type": "WORKS_AT"})]).items()}
    {('CO1', 'E1'): 0.357}
    """
    ties = _strongest_of(edges, as_of=as_of, half_life_days=half_life_days)
    return {pair: -math.log(tie.strength) for pair, tie in ties.items()}


def within(T: nx.Graph, source: str, target: str, bound: float) -> set[str]:
    """The nodes `v` of `T` with d(source, v) + d(v, target) < `bound` (summed ``cost``): every
    path from `source` to `target` cheaper than `bound` runs through these nodes only, so the
    cheap paths can be searched for on this (small) part of `T`.

    Examples
    --------
    >>> T = nx.Graph([("a", "b", {"cost": 1.0}), ("b", "c", {"cost": 1.0}), ("a", "d", {"cost": 3.0})])
    >>> sorted(within(T, "a", "c", 2.5))
    ['a', 'b', 'c']
    """
    ahead = nx.single_source_dijkstra_path_length(T, source, cutoff=bound, weight="cost")
    behind = nx.single_source_dijkstra_path_length(T, target, cutoff=bound, weight="cost")
    return {node for node, d in ahead.items() if d + behind.get(node, math.inf) < bound}


def search_front(T: nx.Graph, source: str, complete: Collection[str]) -> list[tuple[float, str]]:
    """The nodes a search from `source` has reached but not read the ties of, nearest first, with
    their distance (summed cost) from `source`.

    Dijkstra's algorithm on `T` that follows only the ties of `complete` nodes: those whose every
    tie is in `T`. The first entry's distance is then a lower bound on the distance of every node
    not in `complete`, so every path cheaper than the two ends' bounds together lies among
    complete nodes (see `k_cheapest_within`). An empty list means `source`'s whole component is
    complete.

    Examples
    --------
    >>> T = nx.Graph([("a", "b", {"cost": 1.0}), ("b", "c", {"cost": 0.5}), ("a", "d", {"cost": 3.0})])
    >>> search_front(T, "a", {"a", "b"})
    [(1.5, 'c'), (3.0, 'd')]
    """
    distance, done, front = {source: 0.0}, set(), []
    heap = [(0.0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if node not in complete:
            front.append((d, node))
            continue
        for other, attrs in T[node].items():
            reached = d + attrs["cost"]
            if reached < distance.get(other, math.inf):
                distance[other] = reached
                heapq.heappush(heap, (reached, other))
    return front


def k_cheapest_within(T: nx.Graph, source: str, target: str, k: int, bound: float) -> bool:
    """Whether `T` holds `k` loopless paths from `source` to `target` each cheaper than `bound`:
    then, when every path cheaper than `bound` lies in `T`, they are the whole graph's `k` best.
    Yen's algorithm runs only on the nodes such paths can pass (`within`), not on all of `T`.

    Examples
    --------
    >>> T = nx.Graph([("a", "b", {"cost": 1.0}), ("b", "c", {"cost": 1.0}), ("a", "c", {"cost": 3.0})])
    >>> k_cheapest_within(T, "a", "c", 2, 3.5), k_cheapest_within(T, "a", "c", 2, 2.5)
    (True, False)
    """
    try:
        cheapest, _ = nx.bidirectional_dijkstra(T, source, target, weight="cost")
    except nx.NetworkXNoPath:
        return False
    if cheapest >= bound:
        return False
    near = T.subgraph(within(T, source, target, bound))
    paths = islice(nx.shortest_simple_paths(near, source, target, weight="cost"), k)
    costs = [nx.path_weight(near, path, "cost") for path in paths]
    return len(costs) == k and costs[-1] < bound


def warm_intro_paths(
    G: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    k: int = 3,
    as_of: date | datetime | None = None,
    half_life_days: float = 90.0,
) -> list[IntroPath]:
    """The `k` strongest loopless paths from `source` to `target`, strongest first.

    Parameters
    ----------
    G
        The projected graph with at least the `INTRO_TYPES` relationships.
    source, target
        Node ids, e.g. one of our employees and a target company.
    k
        How many paths (fewer when fewer exist).
    as_of, half_life_days
        For the touch-point strength of employees' ties (`strength.touch_strength`); `as_of`
        defaults to the latest interaction in the graph.

    Returns
    -------
    list of IntroPath
        Each hop carries its kind, strength and a reason such as "Eve Manager (E1) manages Sweet
        Foods (CO1): 4 touches, last 12 days ago, mean sentiment +0.60".

    Raises
    ------
    UnknownNode
        `source` or `target` is not in the graph.
    NoPath
        No chain of ties connects them.
    AnalysisInputError
        `source` equals `target`, or `k` < 1.
    """
    for role, node in (("from", source), ("to", target)):
        if node not in G:
            raise UnknownNode(node, role=role)
    if source == target:
        raise AnalysisInputError(
            "The from and to ids are the same node; there is nobody to be introduced to."
        )
    if k < 1:
        raise AnalysisInputError(f"k must be at least 1, not {k}.")
    ties = _strongest_ties(G, as_of=as_of, half_life_days=half_life_days)
    T = _cost_graph(G, ties)
    try:
        found = list(islice(nx.shortest_simple_paths(T, source, target, weight="cost"), k))
    except nx.NetworkXNoPath:
        raise NoPath(
            f"No chain of relationships connects {_named(G, source)} to {_named(G, target)}."
        ) from None
    return [
        IntroPath(tuple(_hop(G, ties, a, b) for a, b in zip(path, path[1:], strict=False))) for path in found
    ]


def paths_frame(paths: list[IntroPath]) -> pd.DataFrame:
    """One row per hop: path number (1 = best), path strength, step, ends, kind, strength, reason."""
    rows = [
        {
            "path": number,
            "path_strength": path.strength,
            "step": step,
            "source": hop.source,
            "target": hop.target,
            "kind": hop.kind,
            "strength": hop.strength,
            "reason": hop.reason,
        }
        for number, path in enumerate(paths, start=1)
        for step, hop in enumerate(path.hops, start=1)
    ]
    return pd.DataFrame(rows, columns=list(HOP_COLUMNS))


def _named(G: nx.MultiDiGraph, node: str) -> str:
    name = G.nodes[node].get("name")
    return f"{name} ({node})" if name else node


def _hop(G: nx.MultiDiGraph, ties: dict[tuple[str, str], _Tie], a: str, b: str) -> Hop:
    tie = ties[(a, b) if a < b else (b, a)]
    forward, backward = _PHRASES[tie.kind]
    verb = forward if tie.source == a else backward
    reason = f"{_named(G, a)} {verb} {_named(G, b)}"
    detail = tie.detail
    if detail:
        reason += f": {detail}"
    return Hop(a, b, tie.kind, tie.strength, reason)


def _detail(kind: str, attrs: Mapping[str, Any], stats: TouchStats | None) -> str:
    if kind in (model.MANAGES, model.INTERACTED):
        return stats.describe() if stats else "no touch points"
    if kind == model.KNOWS:
        relation = attrs.get("relation")
        return f"{relation + ', ' if relation else ''}tie strength {knows_strength(attrs):.2f}"
    if kind == model.REFERRED:
        return "converted" if attrs.get("converted") else "did not convert"
    return f"since {attrs['since']}" if attrs.get("since") else ""


PATH_COLUMNS = ("path", "strength", "hops", "route")


def _run(G: nx.MultiDiGraph, *, source: str, target: str, **params: Any) -> AnalysisResult:
    found = warm_intro_paths(G, source, target, **params)
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
        columns=list(PATH_COLUMNS),
    )
    return AnalysisResult("intro", {"hops": paths_frame(found), "paths": summary}, found)


SPEC = Analysis(
    name="intro",
    help="warm introduction paths from one node to another",
    projection=Projection(model.LABELS, INTRO_TYPES, NODE_PROPS),
    params=(
        Param("source", "str", None, "who makes the approach (an id)", flag="--from", required=True),
        Param("target", "str", None, "who to reach (an id)", flag="--to", required=True),
        Param("k", "int", 3, "number of paths", minimum=1, maximum=50),
        Param("as_of", "moment", None, "judge tie recency as of this date (default: latest touch)"),
        Param(
            "half_life_days", "float", 90.0, "a touch point's weight halves every this many days", minimum=1
        ),
    ),
    tables=(
        Table("hops", HOP_COLUMNS, "every hop of every path, with why the tie is strong"),
        Table("paths", PATH_COLUMNS, "one row per path, strongest first"),
    ),
    compute=_run,
)
