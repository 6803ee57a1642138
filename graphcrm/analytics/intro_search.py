"""The state of a bounded best-first warm-introduction search, kept as arrays so that each round
costs what it adds, not what the search holds.

A search reads the ties of the nodes nearest its two ends in rounds (`graphcrm.around`); the ties
of a hub bring in thousands of nodes, so the graph it knows soon has tens of thousands of edges
while only a few hundred nodes are complete (every tie read). Per round it needs the distances
from each end through complete nodes (`intro.search_front`'s), which here is one call of SciPy's
compiled Dijkstra on the directed ties that leave complete nodes, and it runs Yen's algorithm
only on the few complete nodes a path cheaper than the proof's bound can pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra


@dataclass(frozen=True)
class Survey:
    """Where a search stands: per end its front (`intro.search_front`: the reached nodes not
    complete, nearest first), the `bound` no path through a node that is not complete is
    cheaper than (the two fronts' radii together; inf when both ends' components are complete),
    and the complete nodes `near` enough to lie on a path cheaper than `bound`."""

    fronts: list[list[tuple[float, str]]]
    bound: float
    near: set[str]


class SearchGraph:
    """The cost graph of the ties read so far (``cost`` = -log strength, one edge per pair, as
    `intro.cost_graph`) and which nodes are complete.

    Examples
    --------
    >>> S = SearchGraph(["a"])
    >>> S.add_ties({("a", "b"): 1.0, ("a", "c"): 0.5}, complete=["a"])
    >>> S.survey("a", "b").fronts
    [[(0.5, 'c'), (1.0, 'b')], [(0.0, 'b')]]
    """

    def __init__(self, nodes: Iterable[str]) -> None:
        self._index: dict[str, int] = {}
        self._ids: list[str] = []
        self._u: list[int] = []
        self._v: list[int] = []
        self._cost: list[float] = []
        self._pairs: set[tuple[int, int]] = set()
        self.complete: set[str] = set()
        for node in nodes:
            self._at(node)

    def _at(self, node: str) -> int:
        index = self._index.get(node)
        if index is None:
            index = self._index[node] = len(self._ids)
            self._ids.append(node)
        return index

    def add_ties(self, costs: Mapping[tuple[str, str], float], complete: Iterable[str]) -> None:
        """Add the ties `costs` (pairs it does not hold yet) and mark `complete` nodes whose every
        tie it now holds."""
        index = self._index
        for (a, b), cost in costs.items():
            u, v = index.get(a), index.get(b)
            u = self._at(a) if u is None else u
            v = self._at(b) if v is None else v
            pair = (u, v) if u < v else (v, u)
            if pair not in self._pairs:
                self._pairs.add(pair)
                self._u.append(u)
                self._v.append(v)
                self._cost.append(cost)
        for node in complete:
            self._at(node)
            self.complete.add(node)

    def _distances(self, ends: list[str], *, through_complete: bool) -> np.ndarray:
        """Each end's distance to every node, along ties that leave complete nodes only (else
        along every tie); inf where unreachable."""
        u, v = np.array(self._u, dtype=np.int64), np.array(self._v, dtype=np.int64)
        cost = np.array(self._cost, dtype=float)
        n = len(self._ids)
        if through_complete:
            done = self._complete_mask()
            forward, backward = done[u], done[v]
        else:
            forward = backward = np.ones(len(u), dtype=bool)
        rows = np.concatenate([u[forward], v[backward]])
        cols = np.concatenate([v[forward], u[backward]])
        data = np.concatenate([cost[forward], cost[backward]])
        matrix = csr_matrix((data, (rows, cols)), shape=(n, n))
        return dijkstra(matrix, directed=True, indices=[self._index[end] for end in ends])

    def _complete_mask(self) -> np.ndarray:
        done = np.zeros(len(self._ids), dtype=bool)
        done[[self._index[node] for node in self.complete]] = True
        return done

    def survey(self, source: str, target: str, *, limit: int | None = None) -> Survey:
        """Where the search stands after a round (see `Survey`), each front cut to its `limit`
        nearest nodes (a hub's thousands of ties make fronts long, and a round reads few)."""
        distances = self._distances([source, target], through_complete=True)
        done = self._complete_mask()
        fronts = []
        for row in distances:
            reached = np.flatnonzero(~done & np.isfinite(row))
            if limit is not None and len(reached) > limit:
                reached = reached[np.argpartition(row[reached], limit - 1)[:limit]]
            order = reached[np.argsort(row[reached], kind="stable")]
            fronts.append([(float(row[i]), self._ids[i]) for i in order])
        bound = sum(front[0][0] if front else math.inf for front in fronts)
        through = distances[0] + distances[1]
        near = {self._ids[i] for i in np.flatnonzero((through < bound) & done)}
        return Survey(fronts, bound, near)

    def strongest(self, source: str, target: str, k: int) -> set[str]:
        """The nodes of the `k` cheapest paths among all ties read (none when no path joins the
        ends), searched on the nodes near a widening bound (`intro.within`) until it holds `k`
        paths each cheaper than it."""
        ahead, behind = self._distances([source, target], through_complete=False)
        through = ahead + behind
        cheapest = through[self._index[target]]
        if not math.isfinite(cheapest):
            return set()
        paths: list[list[str]] = []
        for bound in (*(cheapest + 2.0**step for step in range(-1, 4)), math.inf):
            near = self.subgraph(self._ids[i] for i in np.flatnonzero(through < bound))
            paths = list(islice(nx.shortest_simple_paths(near, source, target, weight="cost"), k))
            if len(paths) == k and nx.path_weight(near, paths[-1], "cost") < bound:
                break
        return {node for path in paths for node in path}

    def subgraph(self, nodes: Iterable[str]) -> nx.Graph:
        """The cost graph among `nodes`, as `intro.cost_graph` weighs it."""
        wanted = {self._index[node] for node in nodes}
        T = nx.Graph()
        T.add_nodes_from(self._ids[i] for i in sorted(wanted))
        T.add_edges_from(
            (self._ids[u], self._ids[v], {"cost": cost})
            for u, v, cost in zip(self._u, self._v, self._cost, strict=True)
            if u in wanted and v in wanted
        )
        return T
