"""Account coverage: who looks after which account, who is overloaded, and what is slipping.

The overlay no CRM shows: the influential customers nobody manages or whose ties to us are weak,
and customer communities split across many account managers (conflicting messages).
"""

from __future__ import annotations

import heapq
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.communities import communities
from graphcrm.analytics.influencers import influencers
from graphcrm.analytics.spec import NODE_PROPS, Analysis, AnalysisResult, Param, Projection, Table
from graphcrm.analytics.strength import touch_stats
from graphcrm.analytics.views import as_datetime, edges_by_type, node_value, resolve_as_of

if TYPE_CHECKING:
    from graphcrm.compact import CompactGraph

UNMANAGED_COLUMNS = ("id", "name", "stage", "annual_value", "contacts")
MULTI_MANAGED_COLUMNS = ("id", "name", "managers", "manager_ids")
LOAD_COLUMNS = (
    "id",
    "name",
    "role",
    "accounts",
    "value",
    "accounts_vs_median",
    "value_vs_median",
    "overloaded",
)
STALE_COLUMNS = ("id", "name", "label", "kind", "managers", "last_touch", "days_since")
AT_RISK_COLUMNS = ("id", "name", "label", "stage", "reason")
UNCOVERED_COLUMNS = ("id", "name", "influence", "managers", "tie_strength", "reason")
SPLIT_COLUMNS = ("community", "size", "managers", "manager_ids")


