"""Influencers from the compact projection: the same table as `influencers.influencers`, built
from columns (numpy, scipy, igraph) instead of a NetworkX graph, for the batch at scale.

The influence graph is the same sparse matrix (`influencers.Ties`), numbered the same way (every
node but employees, in projection order), so PageRank and sampled betweenness see the same graph
and draw the same sources. Referral cascades are walked breadth-first over compressed adjacency
arrays, each downstream node once, as `views.hops_downstream` does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from graphcrm import model
from graphcrm.analytics.brokerage import betweenness_of_edges
from graphcrm.analytics.influencers import (
    COLUMNS,
    CONVERTED_REFERRAL_WEIGHT,
    SCORES,
    at,
    betweenness_sample,
    pagerank_of,
    rank,
    select,
    undirected_pairs,
)
from graphcrm.analytics.spec import AnalysisResult
from graphcrm.analytics.views import DEFAULT_KNOWS_STRENGTH, RELATION_STRENGTH
from graphcrm.compact import CompactGraph, missing
from graphcrm.errors import UnknownNode


def influencers_of(
    C: CompactGraph,
    *,
    labels: Collection[str] = (model.CUSTOMER, model.PARTNER),
    weights: Mapping[str, float] | None = None,
    alpha: float = 0.85,
    exact_betweenness_limit: int = 2000,
    betweenness_samples: int | None = None,
    seed: int = 7,
    within: Collection[str] | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """`influencers.influencers` (same parameters, same table) from a compact projection.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["a", "b", "c"], "label": ["Customer"] * 3, "name": list("ABC")})
    >>> referred = pd.DataFrame({"source": [0, 0], "target": [1, 2], "converted": [True, False]})
    >>> top = influencers_of(CompactGraph(nodes, {"REFERRED": referred})).iloc[0]
    >>> top["id"], top["influence_why"]
    ('a', 'referred 2, 1 converted, bridges groups (betweenness 1.00)')
    """
    nodes = C.nodes
    ids = nodes["id"].to_numpy(dtype=object)
    chosen = np.flatnonzero(nodes["label"].isin(list(labels)).to_numpy())
    if not len(chosen):
        return pd.DataFrame(columns=list(COLUMNS))
    chosen = chosen[np.argsort(ids[chosen], kind="stable")]
    social = np.flatnonzero((nodes["label"] != model.EMPLOYEE).to_numpy())
    number = np.full(C.n, -1, dtype=np.int64)
    number[social] = np.arange(len(social))
    matrix, knows = _influence_graph(C, number, len(social))
    pairs = undirected_pairs(matrix)
    k = betweenness_sample(len(social), len(pairs), exact_betweenness_limit, betweenness_samples)
    positions = number[chosen]
    known = positions >= 0
    brokerage = betweenness_of_edges(len(social), pairs, k=k, seed=seed) if len(pairs) else None
    cascades = _cascades(C, chosen)
    names = nodes["name"].to_numpy(dtype=object)[chosen]
    frame = pd.DataFrame(
        {
            "id": ids[chosen].tolist(),
            "name": ["" if missing(name) else name for name in names.tolist()],
            "label": nodes["label"].to_numpy()[chosen].astype(str).tolist(),
            "pagerank": at(pagerank_of(matrix, alpha), positions, known),
            **cascades,
            "brokerage": at(brokerage, positions, known),
            "knows": knows[chosen],
        }
    )
    return rank(frame, weights=weights, within=within, top=top)


def _ends(C: CompactGraph, rel_type: str, number: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The relationships of `rel_type` between numbered nodes, not loops: their numbers at both
    ends and the mask of the rows kept."""
    frame = C.of_type(rel_type)
    i = number[frame["source"].to_numpy()]
    j = number[frame["target"].to_numpy()]
    kept = (i >= 0) & (j >= 0) & (frame["source"].to_numpy() != frame["target"].to_numpy())
    return i[kept], j[kept], kept


