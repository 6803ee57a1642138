"""Referral circles and bursts."""

from __future__ import annotations

from datetime import date, timedelta

import networkx as nx

from graphcrm import model
from graphcrm.analytics.rings import RING_COLUMNS, referral_rings, ring_membership

from .graphs import build

REF = model.REFERRED
DAY0 = date(2026, 3, 1)


def on(day: int, converted: bool = True) -> dict:
    return {"since": DAY0 + timedelta(days=day), "converted": converted}


def test_a_circle_is_one_ring_and_a_tree_is_none() -> None:
    G = build(
        {n: model.CUSTOMER for n in ("a", "b", "c", "d", "t")},
        [
            ("a", REF, "b", on(0)),
            ("b", REF, "c", on(1)),
            ("c", REF, "a", on(2, False)),
            ("t", REF, "d", on(0)),
        ],
    )
    rings = referral_rings(G)
    assert len(rings) == 1
    ring = rings.iloc[0]
    assert (ring.kind, ring.members, ring["size"], ring.referrals, ring.converted) == (
        "circle",
        "a, b, c",
        3,
        3,
        2,
    )
    assert (
        ring.why
        == "3 people refer each other in a circle (a -> b -> c -> a): 3 referrals within 2 days, 2 converted."
    )
    assert ring_membership(rings) == {"a": 1, "b": 1, "c": 1}
    tree = build({n: model.CUSTOMER for n in "xyz"}, [("x", REF, "y", on(0)), ("x", REF, "z", on(1))])
    assert referral_rings(tree).empty


def company() -> nx.MultiDiGraph:
    """C1..C4 work at CO1; C1 -> C2 on day 0, C1 -> C3 on day 3, C2 -> C4 on day 10."""
    nodes = {f"C{i}": model.CUSTOMER for i in range(1, 5)} | {"CO1": (model.COMPANY, {"name": "Acme"})}
    works = [(f"C{i}", model.WORKS_AT, "CO1") for i in range(1, 5)]
    return build(
        nodes, [*works, ("C1", REF, "C2", on(0)), ("C1", REF, "C3", on(3)), ("C2", REF, "C4", on(10))]
    )


def test_burst_inside_a_company_within_the_window() -> None:
    # Days 0, 3, 10: all three fall in a 10-day window, at most two in a 5-day one.
    rings = referral_rings(company(), window_days=10, min_burst=3)
    assert rings[["kind", "group", "members", "referrals"]].values.tolist() == [
        ["company", "CO1", "C1, C2, C3, C4", 3]
    ]
    assert (
        rings.iloc[0].why
        == "3 referrals inside company Acme (CO1) within 10 days (limit 3 in 10), 3 converted."
    )
    assert referral_rings(company(), window_days=5, min_burst=3).empty
    assert referral_rings(company(), window_days=5, min_burst=2).iloc[0].referrals == 2


def test_burst_inside_a_household() -> None:
    family = {"relation": "family"}
    G = build(
        {n: model.CUSTOMER for n in ("m", "n", "o", "q")},
        [
            ("m", model.KNOWS, "n", family),
            ("n", model.KNOWS, "o", family),
            ("o", model.KNOWS, "q", {"relation": "friend"}),
        ]
        + [("m", REF, "n", on(0)), ("m", REF, "o", on(1)), ("n", REF, "o", on(2)), ("o", REF, "q", on(2))],
    )
    rings = referral_rings(G, window_days=7, min_burst=3)
    # o -> q crosses a friendship, not the household {m, n, o}.
    assert rings[["kind", "group", "members", "referrals"]].values.tolist() == [
        ["household", "m", "m, n, o", 3]
    ]


def test_empty_graph() -> None:
    rings = referral_rings(nx.MultiDiGraph())
    assert rings.empty and list(rings.columns) == list(RING_COLUMNS)
