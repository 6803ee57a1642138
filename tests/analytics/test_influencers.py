"""Influencers on graphs small enough to work out on paper, and Zachary's karate club."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.influencers import COLUMNS, influencers
from graphcrm.errors import AnalysisInputError

from .graphs import build, customers, karate

REF = model.REFERRED


def referral_tree() -> nx.MultiDiGraph:
    """a -> b (converted), a -> c (not), b -> d (converted), d -> e (converted); values 10..50."""
    values = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "e": 50.0}
    return build(
        {n: (model.CUSTOMER, {"lifetime_value": v}) for n, v in values.items()},
        [
            ("a", REF, "b", {"converted": True}),
            ("a", REF, "c", {"converted": False}),
            ("b", REF, "d", {"converted": True}),
            ("d", REF, "e", {"converted": True}),
        ],
    )


def row(frame, node):  # noqa: ANN001, ANN201
    return frame.set_index("id").loc[node]


def test_referral_components_of_a_hand_drawn_tree() -> None:
    frame = influencers(referral_tree())
    a, b, e = row(frame, "a"), row(frame, "b"), row(frame, "e")
    # a reaches b, c, d, e; the longest chain a-b-d-e has 3 hops; converted downstream: b, d, e.
    assert (a.referred, a.converted, a.referral_reach, a.cascade_depth) == (2, 1, 4, 3)
    assert a.converted_value == 20 + 40 + 50
    assert (b.referral_reach, b.cascade_depth, b.converted_value) == (2, 2, 90)
    assert (e.referral_reach, e.cascade_depth, e.converted_value) == (0, 0, 0)
    # Betweenness of a: pairs (c, b), (c, d), (c, e) pass through it, of (5-1)(5-2)/2 = 6 pairs.
    assert (
        a.influence_why
        == "referred 2, 1 converted, cascade of 4 worth 110, bridges groups (betweenness 0.50)"
    )
    assert list(frame["id"])[0] == "a"
    assert list(frame.columns) == list(COLUMNS)


def test_pagerank_flows_to_the_referrer_of_a_star() -> None:
    # hub referred 4 leaves. Edges leaf -> hub; the hub is dangling, so its rank spreads evenly.
    # Leaves: x = 0.15/5 + 0.85*y/5; sum 4x + y = 1  =>  y = 0.88 / 1.68.
    G = build(customers("hub", "l1", "l2", "l3", "l4"), [("hub", REF, f"l{i}") for i in range(1, 5)])
    frame = influencers(G)
    assert row(frame, "hub").pagerank == pytest.approx(0.88 / 1.68, abs=1e-5)
    assert row(frame, "l1").pagerank == pytest.approx((1 - 0.88 / 1.68) / 4, abs=1e-5)
    assert frame.iloc[0]["id"] == "hub"


def test_brokerage_is_betweenness_of_the_middle_of_a_path() -> None:
    # a - b - c: only the pair (a, c) has a shortest path through b; normalised by 1 pair.
    G = build(customers("a", "b", "c"), [("a", model.KNOWS, "b"), ("b", model.KNOWS, "c")])
    frame = influencers(G)
    assert row(frame, "b").brokerage == pytest.approx(1.0)
    assert row(frame, "a").brokerage == 0.0
    assert row(frame, "b").knows == 2


def test_influence_is_in_unit_range_and_top_is_one_with_every_component_maximal() -> None:
    frame = influencers(referral_tree())
    assert frame["influence"].between(0, 1).all()
    # a has the largest reach, depth, value; its pagerank and brokerage are not maximal, so < 1.
    assert 0 < frame.iloc[0]["influence"] < 1
    only_reach = influencers(referral_tree(), weights={"referral_reach": 1})
    assert row(only_reach, "a").influence == pytest.approx(1.0)
    assert row(only_reach, "b").influence == pytest.approx(math.log1p(2) / math.log1p(4))


def test_karate_club_leaders_rank_in_the_top_three() -> None:
    top3 = set(influencers(karate(), top=3)["id"])
    assert {"C0", "C33"} <= top3


def test_within_and_top_filter_rows_but_keep_scores() -> None:
    full = influencers(referral_tree())
    some = influencers(referral_tree(), within={"b", "e"}, top=1)
    assert list(some["id"]) == ["b"]
    assert some.iloc[0]["influence"] == row(full, "b").influence


def test_employees_and_companies_get_no_row_and_partners_do() -> None:
    G = build(
        {"e": model.EMPLOYEE, "p": model.PARTNER, "co": model.COMPANY, "c": model.CUSTOMER},
        [("e", REF, "c"), ("p", REF, "co", {"converted": True})],
    )
    assert set(influencers(G)["id"]) == {"p", "c"}


def test_empty_graph_gives_empty_frame() -> None:
    frame = influencers(nx.MultiDiGraph())
    assert frame.empty and list(frame.columns) == list(COLUMNS)


def test_unknown_weight_is_refused() -> None:
    with pytest.raises(AnalysisInputError, match="Unknown influence components: charm"):
        influencers(referral_tree(), weights={"charm": 1})
