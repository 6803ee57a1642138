"""Account coverage from the compact projection: `coverage.account_coverage` built from columns.

Who manages what, manager load, staleness and the community overlay are group-bys over the
MANAGES, WORKS_AT and INTERACTED tables. The two parts that concern only a few accounts reuse the
NetworkX form's own functions on them, so their numbers and words are the same:
`coverage.risk_reasons` on the accounts whose touches or sentiment may have fallen, and
`strength.touch_stats` on the touch points of the top influencers.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from graphcrm import model
from graphcrm.analytics.coverage import (
    AT_RISK_COLUMNS,
    LOAD_COLUMNS,
    MULTI_MANAGED_COLUMNS,
    SPLIT_COLUMNS,
    STALE_COLUMNS,
    UNCOVERED_COLUMNS,
    UNMANAGED_COLUMNS,
    CoverageReport,
    risk_reasons,
    stalest_first,
)
from graphcrm.analytics.influencers_compact import node_values
from graphcrm.analytics.spec import AnalysisResult
from graphcrm.analytics.strength import touch_stats
from graphcrm.analytics.views import as_datetime
from graphcrm.compact import CompactGraph

# Sentiment falls this close to the limit are decided by `risk_reasons` itself (float sums).
_MARGIN = 1e-9


def coverage_of(
    C: CompactGraph,
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
    """`coverage.account_coverage` (same parameters, same tables) from a compact projection.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["e", "co"], "label": ["Employee", "Company"], "name": ["E", "Co"]})
    >>> report = coverage_of(CompactGraph(nodes, {}), influence={}, community={})
    >>> report.unmanaged[["id", "contacts"]].values.tolist()
    [['co', 0]]
    """
    view = _View(C, as_of)
    return CoverageReport(
        view.unmanaged(),
        view.multi_managed(),
        view.manager_load(overload),
        view.stale(stale_days),
        view.at_risk(trend_days, sentiment_drop),
        view.influential_uncovered(_influence(C, influence), top_influencers, weak_tie, half_life_days),
        view.split_communities(_community(C, community), split_managers),
    )


def _influence(C: CompactGraph, influence: Mapping[str, float] | None) -> Mapping[str, float]:
    if influence is not None:
        return influence
    from graphcrm.analytics.influencers_compact import influencers_of

    ranked = influencers_of(C)
    return dict(zip(ranked["id"], ranked["influence"], strict=True))


def _community(C: CompactGraph, community: Mapping[str, int] | None) -> Mapping[str, int]:
    if community is not None:
        return community
    from graphcrm.analytics.communities_compact import communities_of

    return communities_of(C).membership


class _View:
    """The columns every coverage table reads: node ids, names and labels, who manages whom, who
    works where, and the touch points up to the moment judged from."""

    def __init__(self, C: CompactGraph, as_of: date | datetime | None) -> None:
        self.C = C
        self.ids = C.nodes["id"].to_numpy(dtype=object)
        self.labels = _text(C.nodes, "label")
        named = C.nodes["name"].notna().to_numpy() if "name" in C.nodes else np.zeros(C.n, dtype=bool)
        self.names = np.where(named, _text(C.nodes, "name"), self.ids)
        self.manages = _pairs(C.of_type(model.MANAGES))
        self.works = _pairs(C.of_type(model.WORKS_AT))
        self.moment, self.touches = _touches(C, as_of)
        companies = C.labelled(model.COMPANY)
        managed = np.zeros(C.n, dtype=bool)
        managed[self.manages["target"].to_numpy()] = True
        account = np.zeros(C.n, dtype=bool)
        account[companies] = True
        account |= managed & (self.labels == model.CUSTOMER)
        employed = np.zeros(C.n, dtype=bool)
        employed[self.works["source"].to_numpy()] = True
        self.companies = self._by_id(companies)
        self.accounts = self._by_id(np.flatnonzero(account))
        self.key_contacts = self._by_id(np.flatnonzero(employed & ~account))
        self.manager_count = np.bincount(self.manages["target"].to_numpy(), minlength=C.n)

    def _by_id(self, numbers: np.ndarray) -> np.ndarray:
        return numbers[np.argsort(self.ids[numbers], kind="stable")]

    def managers_of(self, numbers: np.ndarray) -> np.ndarray:
        """Per node of `numbers`: its distinct managers' ids, sorted and joined ('' when none)."""
        return _joined(
            self.manages["target"].to_numpy(), self.manages["source"].to_numpy(), self.ids, numbers
        )

    def unmanaged(self) -> pd.DataFrame:
        chosen = self.companies[self.manager_count[self.companies] == 0]
        contacts = np.bincount(self.works["target"].to_numpy(), minlength=self.C.n)
        return _table(
            UNMANAGED_COLUMNS,
            id=self.ids[chosen],
            name=self.names[chosen],
            stage=_text(self.C.nodes, "stage")[chosen],
            annual_value=node_values(self.C)[chosen],
            contacts=contacts[chosen],
        )

    def multi_managed(self) -> pd.DataFrame:
        chosen = self.companies[self.manager_count[self.companies] > 1]
        return _table(
            MULTI_MANAGED_COLUMNS,
            id=self.ids[chosen],
            name=self.names[chosen],
            managers=self.manager_count[chosen],
            manager_ids=self.managers_of(chosen),
        )

    def manager_load(self, overload: float) -> pd.DataFrame:
        sources, targets = self.manages["source"].to_numpy(), self.manages["target"].to_numpy()
        chosen = self._by_id(np.unique(sources))
        if not len(chosen):
            return _table(LOAD_COLUMNS)
        load = _table(
            ("id", "name", "role", "accounts", "value"),
            id=self.ids[chosen],
            name=self.names[chosen],
            role=_text(self.C.nodes, "role")[chosen],
            accounts=np.bincount(sources, minlength=self.C.n)[chosen],
            value=np.bincount(sources, weights=node_values(self.C)[targets], minlength=self.C.n)[chosen],
        )
        median_accounts = statistics.median(load["accounts"].tolist())
        median_value = statistics.median(load["value"].tolist())
        load["accounts_vs_median"] = load["accounts"] / median_accounts
        load["value_vs_median"] = load["value"] / median_value if median_value else 0.0
        load["overloaded"] = (load["accounts_vs_median"] > overload) | (load["value_vs_median"] > overload)
        return load.sort_values(
            ["accounts", "value", "id"], ascending=[False, False, True], ignore_index=True
        )

    def stale(self, stale_days: int) -> pd.DataFrame:
        numbers = np.concatenate((self.accounts, self.key_contacts))
        kinds = np.repeat(
            np.array(["account", "key contact"], dtype=object), [len(self.accounts), len(self.key_contacts)]
        )
        latest = self.touches.groupby("target")["at"].max()
        last = latest.reindex(numbers).reset_index(drop=True)
        days = ((pd.Timestamp(self.moment) - last).dt.total_seconds() / 86400).to_numpy(dtype=float)
        chosen = np.isnan(days) | (days > stale_days)
        numbers = numbers[chosen]
        table = _table(
            STALE_COLUMNS,
            id=self.ids[numbers],
            name=self.names[numbers],
            label=self.labels[numbers],
            kind=kinds[chosen],
            managers=self.managers_of(numbers),
            last_touch=last[chosen].reset_index(drop=True),
            days_since=days[chosen],
        )
        return stalest_first(table)

    def at_risk(self, trend_days: int, sentiment_drop: float) -> pd.DataFrame:
        dissolving = _text(self.C.nodes, "stage") == "dissolution"
        trends = self._trend_reasons(trend_days, sentiment_drop)
        chosen = self.accounts[dissolving[self.accounts] | np.isin(self.accounts, list(trends))]
        reasons = [
            "; ".join((["stage dissolution"] if dissolving[n] else []) + trends.get(n, []))
            for n in chosen.tolist()
        ]
        return _table(
            AT_RISK_COLUMNS,
            id=self.ids[chosen],
            name=self.names[chosen],
            label=self.labels[chosen],
            stage=_text(self.C.nodes, "stage")[chosen],
            reason=np.array(reasons, dtype=object),
        )

    def _trend_reasons(self, trend_days: int, sentiment_drop: float) -> dict[int, list[str]]:
        """`risk_reasons` (trends only) of the accounts `_trend_candidates` finds, from their
        touches of the last two windows in the NetworkX form's order."""
        chosen = self._trend_candidates(trend_days, sentiment_drop).sort_values("target", kind="stable")
        touches: dict[int, list[tuple[datetime, float | None]]] = {}
        for target, at, sentiment in zip(
            chosen["target"].tolist(),
            chosen["at"].dt.to_pydatetime().tolist(),
            chosen["sentiment"].tolist(),
            strict=True,
        ):
            touches.setdefault(target, []).append((at, None if sentiment != sentiment else sentiment))
        found: dict[int, list[str]] = {}
        for target, items in touches.items():
            reasons = risk_reasons(
                None, items, self.moment, trend_days=trend_days, sentiment_drop=sentiment_drop
            )
            if reasons:
                found[target] = reasons
        return found

    def _trend_candidates(self, trend_days: int, sentiment_drop: float) -> pd.DataFrame:
        """The touches of the last two windows to the accounts whose touches fell by half or
        whose mean sentiment fell by `sentiment_drop` within a rounding margin (group-bys)."""
        recent_start = self.moment - timedelta(days=trend_days)
        previous_start = self.moment - timedelta(days=2 * trend_days)
        window = self.touches[(self.touches["at"] > pd.Timestamp(previous_start)).to_numpy()]
        targets = window["target"].to_numpy()
        recent = (window["at"] > pd.Timestamp(recent_start)).to_numpy()
        mood = window["sentiment"].to_numpy()
        rated = ~np.isnan(mood)
        n = self.C.n

        def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(targets[mask], weights=None if weights is None else weights[mask], minlength=n)

        recent_count, previous_count = count(recent), count(~recent)
        recent_rated, previous_rated = count(recent & rated), count(~recent & rated)
        with np.errstate(invalid="ignore", divide="ignore"):
            fall = count(~recent & rated, mood) / previous_rated - count(recent & rated, mood) / recent_rated
        candidate = (previous_count > 0) & (recent_count * 2 <= previous_count)
        candidate |= (recent_rated > 0) & (previous_rated > 0) & (fall >= sentiment_drop - _MARGIN)
        account = np.zeros(n, dtype=bool)
        account[self.accounts] = True
        return window[(candidate & account)[targets]]

    def influential_uncovered(
        self, influence: Mapping[str, float], top: int, weak_tie: float, half_life_days: float
    ) -> pd.DataFrame:
        customers = self.C.labelled(model.CUSTOMER)
        chosen = _most_influential(customers, self.ids[customers], influence, top)
        rows = self.touches[np.isin(self.touches["target"].to_numpy(), chosen)]
        interactions = [
            (self.ids[u], self.ids[v], {"at": at} if np.isnan(s) else {"at": at, "sentiment": s})
            for u, v, at, s in zip(
                rows["source"].tolist(),
                rows["target"].tolist(),
                rows["at"].dt.to_pydatetime(),
                rows["sentiment"].tolist(),
                strict=True,
            )
        ]
        best: dict[str, float] = {}
        for (_, party), stats in touch_stats(
            interactions, self.moment, half_life_days=half_life_days
        ).items():
            best[party] = max(best.get(party, 0.0), stats.strength)
        owners = dict(zip(chosen.tolist(), self.managers_of(chosen).tolist(), strict=True))
        found = []
        for n in chosen.tolist():
            node = self.ids[n]
            if best.get(node, 0.0) >= weak_tie:
                continue
            tie = "no touch points" if node not in best else f"weak tie to us ({best[node]:.2f})"
            found.append(
                {
                    "id": node,
                    "name": self.names[n],
                    "influence": influence.get(node, 0.0),
                    "managers": owners[n],
                    "tie_strength": best.get(node, 0.0),
                    "reason": f"managed by {owners[n]} but {tie}" if owners[n] else f"no manager and {tie}",
                }
            )
        return pd.DataFrame(found, columns=list(UNCOVERED_COLUMNS))

    def split_communities(self, community: Mapping[str, int], split_managers: int) -> pd.DataFrame:
        numbers = self.C.numbers(list(community))
        groups = np.fromiter(community.values(), dtype=np.int64, count=len(community))
        member = pd.DataFrame({"node": numbers, "community": groups})[numbers >= 0]
        sizes = member.groupby("community").size()
        in_community = np.full(self.C.n, -1, dtype=np.int64)
        in_community[member["node"].to_numpy()] = member["community"].to_numpy()
        direct = self.manages.rename(columns={"source": "manager", "target": "node"})
        at_work = self.works.rename(columns={"source": "node", "target": "company"}).merge(
            self.manages.rename(columns={"source": "manager", "target": "company"}), on="company"
        )
        owners = pd.concat([direct[["node", "manager"]], at_work[["node", "manager"]]], ignore_index=True)
        owners["community"] = in_community[owners["node"].to_numpy()]
        owners = owners[owners["community"] >= 0].drop_duplicates(["community", "manager"])
        counts = owners.groupby("community").size()
        split = counts[counts >= split_managers].sort_index()
        chosen = owners[owners["community"].isin(split.index)]
        ids = _joined(
            chosen["community"].to_numpy(), chosen["manager"].to_numpy(), self.ids, split.index.to_numpy()
        )
        found = _table(
            SPLIT_COLUMNS,
            community=split.index.to_numpy(),
            size=sizes.reindex(split.index).to_numpy(),
            managers=split.to_numpy(),
            manager_ids=ids,
        )
        return found.sort_values(["managers", "community"], ascending=[False, True], ignore_index=True)


