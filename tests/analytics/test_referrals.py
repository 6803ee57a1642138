"""Referral cascades, k-factor and conversion breakdowns, cascade trees."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.referrals import cascade_tree, referral_cascades, referral_stats
from graphcrm.errors import UnknownNode

from .graphs import build

REF = model.REFERRED


def programme() -> nx.MultiDiGraph:
    """Customer r referred a (converted, app, Jan) and b (not, event, Jan); a referred c
    (converted, app, Feb); partner p referred company x (converted, no channel, no date).
    Values: a 100, b 200, c 300, x 1000; customer s was never referred and referred nobody."""
    nodes = {
        "r": model.CUSTOMER,
        "a": (model.CUSTOMER, {"lifetime_value": 100.0}),
        "b": (model.CUSTOMER, {"lifetime_value": 200.0}),
        "c": (model.CUSTOMER, {"lifetime_value": 300.0}),
        "s": model.CUSTOMER,
        "p": model.PARTNER,
        "x": (model.COMPANY, {"annual_value": 1000.0}),
    }
    return build(
        nodes,
        [
            ("r", REF, "a", {"converted": True, "channel": "app", "since": date(2026, 1, 5)}),
            ("r", REF, "b", {"converted": False, "channel": "event", "since": date(2026, 1, 20)}),
            ("a", REF, "c", {"converted": True, "channel": "app", "since": date(2026, 2, 1)}),
            ("p", REF, "x", {"converted": True}),
        ],
    )


def test_one_row_per_root_with_size_depth_and_conversion() -> None:
    frame = referral_cascades(programme()).set_index("root")
    assert list(frame.index) == ["r", "p"]  # largest cascade first
    r = frame.loc["r"]
    # r's cascade: a, b, c; depth r-a-c = 2; converted a and c; value 100 + 300.
    assert (r.referred, r["size"], r.depth, r.converted, r.value) == (2, 3, 2, 2, 400)
    assert r.conversion_rate == pytest.approx(2 / 3)
    assert frame.loc["p", "value"] == 1000


def test_k_factor_and_breakdowns() -> None:
    stats = referral_stats(programme())
    assert (stats.referrals, stats.converted) == (4, 3)
    assert stats.conversion_rate == pytest.approx(3 / 4)
    # Customers r and a sent 3 referrals: 1.5 per referring customer; 2 of them converted, over
    # 5 customers.
    assert stats.referring_customers == 2
    assert stats.k_factor == pytest.approx(1.5)
    assert stats.viral_coefficient == pytest.approx(2 / 5)
    app = stats.by_channel.loc["app"]
    assert (app.referrals, app.converted, app.conversion_rate, app.value) == (2, 2, 1.0, 400)
    assert stats.by_channel.loc["unknown", "value"] == 1000
    assert list(stats.by_month.index) == ["2026-01", "2026-02", "unknown"]
    assert stats.by_month.loc["2026-01", "conversion_rate"] == pytest.approx(0.5)


def test_cascade_tree_depth_first() -> None:
    tree = cascade_tree(programme(), "r")
    assert list(zip(tree["depth"], tree["referrer"], tree["id"], strict=True)) == [
        (1, "r", "a"),
        (2, "a", "c"),
        (1, "r", "b"),
    ]
    assert list(tree["converted"]) == [True, True, False]


def test_a_loop_appears_once_in_the_tree() -> None:
    G = build({n: model.CUSTOMER for n in "xyz"}, [("x", REF, "y"), ("y", REF, "z"), ("z", REF, "x")])
    assert list(cascade_tree(G, "x")["id"]) == ["y", "z"]
    assert referral_cascades(G).empty  # no root: everyone was referred (see rings)


def test_unknown_root_and_empty_graph() -> None:
    with pytest.raises(UnknownNode, match="There is no customer, partner or employee with id 'nope'"):
        cascade_tree(programme(), "nope")
    empty = nx.MultiDiGraph()
    assert referral_cascades(empty).empty
    stats = referral_stats(empty)
    assert (stats.referrals, stats.k_factor, stats.conversion_rate) == (0, 0.0, 0.0)
    assert stats.by_channel.empty
