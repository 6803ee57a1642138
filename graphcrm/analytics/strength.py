"""Relationship strength: how warm a tie is, from its kind and from our touch points.

Affinity-style relationship intelligence scores a tie by how recently, how often and how well we
have been in touch. Here an employee's tie to a party (customer, company or partner) is scored
from the INTERACTED edges between them; other ties get a prior strength by kind.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import networkx as nx

from graphcrm import model
from graphcrm.analytics.views import as_datetime, edges_of_type, knows_strength, resolve_as_of

# Prior strength of a tie by its relationship type, before any touch points are considered.
KIND_STRENGTH: dict[str, float] = {
    model.MANAGES: 0.6,
    model.WORKS_AT: 0.7,
    model.PARTNERS_WITH: 0.6,
    model.REFERRED: 0.5,
    model.INTERACTED: 0.3,
}
CONVERTED_REFERRAL_STRENGTH = 0.7
RECENCY_WEIGHT, FREQUENCY_WEIGHT, SENTIMENT_WEIGHT = 0.4, 0.3, 0.3


@dataclass(frozen=True)
class TouchStats:
    """Touch points between one employee and one party, and the strength they add up to.

    `recency`, `frequency`, `sentiment` and `strength` are all in [0, 1].
    """

    count: int
    recent_count: int
    last: datetime
    days_since_last: float
    mean_sentiment: float | None
    recency: float
    frequency: float
    sentiment: float
    strength: float

    def describe(self) -> str:
        """E.g. '5 touches, last 12 days ago, mean sentiment +0.60'."""
        text = (
            f"{self.count} touch{'es' if self.count != 1 else ''}, last {self.days_since_last:.0f} days ago"
        )
        if self.mean_sentiment is not None:
            text += f", mean sentiment {self.mean_sentiment:+.2f}"
        return text


def touch_strength(
    G: nx.MultiDiGraph,
    *,
    as_of: date | datetime | None = None,
    half_life_days: float = 90.0,
    window_days: float = 365.0,
    saturation: float = 5.0,
) -> dict[tuple[str, str], TouchStats]:
    """Strength of each (employee, party) pair that has INTERACTED edges, as of a moment.

    Parameters
    ----------
    G
        The projected graph; INTERACTED edges point employee -> party and carry `at` and
        optionally `sentiment` in [-1, 1].
    as_of
        The moment to judge from; touches after it are ignored. Default: the latest interaction
        in `G`, so results on committed data are deterministic.
    half_life_days
        Recency halves every `half_life_days` since the last touch: ``recency = 0.5 ** (d / h)``.
    window_days, saturation
        Frequency counts the touches in the last `window_days`:
        ``frequency = 1 - exp(-count / saturation)``.

    Returns
    -------
    dict
        `(employee, party) -> TouchStats`, where ``strength = 0.4 recency + 0.3 frequency +
        0.3 sentiment`` and ``sentiment = (mean + 1) / 2`` (0.5, neutral, when none is recorded).
        Pairs without touches up to `as_of` are absent.
    """
    interactions = list(edges_of_type(G, model.INTERACTED))
    moment = resolve_as_of(interactions, as_of)
    return touch_stats(
        interactions, moment, half_life_days=half_life_days, window_days=window_days, saturation=saturation
    )


def touch_stats(
    interactions: Iterable[tuple[str, str, Mapping[str, Any]]],
    moment: datetime,
    *,
    half_life_days: float = 90.0,
    window_days: float = 365.0,
    saturation: float = 5.0,
) -> dict[tuple[str, str], TouchStats]:
    """`touch_strength` from INTERACTED edges `(employee, party, attributes)` the caller already
    holds, as of the aware datetime `moment` (saves another scan of the graph's edges)."""
    touches: dict[tuple[str, str], list[tuple[datetime, float | None]]] = defaultdict(list)
    for u, v, d in interactions:
        if d.get("at") is None:
            continue
        at = as_datetime(d["at"])
        if at <= moment:
            touches[(u, v)].append((at, d.get("sentiment")))
    return {
        pair: _stats(items, moment, half_life_days, window_days, saturation)
        for pair, items in touches.items()
    }


def _stats(
    items: list[tuple[datetime, float | None]],
    moment: datetime,
    half_life_days: float,
    window_days: float,
    saturation: float,
) -> TouchStats:
    last = max(at for at, _ in items)
    days = (moment - last).total_seconds() / 86400
    recent = sum(1 for at, _ in items if (moment - at).total_seconds() / 86400 <= window_days)
    moods = [float(s) for _, s in items if s is not None]
    mean = sum(moods) / len(moods) if moods else None
    recency = 0.5 ** (days / half_life_days)
    frequency = 1 - math.exp(-recent / saturation)
    sentiment = (mean + 1) / 2 if mean is not None else 0.5
    strength = RECENCY_WEIGHT * recency + FREQUENCY_WEIGHT * frequency + SENTIMENT_WEIGHT * sentiment
    return TouchStats(len(items), recent, last, days, mean, recency, frequency, sentiment, strength)


def tie_strength(rel_type: str, attrs: Mapping[str, Any], touches: TouchStats | None = None) -> float:
    """Strength in [0, 1] of one tie of kind `rel_type`, blended half-and-half with the touch-point
    strength of the pair. For an employee's ties (MANAGES, INTERACTED) no touch points count as
    strength 0, so an account manager who never calls is a weak tie.

    KNOWS uses the tie's own `strength`/`relation` (`views.knows_strength`); a converted referral
    is stronger than one that was not.
    """
    if rel_type == model.KNOWS:
        prior = knows_strength(attrs)
    elif rel_type == model.REFERRED and attrs.get("converted"):
        prior = CONVERTED_REFERRAL_STRENGTH
    else:
        prior = KIND_STRENGTH.get(rel_type, 0.3)
    if touches is None and rel_type not in (model.MANAGES, model.INTERACTED):
        return prior
    return (prior + (touches.strength if touches else 0.0)) / 2
