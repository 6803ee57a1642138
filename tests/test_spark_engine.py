"""The Spark engine (`analyze all --write --engine spark`) gives the local engine's answers.

Expected values come from the local engine, run in the same test on the same input (the sample
data through Neo4j; Zachary's karate club and Les Misérables as KNOWS ties through the local
analytics), and modularity from NetworkX, outside both engines.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.communities import communities as local_communities
from graphcrm.analytics.influencers import influencers as local_influencers
from graphcrm.analytics.run import stored_result, write_all
from graphcrm.analytics.views import social_graph
from graphcrm.db import Graph
from graphcrm.erasure import forget
from graphcrm.errors import InputError, ValidationFailed
from graphcrm.ingest.validate import Dataset, read_directory
from tests.conftest import SAMPLE_DATA

pytest.importorskip("pyspark")
# Spark's cost here is per job, not per row: a loaded 2-core machine needs the head-room.
pytestmark = pytest.mark.timeout(1800)

from graphcrm.spark import brokerage, cascades, engine  # noqa: E402
from graphcrm.spark.communities import communities as spark_communities  # noqa: E402
from graphcrm.spark.frames import read_directory as spark_read  # noqa: E402
from graphcrm.spark.influence import influence_frame  # noqa: E402
from graphcrm.spark.session import shuffle_partitions, spark_session  # noqa: E402

MASTER = "local[2]"
SCORES = "MATCH (n) WHERE n:Customer OR n:Partner RETURN n.id AS id, n.pagerank AS pagerank, "
SCORES += "n.influence AS influence, n.community AS community, n.referral_ring AS ring"


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    os.environ.setdefault("GRAPHCRM_SPARK_PARTITIONS", "1")
    session = spark_session(MASTER)
    yield session
    session.stop()


def graph_of(dataset: Dataset) -> nx.MultiDiGraph:
    """The validated directory in the projection's contract (what the local engine reads)."""
    G = nx.MultiDiGraph()
    for label, rows in dataset.nodes.items():
        for row in rows:
            G.add_node(row["id"], label=label, **{k: v for k, v in row["props"].items() if v is not None})
    for (rel_type, _, _), rows in dataset.relationships.items():
        for row in rows:
            props = {k: v for k, v in row["props"].items() if v is not None}
            G.add_edge(row["s"], row["t"], row.get("id", rel_type), type=rel_type, **props)
    return G


def modularity(G: nx.MultiDiGraph, membership: dict[str, int]) -> float:
    """NetworkX's modularity of a partition of the customers' social graph."""
    S = social_graph(G)
    groups: dict[int, set[str]] = {}
    for node in S:
        groups.setdefault(membership[node], set()).add(node)
    return nx.community.modularity(S, groups.values(), weight="weight")


def scores_in(graph: Graph) -> dict[str, dict]:
    return {row["id"]: row for row in graph.read(SCORES)}


def top(scores: dict[str, dict], n: int = 10) -> list[str]:
    return sorted(scores, key=lambda i: (-(scores[i]["influence"] or 0.0), i))[:n]


