"""`graphcrm analyze ...` as a user runs it: output formats, and one-sentence errors."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from graphcrm.analytics import intro, run
from graphcrm.analytics.registry import ANALYSES
from graphcrm.db import Graph
from graphcrm.projection import project


def analyze(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["graphcrm", "analyze", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_influencers_as_json_and_as_a_table(sample_graph: Graph, neo4j_env: dict[str, str]) -> None:
    done = analyze(neo4j_env, "influencers", "--top", "3", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["influencers"]
    assert len(rows) == 3 and rows[0]["influence"] >= rows[1]["influence"] >= rows[2]["influence"]
    assert rows[0]["influence_why"].startswith("referred ")
    table = analyze(neo4j_env, "influencers", "--top", "3")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:4] == ["id", "name", "label", "influence"]
    assert rows[0]["id"] in table.stdout
    assert "projection" in table.stderr and "computation" in table.stderr


def test_funnel_as_csv_and_intro_as_text(sample_graph: Graph, neo4j_env: dict[str, str]) -> None:
    done = analyze(neo4j_env, "funnel", "--format", "csv", "--quiet")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.splitlines()[0] == "label,segment,stage,count,share,value,mean_value"
    intro = analyze(neo4j_env, "intro", "--from", "E0001", "--to", "C000001", "--k", "2")
    assert intro.returncode == 0, intro.stderr
    assert intro.stdout.startswith("Path 1: strength ") and "  1. [" in intro.stdout


def test_intro_searches_around_the_two_ends_and_says_when_its_cap_stopped_it(
    sample_graph: Graph, neo4j_env: dict[str, str]
) -> None:
    G = project(sample_graph, run.projection_for("intro"))
    expected = [" -> ".join(p.nodes) for p in intro.warm_intro_paths(G, "E0001", "C000400", k=3)]
    args = ("intro", "--from", "E0001", "--to", "C000400", "--table", "paths", "--format", "json")
    done = analyze(neo4j_env, *args)
    assert done.returncode == 0, done.stderr
    assert [row["route"] for row in json.loads(done.stdout)] == expected
    read = int(re.search(r"^intro: ([\d,]+) nodes, ", done.stderr, re.M)[1].replace(",", ""))
    assert read < G.number_of_nodes() and "nearest the two ends" not in done.stderr
    capped = analyze({**neo4j_env, "GRAPHCRM_INTRO_MAX_NODES": "40"}, *args)
    assert capped.returncode == 0, capped.stderr
    assert capped.stderr.startswith(
        "The strongest among the chains through the 40 people and accounts nearest the two ends; "
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["intro", "--from", "NOPE", "--to", "C000001"],
            1,
            "graphcrm: There is no customer, company, employee or partner with id 'NOPE' (the from id).",
        ),
        (
            ["referrals", "--root", "NOPE"],
            1,
            "graphcrm: There is no customer, partner or employee with id 'NOPE'.",
        ),
        (["influencers", "--partner", "C000001"], 1, "graphcrm: There is no partner with id 'C000001'."),
        (["coverage", "--table", "nope"], 1, "graphcrm: The coverage analysis has no table 'nope'"),
        (["influencers", "--top", "many"], 2, "error: argument --top: 'many' is not a whole number"),
        (["intro", "--from", "E0001"], 2, "error: the following arguments are required: --to"),
        (["funnel", "--write"], 2, "error: unrecognized arguments: --write"),
        (["coverage", "--as-of", "last tuesday"], 2, "is not an ISO date such as 2026-10-01"),
        (["funnel", "--by", "n.id} RETURN 1 //"], 2, "argument --by: must be one of city, industry, size"),
        (["funnel", "--by", "email"], 2, "argument --by: must be one of city, industry, size"),
        (["influencers", "--top", "0"], 2, "argument --top: must be at least 1, not 0."),
        (
            ["communities", "--resolution", "nan"],
            2,
            "argument --resolution: must be from 0.01 to 100, not nan.",
        ),
        (
            ["communities", "--resolution", "inf"],
            2,
            "argument --resolution: must be from 0.01 to 100, not inf.",
        ),
        (
            ["intro", "--from", "E0001", "--to", "C000001", "--k", "1e9"],
            2,
            "argument --k: '1e9' is not a whole number.",
        ),
        (["coverage", "--format", "csv"], 1, "has 7 tables (unmanaged, multi_managed, manager_load, stale"),
    ],
)
def test_wrong_input_is_one_sentence_and_a_non_zero_exit(
    sample_graph: Graph, neo4j_env: dict[str, str], args: list[str], code: int, message: str
) -> None:
    done = analyze(neo4j_env, *args)
    assert done.returncode == code
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert message in done.stderr.strip().splitlines()[-1]
    if code == 1:
        assert len(done.stderr.strip().splitlines()) == 1


def test_all_writes_every_score_quietly(writable_sample_graph: Graph, neo4j_env: dict[str, str]) -> None:
    done = analyze(neo4j_env, "all", "--write", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    rows = writable_sample_graph.read(
        "MATCH (c:Customer) "
        "RETURN count(c.influence) AS scored, count(c.community) AS grouped, count(c) AS all"
    )[0]
    assert rows["scored"] == rows["grouped"] == rows["all"]


def test_json_keeps_every_table_and_out_writes_one_csv_each(
    sample_graph: Graph, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    tables = [t.name for t in ANALYSES["coverage"].tables]
    done = analyze(neo4j_env, "coverage", "--format", "json", "--quiet")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert list(document) == tables
    out = tmp_path / "coverage"
    written = analyze(neo4j_env, "coverage", "--out", str(out), "--quiet")
    assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in tables)
    for table in tables:
        with (out / f"{table}.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == len(document[table])
    one = analyze(neo4j_env, "coverage", "--format", "csv", "--table", "at_risk", "--quiet")
    assert one.returncode == 0 and len(list(csv.DictReader(io.StringIO(one.stdout)))) == len(
        document["at_risk"]
    )
