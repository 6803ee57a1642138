"""The analyses through Neo4j: projection -> analysis -> write-back, on sample_data/ and on
Zachary's karate club loaded from CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest

from graphcrm import model, scores
from graphcrm.analytics import rings, run
from graphcrm.analytics.registry import ANALYSES
from graphcrm.db import Graph
from graphcrm.errors import AnalysisInputError, UnknownNode
from graphcrm.ingest.loader import load_directory


def one(graph: Graph, cypher: str, **params: object) -> object:
    return next(iter(graph.read(cypher, params)[0].values()))


@pytest.mark.parametrize("name", [n for n in run.ANALYSES if n != "intro"])
def test_every_analysis_runs_on_sample_data_with_its_declared_tables(sample_graph: Graph, name: str) -> None:
    spec = ANALYSES[name]
    result = run.run_analysis(sample_graph, name)
    assert result.compute_seconds > 0
    if spec.projection is not None:
        assert result.nodes > 0 and result.projection_seconds > 0
    assert len(result.main) > 0, f"{name} found nothing in sample_data"
    declared = {t.name: t.columns for t in spec.tables}
    for table, frame in result.tables.items():
        assert list(frame.columns) == list(declared[table]), f"{name}.{table} drifted from its declaration"


def test_projection_reads_only_what_the_analysis_needs(sample_graph: Graph) -> None:
    result = run.run_analysis(sample_graph, "referrals")
    everyone = one(
        sample_graph, "MATCH (n) WHERE n:Customer OR n:Company OR n:Employee OR n:Partner RETURN count(n)"
    )
    referrals = one(sample_graph, "MATCH ()-[r:REFERRED]->() RETURN count(r)")
    assert (result.nodes, result.edges) == (everyone, referrals)
    funnel = run.run_analysis(sample_graph, "funnel")
    assert (funnel.nodes, funnel.edges, funnel.projection_seconds) == (0, 0, 0.0)


def test_influencers_agree_with_cypher(sample_graph: Graph) -> None:
    top = run.run_analysis(sample_graph, "influencers", top=5).main
    assert len(top) == 5 and list(top["influence"]) == sorted(top["influence"], reverse=True)
    leader = top.iloc[0]
    referred = one(sample_graph, "MATCH ({id: $id})-[r:REFERRED]->() RETURN count(r)", id=leader["id"])
    reach = one(
        sample_graph, "MATCH ({id: $id})-[:REFERRED*1..]->(d) RETURN count(DISTINCT d)", id=leader["id"]
    )
    assert (leader["referred"], leader["referral_reach"]) == (referred, reach)
    assert leader["influence_why"].startswith(f"referred {referred}, ")


def test_influencers_within_a_partners_reach(sample_graph: Graph) -> None:
    partner = one(sample_graph, "MATCH (p:Partner)-[:REFERRED]->() RETURN p.id ORDER BY p.id LIMIT 1")
    rows = run.run_analysis(sample_graph, "influencers", partner=partner).main
    reached = {
        r["id"]
        for r in sample_graph.read(
            "MATCH (:Partner {id: $p})-[:REFERRED*1..]->(d) RETURN DISTINCT d.id AS id "
            "UNION MATCH (:Partner {id: $p})-[:PARTNERS_WITH]->(c:Company) "
            "OPTIONAL MATCH (x)-[:WORKS_AT]->(c) "
            "UNWIND [c.id, x.id] AS id WITH id WHERE id IS NOT NULL RETURN DISTINCT id",
            {"p": partner},
        )
    }
    assert len(rows) > 0 and set(rows["id"]) <= reached
    with pytest.raises(UnknownNode):
        run.run_analysis(sample_graph, "influencers", partner="C000001")


def test_funnel_counts_agree_with_cypher(sample_graph: Graph) -> None:
    funnel = run.run_analysis(sample_graph, "funnel").main
    counts = {
        (r["label"], r["stage"]): r["n"]
        for r in sample_graph.read(
            "MATCH (n) WHERE (n:Customer OR n:Company) AND n.stage IS NOT NULL "
            "RETURN labels(n)[0] AS label, n.stage AS stage, count(*) AS n"
        )
    }
    assert {(r.label, r.stage): r.count for r in funnel.itertuples() if r.count} == counts


def test_warm_intro_between_an_employee_and_a_customer(sample_graph: Graph) -> None:
    target = one(
        sample_graph,
        "MATCH (e:Employee {id: 'E0001'})-[:MANAGES]->(:Company)<-[:WORKS_AT]-(:Customer)"
        "-[:KNOWS]-(c:Customer) "
        "WHERE NOT (e)-[:MANAGES]->(c) RETURN c.id ORDER BY c.id LIMIT 1",
    )
    result = run.run_analysis(sample_graph, "intro", source="E0001", target=target, k=3)
    paths = result.value
    assert 1 <= len(paths) <= 3
    assert [p.strength for p in paths] == sorted((p.strength for p in paths), reverse=True)
    assert all(p.nodes[0] == "E0001" and p.nodes[-1] == target for p in paths)
    assert list(result.tables) == ["hops", "paths"]
    with pytest.raises(UnknownNode, match=r"with id 'NOPE' \(the to id\)"):
        run.run_analysis(sample_graph, "intro", source="E0001", target="NOPE")


def test_rings_find_the_generated_circles(sample_graph: Graph) -> None:
    rings = run.run_analysis(sample_graph, "rings").main
    circles = rings[rings["kind"] == "circle"]
    cyclic = sample_graph.read("MATCH (a:Customer)-[:REFERRED*2..6]->(a) RETURN DISTINCT a.id AS id")
    assert set(", ".join(circles["members"]).split(", ")) == {r["id"] for r in cyclic}


def test_write_all_stores_scores_and_records_runs(writable_sample_graph: Graph) -> None:
    graph = writable_sample_graph
    results = run.write_all(graph)
    customers = one(graph, "MATCH (c:Customer) RETURN count(c)")
    partners = one(graph, "MATCH (p:Partner) RETURN count(p)")
    assert results["influencers"].written == customers + partners
    assert (
        one(graph, "MATCH (c:Customer) WHERE c.influence IS NULL OR c.community IS NULL RETURN count(c)") == 0
    )
    top = one(
        graph, "MATCH (n) WHERE n.influence IS NOT NULL RETURN n.id ORDER BY n.influence DESC, n.id LIMIT 1"
    )
    assert top == results["influencers"].main.iloc[0]["id"]
    ringed = one(graph, "MATCH (c:Customer) WHERE c.referral_ring IS NOT NULL RETURN count(c)")
    assert ringed == len(rings.ring_membership(results["rings"].main))
    at_risk = run.run_analysis(graph, "coverage").tables["at_risk"]
    stored = graph.read(
        "MATCH (n) WHERE n.risk_reason IS NOT NULL RETURN n.id AS id, n.risk_reason AS reason"
    )
    assert len(at_risk) > 0
    assert {r["id"]: r["reason"] for r in stored} == dict(zip(at_risk["id"], at_risk["reason"], strict=True))
    runs = {r["analysis"] for r in scores.latest_runs(graph)}
    assert {"influencers", "communities", "rings", "coverage"} <= runs


def test_write_is_refused_for_an_analysis_without_scores(sample_graph: Graph) -> None:
    with pytest.raises(AnalysisInputError, match="The funnel analysis has no node scores to write."):
        run.run_analysis(sample_graph, "funnel", write=True)
    with pytest.raises(AnalysisInputError, match="Unknown analysis 'magic'"):
        run.run_analysis(sample_graph, "magic")


def write_karate(directory: Path) -> None:
    club = nx.karate_club_graph()
    with (directory / model.NODE_TYPES[model.CUSTOMER].file).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name"])
        writer.writerows([f"K{n}", f"Member {n}"] for n in club)
    with (directory / model.RELATIONSHIPS_FILE).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "target", "type"])
        writer.writerows([f"K{u}", f"K{v}", model.KNOWS] for u, v in club.edges())


def test_karate_club_leaders_are_top_influencers_through_neo4j(empty_graph: Graph, tmp_path: Path) -> None:
    write_karate(tmp_path)
    load_directory(empty_graph, tmp_path)
    result = run.run_analysis(empty_graph, "influencers", top=3, write=True)
    assert {"K0", "K33"} <= set(result.main["id"])
    stored = empty_graph.read("MATCH (c:Customer) RETURN c.id AS id ORDER BY c.influence DESC LIMIT 3")
    assert {"K0", "K33"} <= {r["id"] for r in stored}
