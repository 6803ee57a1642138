"""Partnerships: what each partner brings in, where partners overlap, and which accounts to
introduce a partner to next.

A partner's *reach* is everyone downstream of it in the referral graph (REFERRED points
referrer -> referee), the companies it partners with (PARTNERS_WITH), and those companies'
contacts (WORKS_AT). Candidate partner -> company links are ranked by the Adamic-Adar index
(Adamic & Adar 2003) on the undirected graph of partnership, referral, employment, trade and
social ties: shared neighbours count, and a shared neighbour with few ties counts more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from itertools import combinations
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.spec import NODE_PROPS, Analysis, AnalysisResult, Param, Projection, Table
from graphcrm.analytics.views import edges_of_type, node_value, referral_digraph
from graphcrm.errors import UnknownNode

if TYPE_CHECKING:
    from graphcrm.compact import CompactGraph

LABELS: tuple[str, ...] = (model.PARTNER, model.COMPANY, model.CUSTOMER)
LINK_TYPES: tuple[str, ...] = (
    model.PARTNERS_WITH,
    model.REFERRED,
    model.WORKS_AT,
    model.SUPPLIES,
    model.KNOWS,
)
PARTNER_COLUMNS = (
    "id",
    "name",
    "kind",
    "companies",
    "customers_reached",
    "referrals",
    "converted",
    "conversion_rate",
    "referred_value",
)
OVERLAP_COLUMNS = ("partner_a", "partner_b", "shared", "jaccard")
CANDIDATE_COLUMNS = ("partner", "company", "company_name", "score", "shared", "reason")


def partner_reach(G: nx.MultiDiGraph, partner: str, *, referrals: nx.DiGraph | None = None) -> set[str]:
    """Ids reached through `partner` (its referral cascade, its partner companies and their
    contacts), without the partner itself. `referrals` is `views.referral_digraph` of G's REFERRED edges when
    the caller already has it.

    Raises
    ------
    UnknownNode
        When `partner` is not a Partner node of `G`.
    """
    if partner not in G or G.nodes[partner].get("label") != model.PARTNER:
        raise UnknownNode(partner, "partner")
    if referrals is None:
        referrals = referral_digraph(edges_of_type(G, model.REFERRED))
        referrals.add_node(partner)
    reached = set(nx.descendants(referrals, partner))
    for _, company, d in G.out_edges(partner, data=True):
        if d.get("type") == model.PARTNERS_WITH and G.nodes[company].get("label") == model.COMPANY:
            reached.add(company)
            reached.update(u for u, _, e in G.in_edges(company, data=True) if e.get("type") == model.WORKS_AT)
    reached.discard(partner)
    return reached


@dataclass
class PartnerReport:
    """`partners` (columns `PARTNER_COLUMNS`), `overlap` (partner_a, partner_b, shared, jaccard)
    and `candidates` (partner, company, score, shared, reason)."""

    partners: pd.DataFrame
    overlap: pd.DataFrame
    candidates: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in reading order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def partner_report(G: nx.MultiDiGraph, *, top_candidates: int = 20, per_partner: int = 3) -> PartnerReport:
    """Per-partner reach and referral results, pairwise overlap, and candidate company links.

    Parameters
    ----------
    G
        The projected graph with partners, companies and customers and the `LINK_TYPES` ties.
    top_candidates, per_partner
        How many candidate links to return overall, and at most how many per partner.

    Returns
    -------
    PartnerReport
        `partners`: companies partnered, customers reached (Customer nodes in `partner_reach`),
        referrals the partner sourced directly, how many converted, conversion_rate in [0, 1]
        and the value of the converted referees; sorted by referred_value. `overlap`: pairs of
        partners whose reach shares at least one node, with the Jaccard index in (0, 1].
        `candidates`: partner -> company pairs not yet linked that share at least one neighbour,
        by Adamic-Adar score (sum over shared neighbours w of 1 / log(degree(w))), with the
        shared neighbours named in `reason`. All empty (with columns) without partners.

    References
    ----------
    Adamic & Adar (2003), Friends and neighbors on the Web, Social Networks 25(3).
    """
    partners = sorted(n for n, d in G.nodes(data=True) if d.get("label") == model.PARTNER)
    links, referred = _link_edges(G)
    R = referral_digraph(referred)
    R.add_nodes_from(partners)
    reach = {p: partner_reach(G, p, referrals=R) for p in partners}
    rows = []
    for p in partners:
        direct = list(R.out_edges(p, data="converted"))
        won = [v for _, v, c in direct if c]
        rows.append(
            {
                "id": p,
                "name": G.nodes[p].get("name", ""),
                "kind": G.nodes[p].get("kind", ""),
                "companies": sum(
                    1 for _, _, d in G.out_edges(p, data=True) if d.get("type") == model.PARTNERS_WITH
                ),
                "customers_reached": sum(1 for n in reach[p] if G.nodes[n].get("label") == model.CUSTOMER),
                "referrals": len(direct),
                "converted": len(won),
                "conversion_rate": len(won) / len(direct) if direct else 0.0,
                "referred_value": sum(node_value(G.nodes[v]) for v in won),
            }
        )
    table = pd.DataFrame(rows, columns=list(PARTNER_COLUMNS))
    table = table.sort_values(["referred_value", "id"], ascending=[False, True], ignore_index=True)
    overlap_rows = []
    for a, b in combinations(partners, 2):
        shared = reach[a] & reach[b]
        if shared:
            overlap_rows.append(
                {
                    "partner_a": a,
                    "partner_b": b,
                    "shared": len(shared),
                    "jaccard": len(shared) / len(reach[a] | reach[b]),
                }
            )
    overlap = pd.DataFrame(overlap_rows, columns=list(OVERLAP_COLUMNS))
    overlap = overlap.sort_values(
        ["shared", "partner_a", "partner_b"], ascending=[False, True, True], ignore_index=True
    )
    return PartnerReport(table, overlap, _candidates(G, partners, links, top_candidates, per_partner))


def _link_edges(G: nx.MultiDiGraph) -> tuple[list[tuple[str, str]], list[tuple[str, str, dict]]]:
    """From one scan of `G`: the `LINK_TYPES` ties as `(u, v)` without self-loops, in edge order,
    and the REFERRED edges `(u, v, attributes)` among them (the referral graph's input)."""
    links: list[tuple[str, str]] = []
    referred: list[tuple[str, str, dict]] = []
    for u, v, d in edges_of_type(G, *LINK_TYPES):
        if d["type"] == model.REFERRED:
            referred.append((u, v, d))
        if u != v:
            links.append((u, v))
    return links, referred


def _link_graph(G: nx.MultiDiGraph, partners: list[str], links: list[tuple[str, str]]) -> nx.Graph:
    """The undirected graph of the `links` that touch a partner, a partner's neighbour or a
    company. Those nodes keep exactly the neighbours (added in the same order) and degree they
    have in the graph of all links, and they are all the candidate search reads, so it gives the
    same scores without building a graph of every tie."""
    partner_set = set(partners)
    near = set(partner_set)
    for u, v in links:
        if u in partner_set:
            near.add(v)
        if v in partner_set:
            near.add(u)
    near.update(n for n, d in G.nodes(data=True) if d.get("label") == model.COMPANY)
    U = nx.Graph()
    U.add_nodes_from(partners)
    U.add_edges_from((u, v) for u, v in links if u in near or v in near)
    return U


def _candidates(
    G: nx.MultiDiGraph, partners: list[str], links: list[tuple[str, str]], top: int, per_partner: int
) -> pd.DataFrame:
    U = _link_graph(G, partners, links)
    pairs = []
    for p in partners:
        seen = {c for c in U[p] if G.nodes[c].get("label") == model.COMPANY}
        two_hop = {c for w in U[p] for c in U[w] if G.nodes[c].get("label") == model.COMPANY} - seen
        pairs.extend((p, c) for c in sorted(two_hop))
    rows = []
    for p, c in pairs:
        common = nx.common_neighbors(U, p, c)
        score = sum(1 / math.log(U.degree(w)) for w in common)
        shared = sorted(common, key=lambda w: (U.degree(w), w))
        named = ", ".join(f"{G.nodes[w].get('name', w)} ({w})" for w in shared[:3])
        more = f" and {len(shared) - 3} more" if len(shared) > 3 else ""
        rows.append(
            {
                "partner": p,
                "company": c,
                "company_name": G.nodes[c].get("name", ""),
                "score": score,
                "shared": len(shared),
                "reason": f"{len(shared)} shared tie{'s' if len(shared) != 1 else ''}: {named}{more}",
            }
        )
    frame = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    frame = frame.sort_values(
        ["score", "partner", "company"], ascending=[False, True, True], ignore_index=True
    )
    frame = frame.groupby("partner", sort=False).head(per_partner)
    return frame.head(top).reset_index(drop=True)


def _run(G: nx.MultiDiGraph, **params: Any) -> AnalysisResult:
    if any(label not in LABELS for _, label in G.nodes(data="label")):
        G = G.subgraph(n for n, label in G.nodes(data="label") if label in LABELS)
    report = partner_report(G, **params)
    return AnalysisResult("partners", report.tables(), report)


def _run_compact(C: CompactGraph, **params: Any) -> AnalysisResult:
    from graphcrm.analytics.partners_compact import run  # it builds on this module

    return run(C, **params)


SPEC = Analysis(
    name="partners",
    help="partner reach, referral results, overlap and candidate company links",
    projection=Projection(LABELS, LINK_TYPES, NODE_PROPS),
    params=(
        Param("top_candidates", "int", 20, "candidate links to show", minimum=1, flag="--top"),
        Param("per_partner", "int", 3, "candidate links per partner at most", minimum=1),
    ),
    tables=(
        Table(
            "partners", PARTNER_COLUMNS, "one row per partner: reach, sourced referrals, conversion, value"
        ),
        Table("overlap", OVERLAP_COLUMNS, "pairs of partners reaching the same people (Jaccard)"),
        Table("candidates", CANDIDATE_COLUMNS, "suggested partner -> company links (Adamic-Adar), with why"),
    ),
    compute=_run,
    compact=_run_compact,
    stores_tables=True,
)
