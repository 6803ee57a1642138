"""Communities from the compact projection: `communities.communities` built from columns.

The customer social graph is the same (customers numbered in projection order, each pair
weighted by its strongest tie) and goes to the same seeded igraph Louvain; the numbering by size
and the summary are group-bys instead of loops over NetworkX nodes.
"""

from __future__ import annotations

from collections.abc import Mapping

import igraph as ig
import numpy as np
import pandas as pd

from graphcrm import model
from graphcrm.analytics.communities import SUMMARY_COLUMNS, CommunityResult, louvain
from graphcrm.analytics.influencers_compact import knows_strengths, node_values
from graphcrm.analytics.spec import AnalysisResult
from graphcrm.analytics.views import REFERRAL_TIE_STRENGTH
from graphcrm.compact import CompactGraph


def communities_of(
    C: CompactGraph,
    *,
    seed: int = 7,
    resolution: float = 1.0,
    min_size: int = 2,
    influence: Mapping[str, float] | None = None,
) -> CommunityResult:
    """`communities.communities` (same parameters, same result) from a compact projection.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": list("abcd"), "label": ["Customer"] * 4, "name": list("ABCD")})
    >>> knows = pd.DataFrame({"source": [0, 2], "target": [1, 3], "strength": [0.9, 0.4]})
    >>> found = communities_of(CompactGraph(nodes, {"KNOWS": knows}))
    >>> found.membership
    {'a': 0, 'b': 0, 'c': 1, 'd': 1}
    """
    customers = np.flatnonzero((C.nodes["label"] == model.CUSTOMER).to_numpy())
    if not len(customers):
        return CommunityResult({}, pd.DataFrame(columns=list(SUMMARY_COLUMNS)))
    ids = C.nodes["id"].to_numpy(dtype=object)[customers]
    pairs, weights = _social_pairs(C, customers)
    graph = ig.Graph(n=len(customers), edges=pairs.tolist(), directed=False)
    labels = np.asarray(louvain(graph, weights.tolist(), resolution=resolution, seed=seed))
    numbers = _numbered(labels, ids)
    modularity = graph.modularity(numbers.tolist(), weights=weights.tolist()) if len(pairs) else 0.0
    inside = numbers[pairs[:, 0]] == numbers[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
    order = np.lexsort((ids, numbers))
    membership = dict(zip(ids[order].tolist(), numbers[order].tolist(), strict=True))
    if influence is None:
        score = np.bincount(pairs[inside].ravel(), weights=np.repeat(weights[inside], 2), minlength=len(ids))
    else:
        score = pd.Series(influence, dtype=float).reindex(ids).fillna(0.0).to_numpy()
    summary = _summary(C, customers, ids, numbers, score, inside, pairs, min_size)
    return CommunityResult(membership, summary, modularity)


def _social_pairs(C: CompactGraph, customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct customer pairs with a KNOWS or REFERRED tie (no loops), numbered among the
    customers, each weighted by its strongest tie (`views.social_graph`)."""
    number = np.full(C.n, -1, dtype=np.int64)
    number[customers] = np.arange(len(customers))
    ends, strengths = [], []
    for rel_type in (model.KNOWS, model.REFERRED):
        frame = C.of_type(rel_type)
        i, j = number[frame["source"].to_numpy()], number[frame["target"].to_numpy()]
        kept = (i >= 0) & (j >= 0) & (i != j)
        ends.append(np.column_stack((np.minimum(i, j), np.maximum(i, j)))[kept])
        if rel_type == model.KNOWS:
            strengths.append(knows_strengths(frame)[kept])
        else:
            strengths.append(np.full(int(kept.sum()), REFERRAL_TIE_STRENGTH))
    both = pd.DataFrame(np.concatenate(ends), columns=["low", "high"]).assign(
        weight=np.concatenate(strengths)
    )
    strongest = both.groupby(["low", "high"], sort=True)["weight"].max().reset_index()
    return strongest[["low", "high"]].to_numpy(dtype=np.int64), strongest["weight"].to_numpy(dtype=float)


def _numbered(labels: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Louvain's labels renumbered by community size, largest first, ties by smallest member id."""
    groups = pd.DataFrame({"label": labels, "id": ids}).groupby("label")["id"].agg(["size", "min"])
    ranked = groups.assign(size=-groups["size"]).sort_values(["size", "min"]).index.to_numpy()
    renumber = np.empty(labels.max() + 1, dtype=np.int64)
    renumber[ranked] = np.arange(len(ranked))
    return renumber[labels]


def _summary(
    C: CompactGraph,
    customers: np.ndarray,
    ids: np.ndarray,
    numbers: np.ndarray,
    score: np.ndarray,
    inside: np.ndarray,
    pairs: np.ndarray,
    min_size: int,
) -> pd.DataFrame:
    """One row per community of at least `min_size` members (`communities.communities`)."""
    nodes = C.nodes.iloc[customers]
    members = pd.DataFrame(
        {
            "community": numbers,
            "id": ids,
            "score": -score,
            "name": nodes["name"].astype(object).where(nodes["name"].notna(), "").to_numpy(),
            "value": node_values(C)[customers],
        }
    )
    sizes = members.groupby("community").size()
    kept = sizes[sizes >= min_size].index
    members = members[members["community"].isin(kept)]
    top = members.sort_values(["community", "score", "id"]).groupby("community").first()
    internal = (
        np.bincount(numbers[pairs[inside, 0]], minlength=len(sizes)) if len(pairs) else np.zeros(len(sizes))
    )
    rows = pd.DataFrame(
        {
            "community": kept,
            "size": sizes[kept].to_numpy(),
            "top_influencer": top["id"].reindex(kept).to_numpy(),
            "top_influencer_name": top["name"].reindex(kept).to_numpy(),
            "dominant_stage": _most_common(nodes, "stage", numbers, kept),
            "dominant_city": _most_common(nodes, "city", numbers, kept),
            "total_value": members.groupby("community")["value"].sum().reindex(kept).to_numpy(),
            "internal_ties": np.asarray(internal)[kept],
        }
    )
    return rows[list(SUMMARY_COLUMNS)].reset_index(drop=True)


def _most_common(nodes: pd.DataFrame, column: str, numbers: np.ndarray, kept: pd.Index) -> list[str]:
    """Per kept community the most common non-empty `column` value, ties alphabetically ('' when
    no member has one)."""
    if column not in nodes:
        return [""] * len(kept)
    values = pd.DataFrame({"community": numbers, "value": nodes[column].astype(object).to_numpy()})
    values = values[values["value"].notna() & (values["value"] != "")]
    counts = values.groupby(["community", "value"]).size().rename("count").reset_index()
    counts = counts.assign(count=-counts["count"]).sort_values(["community", "count", "value"])
    best = counts.groupby("community")["value"].first()
    return best.reindex(kept).fillna("").tolist()


def run(
    C: CompactGraph,
    *,
    seed: int,
    resolution: float,
    min_size: int,
    influence: Mapping[str, float] | None = None,
) -> AnalysisResult:
    """The communities analysis (`communities.SPEC`) from a compact projection."""
    if influence is None:
        from graphcrm.analytics.influencers_compact import influencers_of

        ranked = influencers_of(C, seed=seed)
        influence = dict(zip(ranked["id"], ranked["influence"], strict=True))
    found = communities_of(C, seed=seed, resolution=resolution, min_size=min_size, influence=influence)
    scores = pd.DataFrame({"id": list(found.membership), "community": list(found.membership.values())})
    return AnalysisResult("communities", {"communities": found.summary}, found, score_rows=scores)