def test_spark_batch_stores_the_local_engines_answers(spark: object, writable_sample_graph: Graph) -> None:
    """Also with a person forgotten (in a ring, so the rings change): the import files still hold
    them, and Spark leaves them out as the graph does."""
    graph = writable_sample_graph
    write_all(graph)
    forgotten = stored_result(graph, "rings").tables["rings"]["members"].iloc[0].split(", ")[0]
    forget(graph, forgotten)
    write_all(graph)
    local = scores_in(graph)
    local_rings = stored_result(graph, "rings").tables["rings"]
    G = graph_of(read_directory(SAMPLE_DATA))
    G.remove_node(forgotten)  # as the graph holds it after the erasure

    found = engine.write_all(graph, SAMPLE_DATA, master=MASTER, started_by="test")

    spark_scores = scores_in(graph)
    assert top(spark_scores) == top(local)
    assert max(abs(spark_scores[i]["pagerank"] - local[i]["pagerank"]) for i in local) < 1e-6
    customers = [n for n, d in G.nodes(data=True) if d["label"] == model.CUSTOMER]
    local_q = modularity(G, {n: local[n]["community"] for n in customers})
    spark_q = modularity(G, {n: spark_scores[n]["community"] for n in customers})
    assert spark_q > local_q - 0.02, (spark_q, local_q)
    assert {i: s["ring"] for i, s in spark_scores.items()} == {i: s["ring"] for i, s in local.items()}
    spark_rings = stored_result(graph, "rings").tables["rings"]
    columns = ["ring", "kind", "group", "members", "size", "referrals", "converted"]
    assert spark_rings[columns].to_dict("records") == local_rings[columns].to_dict("records")
    runs = graph.read(
        "MATCH (r:AnalyticsRun {complete: true, engine: 'spark'}) "
        "RETURN r.analysis AS analysis, r.nodes AS nodes"
    )
    written = {name: found[name].written for name in engine.ANALYSED}
    assert {r["analysis"]: r["nodes"] for r in runs} == written
    assert found["influencers"].written == len(local)
    assert stored_result(graph, "communities").tables["communities"]["size"].sum() > 0
    assert forgotten not in spark_scores
    stored = graph.read("MATCH (f:Finding) RETURN properties(f) AS p")
    named = re.compile(rf"(?<!\w){re.escape(forgotten)}(?!\w)")
    assert not [r for r in stored if any(named.search(str(v)) for v in r["p"].values())]


