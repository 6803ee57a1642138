"""Warm introduction paths: strongest chains first, each hop explained; clear errors."""

from __future__ import annotations

import math
import random
from itertools import islice

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.intro import k_cheapest_within, paths_frame, search_front, warm_intro_paths
from graphcrm.analytics.intro_search import SearchGraph
from graphcrm.errors import AnalysisInputError, GraphCRMError, NoPath, UnknownNode

from .graphs import AS_OF, build, touch

NODES = {
    "E1": (model.EMPLOYEE, {"name": "Eve"}),
    "CO1": (model.COMPANY, {"name": "Sweet Foods"}),
    "C1": (model.CUSTOMER, {"name": "Ada"}),
    "C2": (model.CUSTOMER, {"name": "Bo"}),
    "C3": (model.CUSTOMER, {"name": "Cy"}),
    "C9": (model.CUSTOMER, {"name": "Loner"}),
}


def network(*extra: tuple) -> nx.MultiDiGraph:
    """Long strong route E1 -manages-> CO1 <-works at- C1 -knows 0.9- C2, and a short weak one
    E1 -manages-> C3 -knows 0.2- C2. Without touch points a MANAGES tie is worth 0.6 / 2 = 0.3."""
    return build(
        NODES,
        [
            ("E1", model.MANAGES, "CO1"),
            ("C1", model.WORKS_AT, "CO1"),
            ("C1", model.KNOWS, "C2", {"strength": 0.9, "relation": "friend"}),
            ("E1", model.MANAGES, "C3"),
            ("C3", model.KNOWS, "C2", {"strength": 0.2}),
            *extra,
        ],
    )


def test_the_strong_long_path_beats_the_weak_short_one() -> None:
    paths = warm_intro_paths(network(), "E1", "C2", k=3)
    # 0.3 * 0.7 * 0.9 = 0.189 against 0.3 * 0.2 = 0.06; there are exactly two loopless paths.
    assert [p.nodes for p in paths] == [["E1", "CO1", "C1", "C2"], ["E1", "C3", "C2"]]
    assert paths[0].strength == pytest.approx(0.3 * 0.7 * 0.9)
    assert paths[1].strength == pytest.approx(0.3 * 0.2)
    reasons = [h.reason for h in paths[0].hops]
    assert reasons == [
        "Eve (E1) manages Sweet Foods (CO1): no touch points",
        "Sweet Foods (CO1) employs Ada (C1)",
        "Ada (C1) knows Bo (C2): friend, tie strength 0.90",
    ]
    assert [h.kind for h in paths[0].hops] == [model.MANAGES, model.WORKS_AT, model.KNOWS]


def test_touch_points_strengthen_the_managers_tie() -> None:
    # Five touches at AS_OF with sentiment +1: recency 1, frequency 1 - e^-1, sentiment 1.
    touches = [("E1", model.INTERACTED, "C3", touch(0, sentiment=1.0)) for _ in range(5)]
    paths = warm_intro_paths(network(*touches), "E1", "C2", k=1, as_of=AS_OF)
    touch_strength = 0.4 + 0.3 * (1 - math.exp(-1)) + 0.3
    manages = (0.6 + touch_strength) / 2
    # Now E1 - C3 - C2 is worth manages * 0.2 = 0.139..., still below 0.189: the route stays.
    assert paths[0].nodes == ["E1", "CO1", "C1", "C2"]
    second = warm_intro_paths(network(*touches), "E1", "C2", k=2, as_of=AS_OF)[1]
    assert second.hops[0].strength == pytest.approx(manages)
    assert (
        second.hops[0].reason == "Eve (E1) manages Cy (C3): 5 touches, last 0 days ago, mean sentiment +1.00"
    )


def test_k_limits_and_frame_lists_every_hop() -> None:
    paths = warm_intro_paths(network(), "C2", "E1", k=1)
    assert len(paths) == 1
    # Walking against a tie reads the other way round.
    assert paths[0].hops[-1].reason == "Sweet Foods (CO1) is managed by Eve (E1): no touch points"
    frame = paths_frame(warm_intro_paths(network(), "E1", "C2"))
    assert list(frame["path"]) == [1, 1, 1, 2, 2]
    assert list(frame["step"]) == [1, 2, 3, 1, 2]


