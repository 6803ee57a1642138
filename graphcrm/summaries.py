"""Read-only summaries the dashboard shows, from what is stored (no analysis recomputed).

Each function runs one statement of `cypher/internal/` through an index or the count store, so
the overview and the influencer ranking stay fast on a million-customer graph: the scores come
from `graphcrm analyze all --write`, and `latest_runs` says when that last happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from graphcrm import model, queries
from graphcrm.db import Graph, native
from graphcrm.errors import InputError

INFLUENCER_COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "name",
    "stage",
    "community",
    "influence",
    "pagerank",
    "referral_reach",
    "cascade_depth",
    "converted_value",
    "brokerage",
    "why",
)


@dataclass(frozen=True)
class ReferralSummary:
    """Referral totals: conversion rate in [0, 1] and k-factor (referrals per referring customer)."""

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


def influencer_table(
    graph: Graph, *, limit: int = 50, stages: Iterable[str] = (), community: int | None = None
) -> pd.DataFrame:
    """The top `limit` customers and partners by written-back influence (empty before scoring)."""
    stages = list(stages)
    unknown = [s for s in stages if s not in model.STAGES]
    if unknown:
        raise InputError(f"Unknown stage(s): {', '.join(unknown)}.")
    if limit < 1:
        raise InputError("The limit must be at least 1.")
    rows = graph.read(
        queries.internal("influencer_table").render(),
        {"limit": limit, "stages": stages, "community": community},
    )
    return pd.DataFrame(rows, columns=list(INFLUENCER_COLUMNS))


def referral_summary(graph: Graph) -> ReferralSummary:
    """Referrals, conversions and referring customers over the whole graph."""
    row = graph.read(queries.internal("referral_summary").render())[0]
    return ReferralSummary(**row)


def accounts_at_risk(graph: Graph, *, limit: int = 5) -> pd.DataFrame:
    """The most valuable companies in `dissolution`, with managers and last touch point."""
    rows = graph.read(queries.internal("accounts_at_risk").render(), {"limit": limit})
    for row in rows:
        row["managers"] = ", ".join(row["managers"] or []) or "nobody"
        row["last_touch"] = native(row["last_touch"])
    return pd.DataFrame(rows, columns=["id", "name", "annual_value", "managers", "last_touch"])


def nodes_of_label(graph: Graph, label: str, *, limit: int = 1000) -> list[tuple[str, str]]:
    """(id, name) of the nodes of one label, by name."""
    if label not in model.LABELS:
        raise InputError(f"{label!r} is not a label of the model.")
    rows = graph.read(queries.internal("nodes_of_label").render(label=label), {"limit": limit})
    return [(r["id"], r["name"] or r["id"]) for r in rows]
