"""Tie strength from touch points (recency, frequency, sentiment) and from the tie's kind."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from graphcrm import model
from graphcrm.analytics.strength import tie_strength, touch_strength

from .graphs import AS_OF, build, touch

PEOPLE = {"E1": model.EMPLOYEE, "C1": model.CUSTOMER, "C2": model.CUSTOMER}


def test_one_touch_one_half_life_ago() -> None:
    G = build(PEOPLE, [("E1", model.INTERACTED, "C1", touch(90, sentiment=1.0))])
    stats = touch_strength(G, as_of=AS_OF, half_life_days=90)[("E1", "C1")]
    # recency halves after one half-life; one touch of a saturation of 5; sentiment +1 maps to 1.
    assert stats.recency == pytest.approx(0.5)
    assert stats.frequency == pytest.approx(1 - math.exp(-1 / 5))
    assert stats.sentiment == pytest.approx(1.0)
    assert stats.strength == pytest.approx(0.4 * 0.5 + 0.3 * (1 - math.exp(-0.2)) + 0.3 * 1.0)
    assert stats.describe() == "1 touch, last 90 days ago, mean sentiment +1.00"


def test_default_as_of_is_the_latest_touch_and_later_touches_are_ignored() -> None:
    G = build(
        PEOPLE,
        [
            ("E1", model.INTERACTED, "C1", touch(30, sentiment=-1.0)),
            ("E1", model.INTERACTED, "C1", touch(10, sentiment=0.0)),
            ("E1", model.INTERACTED, "C2", touch(0)),
        ],
    )
    # Default as_of = the C2 touch (AS_OF), so C1 was last touched 10 days before it.
    c1 = touch_strength(G)[("E1", "C1")]
    assert c1.days_since_last == pytest.approx(10)
    assert c1.mean_sentiment == pytest.approx(-0.5) and c1.count == 2
    # As of 20 days earlier only the first touch had happened.
    early = touch_strength(G, as_of=AS_OF - timedelta(days=20))
    assert early[("E1", "C1")].count == 1 and ("E1", "C2") not in early
    # No recorded sentiment counts as neutral.
    assert touch_strength(G)[("E1", "C2")].sentiment == 0.5


def test_more_recent_and_more_frequent_is_stronger() -> None:
    G = build(
        {**PEOPLE, "C3": model.CUSTOMER},
        [("E1", model.INTERACTED, "C1", touch(1))]
        + [("E1", model.INTERACTED, "C2", touch(200))]
        + [("E1", model.INTERACTED, "C3", touch(d)) for d in (1, 5, 9, 20)],
    )
    s = touch_strength(G, as_of=AS_OF)
    assert s[("E1", "C3")].strength > s[("E1", "C1")].strength > s[("E1", "C2")].strength


def test_tie_strength_by_kind() -> None:
    assert tie_strength(model.KNOWS, {"strength": 0.9}) == 0.9
    assert tie_strength(model.KNOWS, {"relation": "family"}) == 0.8
    assert tie_strength(model.REFERRED, {"converted": True}) == 0.7
    assert tie_strength(model.REFERRED, {"converted": False}) == 0.5
    # An account manager who never touches the account: half the MANAGES prior of 0.6.
    assert tie_strength(model.MANAGES, {}) == pytest.approx(0.3)