def _most_influential(
    numbers: np.ndarray, ids: np.ndarray, influence: Mapping[str, float], count: int
) -> np.ndarray:
    """`coverage._most_influential`: the first `count` of `numbers` by influence (missing: 0),
    ties by id; only the nodes scoring at least the count-th best are sorted."""
    scores = -pd.Series(influence, dtype=float).reindex(ids).fillna(0.0).to_numpy()
    if 0 <= count < len(scores):
        contenders = (
            scores <= np.partition(scores, count)[count] if count else np.zeros(len(scores), dtype=bool)
        )
        numbers, ids, scores = numbers[contenders], ids[contenders], scores[contenders]
    ranked = pd.DataFrame({"score": scores, "id": ids, "number": numbers})
    return ranked.sort_values(["score", "id"])["number"].to_numpy()[:count]


def _touches(C: CompactGraph, as_of: date | datetime | None) -> tuple[datetime, pd.DataFrame]:
    """The moment judged from (`views.resolve_as_of`) and the dated touch points up to it
    (source, target, at, sentiment), in the order the NetworkX form meets a party's touches:
    by employee (node order), then by row."""
    touches = C.of_type(model.INTERACTED)
    at = (
        touches["at"]
        if "at" in touches
        else pd.Series(pd.NaT, index=touches.index, dtype="datetime64[ns, UTC]")
    )
    known = at.notna().to_numpy()
    moment = as_datetime(as_of) if as_of is not None else _latest(at[known])
    kept = known & (at <= pd.Timestamp(moment)).to_numpy()
    sentiment = touches["sentiment"] if "sentiment" in touches else pd.Series(np.nan, index=touches.index)
    frame = pd.DataFrame(
        {
            "source": touches["source"].to_numpy()[kept],
            "target": touches["target"].to_numpy()[kept],
            "at": at[kept].reset_index(drop=True),
            "sentiment": pd.to_numeric(sentiment).to_numpy(dtype=float)[kept],
        }
    )
    return moment, frame.sort_values("source", kind="stable", ignore_index=True)


