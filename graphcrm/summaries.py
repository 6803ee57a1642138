"""Read-only summaries the dashboard shows, from what is stored (no analysis recomputed).

Each function runs one statement of `cypher/internal/` through an index or the count store, so
the overview and the influencer ranking stay fast on a million-customer graph: the scores come
from `graphcrm analyze all --write`, and `latest_runs` says when that last happened.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from graphcrm import model, queries
from graphcrm.analytics import influencers
from graphcrm.db import Graph, native
from graphcrm.errors import InputError, UnknownNode
from graphcrm.queries import PropertyReads

# The stored influencer table: who, where they stand, and every score the influencers analysis writes.
_INFLUENCER_VALUES: tuple[str, ...] = ("name", "stage", "community", *influencers.SCORES)
INFLUENCER_COLUMNS: tuple[str, ...] = ("id", "label", *_INFLUENCER_VALUES)


def influencer_statement(*, within_reach: bool = False) -> str:
    """The Cypher that reads the stored influencer table (`INFLUENCER_COLUMNS`), optionally only
    within a partner's reach; parameters limit, stages, community (and partner)."""
    statement = queries.internal("influencers_in_reach" if within_reach else "influencer_table")
    return statement.render(values=PropertyReads("n", _INFLUENCER_VALUES))


def influencer_table(
    graph: Graph,
    *,
    limit: int = 50,
    stages: Iterable[str] = (),
    community: int | None = None,
    partner: str | None = None,
) -> pd.DataFrame:
    """The top `limit` customers and partners by written-back influence (empty before scoring),
    optionally only those in one partner's reach (UnknownNode when there is no such partner)."""
    stages = list(stages)
    unknown = [s for s in stages if s not in model.STAGES]
    if unknown:
        raise InputError(f"Unknown stage(s): {', '.join(unknown)}.")
    if limit < 1:
        raise InputError("The limit must be at least 1.")
    params = {"limit": limit, "stages": stages, "community": community, "partner": partner}
    if partner is not None:
        found = graph.read(queries.internal("nodes_by_id").render(), {"ids": [partner]})
        if [r["label"] for r in found] != [model.PARTNER]:
            raise UnknownNode(partner, "partner")
    rows = graph.read(influencer_statement(within_reach=partner is not None), params)
    return pd.DataFrame([[r["id"], r["label"], *r["values"]] for r in rows], columns=list(INFLUENCER_COLUMNS))


def accounts_at_risk(graph: Graph, *, limit: int = 5) -> pd.DataFrame:
    """The most valuable accounts the last coverage run found at risk (`risk_reason`, the one
    definition in `coverage.risk_reasons`), with the reason, managers and last touch point."""
    rows = graph.read(queries.internal("accounts_at_risk").render(), {"limit": limit})
    for row in rows:
        row["managers"] = ", ".join(row["managers"] or []) or "nobody"
        row["last_touch"] = native(row["last_touch"])
    return pd.DataFrame(rows, columns=["id", "name", "label", "value", "reason", "managers", "last_touch"])


def nodes_of_label(graph: Graph, label: str, *, limit: int = 1000) -> list[tuple[str, str]]:
    """(id, name) of the nodes of one label, by name."""
    if label not in model.LABELS:
        raise InputError(f"{label!r} is not a label of the model.")
    rows = graph.read(queries.internal("nodes_of_label").render(label=label), {"limit": limit})
    return [(r["id"], r["name"] or r["id"]) for r in rows]
