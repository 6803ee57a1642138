"""Communities of customers: groups that know and refer each other more than they do outsiders.

Louvain modularity optimisation (Blondel et al. 2008), via
`networkx.community.louvain_communities` with a fixed seed so the same graph always gives the
same communities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.views import node_value, social_graph

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
    found = nx.community.louvain_communities(S, weight="weight", resolution=resolution, seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda members: (-len(members), members[0]))
    membership = {n: number for number, members in enumerate(ordered) for n in members}
    modularity = nx.community.modularity(S, found, weight="weight") if S.number_of_edges() else 0.0
    rows = []
    for number, members in enumerate(ordered):
        if len(members) < min_size:
            continue
        inside = S.subgraph(members)
        score = influence if influence is not None else dict(inside.degree(weight="weight"))
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
                "internal_ties": inside.number_of_edges(),
            }
        )
    return CommunityResult(membership, pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)), modularity)


def _most_common(values: object) -> str:
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