def _pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct (source, target) pairs of a relationship table, as int64."""
    pairs = frame[["source", "target"]].astype(np.int64)
    return pairs.drop_duplicates(ignore_index=True)


def _text(nodes: pd.DataFrame, column: str) -> np.ndarray:
    """A node text column as Python strings ('' where missing or absent)."""
    if column not in nodes:
        return np.full(len(nodes), "", dtype=object)
    values = nodes[column].astype(object)
    return values.where(values.notna(), "").to_numpy(dtype=object)


def _latest(at: pd.Series) -> datetime:
    """`views.resolve_as_of` without `as_of`: the latest touch point, else now."""
    return at.max().to_pydatetime(warn=False) if len(at) else datetime.now(UTC)


def _joined(keys: np.ndarray, members: np.ndarray, ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per number of `wanted`: the ids of its distinct `members` (paired with `keys`), sorted and
    joined with ', ' ('' when none)."""
    pairs = pd.DataFrame({"key": keys, "member": members}).drop_duplicates()
    pairs = pairs[np.isin(pairs["key"].to_numpy(), wanted)]
    pairs = pairs.assign(name=ids[pairs["member"].to_numpy()]).sort_values(["key", "name"])
    key, names = pairs["key"].to_numpy(), pairs["name"].tolist()
    starts = np.flatnonzero(np.diff(key, prepend=-1))
    ends = np.append(starts[1:], len(key))[: len(starts)]
    joined = [", ".join(names[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    found = pd.Series(joined, index=key[starts], dtype=object).reindex(wanted)
    return found.where(found.notna(), "").to_numpy(dtype=object)


def _table(columns: tuple[str, ...], **values: object) -> pd.DataFrame:
    """A table with exactly `columns` (empty when no values are given)."""
    if not values:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame({column: values[column] for column in columns})


def run(C: CompactGraph, **params: object) -> AnalysisResult:
    """The coverage analysis (`coverage.SPEC`) from a compact projection; its scores as a table."""
    report = coverage_of(C, **params)  # type: ignore[arg-type]
    reasons = pd.Series(
        report.at_risk["reason"].to_numpy(), index=report.at_risk["id"].to_numpy(), dtype=object
    )
    ids = C.nodes["id"].to_numpy(dtype=object)[C.labelled(model.COMPANY, model.CUSTOMER)]
    ids = np.sort(ids.astype(str)).astype(object)  # fixed-width text sorts far faster
    risk = reasons.reindex(ids).astype(object)
    risk = pd.Series(risk.where(risk.notna(), None).to_numpy(dtype=object), dtype=object)
    scores = pd.DataFrame({"id": pd.Series(ids, dtype=object), "risk_reason": risk})
    return AnalysisResult("coverage", report.tables(), report, score_rows=scores)
