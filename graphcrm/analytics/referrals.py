"""Referral cascades: who started which chain of referrals, how far it went and how much converted.

REFERRED edges point referrer -> referee. A *cascade* is everything reachable downstream of a
*root*, a node that referred someone and was not referred itself. Referral loops without such a
root are reported by `graphcrm.analytics.rings`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.spec import NODE_PROPS, Analysis, AnalysisResult, Param, Projection, Table
from graphcrm.analytics.views import edges_of_type, hops_downstream, node_value, referral_digraph
from graphcrm.errors import UnknownNode

if TYPE_CHECKING:
    from graphcrm.compact import CompactGraph

CASCADE_COLUMNS = (
    "root",
    "name",
    "label",
    "referred",
    "size",
    "depth",
    "converted",
    "conversion_rate",
    "value",
)
BREAKDOWN_COLUMNS = ("referrals", "converted", "conversion_rate", "value")
SUMMARY_COLUMNS = (
    "referrals",
    "converted",
    "conversion_rate",
    "referring_customers",
    "k_factor",
    "viral_coefficient",
)
TREE_COLUMNS = ("depth", "referrer", "id", "name", "label", "converted", "value", "since")


def referral_cascades(G: nx.MultiDiGraph, *, top: int | None = None) -> pd.DataFrame:
    """One row per cascade root, largest cascade first.

    Returns
    -------
    pandas.DataFrame
        Columns `CASCADE_COLUMNS`: `referred` direct referrals; `size` everyone downstream;
        `depth` the longest chain of hops (1 = only direct referrals); `converted` downstream
        nodes reached by a converted referral; `conversion_rate` = converted / size in [0, 1];
        `value` the summed value (`lifetime_value`/`annual_value`) of the converted ones. Empty
        (with these columns) when there are no referrals.
    """
    referred = list(edges_of_type(G, model.REFERRED))
    R = referral_digraph(referred)
    converted = {v for _, v, d in referred if d.get("converted")}
    children = {n: list(succ) for n, succ in R.adjacency()}
    rows = []
    for root in R:
        if R.in_degree(root) or not R.out_degree(root):
            continue
        lengths = hops_downstream(children, root)
        downstream = [n for n in lengths if n != root]
        won = [n for n in downstream if n in converted]
        rows.append(
            {
                "root": root,
                "name": G.nodes[root].get("name", ""),
                "label": G.nodes[root].get("label", ""),
                "referred": R.out_degree(root),
                "size": len(downstream),
                "depth": max(lengths.values()),
                "converted": len(won),
                "conversion_rate": len(won) / len(downstream),
                "value": sum(node_value(G.nodes[n]) for n in won),
            }
        )
    frame = pd.DataFrame(rows, columns=list(CASCADE_COLUMNS))
    frame = frame.sort_values(["size", "value", "root"], ascending=[False, False, True], ignore_index=True)
    return frame.head(top).reset_index(drop=True) if top is not None else frame


@dataclass
class ReferralTotals:
    """The programme's referral totals, and the one definition of conversion rate and k-factor
    (the Overview reads these totals from Cypher, `referral_stats` from a projected graph).

    `conversion_rate` is converted / all referrals in [0, 1]; `k_factor` is referrals per
    referring customer (REFERRED edges sent by customers divided by the number of distinct
    customers who sent one). Both are 0 when there is nothing to divide by.

    Examples
    --------
    >>> totals = ReferralTotals(referrals=4, converted=3, referring_customers=2, customer_referrals=3)
    >>> totals.conversion_rate, totals.k_factor
    (0.75, 1.5)
    """

    referrals: int
    converted: int
    referring_customers: int
    customer_referrals: int

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.referrals if self.referrals else 0.0

    @property
    def k_factor(self) -> float:
        return self.customer_referrals / self.referring_customers if self.referring_customers else 0.0


@dataclass
class ReferralStats(ReferralTotals):
    """Programme-level referral numbers: the totals, the viral coefficient (converted customer
    referrals per customer; above 1 the customer base would grow by referrals alone) and the
    breakdowns by channel and by month."""

    viral_coefficient: float = 0.0
    by_channel: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    by_month: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def summary(self) -> pd.DataFrame:
        """The scalar figures as a one-row frame (columns `SUMMARY_COLUMNS`)."""
        return pd.DataFrame([{k: getattr(self, k) for k in SUMMARY_COLUMNS}])


def referral_stats(G: nx.MultiDiGraph) -> ReferralStats:
    """Overall conversion, k-factor, and conversion by referral `channel` and by month of `since`.

    Breakdowns have columns `BREAKDOWN_COLUMNS` indexed by channel ('unknown' when missing) or by
    month ('YYYY-MM', 'unknown' when the referral has no date); rates are in [0, 1] and `value`
    sums the referees' value over converted referrals. Rates are 0 when there are no referrals.
    """
    frame = _referral_frame(G)
    customers = sum(1 for _, d in G.nodes(data=True) if d.get("label") == model.CUSTOMER)
    by_customers = frame[frame["source_label"] == model.CUSTOMER]
    referrers = by_customers["source"].nunique()
    return ReferralStats(
        referrals=len(frame),
        converted=int(frame["converted"].sum()),
        referring_customers=int(referrers),
        customer_referrals=len(by_customers),
        viral_coefficient=float(by_customers["converted"].sum()) / customers if customers else 0.0,
        by_channel=breakdown(frame, "channel"),
        by_month=breakdown(frame, "month"),
    )


def _referral_frame(G: nx.MultiDiGraph) -> pd.DataFrame:
    """One row per REFERRED edge: source_label, source, channel, month, converted, value. Built
    column by column, with each month's text formatted once, since there is a row per referral."""
    columns: dict[str, list[Any]] = {
        k: [] for k in ("source_label", "source", "channel", "month", "converted", "value")
    }
    months: dict[tuple[int, int], str] = {}
    for u, v, d in edges_of_type(G, model.REFERRED):
        since = d.get("since")
        if isinstance(since, date):
            key = (since.year, since.month)
            month = months.get(key) or months.setdefault(key, since.strftime("%Y-%m"))
        else:
            month = "unknown"
        columns["source_label"].append(G.nodes[u].get("label"))
        columns["source"].append(u)
        columns["channel"].append(d.get("channel") or "unknown")
        columns["month"].append(month)
        columns["converted"].append(bool(d.get("converted", False)))
        columns["value"].append(node_value(G.nodes[v]) if d.get("converted") else 0.0)
    if not columns["source"]:
        return pd.DataFrame([], columns=list(columns))
    return pd.DataFrame(columns)


