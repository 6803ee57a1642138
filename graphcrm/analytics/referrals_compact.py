"""Referrals from the compact projection: `referrals` tables built from columns.

Totals and breakdowns are group-bys over the REFERRED rows; cascades walk compressed adjacency
(`influencers_compact.Referrals`) from each root; the tree below one root runs the NetworkX form
on the small graph of that root's cascade.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graphcrm import model
from graphcrm.analytics.influencers_compact import Referrals, node_values
from graphcrm.analytics.referrals import (
    CASCADE_COLUMNS,
    TREE_COLUMNS,
    ReferralStats,
    breakdown,
    cascade_tree,
)
from graphcrm.analytics.spec import AnalysisResult
from graphcrm.compact import CompactGraph, missing
from graphcrm.errors import UnknownNode


def cascades_of(C: CompactGraph, *, top: int | None = None) -> pd.DataFrame:
    """`referrals.referral_cascades` (same table) from a compact projection.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": list("abc"), "label": ["Customer"] * 3, "name": list("ABC")})
    >>> referred = pd.DataFrame({"source": [0, 1], "target": [1, 2], "converted": [True, False]})
    >>> cascades_of(CompactGraph(nodes, {"REFERRED": referred}))[["root", "size", "depth", "converted"]]
      root  size  depth  converted
    0    a     2      2          1
    """
    referrals = Referrals(C)
    sources, targets = referrals.sources, referrals.targets
    distinct = np.unique(sources * max(C.n, 1) + targets) // max(C.n, 1)
    referred = np.bincount(distinct, minlength=C.n)
    roots = np.flatnonzero((referred > 0) & (np.bincount(targets, minlength=C.n) == 0))
    won = np.zeros(C.n, dtype=bool)
    won[targets[referrals.converted]] = True
    worth = np.where(won, node_values(C), 0.0).tolist()
    won_list = won.tolist()
    size, depth, converted = (np.zeros(len(roots), dtype=np.int64) for _ in range(3))
    value = np.zeros(len(roots))
    for row, root in enumerate(roots.tolist()):
        reached = referrals.downstream(root)[1:]
        size[row] = len(reached)
        depth[row] = max(hops for _, hops in reached)
        converted[row] = sum(won_list[node] for node, _ in reached)
        value[row] = sum(worth[node] for node, _ in reached)
    names = C.nodes["name"].astype(object).to_numpy()[roots] if "name" in C.nodes else np.full(len(roots), "")
    frame = pd.DataFrame(
        {
            "root": C.nodes["id"].to_numpy(dtype=object)[roots],
            "name": ["" if missing(name) else name for name in names.tolist()],
            "label": C.nodes["label"].astype(str).to_numpy()[roots],
            "referred": referred[roots],
            "size": size,
            "depth": depth,
            "converted": converted,
            "conversion_rate": converted / np.maximum(size, 1),
            "value": value,
        },
        columns=list(CASCADE_COLUMNS),
    )
    frame = frame.sort_values(["size", "value", "root"], ascending=[False, False, True], ignore_index=True)
    return frame.head(top).reset_index(drop=True) if top is not None else frame


def stats_of(C: CompactGraph) -> ReferralStats:
    """`referrals.referral_stats` (same figures and breakdowns) from a compact projection."""
    frame = _referral_frame(C)
    customers = int((C.nodes["label"] == model.CUSTOMER).sum())
    by_customers = frame[frame["source_label"] == model.CUSTOMER]
    return ReferralStats(
        referrals=len(frame),
        converted=int(frame["converted"].sum()),
        referring_customers=int(by_customers["source"].nunique()),
        customer_referrals=len(by_customers),
        viral_coefficient=float(by_customers["converted"].sum()) / customers if customers else 0.0,
        by_channel=breakdown(frame, "channel"),
        by_month=breakdown(frame, "month"),
    )


def _referral_frame(C: CompactGraph) -> pd.DataFrame:
    """One row per REFERRED row, as `referrals._referral_frame` builds it from NetworkX."""
    rows = C.of_type(model.REFERRED)
    referrals = Referrals(C)
    sources, targets, converted = referrals.sources, referrals.targets, referrals.converted
    channel = rows["channel"].astype(object) if "channel" in rows else pd.Series([None] * len(rows))
    channel = channel.where(channel.notna() & (channel != ""), "unknown").to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "source_label": C.nodes["label"].astype(str).to_numpy()[sources],
            "source": sources,
            "channel": channel,
            "month": _months(rows),
            "converted": converted,
            "value": np.where(converted, node_values(C)[targets], 0.0),
        }
    )


def _months(rows: pd.DataFrame) -> np.ndarray:
    """Each row's month of `since` as 'YYYY-MM' ('unknown' without a date), each month's text
    formatted once."""
    if "since" not in rows or not len(rows):
        return np.full(len(rows), "unknown", dtype=object)
    since = pd.to_datetime(rows["since"])
    known = since.notna().to_numpy()
    keys = np.where(known, since.dt.year.fillna(0) * 100 + since.dt.month.fillna(0), -1).astype(np.int64)
    unique, inverse = np.unique(keys, return_inverse=True)
    texts = np.array(["unknown" if k < 0 else f"{k // 100:04d}-{k % 100:02d}" for k in unique.tolist()])
    return texts.astype(object)[inverse]


def tree_of(C: CompactGraph, root: str) -> pd.DataFrame:
    """`referrals.cascade_tree` from a compact projection, on the small graph of `root`'s cascade.

    Raises
    ------
    UnknownNode
        When `root` is not in the graph.
    """
    (number,) = C.numbers([root])
    if number < 0:
        raise UnknownNode(root, "customer, partner or employee")
    reached = np.array(sorted(node for node, _ in Referrals(C).downstream(int(number))), dtype=np.int64)
    chosen = {t: np.zeros(len(rows), dtype=bool) for t, rows in C.relationships.items()}
    chosen[model.REFERRED] = np.isin(C.of_type(model.REFERRED)["source"].to_numpy(), reached)
    return cascade_tree(C.to_networkx(nodes=reached, rows=chosen), root)


def run(C: CompactGraph, *, root: str | None, top: int) -> AnalysisResult:
    """The referrals analysis (`referrals.SPEC`) from a compact projection."""
    stats = stats_of(C)
    tables = {
        "cascades": cascades_of(C, top=top),
        "summary": stats.summary(),
        "by_channel": stats.by_channel.reset_index(),
        "by_month": stats.by_month.reset_index(),
        "tree": tree_of(C, root) if root else pd.DataFrame(columns=list(TREE_COLUMNS)),
    }
    return AnalysisResult("referrals", tables, stats)