def write_knows_directory(G: nx.Graph, folder: Path) -> Path:
    """`G` as an import directory: customers and KNOWS ties, strength = weight / heaviest."""
    folder.mkdir()
    heaviest = max(w for _, _, w in G.edges(data="weight", default=1))
    with (folder / "customers.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows([f"N{n}", str(n)] for n in G)
    with (folder / "relationships.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "target", "type", "strength"])
        for u, v, w in G.edges(data="weight", default=1):
            writer.writerow([f"N{u}", f"N{v}", model.KNOWS, f"{w / heaviest:.6f}"])
    return folder


@pytest.mark.parametrize("graph_name", ["karate", "les_miserables"])
def test_spark_engine_matches_local_on_known_graphs(spark: object, tmp_path: Path, graph_name: str) -> None:
    known = {"karate": nx.karate_club_graph, "les_miserables": nx.les_miserables_graph}[graph_name]()
    folder = write_knows_directory(nx.convert_node_labels_to_integers(known), tmp_path / graph_name)
    G = graph_of(read_directory(folder))
    local = local_influencers(G).set_index("id")
    local_found = local_communities(G)

    frames = spark_read(spark, folder)
    referrals = cascades.referral_edges(frames)
    ranked = influence_frame(frames, referrals, cascades.reached(referrals))
    theirs = ranked.toPandas().set_index("id")
    membership, _ = spark_communities(frames, ranked)
    spark_membership = {row["id"]: row["community"] for row in membership.collect()}

    ranked_ids = theirs.reset_index().sort_values(["influence", "id"], ascending=[False, True])["id"]
    assert list(ranked_ids[:10]) == list(local.index[:10])
    assert (theirs.loc[local.index, "pagerank"] - local["pagerank"]).abs().max() < 1e-6
    assert (theirs.loc[local.index, "brokerage"] - local["brokerage"]).abs().max() < 1e-9
    spark_q = modularity(G, spark_membership)
    local_q = modularity(G, local_found.membership)
    print(f"{graph_name}: modularity spark {spark_q:.4f}, local {local_q:.4f}")
    assert spark_q > local_q - 0.02


def test_bad_cell_is_refused_before_anything_is_written(
    spark: object, writable_sample_graph: Graph, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(SAMPLE_DATA, folder)
    customers = (folder / "customers.csv").read_text().splitlines()
    customers[3] = customers[3].rsplit(",", 1)[0] + ",lots"
    (folder / "customers.csv").write_text("\n".join(customers) + "\n")
    with (folder / "relationships.csv").open("a") as handle:
        handle.write("C000001,NOBODY,KNOWS,,,,,,\n")
    count = "MATCH (r:AnalyticsRun) RETURN count(r) AS runs"
    before = writable_sample_graph.read(count)

    with pytest.raises(ValidationFailed) as refused:
        engine.write_all(writable_sample_graph, folder, master=MASTER)

    message = str(refused.value)
    assert "customers.csv" in message and "lifetime_value" in message and "'lots'" in message
    assert "target 'NOBODY' is not a known id" in message
    assert writable_sample_graph.read(count) == before


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--engine", "spark"], "--engine spark reads the import directory itself: add --input DIR."),
        (
            ["--engine", "spark", "--input", str(SAMPLE_DATA), "--master", "local[two]"],
            "--master 'local[two]' is not a Spark master",
        ),
    ],
)
def test_wrong_spark_options_fail_in_one_sentence(
    neo4j_env: dict[str, str], arguments: list[str], expected: str
) -> None:
    done = subprocess.run(
        ["graphcrm", "analyze", "all", "--write", *arguments], env=neo4j_env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_spark_without_java_fails_in_one_sentence(neo4j_env: dict[str, str], tmp_path: Path) -> None:
    graphcrm = shutil.which("graphcrm")
    env = {**neo4j_env, "PATH": str(Path(graphcrm).parent), "JAVA_HOME": str(tmp_path / "no-java")}
    done = subprocess.run(
        [graphcrm, "analyze", "all", "--write", "--engine", "spark", "--input", str(SAMPLE_DATA)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "The Spark engine needs Java 17" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("master", "chosen", "expected"),
    [
        ("local[2]", "", 2),
        ("local[3,2]", "", 3),
        ("local", "", 1),
        ("local[*]", "", os.cpu_count()),
        ("spark://10.0.0.5:7077", "", 8),
        ("yarn", "", 8),
        ("local[2]", "16", 16),
        ("yarn", "400", 400),
    ],
)
def test_shuffle_partitions_follow_a_local_masters_cores_unless_chosen(
    monkeypatch: pytest.MonkeyPatch, master: str, chosen: str, expected: int
) -> None:
    monkeypatch.setenv("GRAPHCRM_SPARK_PARTITIONS", chosen)
    assert shuffle_partitions(master) == expected


@pytest.mark.parametrize("chosen", ["-1", "two", "100001"])
def test_a_wrong_partition_count_is_refused_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, chosen: str
) -> None:
    monkeypatch.setenv("GRAPHCRM_SPARK_PARTITIONS", chosen)
    with pytest.raises(InputError, match="GRAPHCRM_SPARK_PARTITIONS"):
        shuffle_partitions("local[2]")


def test_spark_betweenness_equals_networkx_on_a_disconnected_graph(spark: object) -> None:
    """The search stops at each component's edge and scores isolated nodes 0: a random graph,
    ten isolated nodes and a star in a component of its own, against NetworkX's exact values."""
    G = nx.gnm_random_graph(120, 260, seed=3)
    G.add_nodes_from(range(120, 130))
    G.add_edges_from((200, 200 + i) for i in range(1, 25))
    G = nx.relabel_nodes(G, lambda n: f"N{n}")
    nodes = spark.createDataFrame([(n,) for n in G], "id string")
    pairs = spark.createDataFrame([*G.edges(), *((v, u) for u, v in G.edges())], "a string, b string")

    found = {row.id: row.brokerage for row in brokerage.betweenness(nodes, pairs).collect()}

    expected = nx.betweenness_centrality(G, normalized=True)
    assert found.keys() == expected.keys()
    assert max(abs(found[n] - expected[n]) for n in G) < 1e-12
    # The star's centre is on the one shortest path between each pair of its 24 leaves, among
    # the (155 - 1)(155 - 2) / 2 pairs of other nodes.
    assert found["N200"] == pytest.approx(24 * 23 / 2 / (154 * 153 / 2), rel=1e-12)
    assert found["N120"] == 0.0
