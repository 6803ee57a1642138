"""Neo4j -> NetworkX projection and score write-back, checked against tests/data/tiny."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graphcrm import compact, model, projection, results, scores
from graphcrm.db import Graph
from graphcrm.errors import InputError
from graphcrm.ingest.loader import load_directory

from .conftest import TEST_DATA
from .test_load import csv_rows

TINY = TEST_DATA / "tiny"


@pytest.fixture()
def tiny_graph(empty_graph: Graph) -> Graph:
    load_directory(empty_graph, TINY)
    return empty_graph


def test_projection_holds_every_node_and_relationship(tiny_graph: Graph) -> None:
    g = projection.project(tiny_graph)
    node_rows = {nt.label: csv_rows(TINY / nt.file) for nt in model.NODE_TYPES.values()}
    assert {n: d["label"] for n, d in g.nodes(data=True)} == {
        row["id"]: label for label, rows in node_rows.items() for row in rows
    }
    expected = {(r["source"], r["target"], r["type"]) for r in csv_rows(TINY / "relationships.csv")}
    expected |= {(r["employee"], r["party"], "INTERACTED") for r in csv_rows(TINY / "interactions.csv")}
    assert {(u, v, d["type"]) for u, v, d in g.edges(data=True)} == expected
    assert g.number_of_edges() == len(csv_rows(TINY / "relationships.csv")) + len(
        csv_rows(TINY / "interactions.csv")
    )


def test_projection_converts_types(tiny_graph: Graph) -> None:
    g = projection.project(tiny_graph)
    assert g.nodes["C1"]["joined_on"] == date(2021, 3, 1)
    assert g.nodes["C1"]["marketing_consent"] is True
    assert g.nodes["CO1"]["annual_value"] == 250000.0
    assert "phone" not in g.nodes["C2"]
    assert g.edges["C1", "C2", "REFERRED"]["converted"] is True
    touch = g.edges["E1", "CO1", "I1"]
    assert touch["at"] == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert touch["sentiment"] == 0.8 and touch["channel"] == "meeting"


def test_projection_of_some_labels_and_types(tiny_graph: Graph) -> None:
    g = projection.project(
        tiny_graph, projection.Projection(labels=("Customer",), types=("KNOWS", "REFERRED"))
    )
    assert set(g) == {"C1", "C2", "C3", "C4"}
    assert {(u, v) for u, v in g.edges()} == {("C1", "C2"), ("C1", "C3"), ("C2", "C4")}


def test_projection_rejects_names_outside_the_model() -> None:
    with pytest.raises(ValueError, match="not part of the graph model: Customer\\) DETACH DELETE"):
        projection.Projection(labels=("Customer) DETACH DELETE",))


def test_scores_are_written_back_and_the_run_recorded(tiny_graph: Graph) -> None:
    g = projection.project(tiny_graph)
    labels = {n: d["label"] for n, d in g.nodes(data=True)}
    stamp = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    written = scores.write_node_scores(
        tiny_graph,
        labels,
        [{"id": "C1", "influence": 0.9}, {"id": "P1", "influence": 0.4}, {"id": "nope", "influence": 1}],
        computed_at=stamp,
    )
    assert written == 2
    rows = tiny_graph.read(
        "MATCH (n) WHERE n.influence IS NOT NULL RETURN n.id AS id, n.influence AS s ORDER BY s DESC"
    )
    assert rows == [{"id": "C1", "s": 0.9}, {"id": "P1", "s": 0.4}]
    run = results.begin_run(tiny_graph, "influencers", {"top": 5}, started_by="a test")
    assert scores.latest_runs(tiny_graph) == [], "an unfinished run is not shown"
    results.finish_run(tiny_graph, run, nodes=2, seconds=0.5)
    (latest,) = scores.latest_runs(tiny_graph)
    assert (latest["analysis"], latest["nodes"], latest["seconds"]) == ("influencers", 2, 0.5)
    assert (latest["engine"], latest["started_by"]) == ("local", "a test")
    assert results.latest_run(tiny_graph, "influencers").params == {"top": "5"}


@pytest.mark.parametrize("bad_id", [42, None, ["C9"], ""])
def test_a_node_whose_id_is_not_text_stops_the_projection_instead_of_being_left_out(
    tiny_graph: Graph, bad_id: object
) -> None:
    tiny_graph.write(
        "MATCH (c:Customer) WITH c ORDER BY c.id LIMIT 1 "
        "CREATE (x:Customer {name: 'Written elsewhere'})-[:KNOWS]->(c) SET x.id = $bad",
        {"bad": bad_id},
    )
    for read in (projection.project, lambda g: compact.project_compact(g, projection.EVERYTHING)):
        with pytest.raises(
            InputError, match=r"1 Customer node\(s\) have no id, an empty id or an id that is not text"
        ):
            read(tiny_graph)
    tiny_graph.write("MATCH (x:Customer {name: 'Written elsewhere'}) SET x.id = 'C9'")
    assert "C9" in projection.project(tiny_graph), "with a text id it is read"