@dataclass
class CoverageReport:
    """Each field is a table; see `account_coverage` for the columns."""

    unmanaged: pd.DataFrame
    multi_managed: pd.DataFrame
    manager_load: pd.DataFrame
    stale: pd.DataFrame
    at_risk: pd.DataFrame
    influential_uncovered: pd.DataFrame
    split_communities: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in reading order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def account_coverage(
    G: nx.MultiDiGraph,
    *,
    as_of: date | datetime | None = None,
    stale_days: int = 90,
    trend_days: int = 180,
    sentiment_drop: float = 0.2,
    overload: float = 1.5,
    top_influencers: int = 50,
    weak_tie: float = 0.35,
    split_managers: int = 3,
    influence: Mapping[str, float] | None = None,
    community: Mapping[str, int] | None = None,
    half_life_days: float = 90.0,
) -> CoverageReport:
    """Coverage of accounts by our employees, as of a moment.

    *Accounts* are companies and customers with a manager; *key contacts* are customers who work
    at a company.

    Parameters
    ----------
    G
        The projected graph with MANAGES, WORKS_AT and INTERACTED (and KNOWS/REFERRED for the
        influence and community overlay).
    as_of
        Judge staleness and trends from this moment; default the latest interaction in `G`.
    stale_days
        An account or key contact with no touch point in this many days is stale.
    trend_days, sentiment_drop
        An account trends toward dissolution when, comparing the last `trend_days` with the
        `trend_days` before, its mean sentiment fell by at least `sentiment_drop` or its number
        of touches fell by half or more.
    overload
        A manager is overloaded above `overload` x the team median of accounts or of value.
    top_influencers, weak_tie
        Of the `top_influencers` customers by influence, those whose strongest touch-point tie to
        any employee (`strength.touch_strength`) is below `weak_tie` are flagged: nobody manages
        them and nobody is in touch, or their manager lets the tie fade.
    split_managers
        A community whose members (and their companies) have at least this many distinct managers
        is split.
    influence, community
        Precomputed influence per customer and community per customer; computed with the defaults
        of `influencers` and `communities` when None.

    Returns
    -------
    CoverageReport
        `unmanaged` (id, name, stage, annual_value, contacts), `multi_managed` (id, name,
        managers, manager_ids), `manager_load` (id, name, role, accounts, value, accounts_vs_median,
        value_vs_median, overloaded), `stale` (id, name, label, kind, managers, last_touch,
        days_since; `days_since` is NaN when never touched), `at_risk` (id, name, label, stage,
        reason), `influential_uncovered` (id, name, influence, managers, tie_strength, reason),
        `split_communities` (community, size, managers, manager_ids). Empty tables keep columns.
    """
    edges = edges_by_type(G, model.MANAGES, model.WORKS_AT, model.INTERACTED)
    moment = resolve_as_of(edges[model.INTERACTED], as_of)
    managers: dict[str, list[str]] = defaultdict(list)
    accounts: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in edges[model.MANAGES]:
        managers[v].append(u)
        accounts[u].append(v)
    employer: dict[str, list[str]] = defaultdict(list)
    contacts: dict[str, list[str]] = defaultdict(list)
    for u, v, _ in edges[model.WORKS_AT]:
        employer[u].append(v)
        contacts[v].append(u)
    touches: dict[str, list[tuple[datetime, float | None]]] = defaultdict(list)
    for _, v, d in edges[model.INTERACTED]:
        at = as_datetime(d["at"]) if d.get("at") is not None else None
        if at is not None and at <= moment:
            touches[v].append((at, d.get("sentiment")))

    def named(n: str) -> str:
        return G.nodes[n].get("name", n)

    companies = sorted(n for n, d in G.nodes(data=True) if d.get("label") == model.COMPANY)
    account_ids = sorted(set(companies) | {n for n in managers if G.nodes[n].get("label") == model.CUSTOMER})
    account_set = set(account_ids)
    key_contacts = sorted(n for n in employer if n not in account_set)

    unmanaged = _frame(
        [
            {
                "id": c,
                "name": named(c),
                "stage": G.nodes[c].get("stage", ""),
                "annual_value": node_value(G.nodes[c]),
                "contacts": len(contacts[c]),
            }
            for c in companies
            if not managers[c]
        ],
        UNMANAGED_COLUMNS,
    )
    multi = _frame(
        [
            {
                "id": c,
                "name": named(c),
                "managers": len(set(managers[c])),
                "manager_ids": ", ".join(sorted(set(managers[c]))),
            }
            for c in companies
            if len(set(managers[c])) > 1
        ],
        MULTI_MANAGED_COLUMNS,
    )
    load_rows = [
        {
            "id": e,
            "name": named(e),
            "role": G.nodes[e].get("role", ""),
            "accounts": len(set(owned)),
            "value": sum(node_value(G.nodes[a]) for a in set(owned)),
        }
        for e, owned in sorted(accounts.items())
    ]
    load = _frame(load_rows, ("id", "name", "role", "accounts", "value"))
    if len(load):
        median_accounts = statistics.median(load["accounts"])
        median_value = statistics.median(load["value"])
        load["accounts_vs_median"] = load["accounts"] / median_accounts
        load["value_vs_median"] = load["value"] / median_value if median_value else 0.0
        load["overloaded"] = (load["accounts_vs_median"] > overload) | (load["value_vs_median"] > overload)
        load = load.sort_values(
            ["accounts", "value", "id"], ascending=[False, False, True], ignore_index=True
        )
    else:
        load = _frame([], LOAD_COLUMNS)

    stale_rows = []
    for n, kind in [(a, "account") for a in account_ids] + [(c, "key contact") for c in key_contacts]:
        last = max((at for at, _ in touches[n]), default=None)
        days = (moment - last).total_seconds() / 86400 if last else float("nan")
        if last is None or days > stale_days:
            stale_rows.append(
                {
                    "id": n,
                    "name": named(n),
                    "label": G.nodes[n].get("label", ""),
                    "kind": kind,
                    "managers": ", ".join(sorted(set(managers[n]))),
                    "last_touch": last,
                    "days_since": days,
                }
            )
    stale = stalest_first(_frame(stale_rows, STALE_COLUMNS))

    risk_rows = []
    for n in account_ids:
        reasons = risk_reasons(
            G.nodes[n].get("stage"), touches[n], moment, trend_days=trend_days, sentiment_drop=sentiment_drop
        )
        if reasons:
            risk_rows.append(
                {
                    "id": n,
                    "name": named(n),
                    "label": G.nodes[n].get("label", ""),
                    "stage": G.nodes[n].get("stage", ""),
                    "reason": "; ".join(reasons),
                }
            )
    at_risk = _frame(risk_rows, AT_RISK_COLUMNS)

    if influence is None:
        ranked = influencers(G)
        influence = dict(zip(ranked["id"], ranked["influence"], strict=True))
    ties = touch_stats(edges[model.INTERACTED], moment, half_life_days=half_life_days)
    best_tie: dict[str, float] = {}
    for (_, party), stats in ties.items():
        best_tie[party] = max(best_tie.get(party, 0.0), stats.strength)
    customers = [n for n, d in G.nodes(data=True) if d.get("label") == model.CUSTOMER]
    top = _most_influential(customers, influence, top_influencers)
    uncovered_rows = []
    for n in top:
        if best_tie.get(n, 0.0) >= weak_tie:
            continue
        owners = ", ".join(sorted(set(managers[n])))
        tie = "no touch points" if n not in best_tie else f"weak tie to us ({best_tie[n]:.2f})"
        uncovered_rows.append(
            {
                "id": n,
                "name": named(n),
                "influence": influence.get(n, 0.0),
                "managers": owners,
                "tie_strength": best_tie.get(n, 0.0),
                "reason": f"managed by {owners} but {tie}" if owners else f"no manager and {tie}",
            }
        )
    uncovered = _frame(uncovered_rows, UNCOVERED_COLUMNS)

    if community is None:
        community = communities(G).membership
    members: dict[int, list[str]] = defaultdict(list)
    for n, number in community.items():
        if n in G:
            members[number].append(n)
    split_rows = []
    for number, group in sorted(members.items()):
        owners = {m for n in group for m in managers.get(n, ())} | {
            m for n in group for c in employer.get(n, ()) for m in managers.get(c, ())
        }
        if len(owners) >= split_managers:
            split_rows.append(
                {
                    "community": number,
                    "size": len(group),
                    "managers": len(owners),
                    "manager_ids": ", ".join(sorted(owners)),
                }
            )
    split = _frame(split_rows, SPLIT_COLUMNS)
    if len(split):
        split = split.sort_values(["managers", "community"], ascending=[False, True], ignore_index=True)
    return CoverageReport(unmanaged, multi, load, stale, at_risk, uncovered, split)


