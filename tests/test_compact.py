"""The compact projection (columns) holds what the NetworkX projection holds."""

from __future__ import annotations

import networkx as nx
import numpy as np

from graphcrm import model
from graphcrm.analytics.spec import NODE_PROPS, Projection
from graphcrm.compact import project_compact
from graphcrm.db import Graph
from graphcrm.projection import project

from .conftest import SAMPLE_DATA
from .test_load import csv_rows


def _edges(G: nx.MultiDiGraph) -> list[tuple]:
    return sorted((u, v, k, tuple(sorted(d.items()))) for u, v, k, d in G.edges(keys=True, data=True))


def test_compact_projection_holds_what_the_networkx_projection_holds(sample_graph: Graph) -> None:
    whole = Projection(model.LABELS, tuple(model.REL_TYPES), NODE_PROPS)
    compact = project_compact(sample_graph, whole)
    G = project(sample_graph, whole)
    H = compact.to_networkx()
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert _edges(H) == _edges(G)
    interactions = csv_rows(SAMPLE_DATA / "interactions.csv")
    assert len(compact.of_type(model.INTERACTED)) == len(interactions)


def test_relationships_to_nodes_left_out_are_left_out(sample_graph: Graph) -> None:
    customers = Projection((model.CUSTOMER,), (model.KNOWS, model.WORKS_AT), ("name",))
    compact = project_compact(sample_graph, customers)
    assert set(compact.nodes["label"].astype(str)) == {model.CUSTOMER}
    assert compact.of_type(model.WORKS_AT).empty
    knows = compact.of_type(model.KNOWS)
    ids = compact.nodes["id"].to_numpy()
    expected = {
        (r["source"], r["target"])
        for r in csv_rows(SAMPLE_DATA / "relationships.csv")
        if r["type"] == model.KNOWS and r["source"].startswith("C0") and r["target"].startswith("C0")
    }
    assert set(zip(ids[knows["source"]], ids[knows["target"]], strict=True)) == expected
    assert np.array_equal(compact.numbers(["nobody", ids[3]]), [-1, 3])


def test_an_empty_database_gives_an_empty_compact_graph(empty_graph: Graph) -> None:
    compact = project_compact(empty_graph, Projection())
    assert compact.n == 0
    assert compact.number_of_edges() == 0
    assert compact.to_networkx().number_of_nodes() == 0


def test_touch_points_without_an_id_are_each_kept_as_the_networkx_projection_keeps_them(
    writable_sample_graph: Graph,
) -> None:
    writable_sample_graph.write(
        "MATCH (e:Employee {id: 'E0001'}), (c:Customer {id: 'C000001'}) "
        "UNWIND ['call', 'email', 'visit'] AS channel CREATE (e)-[:INTERACTED {channel: channel}]->(c)"
    )
    touches = Projection(model.LABELS, (model.INTERACTED,), NODE_PROPS)
    compact = project_compact(writable_sample_graph, touches)
    stored = len(csv_rows(SAMPLE_DATA / "interactions.csv")) + 3
    assert len(compact.of_type(model.INTERACTED)) == stored
    assert project(writable_sample_graph, touches).number_of_edges() == stored