def _influence_graph(C: CompactGraph, number: np.ndarray, n: int) -> tuple[sparse.csr_array, np.ndarray]:
    """The weighted influence matrix (`influencers.Ties.weights`: referee -> referrer weighted 1
    or 2 when converted, KNOWS both ways at its strength) and each projected node's number of
    distinct KNOWS partners."""
    ri, rj, kept = _ends(C, model.REFERRED, number)
    converted = _flag(C.of_type(model.REFERRED), "converted")[kept]
    ki, kj, kept = _ends(C, model.KNOWS, number)
    strength = knows_strengths(C.of_type(model.KNOWS))[kept]
    sources = np.concatenate((rj, ki, kj))
    targets = np.concatenate((ri, kj, ki))
    weights = np.concatenate((np.where(converted, CONVERTED_REFERRAL_WEIGHT, 1.0), strength, strength))
    matrix = sparse.coo_array((weights, (sources, targets)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    low, high = np.minimum(ki, kj), np.maximum(ki, kj)
    partners = np.unique(low * max(n, 1) + high)
    counts = np.bincount(np.concatenate((partners // max(n, 1), partners % max(n, 1))), minlength=n)
    knows = np.zeros(C.n, dtype=np.int64)
    knows[number >= 0] = counts[number[number >= 0]]
    return matrix, knows


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean property as True where it is true (missing counts as false)."""
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].astype("boolean").fillna(False).to_numpy(dtype=bool)


def knows_strengths(frame: pd.DataFrame) -> np.ndarray:
    """`views.knows_strength` of every KNOWS row: its strength, else a default by relation."""
    by_relation = np.full(len(frame), DEFAULT_KNOWS_STRENGTH)
    if "relation" in frame:
        relation = frame["relation"].astype(object).to_numpy()
        for name, value in RELATION_STRENGTH.items():
            by_relation[relation == name] = value
    if "strength" not in frame:
        return by_relation
    strength = pd.to_numeric(frame["strength"]).to_numpy(dtype=float)
    return np.where(np.isnan(strength), by_relation, strength)


def node_values(C: CompactGraph) -> np.ndarray:
    """`views.node_value` of every node: its lifetime value, else its annual value, else 0."""
    values = np.zeros(C.n)
    for column in ("annual_value", "lifetime_value"):
        if column in C.nodes:
            found = C.nodes[column].to_numpy(dtype=float)
            values = np.where(np.isnan(found), values, found)
    return values


class Referrals:
    """REFERRED as compressed adjacency (referrer -> referees, in projection order)."""

    def __init__(self, C: CompactGraph) -> None:
        frame = C.of_type(model.REFERRED)
        self.sources = frame["source"].to_numpy().astype(np.int64)
        self.targets = frame["target"].to_numpy().astype(np.int64)
        self.converted = _flag(frame, "converted")
        order = np.argsort(self.sources, kind="stable")
        self.indptr = np.concatenate(([0], np.cumsum(np.bincount(self.sources, minlength=C.n))))
        self.children = self.targets[order].tolist()
        self.pointers = self.indptr.tolist()

    def downstream(self, root: int) -> list[tuple[int, int]]:
        """(node, hops from `root`) of everyone below `root` in breadth-first order, each once
        even where a ring loops back, `root` first at 0 hops."""
        seen = {root: 0}
        level = [root]
        depth = 0
        children, pointers = self.children, self.pointers
        while level:
            depth += 1
            reached = []
            for node in level:
                for child in children[pointers[node] : pointers[node + 1]]:
                    if child not in seen:
                        seen[child] = depth
                        reached.append(child)
            level = reached
        return list(seen.items())


def _cascades(C: CompactGraph, chosen: np.ndarray) -> dict[str, np.ndarray]:
    """Per chosen node: referral_reach, cascade_depth, referred, converted and converted_value,
    as `influencers._Cascades` computes them."""
    referrals = Referrals(C)
    referred = np.bincount(referrals.sources, minlength=C.n)
    converted = np.bincount(referrals.sources, weights=referrals.converted, minlength=C.n).astype(np.int64)
    won = np.zeros(C.n, dtype=bool)
    won[referrals.targets[referrals.converted]] = True
    worth = np.where(won, node_values(C), 0.0).tolist()
    reach = np.zeros(len(chosen), dtype=np.int64)
    depth = np.zeros(len(chosen), dtype=np.int64)
    value = np.zeros(len(chosen))
    for row in np.flatnonzero(referred[chosen] > 0).tolist():
        reached = referrals.downstream(int(chosen[row]))
        reach[row] = len(reached) - 1
        depth[row] = max(hops for _, hops in reached)
        value[row] = sum(worth[node] for node, _ in reached[1:])
    return {
        "referral_reach": reach,
        "cascade_depth": depth,
        "referred": referred[chosen],
        "converted": converted[chosen],
        "converted_value": value,
    }


def partner_reach_of(C: CompactGraph, partner: str) -> set[str]:
    """`partners.partner_reach` from a compact projection: the ids reached through `partner` (its
    referral cascade, its partner companies and their contacts), without the partner itself.

    Raises
    ------
    UnknownNode
        When `partner` is not a Partner node of `C`.
    """
    (number,) = C.numbers([partner])
    if number < 0 or C.nodes["label"].iloc[number] != model.PARTNER:
        raise UnknownNode(partner, "partner")
    reached = {node for node, _ in Referrals(C).downstream(int(number))}
    links = C.of_type(model.PARTNERS_WITH)
    targets = links["target"].to_numpy()[links["source"].to_numpy() == number]
    companies = targets[(C.nodes["label"].to_numpy()[targets] == model.COMPANY)]
    reached.update(companies.tolist())
    works = C.of_type(model.WORKS_AT)
    reached.update(works["source"].to_numpy()[np.isin(works["target"].to_numpy(), companies)].tolist())
    reached.discard(int(number))
    ids = C.nodes["id"].to_numpy(dtype=object)
    return {ids[node] for node in reached}


def run(C: CompactGraph, *, top: int | None, partner: str | None, **params: object) -> AnalysisResult:
    """The influencers analysis (`influencers.SPEC`) from a compact projection; its node scores
    as a table."""
    full = influencers_of(C, **params)  # type: ignore[arg-type]
    shown = select(full, within=partner_reach_of(C, partner) if partner else None, top=top)
    return AnalysisResult("influencers", {"influencers": shown}, full, score_rows=full[["id", *SCORES]])