def risk_reasons(
    stage: str | None,
    touches: list[tuple[datetime, float | None]],
    moment: datetime,
    *,
    trend_days: int = 180,
    sentiment_drop: float = 0.2,
) -> list[str]:
    """Why an account is at risk, the one definition of "at risk"; empty when it is not.

    An account is at risk when it is in the `dissolution` stage, or when, comparing the last
    `trend_days` before `moment` with the `trend_days` before those, the mean sentiment of its
    touch points fell by at least `sentiment_drop`, or the number of touch points fell by half
    or more. `touches` are (when, sentiment or None) pairs up to `moment`.

    Examples
    --------
    >>> now = datetime(2026, 1, 1)
    >>> before = [(now - timedelta(days=300), 0.6), (now - timedelta(days=250), 0.6)]
    >>> risk_reasons("commitment", [*before, (now - timedelta(days=10), 0.1)], now)
    ['sentiment +0.10 from +0.60', 'touches 1 from 2 per 180 days']
    >>> risk_reasons("dissolution", [], now)
    ['stage dissolution']
    """
    reasons = ["stage dissolution"] if stage == "dissolution" else []
    recent_start = moment - timedelta(days=trend_days)
    previous_start = moment - timedelta(days=2 * trend_days)
    recent = [s for at, s in touches if at > recent_start]
    previous = [s for at, s in touches if previous_start < at <= recent_start]
    recent_mood, previous_mood = _mean(recent), _mean(previous)
    if (
        recent_mood is not None
        and previous_mood is not None
        and previous_mood - recent_mood >= sentiment_drop
    ):
        reasons.append(f"sentiment {recent_mood:+.2f} from {previous_mood:+.2f}")
    if previous and len(recent) * 2 <= len(previous):
        reasons.append(f"touches {len(recent)} from {len(previous)} per {trend_days} days")
    return reasons


