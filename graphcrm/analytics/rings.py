"""Referral rings: the patterns behind referral-reward fraud.

Two patterns are flagged in the referral graph (REFERRED points referrer -> referee):

- **circles**: people who refer each other round a loop (A -> B -> C -> A). Every strongly
  connected component of two or more nodes is one ring, since in an honest referral tree
  nobody is referred by someone they brought in, directly or not.
- **bursts**: many referrals inside one company (referrer and referee both WORKS_AT it) or one
  household (connected by family KNOWS ties) within a short time window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.spec import NODE_PROPS, Analysis, AnalysisResult, Param, Projection, Table
from graphcrm.analytics.views import components, edges_by_type, referral_digraph

if TYPE_CHECKING:
    from graphcrm.compact import CompactGraph

RING_COLUMNS = ("ring", "kind", "group", "members", "size", "referrals", "converted", "first", "last", "why")


def referral_rings(G: nx.MultiDiGraph, *, window_days: int = 30, min_burst: int = 3) -> pd.DataFrame:
    """Referral circles and referral bursts, one row per ring.

    Parameters
    ----------
    G
        The projected graph with REFERRED (and, for bursts, WORKS_AT and KNOWS) edges.
    window_days, min_burst
        A company or household is flagged when at least `min_burst` referrals between its
        people fall within `window_days` days (by the referral's `since` date).

    Returns
    -------
    pandas.DataFrame
        Columns `RING_COLUMNS`: `ring` numbers the rows from 1; `kind` is 'circle', 'company' or
        'household'; `group` is the company id or the household's smallest member id ('' for
        circles); `members` the member ids joined by ', '; `first`/`last` the referral dates
        (None when unknown); `why` one sentence. Circles come first, then bursts, each largest
        first. Empty (with the columns) when nothing is flagged.
    """
    edges = edges_by_type(G, model.REFERRED, model.WORKS_AT, model.KNOWS)
    referred = edges[model.REFERRED]
    circles = [sorted(c) for c in components(((u, v) for u, v, _ in referred), strong=True) if len(c) > 1]
    R = _circle_referrals(referred, {n for members in circles for n in members})
    rows = [circle(R, members) for members in circles]
    rows.sort(key=lambda r: (-r["size"], r["members"]))
    rows.extend(_bursts(G, edges, window_days, min_burst))
    for number, row in enumerate(rows, start=1):
        row["ring"] = number
    return pd.DataFrame(rows, columns=list(RING_COLUMNS))


def ring_membership(rings: pd.DataFrame) -> dict[str, int]:
    """Member id -> ring number (the first ring listing it)."""
    found: dict[str, int] = {}
    for ring, members in zip(rings["ring"], rings["members"], strict=True):
        for member in members.split(", "):
            found.setdefault(member, int(ring))
    return found


def _circle_referrals(referred: list[tuple[str, str, dict]], members: set[str]) -> nx.DiGraph:
    """The referral DiGraph (`views.referral_digraph`) restricted to referrals made by circle
    members: each member keeps all its out-edges in their order, so subgraphs and cycle searches
    on it walk exactly as on the whole referral graph, without building that graph."""
    return referral_digraph((u, v, d) for u, v, d in referred if u in members)


def circle(R: nx.DiGraph, members: list[str]) -> dict:
    """The ring row of one referral circle (`members` sorted) from the referrals `R` among them."""
    inside = R.subgraph(members)
    loop = [u for u, _ in nx.find_cycle(inside, source=members[0])]
    dates = sorted(d for _, _, d in inside.edges(data="since") if isinstance(d, date))
    converted = sum(1 for _, _, c in inside.edges(data="converted") if c)
    span = f" within {(dates[-1] - dates[0]).days} days" if dates else ""
    route = " -> ".join([*loop, loop[0]])
    return {
        "kind": "circle",
        "group": "",
        "members": ", ".join(members),
        "size": len(members),
        "referrals": inside.number_of_edges(),
        "converted": converted,
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
        "why": f"{len(members)} people refer each other in a circle ({route}): "
        f"{inside.number_of_edges()} referrals{span}, {converted} converted.",
    }


def _bursts(
    G: nx.MultiDiGraph, edges: dict[str, list[tuple[str, str, dict]]], window_days: int, min_burst: int
) -> list[dict]:
    employer: dict[str, set[str]] = defaultdict(set)
    for u, v, _ in edges[model.WORKS_AT]:
        employer[u].add(v)
    family = ((u, v) for u, v, d in edges[model.KNOWS] if d.get("relation") == "family")
    household = {n: min(component) for component in components(family) for n in component}
    groups: dict[tuple[str, str], list[tuple[date, str, str, bool]]] = defaultdict(list)
    for u, v, d in edges[model.REFERRED]:
        if not isinstance(d.get("since"), date):
            continue
        item = (d["since"], u, v, bool(d.get("converted")))
        for company in employer[u] & employer[v]:
            groups[("company", company)].append(item)
        if u in household and household.get(u) == household.get(v):
            groups[("household", household[u])].append(item)
    rows = []
    for (kind, group), items in sorted(groups.items()):
        name = G.nodes[group].get("name", group) if kind == "company" else ""
        row = burst(kind, group, name, items, window_days, min_burst)
        if row is not None:
            rows.append(row)
    rows.sort(key=lambda r: (-r["referrals"], r["kind"], r["group"]))
    return rows


def burst(
    kind: str,
    group: str,
    name: str,
    items: list[tuple[date, str, str, bool]],
    window_days: int,
    min_burst: int,
) -> dict | None:
    """The ring row of one company's or household's referrals `(since, referrer, referee,
    converted)` (`name`: the company's), or None when no `window_days` window holds `min_burst`."""
    items = sorted(items)
    best: list[tuple[date, str, str, bool]] = []
    start = 0
    for end in range(len(items)):
        while (items[end][0] - items[start][0]).days > window_days:
            start += 1
        if end - start + 1 > len(best):
            best = items[start : end + 1]
    if len(best) < min_burst:
        return None
    members = sorted({n for _, u, v, _ in best for n in (u, v)})
    converted = sum(1 for *_, c in best if c)
    where = f"company {name} ({group})" if kind == "company" else "one household"
    return {
        "kind": kind,
        "group": group,
        "members": ", ".join(members),
        "size": len(members),
        "referrals": len(best),
        "converted": converted,
        "first": best[0][0],
        "last": best[-1][0],
        "why": f"{len(best)} referrals inside {where} within {(best[-1][0] - best[0][0]).days} days "
        f"(limit {min_burst} in {window_days}), {converted} converted.",
    }


def _run(G: nx.MultiDiGraph, **params: Any) -> AnalysisResult:
    found = referral_rings(G, **params)
    membership = ring_membership(found)
    candidates = [n for n, d in G.nodes(data=True) if d.get("label") in (model.CUSTOMER, model.PARTNER)]
    rows = [{"id": n, "referral_ring": membership.get(n)} for n in sorted(candidates)]
    return AnalysisResult("rings", {"rings": found}, found, score_rows=rows)


def _run_compact(C: CompactGraph, **params: Any) -> AnalysisResult:
    from graphcrm.analytics.rings_compact import run  # it builds on this module

    return run(C, **params)


SPEC = Analysis(
    name="rings",
    help="referral circles and referral bursts inside a company or household",
    projection=Projection(model.LABELS, (model.REFERRED, model.WORKS_AT, model.KNOWS), NODE_PROPS),
    params=(
        Param("window_days", "int", 30, "burst window in days", minimum=1),
        Param("min_burst", "int", 3, "referrals in a window that flag it", minimum=1),
    ),
    tables=(Table("rings", RING_COLUMNS, "one row per circle or burst"),),
    compute=_run,
    compact=_run_compact,
    stores_tables=True,
    scores=("referral_ring",),
)
