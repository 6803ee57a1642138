"""Stored results and the request path: what the batch stores equals a fresh computation, pages
and read commands answer from it with an "as of" line (and say when the graph changed since),
only one batch runs at a time, and the bounded reads around the nodes in view give the same
answers as the whole-graph analyses."""

from __future__ import annotations

import math
import random
import subprocess
import threading
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

from graphcrm import around, projection, results, scores, summaries
from graphcrm.analytics import intro, referrals, run
from graphcrm.analytics.registry import ANALYSES, BATCH
from graphcrm.db import Graph
from graphcrm.errors import BatchRunning, GraphCRMError, NoPath
from graphcrm.ingest.loader import load_directory
from graphcrm.projection import project

from .conftest import SAMPLE_DATA


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows with values compared as a reader sees them (floats to 9 places, missing as None)."""

    def cell(value: Any) -> Any:
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if hasattr(value, "to_native"):
            return value.to_native().isoformat()
        if hasattr(value, "item"):
            value = value.item()
        return round(value, 9) if isinstance(value, float) else value

    return [{k: cell(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@pytest.fixture()
def stored_graph(writable_sample_graph: Graph) -> Graph:
    run.write_all(writable_sample_graph, started_by="the tests")
    return writable_sample_graph


@pytest.mark.parametrize("name", [n for n in BATCH if ANALYSES[n].stores_tables])
def test_stored_tables_equal_a_fresh_computation(stored_graph: Graph, name: str) -> None:
    stored = run.stored_result(stored_graph, name)
    fresh = run.run_analysis(stored_graph, name)
    assert stored is not None and list(stored.tables) == list(fresh.tables)
    for table, frame in fresh.tables.items():
        expected_empty = name == "coverage" or (name, table) == (
            "referrals",
            "tree",
        )  # tree: only with --root
        assert len(frame) > 0 or expected_empty, f"{name}.{table} is empty on sample_data"
        assert plain(stored.tables[table]) == plain(frame), f"{name}.{table} differs"


def test_the_stale_threshold_narrows_the_stored_run(stored_graph: Graph) -> None:
    for days in (30, 365):
        stored = run.stored_result(stored_graph, "coverage", stale_days=days)
        fresh = run.run_analysis(stored_graph, "coverage", stale_days=days)
        assert plain(stored.tables["stale"]) == plain(fresh.tables["stale"])
    assert run.stored_result(stored_graph, "coverage", trend_days=30) is None, "other parameters recompute"


def test_a_page_of_the_narrowed_stored_run_is_the_stalest_rows_that_pass(stored_graph: Graph) -> None:
    for days in (0, 30, 365, 3650):
        fresh = run.run_analysis(stored_graph, "coverage", stale_days=days).tables["stale"]
        assert fresh["days_since"].isna().sum() > 0 and fresh["days_since"].dropna().is_monotonic_decreasing
        for limit in (1, 3, 1000):
            stored = run.stored_result(stored_graph, "coverage", stale_days=days, limit=limit)
            assert plain(stored.tables["stale"]) == plain(fresh.head(limit)), (days, limit)


def test_a_load_after_the_run_marks_it_stale(stored_graph: Graph) -> None:
    before = results.latest_run(stored_graph, "coverage")
    assert before is not None and not before.stale and "changed since" not in before.as_of()
    load_directory(stored_graph, SAMPLE_DATA)
    after = results.latest_run(stored_graph, "coverage")
    assert after.id == before.id and after.stale
    assert "the graph has changed since" in after.as_of()


def test_new_runs_replace_old_ones_and_their_findings(stored_graph: Graph) -> None:
    first = results.latest_run(stored_graph, "partners")
    run.write_all(stored_graph)
    second = results.latest_run(stored_graph, "partners")
    run.write_all(stored_graph)
    third = results.latest_run(stored_graph, "partners")
    assert len({first.id, second.id, third.id}) == 3
    kept = stored_graph.read("MATCH (r:AnalyticsRun {analysis: 'partners'}) RETURN collect(r.id) AS ids")[0][
        "ids"
    ]
    assert sorted(kept) == sorted([second.id, third.id]), "the newest run and the one a reader may still hold"
    orphans = stored_graph.read("MATCH (f:Finding) WHERE NOT ()-[:FOUND]->(f) RETURN count(f) AS n")
    assert orphans == [{"n": 0}]
    assert [r["analysis"] for r in scores.latest_runs(stored_graph)].count("partners") == 1


def test_a_run_answers_only_the_parameters_it_was_computed_with(stored_graph: Graph) -> None:
    assert run.stored_result(stored_graph, "communities") is not None
    run.write_all(stored_graph, seed=12345)
    assert run.stored_result(stored_graph, "communities") is None
    assert run.stored_result(stored_graph, "communities", seed=12345) is not None
    assert run.stored_result(stored_graph, "coverage") is None, "its influence came from another seed"
    with pytest.raises(GraphCRMError, match="leave out --top-influencers"):
        run.run_analysis(stored_graph, "coverage", write=True, top_influencers=10)
    shown = run.run_analysis(stored_graph, "coverage", write=True, stale_days=200)
    assert (shown.tables["stale"]["days_since"].fillna(1e9) > 200).all()
    assert run.stored_result(stored_graph, "coverage", stale_days=30) is not None, "stored at 0 days"


def test_a_run_stored_in_an_earlier_layout_is_not_read(stored_graph: Graph) -> None:
    current = results.latest_run(stored_graph, "coverage")
    earlier = {k: v for k, v in current.params.items() if k != "layout"}
    older = results.begin_run(stored_graph, "coverage", earlier, started_by="an earlier graphcrm")
    results.finish_run(stored_graph, older, nodes=0, seconds=1.0)
    assert results.latest_run(stored_graph, "coverage").id == older
    assert run.stored_result(stored_graph, "coverage") is None, "pages ask for a recompute instead"


def test_one_batch_at_a_time_across_threads_and_processes(
    writable_sample_graph: Graph, neo4j_env: dict[str, str]
) -> None:
    graph = writable_sample_graph
    with results.batch_lock(graph, "Alice") as progress:
        progress("computing influencers")
        with pytest.raises(
            BatchRunning, match=r"running since .* started by Alice \(now: computing influencers\)"
        ):
            run.write_all(graph, started_by="Bob")
        done = subprocess.run(
            ["graphcrm", "analyze", "all", "--write"],
            env=neo4j_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1 and "started by Alice" in done.stderr and "Traceback" not in done.stderr
    assert results.batch_status(graph) is None, "the lock is released"
    outcomes: list[object] = []

    def recompute(who: str) -> None:
        try:
            outcomes.append(run.write_all(graph, started_by=who))
        except BatchRunning as err:
            outcomes.append(err)

    threads = [threading.Thread(target=recompute, args=(who,)) for who in ("Carol", "Dave")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, dict) for o in outcomes) >= 1
    assert all(isinstance(o, dict | BatchRunning) for o in outcomes)
    per_analysis = graph.read("MATCH (r:AnalyticsRun) RETURN r.analysis AS a, count(*) AS n")
    assert all(row["n"] == 1 for row in per_analysis)


def test_cli_prints_the_stored_result_with_its_as_of_line(
    stored_graph: Graph, neo4j_env: dict[str, str]
) -> None:
    done = subprocess.run(
        ["graphcrm", "analyze", "partners", "--table", "partners", "--format", "csv"],
        env=neo4j_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("As of the partners run at ") and "projection" not in done.stderr
    fresh = subprocess.run(
        ["graphcrm", "analyze", "partners", "--table", "partners", "--format", "csv", "--fresh"],
        env=neo4j_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert fresh.returncode == 0 and "projection" in fresh.stderr
    assert fresh.stdout == done.stdout


def test_bounded_warm_intro_equals_the_whole_graph_analysis(sample_graph: Graph) -> None:
    G = project(sample_graph, run.projection_for("intro"))
    employees = sorted(n for n, d in G.nodes(data=True) if d["label"] == "Employee")
    targets = sorted(n for n, d in G.nodes(data=True) if d["label"] in ("Customer", "Company"))
    chooser = random.Random(3)
    for source, target in [(chooser.choice(employees), chooser.choice(targets)) for _ in range(12)]:
        try:
            expected = [
                (p.nodes, round(p.strength, 9)) for p in intro.warm_intro_paths(G, source, target, k=3)
            ]
        except GraphCRMError as err:
            with pytest.raises(type(err)):
                around.intro_paths(sample_graph, source, target, k=3)
            continue
        found = around.intro_paths(sample_graph, source, target, k=3)
        assert [(p.nodes, round(p.strength, 9)) for p in found.result.value] == expected, (source, target)
        assert found.proven, (source, target)


@pytest.mark.parametrize("wide", [0, 2, 200])
def test_the_bounded_projection_reads_every_tie_among_its_nodes_hubs_or_not(
    writable_sample_graph: Graph, monkeypatch: pytest.MonkeyPatch, wide: int
) -> None:
    monkeypatch.setattr(projection, "AROUND_WIDE", wide)
    # Ties the loader would refuse (written by hand), from a hub and from a node that is not one.
    writable_sample_graph.write(
        "MATCH (e:Employee {id: 'E0001'}), (p:Partner {id: 'P001'}), (c:Customer {id: 'C000001'}), "
        "(o:Company {id: 'CO00001'}) CREATE (e)-[:INTERACTED {id: 'I-off', channel: 'call'}]->(p), "
        "(c)-[:KNOWS {strength: 0.7}]->(o)"
    )
    whole = project(writable_sample_graph, around.INTRO)
    near = set(whole.to_undirected(as_view=True).neighbors("E0001")) | {"E0001", "C000001", "CO00001"}
    ids = sorted(near | set(random.Random(5).sample(sorted(whole.nodes), 40)))
    bounded = projection.project_around(writable_sample_graph, ids, around.INTRO)
    expected = whole.subgraph(ids)
    assert dict(bounded.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(bounded.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))
    assert bounded.number_of_edges() > len(ids), "the sample holds ties among them, hubs' among them"


def test_warm_intro_at_its_read_cap_says_the_paths_are_not_proven(
    sample_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target, far = "E0001", "C000400", "C000397"
    whole = around.intro_paths(sample_graph, source, target, k=3)
    assert whole.proven and whole.searched < sample_graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    assert around.intro_paths(sample_graph, source, far, k=1).proven, "a chain to `far` exists"
    monkeypatch.setenv("GRAPHCRM_INTRO_MAX_NODES", "40")
    capped = around.intro_paths(sample_graph, source, target, k=3)
    assert not capped.proven and capped.searched == 40
    assert capped.result.tables["paths"]["strength"].max() <= whole.result.tables["paths"]["strength"].max()
    monkeypatch.setenv("GRAPHCRM_INTRO_MAX_NODES", "10")
    with pytest.raises(NoPath, match="among the 10 people and accounts nearest the two ends"):
        around.intro_paths(sample_graph, source, far, k=3)


def test_bounded_cascade_equals_the_whole_graph_tree(sample_graph: Graph) -> None:
    G = project(sample_graph, run.projection_for("referrals"))
    roots = referrals.referral_cascades(G, top=3)["root"]
    for root in roots:
        assert plain(around.cascade(sample_graph, root)) == plain(referrals.cascade_tree(G, root))


def test_influencers_in_a_partners_reach_read_from_stored_scores(stored_graph: Graph) -> None:
    partner = stored_graph.read("MATCH (p:Partner)-[:REFERRED]->() RETURN p.id AS id ORDER BY id LIMIT 1")[0][
        "id"
    ]
    fresh = run.run_analysis(stored_graph, "influencers", partner=partner, top=None).main
    stored = summaries.influencer_table(stored_graph, limit=10_000, partner=partner)
    assert list(stored["id"]) == list(fresh["id"])
    with pytest.raises(GraphCRMError, match="There is no partner with id 'C000001'"):
        summaries.influencer_table(stored_graph, partner="C000001")
