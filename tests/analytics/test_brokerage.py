"""Brokerage (igraph Brandes, sampled like NetworkX): the same numbers as NetworkX, and on-paper values."""

from __future__ import annotations

import networkx as nx
import pytest

from graphcrm.analytics.brokerage import betweenness


def test_star_and_path_on_paper() -> None:
    # Every pair of leaves of a star passes through the centre: normalised 1; leaves 0.
    star = betweenness(nx.star_graph(4))
    assert star[0] == pytest.approx(1.0) and star[1] == 0.0
    # Path 0-1-2-3-4: node 2 lies between {0,1} x {3,4} = 4 of the 6 unordered pairs of others.
    assert betweenness(nx.path_graph(5))[2] == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    "graph",
    [
        nx.karate_club_graph(),
        nx.barbell_graph(5, 2),
        nx.disjoint_union(nx.gnp_random_graph(60, 0.08, seed=2), nx.empty_graph(3)),
    ],
    ids=["karate", "barbell", "random-with-isolated-nodes"],
)
def test_matches_networkx_exact_and_sampled(graph: nx.Graph) -> None:
    exact, reference = betweenness(graph), nx.betweenness_centrality(graph)
    assert exact == pytest.approx(reference, abs=1e-12)
    sampled = betweenness(graph, k=12, seed=5)
    assert sampled == pytest.approx(nx.betweenness_centrality(graph, k=12, seed=5), abs=1e-12)


def test_tiny_graphs_score_zero() -> None:
    assert betweenness(nx.path_graph(2)) == {0: 0.0, 1: 0.0}
    assert betweenness(nx.Graph()) == {}