def breakdown(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Referrals, conversions and value per `key` of a referral frame, sorted by key."""
    grouped = frame.groupby(key).agg(
        referrals=("converted", "size"), converted=("converted", "sum"), value=("value", "sum")
    )
    grouped["converted"] = grouped["converted"].astype(int)
    grouped["conversion_rate"] = grouped["converted"] / grouped["referrals"]
    return grouped[list(BREAKDOWN_COLUMNS)].sort_index()


def cascade_tree(G: nx.MultiDiGraph, root: str) -> pd.DataFrame:
    """The referral tree below `root`, depth-first, one row per referee (a breadth-first spanning
    tree, so in a loop each node appears once, under its earliest referrer).

    Raises
    ------
    UnknownNode
        When `root` is not in the graph.
    """
    if root not in G:
        raise UnknownNode(root, "customer, partner or employee")
    R = referral_digraph(edges_of_type(G, model.REFERRED))
    R.add_node(root)
    tree = nx.bfs_tree(R, root, sort_neighbors=sorted)
    depths = nx.single_source_shortest_path_length(tree, root)
    rows = []
    for parent, child in nx.dfs_edges(tree, root, sort_neighbors=sorted):
        attrs = R.edges[parent, child]
        rows.append(
            {
                "depth": depths[child],
                "referrer": parent,
                "id": child,
                "name": G.nodes[child].get("name", ""),
                "label": G.nodes[child].get("label", ""),
                "converted": attrs["converted"],
                "value": node_value(G.nodes[child]),
                "since": attrs.get("since"),
            }
        )
    return pd.DataFrame(rows, columns=list(TREE_COLUMNS))


def _run(G: nx.MultiDiGraph, *, root: str | None, top: int) -> AnalysisResult:
    stats = referral_stats(G)
    tables = {
        "cascades": referral_cascades(G, top=top),
        "summary": stats.summary(),
        "by_channel": stats.by_channel.reset_index(),
        "by_month": stats.by_month.reset_index(),
        "tree": cascade_tree(G, root) if root else pd.DataFrame(columns=list(TREE_COLUMNS)),
    }
    return AnalysisResult("referrals", tables, stats)


def _run_compact(C: CompactGraph, **params: Any) -> AnalysisResult:
    from graphcrm.analytics.referrals_compact import run  # it builds on this module

    return run(C, **params)


SPEC = Analysis(
    name="referrals",
    help="referral cascades per root, k-factor, conversion by channel and month",
    projection=Projection(model.LABELS, (model.REFERRED,), NODE_PROPS),
    params=(
        Param("root", "str", None, "also show the cascade tree below this id"),
        Param("top", "int", 20, "cascades to show", minimum=1),
    ),
    tables=(
        Table("cascades", CASCADE_COLUMNS, "one row per cascade root, largest first"),
        Table("summary", SUMMARY_COLUMNS, "the programme's totals, conversion and k-factor"),
        Table("by_channel", ("channel", *BREAKDOWN_COLUMNS), "conversion per referral channel"),
        Table("by_month", ("month", *BREAKDOWN_COLUMNS), "conversion per month of the referral"),
        Table("tree", TREE_COLUMNS, "the cascade below --root, depth-first (empty without --root)"),
    ),
    compute=_run,
    compact=_run_compact,
    stores_tables=True,
)