def _most_influential(customers: list[str], influence: Mapping[str, float], count: int) -> list[str]:
    """`sorted(customers, by influence then id)[:count]`, with a heap instead of sorting them all."""

    def rank(n: str) -> tuple[float, str]:
        return (-influence.get(n, 0.0), n)

    if count < 0:
        return sorted(customers, key=rank)[:count]
    return heapq.nsmallest(count, customers, key=rank)


def stalest_first(stale: pd.DataFrame) -> pd.DataFrame:
    """The stale table in its shown and stored order: never touched first, then the longest
    untouched. A higher threshold keeps a prefix of it, which is how a stored run is narrowed
    without reading the whole table (`results.read_table`)."""
    return stale.sort_values(
        ["days_since", "id", "kind"], ascending=[False, True, True], na_position="first", ignore_index=True
    )


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def _mean(values: list[float | None]) -> float | None:
    known = [float(v) for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _run(G: nx.MultiDiGraph, **params: Any) -> AnalysisResult:
    report = account_coverage(G, **params)
    reasons = dict(zip(report.at_risk["id"], report.at_risk["reason"], strict=True))
    accounts = [n for n, d in G.nodes(data=True) if d.get("label") in (model.COMPANY, model.CUSTOMER)]
    rows = [{"id": n, "risk_reason": reasons.get(n)} for n in sorted(accounts)]
    return AnalysisResult("coverage", report.tables(), report, score_rows=rows)


def _run_compact(C: CompactGraph, **params: Any) -> AnalysisResult:
    from graphcrm.analytics.coverage_compact import run  # it builds on this module

    return run(C, **params)


SPEC = Analysis(
    name="coverage",
    help="unmanaged and double-managed accounts, manager load, stale and at-risk accounts",
    projection=Projection(
        model.LABELS,
        (model.MANAGES, model.WORKS_AT, model.INTERACTED, model.KNOWS, model.REFERRED),
        NODE_PROPS,
    ),
    params=(
        Param("as_of", "moment", None, "judge staleness as of this date (default: latest touch)"),
        Param("stale_days", "int", 90, "no touch point for this many days is stale", minimum=0, maximum=3650),
        Param("trend_days", "int", 180, "window compared with the one before for risk trends", minimum=1),
        Param(
            "sentiment_drop", "float", 0.2, "a fall in mean sentiment that puts an account at risk", minimum=0
        ),
        Param("overload", "float", 1.5, "overloaded above this many times the team median", minimum=1),
        Param("top_influencers", "int", 50, "influencers checked for coverage", minimum=1),
        Param("weak_tie", "float", 0.35, "a strongest tie to us below this is weak", minimum=0, maximum=1),
        Param("split_managers", "int", 3, "a community with this many managers is split", minimum=2),
    ),
    tables=(
        Table("unmanaged", UNMANAGED_COLUMNS, "companies nobody manages"),
        Table("multi_managed", MULTI_MANAGED_COLUMNS, "accounts with more than one manager"),
        Table("manager_load", LOAD_COLUMNS, "each manager's accounts and value against the team median"),
        Table("stale", STALE_COLUMNS, "accounts and key contacts with no recent touch point"),
        Table("at_risk", AT_RISK_COLUMNS, "accounts in dissolution or trending there, with the reason"),
        Table("influential_uncovered", UNCOVERED_COLUMNS, "top influencers with only weak ties to us"),
        Table("split_communities", SPLIT_COLUMNS, "communities whose members have many managers"),
    ),
    compute=_run,
    compact=_run_compact,
    scores=("risk_reason",),
    internal=("influence", "community", "half_life_days"),
    stores_tables=True,
    batch_params={"stale_days": 0},
    narrowing={"stale_days": ("stale", "days_since")},
)