@pytest.mark.parametrize(
    ("source", "target", "error", "message"),
    [
        (
            "NOPE",
            "C2",
            UnknownNode,
            "There is no customer, company, employee or partner with id 'NOPE' (the from id).",
        ),
        (
            "E1",
            "NOPE",
            UnknownNode,
            "There is no customer, company, employee or partner with id 'NOPE' (the to id).",
        ),
        ("E1", "C9", NoPath, "No chain of relationships connects Eve (E1) to Loner (C9)."),
        ("E1", "E1", AnalysisInputError, "The from and to ids are the same node"),
    ],
)
def test_clear_one_sentence_errors(source: str, target: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        warm_intro_paths(network(), source, target)
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value, GraphCRMError) and "\n" not in str(raised.value)


def _partial(T: nx.Graph, complete: set[str]) -> nx.Graph:
    """What a search that has read the ties of `complete` nodes knows of `T`."""
    return T.edge_subgraph((u, v) for u, v in T.edges if u in complete or v in complete).copy()


def random_costs(seed: int) -> tuple[nx.Graph, str, str, list[float]]:
    """A random cost graph, two ends joined in it, and the costs of its 3 cheapest paths."""
    chooser = random.Random(seed)
    T = nx.gnm_random_graph(80, 200, seed=seed)
    T = nx.relabel_nodes(T, {n: f"N{n:02d}" for n in T})
    for u, v in T.edges:
        T[u][v]["cost"] = chooser.choice([0.0, 0.1, 0.36, 0.69, 1.2, 2.3])
    source = "N00"
    target = max(nx.node_connected_component(T, source) - {source})
    best = [
        nx.path_weight(T, p, "cost") for p in islice(nx.shortest_simple_paths(T, source, target, "cost"), 3)
    ]
    return T, source, target, best


@pytest.mark.parametrize("seed", range(6))
def test_a_search_proven_on_part_of_the_graph_has_the_whole_graphs_best_paths(seed: int) -> None:
    T, source, target, best = random_costs(seed)
    complete: set[str] = set()
    todo, proven = {source, target}, False
    while todo and not proven:
        complete |= todo
        known = _partial(T, complete)
        known.add_nodes_from((source, target))
        fronts = [search_front(known, end, complete) for end in (source, target)]
        bound = sum(front[0][0] if front else math.inf for front in fronts)
        proven = bound == math.inf or k_cheapest_within(known, source, target, len(best), bound)
        todo = {node for front in fronts for _, node in front[:2]}
    assert proven
    found = islice(nx.shortest_simple_paths(known, source, target, "cost"), 3)
    assert [nx.path_weight(known, p, "cost") for p in found] == pytest.approx(best)
    assert len(complete) < T.number_of_nodes(), "the search read every node"


@pytest.mark.parametrize("seed", range(6))
def test_the_incremental_search_state_agrees_with_the_plain_search_and_proves_the_same(seed: int) -> None:
    T, source, target, best = random_costs(seed)
    known = SearchGraph([source, target])
    todo: set[str] = {source, target}
    while True:
        new = {(u, v) if u < v else (v, u) for u in todo for v in T[u] if v not in known.complete}
        known.add_ties({pair: T.edges[pair]["cost"] for pair in new}, complete=todo)
        survey = known.survey(source, target)
        plain = _partial(T, known.complete)
        plain.add_nodes_from((source, target))
        for front, expected in zip(
            survey.fronts, (search_front(plain, end, known.complete) for end in (source, target)), strict=True
        ):
            assert {node: d for d, node in front} == pytest.approx({node: d for d, node in expected})
        if survey.bound == math.inf or (
            {source, target} <= survey.near
            and k_cheapest_within(known.subgraph(survey.near), source, target, len(best), survey.bound)
        ):
            break
        todo = {node for front in survey.fronts for _, node in front[:2]}
    found = islice(nx.shortest_simple_paths(known.subgraph(survey.near), source, target, "cost"), 3)
    assert [nx.path_weight(T, p, "cost") for p in found] == pytest.approx(best)
    assert len(survey.near) < len(known.complete) < T.number_of_nodes()
