"""Partners from the compact projection: `partners.partner_report` on the small graph it reads.

The report only depends on the partners, their neighbours in the undirected graph of
`partners.LINK_TYPES` ties and those neighbours' neighbours (the candidate companies, and the
full degree of every shared neighbour), and on each partner's referral cascade. Columns find
those nodes; the NetworkX form runs on the graph between them.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from graphcrm import model
from graphcrm.analytics.influencers_compact import Referrals
from graphcrm.analytics.partners import LABELS, LINK_TYPES, partner_report
from graphcrm.analytics.spec import AnalysisResult
from graphcrm.compact import CompactGraph


def partner_nodes(C: CompactGraph) -> np.ndarray:
    """The node numbers (ascending) the partner report reads: partners, their link neighbours
    and those neighbours' neighbours, and everyone downstream of a partner by referral.

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": list("pabcd"), "label": ["Partner", *["Customer"] * 4]})
    >>> knows = pd.DataFrame({"source": [0, 1, 2], "target": [1, 2, 3]})
    >>> referred = pd.DataFrame({"source": [2, 3], "target": [3, 4]})
    >>> partner_nodes(CompactGraph(nodes, {"KNOWS": knows, "REFERRED": referred})).tolist()
    [0, 1, 2]
    """
    partners = C.labelled(model.PARTNER)
    if not len(partners):
        return partners
    links = _links(C)
    kept = np.zeros(C.n, dtype=bool)
    kept[partners] = True
    for _ in range(2):
        kept[links[np.flatnonzero(kept)].indices] = True
    referrals = Referrals(C)
    for partner in partners.tolist():
        kept[[node for node, _ in referrals.downstream(partner)]] = True
    return np.flatnonzero(kept)


def _links(C: CompactGraph) -> sparse.csr_array:
    """The `LINK_TYPES` ties, without loops, as a symmetric adjacency matrix."""
    ends = [C.of_type(rel_type)[["source", "target"]].to_numpy(dtype=np.int64) for rel_type in LINK_TYPES]
    pairs = np.concatenate(ends) if ends else np.zeros((0, 2), dtype=np.int64)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    rows = np.concatenate((pairs[:, 0], pairs[:, 1]))
    cols = np.concatenate((pairs[:, 1], pairs[:, 0]))
    matrix = sparse.csr_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(C.n, C.n))
    matrix.sum_duplicates()
    return matrix


def own_part(C: CompactGraph) -> CompactGraph:
    """The part of `C` the analysis' own projection holds: its labels and the `LINK_TYPES` ties
    between them (the batch projects every label and type)."""
    kept = C.labelled(*LABELS)
    number = np.full(C.n, -1, dtype=np.int64)
    number[kept] = np.arange(len(kept))
    relationships = {}
    for rel_type in LINK_TYPES:
        frame = C.of_type(rel_type)
        source, target = number[frame["source"].to_numpy()], number[frame["target"].to_numpy()]
        inside = (source >= 0) & (target >= 0)
        relationships[rel_type] = frame[inside].assign(
            source=source[inside].astype(np.int32), target=target[inside].astype(np.int32)
        )
    return CompactGraph(C.nodes.iloc[kept].reset_index(drop=True), relationships)


def run(C: CompactGraph, **params: int) -> AnalysisResult:
    """The partners analysis (`partners.SPEC`) from a compact projection of any labels and types."""
    part = own_part(C)
    report = partner_report(part.to_networkx(nodes=partner_nodes(part)), **params)
    return AnalysisResult("partners", report.tables(), report)
