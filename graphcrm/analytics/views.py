"""Views of the projected graph that several analyses share.

Every function takes the projection's `nx.MultiDiGraph` (see `graphcrm.projection`: node key =
id, node attribute `label`, edge attribute `type`) and derives a simpler NetworkX graph or a
lookup from it. Nothing here reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from graphcrm import model

# Default strength of a KNOWS tie without a `strength` property, by its `relation`.
RELATION_STRENGTH: dict[str, float] = {"family": 0.8, "friend": 0.6, "colleague": 0.5}
DEFAULT_KNOWS_STRENGTH = 0.5
REFERRAL_TIE_STRENGTH = 0.5


def node_value(attrs: Mapping[str, Any]) -> float:
    """What a node is worth to us: a customer's `lifetime_value` or a company's `annual_value`."""
    value = attrs.get("lifetime_value", attrs.get("annual_value"))
    return float(value) if value is not None else 0.0


def edges_of_type(G: nx.MultiDiGraph, *types: str) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """`(source, target, attributes)` of every edge whose `type` is one of `types`, in the order of
    `G.edges` (read straight from the adjacency: a full scan is the hot loop of most analyses)."""
    wanted = set(types)
    if not G.is_multigraph():
        return ((u, v, d) for u, v, d in G.edges(data=True) if d.get("type") in wanted)
    return (
        (u, v, d)
        for u, nbrs in G.adjacency()
        for v, keyed in nbrs.items()
        for d in keyed.values()
        if d.get("type") in wanted
    )


def edges_by_type(G: nx.MultiDiGraph, *types: str) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """`list(edges_of_type(G, t))` for each of `types`, from one scan of the edges instead of one
    scan per type."""
    found: dict[str, list[tuple[str, str, dict[str, Any]]]] = {t: [] for t in types}
    if not G.is_multigraph():
        for u, v, d in edges_of_type(G, *types):
            found[d["type"]].append((u, v, d))
        return found
    for u, nbrs in G.adjacency():
        for v, keyed in nbrs.items():
            for d in keyed.values():
                bucket = found.get(d.get("type"))
                if bucket is not None:
                    bucket.append((u, v, d))
    return found


def referral_digraph(referrals: Iterable[tuple[str, str, Mapping[str, Any]]]) -> nx.DiGraph:
    """These REFERRED edges (as `edges_of_type` gives them) as a DiGraph pointing referrer ->
    referee over the nodes they touch, in edge order. Edge attributes `converted` (bool, False
    when unknown), `channel` and `since` are kept."""
    R = nx.DiGraph()
    R.add_edges_from(
        (
            u,
            v,
            {
                "converted": bool(d.get("converted", False)),
                "channel": d.get("channel"),
                "since": d.get("since"),
            },
        )
        for u, v, d in referrals
    )
    return R


def hops_downstream(children: Mapping[str, Iterable[str]], root: str) -> dict[str, int]:
    """Hops from `root` to everyone downstream of it along `children` (referrer -> referees), in
    breadth-first order, each node once even where a ring loops back: what
    `nx.single_source_shortest_path_length` returns, without its per-call overhead (cascades are
    walked once per referrer, hundreds of thousands of times at a million customers)."""
    lengths = {root: 0}
    level = [root]
    depth = 0
    while level:
        depth += 1
        reached = []
        for node in level:
            for child in children.get(node, ()):
                if child not in lengths:
                    lengths[child] = depth
                    reached.append(child)
        level = reached
    return lengths


def components(pairs: Iterable[tuple[str, str]], *, strong: bool = False) -> list[set[str]]:
    """Connected components (weak, or with `strong` strongly connected) of the graph these
    `(source, target)` pairs span, by scipy's compiled traversal instead of a Python one at a
    million nodes. Nodes without any pair are absent; the order of the components is arbitrary."""
    index: dict[str, int] = {}
    sources: list[int] = []
    targets: list[int] = []
    for u, v in pairs:
        sources.append(index.setdefault(u, len(index)))
        targets.append(index.setdefault(v, len(index)))
    if not index:
        return []
    n = len(index)
    matrix = sparse.csr_array((np.ones(len(sources), dtype=np.int32), (sources, targets)), shape=(n, n))
    _, labels = csgraph.connected_components(matrix, directed=strong, connection="strong")
    order = np.argsort(labels, kind="stable")
    nodes = np.array(list(index), dtype=object)[order].tolist()
    bounds = [0, *(np.flatnonzero(np.diff(labels[order])) + 1).tolist(), n]
    return [set(nodes[start:end]) for start, end in zip(bounds, bounds[1:], strict=False)]


def knows_strength(attrs: Mapping[str, Any]) -> float:
    """Strength of a KNOWS tie in [0, 1]: its `strength`, else a default by `relation`."""
    if attrs.get("strength") is not None:
        return float(attrs["strength"])
    return RELATION_STRENGTH.get(str(attrs.get("relation", "")), DEFAULT_KNOWS_STRENGTH)


def social_graph(G: nx.MultiDiGraph, labels: Iterable[str] = (model.CUSTOMER,)) -> nx.Graph:
    """Undirected, weighted social ties (KNOWS and REFERRED) among nodes with `labels`.

    Every node with one of `labels` is present, also without ties. The weight of a pair is the
    strongest of its ties: a KNOWS tie's strength (`knows_strength`), a referral
    `REFERRAL_TIE_STRENGTH`.
    """
    wanted = set(labels)
    S = nx.Graph()
    S.add_nodes_from(n for n, d in G.nodes(data=True) if d.get("label") in wanted)
    for u, v, d in edges_of_type(G, model.KNOWS, model.REFERRED):
        if u == v or u not in S or v not in S:
            continue
        weight = knows_strength(d) if d["type"] == model.KNOWS else REFERRAL_TIE_STRENGTH
        if not S.has_edge(u, v) or S[u][v]["weight"] < weight:
            S.add_edge(u, v, weight=weight)
    return S


def as_datetime(value: date | datetime) -> datetime:
    """A timezone-aware datetime (dates become midnight UTC; naive datetimes are taken as UTC)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0), tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def resolve_as_of(
    interactions: Iterable[tuple[str, str, Mapping[str, Any]]], as_of: date | datetime | None
) -> datetime:
    """`as_of` as an aware datetime; by default the latest of the graph's INTERACTED edges
    `interactions` (so results on committed data do not change with the clock), else now."""
    if as_of is not None:
        return as_datetime(as_of)
    times = [as_datetime(d["at"]) for _, _, d in interactions if d.get("at") is not None]
    return max(times) if times else datetime.now(UTC)
