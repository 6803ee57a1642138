"""Louvain communities on hand-built social graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.communities import communities

from .graphs import build

KNOWS = model.KNOWS


def two_cliques() -> nx.MultiDiGraph:
    """Two 4-cliques {a,b,c,d} and {e,f,g,h} joined by the single tie d - e, plus a loner z."""
    left, right = "abcd", "efgh"
    nodes = {
        n: (model.CUSTOMER, {"city": "Leeds", "stage": "awareness", "lifetime_value": 10.0}) for n in left
    }
    nodes |= {
        n: (model.CUSTOMER, {"city": "York", "stage": "commitment", "lifetime_value": 5.0}) for n in right
    }
    nodes["h"][1]["stage"] = "expansion"
    nodes["z"] = model.CUSTOMER
    ties = [(u, KNOWS, v) for group in (left, right) for i, u in enumerate(group) for v in group[i + 1 :]]
    return build(nodes, [*ties, ("d", KNOWS, "e")])


def test_two_cliques_joined_by_a_bridge_are_two_communities() -> None:
    found = communities(two_cliques(), influence={"b": 0.9, "g": 0.4, "h": 0.7})
    groups = {}
    for node, number in found.membership.items():
        groups.setdefault(number, set()).add(node)
    assert groups == {0: set("abcd"), 1: set("efgh"), 2: {"z"}}
    # m = 13 equal ties; each side has 6 inside and degree sum 13: Q = 2 (6/13 - (13/26)^2).
    assert found.modularity == pytest.approx(12 / 13 - 0.5)
    summary = found.summary.set_index("community")
    assert list(summary.index) == [0, 1]  # the loner is below min_size
    assert summary.loc[0, "top_influencer"] == "b" and summary.loc[1, "top_influencer"] == "h"
    assert (summary.loc[0, "dominant_city"], summary.loc[0, "dominant_stage"]) == ("Leeds", "awareness")
    assert (summary.loc[1, "dominant_stage"], summary.loc[1, "total_value"]) == ("commitment", 20.0)
    assert summary.loc[1, "internal_ties"] == 6


def test_default_top_influencer_is_the_best_connected_member() -> None:
    # d has the bridge but it leaves the community: inside, all of a-d have degree 3; tie -> 'a'.
    summary = communities(two_cliques()).summary.set_index("community")
    assert summary.loc[0, "top_influencer"] == "a"


def test_same_seed_same_communities() -> None:
    G = build(
        {f"C{n}": model.CUSTOMER for n in nx.karate_club_graph()},
        [(f"C{u}", KNOWS, f"C{v}") for u, v in nx.karate_club_graph().edges()],
    )
    assert communities(G, seed=3).membership == communities(G, seed=3).membership


def test_only_customers_are_grouped_and_empty_graph() -> None:
    G = build({"a": model.CUSTOMER, "p": model.PARTNER}, [("p", model.REFERRED, "a")])
    assert communities(G).membership == {"a": 0}
    empty = communities(nx.MultiDiGraph())
    assert empty.membership == {} and empty.summary.empty
