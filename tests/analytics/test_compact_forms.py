"""Each analysis' compact form (columns) gives what its NetworkX form gives: the NetworkX form is
the reference, on hand-built graphs with the awkward cases and on the sample data read both ways."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import networkx as nx
import pandas as pd
import pytest

from graphcrm import model
from graphcrm.analytics import run
from graphcrm.analytics.registry import ANALYSES
from graphcrm.analytics.spec import NODE_PROPS, Projection
from graphcrm.compact import project_compact
from graphcrm.db import Graph
from graphcrm.errors import UnknownNode
from graphcrm.projection import project

from .graphs import build, compact_of, customers, karate, touch

COMPACT = [name for name, spec in ANALYSES.items() if spec.compact is not None]


def messy_graph(seed: int) -> nx.MultiDiGraph:
    """Customers, partners, companies and employees with referral rings, self-referrals,
    parallel and reciprocal ties, ties to employees, missing values and isolated nodes."""
    rng = random.Random(seed)
    nodes: dict = {}
    for i in range(60):
        attrs = {"lifetime_value": float(rng.randint(0, 900))} if rng.random() < 0.8 else {}
        nodes[f"C{i:03d}"] = (model.CUSTOMER, attrs)
    for i in range(4):
        nodes[f"P{i}"] = (model.PARTNER, {})
        nodes[f"E{i}"] = model.EMPLOYEE
        nodes[f"CO{i}"] = (model.COMPANY, {"annual_value": 1000.0 * (i + 1)})
    people = [n for n in nodes if n[0] in "CP" and not n.startswith("CO")]
    edges = []
    day = date(2026, 1, 1)
    channels = ["event", "", "online", None]
    for i in range(90):
        u, v = rng.choice(people), rng.choice(people)
        attrs = {"converted": rng.random() < 0.5, "since": day + timedelta(days=rng.randint(0, 90))}
        attrs.update({"channel": channels[i % 4]} if channels[i % 4] is not None else {})
        edges.append((u, model.REFERRED, v, attrs if rng.random() < 0.9 else {}))
    burst = [("C000", "C001"), ("C001", "C002"), ("C002", "C003"), ("C010", "C011"), ("C011", "C012")]
    for offset, (u, v) in enumerate(burst):
        edges.append((u, model.REFERRED, v, {"since": day + timedelta(days=offset * 3), "converted": True}))
    for u, v in [("C040", "C041"), ("C041", "C042"), ("C050", "C051")]:
        edges.append((u, model.KNOWS, v, {"relation": "family"}))
        edges.append((v, model.REFERRED, u, {"since": day + timedelta(days=5)}))
    for _ in range(120):
        u, v = rng.choice(people), rng.choice(people)
        attrs = rng.choice([{"strength": round(rng.random(), 2)}, {"relation": "family"}, {}])
        edges.append((u, model.KNOWS, v, attrs))
    edges += [("C001", model.REFERRED, "C001", {"converted": True}), ("E0", model.REFERRED, "C002", {})]
    edges += [("C003", model.KNOWS, "E1", {}), ("C004", model.REFERRED, "CO1", {"converted": True})]
    for i in range(4):
        edges.append((f"P{i}", model.PARTNERS_WITH, f"CO{i}", {}))
        edges += [(f"C{j:03d}", model.WORKS_AT, f"CO{i}", {}) for j in range(i * 5, i * 5 + 5)]
    edges += _coverage_edges(rng, nodes, people)
    edges += _far_cascade(nodes)
    G = build(nodes, edges)
    G.add_node("C999", label=model.CUSTOMER)
    return G


def _far_cascade(nodes: dict) -> list[tuple]:
    """A partner's referral chain running four hops out through customers with no other ties,
    the first of them working at a company no partner has and that supplies a partnered one,
    and knowing an employee."""
    chain = [f"X{i}" for i in range(4)]
    nodes.update({x: (model.CUSTOMER, {"lifetime_value": 100.0 * (i + 1)}) for i, x in enumerate(chain)})
    nodes["CO9"] = (model.COMPANY, {"annual_value": 500.0})
    edges: list[tuple] = [("P3", model.REFERRED, "X0", {"converted": True, "channel": "partner"})]
    edges += [(a, model.REFERRED, b, {"converted": True}) for a, b in itertools.pairwise(chain)]
    edges.append(("E3", model.KNOWS, "X0", {}))  # not in the partners' projection
    return [*edges, ("X0", model.WORKS_AT, "CO9", {}), ("CO9", model.SUPPLIES, "CO0", {})]


def _coverage_edges(rng: random.Random, nodes: dict, people: list[str]) -> list[tuple]:
    """Stages (some missing, some in dissolution), companies with none, one or three managers, a
    manager with no accounts, managed customers and partners, and dated touch points with and
    without sentiment (one undated, and sentiment falling by just under and just over 0.2)."""
    stages = ["exploration", "awareness", "expansion", "commitment", "dissolution"]
    for node, spec in nodes.items():
        if spec != model.EMPLOYEE and node[0] == "C" and rng.random() < 0.7:
            spec[1]["stage"] = rng.choice(stages)
    nodes["E0"] = (model.EMPLOYEE, {"role": "key account manager"})
    edges: list[tuple] = [("E0", model.MANAGES, "CO0"), ("E1", model.MANAGES, "P0")]
    edges += [(f"E{i}", model.MANAGES, "CO1") for i in range(3)]
    edges += [(rng.choice(["E0", "E1", "E3"]), model.MANAGES, c) for c in rng.sample(people, 15)]
    parties = [*people, "CO0", "CO1", "CO2", "CO3"]
    for _ in range(150):
        sentiment = rng.choice([None, round(rng.uniform(-1, 1), 2)])
        edges.append(
            (
                f"E{rng.randint(0, 3)}",
                model.INTERACTED,
                rng.choice(parties),
                touch(rng.randint(0, 400), sentiment),
            )
        )
    for party, before, now in [("CO2", 0.6, 0.4), ("CO3", 0.7, 0.45)]:
        edges += [("E2", model.INTERACTED, party, touch(days, before)) for days in (300, 250, 200)]
        edges += [("E2", model.INTERACTED, party, touch(days, now)) for days in (100, 50, 0)]
    edges.append(("E1", model.INTERACTED, "C005", {"channel": "call"}))
    return edges


def assert_same(name: str, G: nx.MultiDiGraph, compact_graph, **params) -> None:  # noqa: ANN001
    expected = run.compute(G, name, **params)
    got = run.compute(compact_graph, name, **params)
    assert list(got.tables) == list(expected.tables)
    for table, frame in expected.tables.items():
        pd.testing.assert_frame_equal(
            got.tables[table].reset_index(drop=True),
            frame.reset_index(drop=True),
            check_dtype=False,
            rtol=1e-9,
            obj=f"{name}.{table}",
        )
    if not len(expected.score_frame()):
        assert not len(got.score_frame())
        return
    pd.testing.assert_frame_equal(
        got.score_frame().reset_index(drop=True),
        expected.score_frame().reset_index(drop=True),
        check_dtype=False,
        rtol=1e-9,
        obj=f"{name} scores",
    )


@pytest.mark.parametrize("name", COMPACT)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compact_form_equals_the_networkx_form_on_messy_graphs(name: str, seed: int) -> None:
    G = messy_graph(seed)
    assert_same(name, G, compact_of(G), **({"exact_betweenness_limit": 20} if name == "influencers" else {}))


@pytest.mark.parametrize("name", COMPACT)
def test_compact_form_equals_the_networkx_form_on_the_karate_club_and_empty_graphs(name: str) -> None:
    for G in (karate(), build(customers("a", "b")), build({})):
        assert_same(name, G, compact_of(G))


def test_compact_influencers_narrow_to_a_partners_reach_and_refuse_a_non_partner() -> None:
    G = messy_graph(4)
    for partner in ("P0", "P1", "P3"):
        assert_same("influencers", G, compact_of(G), partner=partner, top=500)
    with pytest.raises(UnknownNode):
        run.compute(compact_of(G), "influencers", partner="C001")


def test_compact_referrals_show_the_tree_below_a_root_and_refuse_an_unknown_one() -> None:
    G = messy_graph(5)
    for root in ("C000", "C001", "P2", "C999"):
        assert_same("referrals", G, compact_of(G), root=root, top=5)
    with pytest.raises(UnknownNode):
        run.compute(compact_of(G), "referrals", root="nobody")


@pytest.mark.parametrize("name", COMPACT)
def test_compact_form_equals_the_networkx_form_on_the_sample_data(sample_graph: Graph, name: str) -> None:
    projection = ANALYSES[name].projection
    assert_same(name, project(sample_graph, projection), project_compact(sample_graph, projection))


@pytest.mark.parametrize("name", ["partners", "referrals"])
def test_compact_form_on_the_batch_projection_equals_the_analysis_on_its_own(
    sample_graph: Graph, name: str
) -> None:
    """The batch projects every label and type at once; the result must not change."""
    everything = Projection(model.LABELS, model.REL_TYPES, NODE_PROPS)
    own = project(sample_graph, ANALYSES[name].projection)
    assert_same(name, own, project_compact(sample_graph, everything))
