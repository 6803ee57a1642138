"""Communities of customers: groups that know and refer each other more than they do outsiders.

Louvain modularity optimisation (Blondel et al. 2008), via igraph's `community_multilevel` (the
same algorithm as `networkx.community.louvain_communities`, in C: 14x faster at a million
customers) with a seeded random generator so the same graph always gives the same communities.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import igraph as ig
import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.spec import (
    NODE_PROPS,
    SOCIAL_LABELS,
    Analysis,
    AnalysisResult,
    Param,
    Projection,
    Table,
)
from graphcrm.analytics.views import node_value, social_graph

if TYPE_CHECKING:
    from graphcrm.compact import CompactGraph

_RNG_LOCK = threading.Lock()
SUMMARY_COLUMNS = (
    "community",
    "size",
    "top_influencer",
    "top_influencer_name",
    "dominant_stage",
    "dominant_city",
    "total_value",
    "internal_ties",
)


@dataclass
class CommunityResult:
    """`membership` maps every customer id to its community number (0 = the largest community);
    `summary` has one row per community of at least `min_size` members; `modularity` is the
    partition's modularity in [-0.5, 1] (0 when there are no ties)."""

    membership: dict[str, int]
    summary: pd.DataFrame = field(repr=False)
    modularity: float = 0.0


def communities(
    G: nx.MultiDiGraph,
    *,
    seed: int = 7,
    resolution: float = 1.0,
    min_size: int = 2,
    influence: Mapping[str, float] | None = None,
) -> CommunityResult:
    """Louvain communities on the customer social graph (KNOWS and REFERRED among customers).

    Parameters
    ----------
    G
        The projected graph; only Customer nodes and their KNOWS/REFERRED ties are used, weighted
        by tie strength (`views.social_graph`).
    seed
        Seed of the Louvain node order: the same seed and graph give the same communities.
    resolution
        Above 1 favours smaller communities, below 1 larger ones.
    min_size
        Communities smaller than this (e.g. customers with no ties, who form their own
        community of one) get a number but no summary row.
    influence
        Score per customer used to pick each community's top influencer (e.g. the `influence`
        column of `influencers`); by default the weighted degree inside the community.

    Returns
    -------
    CommunityResult
        Communities are numbered by size (largest first, ties by smallest member id). The summary
        names the top influencer, the most common `stage` and `city` (ties broken
        alphabetically; '' when no member has one), the summed member value and the number of
        ties inside the community. An empty graph gives an empty result.

    References
    ----------
    Blondel, Guillaume, Lambiotte, Lefebvre (2008), Fast unfolding of communities in large
    networks, J. Stat. Mech. P10008.
    """
    S = social_graph(G, labels=(model.CUSTOMER,))
    if len(S) == 0:
        return CommunityResult({}, pd.DataFrame(columns=list(SUMMARY_COLUMNS)))
    nodes = list(S)
    index = {node: i for i, node in enumerate(nodes)}
    ties = [(index[u], index[v], w) for u, v, w in S.edges(data="weight")]
    graph = ig.Graph(n=len(nodes), edges=[(i, j) for i, j, _ in ties], directed=False)
    weights = [w for _, _, w in ties]
    labels = louvain(graph, weights, resolution=resolution, seed=seed)
    groups: dict[int, list[str]] = defaultdict(list)
    for node, label in zip(nodes, labels, strict=True):
        groups[label].append(node)
    ordered = sorted((sorted(c) for c in groups.values()), key=lambda members: (-len(members), members[0]))
    membership = {n: number for number, members in enumerate(ordered) for n in members}
    numbers = [membership[node] for node in nodes]
    modularity = graph.modularity(numbers, weights=weights) if ties else 0.0
    internal_ties: Counter[int] = Counter()
    strength: dict[str, float] = defaultdict(float)
    for i, j, w in ties:
        if numbers[i] == numbers[j]:
            internal_ties[numbers[i]] += 1
            strength[nodes[i]] += w
            strength[nodes[j]] += w
    score = influence if influence is not None else strength
    rows = []
    for number, members in enumerate(ordered):
        if len(members) < min_size:
            continue
        top = min(members, key=lambda n: (-score.get(n, 0.0), n))
        rows.append(
            {
                "community": number,
                "size": len(members),
                "top_influencer": top,
                "top_influencer_name": G.nodes[top].get("name", ""),
                "dominant_stage": _most_common(G.nodes[n].get("stage") for n in members),
                "dominant_city": _most_common(G.nodes[n].get("city") for n in members),
                "total_value": sum(node_value(G.nodes[n]) for n in members),
                "internal_ties": internal_ties[number],
            }
        )
    return CommunityResult(membership, pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)), modularity)


def louvain(graph: ig.Graph, weights: list[float], *, resolution: float, seed: int) -> list[int]:
    """igraph's multilevel (Louvain) labels of `graph`'s nodes, drawn with a private random
    generator seeded by `seed`, so results repeat and the global `random` state is untouched.
    igraph's generator is process-wide, so the swap is locked: dashboard sessions run in threads."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            return graph.community_multilevel(weights=weights or None, resolution=resolution).membership
        finally:
            ig.set_random_number_generator(random)


def _most_common(values: object) -> str:
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _run(
    G: nx.MultiDiGraph,
    *,
    seed: int,
    resolution: float,
    min_size: int,
    influence: Mapping[str, float] | None = None,
) -> AnalysisResult:
    if influence is None:
        from graphcrm.analytics.influencers import influencers

        ranked = influencers(G, seed=seed)
        influence = dict(zip(ranked["id"], ranked["influence"], strict=True))
    found = communities(G, seed=seed, resolution=resolution, min_size=min_size, influence=influence)
    rows = [{"id": n, "community": c} for n, c in found.membership.items()]
    return AnalysisResult("communities", {"communities": found.summary}, found, score_rows=rows)


def _run_compact(C: CompactGraph, **params: Any) -> AnalysisResult:
    from graphcrm.analytics.communities_compact import run  # it builds on this module

    return run(C, **params)


SPEC = Analysis(
    name="communities",
    help="Louvain communities of customers, with top influencer, stage, city, value",
    projection=Projection(SOCIAL_LABELS, (model.REFERRED, model.KNOWS), NODE_PROPS),
    params=(
        Param("seed", "int", 7, "Louvain seed"),
        Param("resolution", "float", 1.0, "above 1: smaller communities", minimum=0.01, maximum=100),
        Param("min_size", "int", 2, "smallest community listed", minimum=1),
    ),
    tables=(
        Table("communities", SUMMARY_COLUMNS, "one row per community of at least --min-size, largest first"),
    ),
    compute=_run,
    compact=_run_compact,
    stores_tables=True,
    scores=("community",),
    internal=("influence",),
)
