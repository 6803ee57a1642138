"""`graphcrm forget ID [--keep-structure]`, end to end with the command line against the real server:
personal data gone, the id suppressed for later loads and syncs, the erasure recorded without the
erased data, wrong input refused in one sentence, and admin rights where sign-in is on."""

from __future__ import annotations

import getpass
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from graphcrm import results
from graphcrm.db import Graph
from graphcrm.ingest.loader import load_directory
from graphcrm.users import UsersFile

from .conftest import TEST_DATA

TINY = TEST_DATA / "tiny"
# What tests/data/tiny says about Ada (C1): none of it may be left anywhere after her erasure.
ADA = ("Ada Lovelace", "ada@example.com", "+44 20 7946 0001", "met Ada at her office")


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    """tests/data/tiny, with a note on Ada's touch point I4."""
    directory = tmp_path / "tiny"
    shutil.copytree(TINY, directory)
    path = directory / "interactions.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("visit,0.9,\n", f"visit,0.9,{ADA[3]}\n"), encoding="utf-8")
    return directory


@pytest.fixture()
def env(neo4j_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The test server, sign-in off, an audit trail of the test's own."""
    chosen = {k: v for k, v in neo4j_env.items() if k != "GRAPHCRM_AUTH_FILE"}
    return {**chosen, "GRAPHCRM_AUDIT_FILE": str(tmp_path / "audit.jsonl")}


def graphcrm(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["graphcrm", *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def ties(graph: Graph, node_id: str) -> list[tuple[str, str, str]]:
    rows = graph.read(
        "MATCH (a)-[r]-(b) WHERE a.id = $id AND NOT a:Suppressed "
        "RETURN type(r) AS t, b.id AS b, coalesce(r.id, '') AS i ORDER BY t, b, i",
        {"id": node_id},
    )
    return [(r["t"], r["b"], r["i"]) for r in rows]


def everything(graph: Graph) -> str:
    return repr(graph.read("MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN properties(n), properties(r)"))


def test_forget_deletes_the_person_and_no_later_load_brings_them_back(
    empty_graph: Graph, export: Path, env: dict[str, str], tmp_path: Path
) -> None:
    load_directory(empty_graph, export)
    ties_before = graphcrm_free_ties(empty_graph)
    run = results.begin_run(empty_graph, "influencers", {}, started_by="test")
    frame = pd.DataFrame(
        [{"id": "C1", "name": ADA[0], "score": 1.0}, {"id": "C2", "name": "Brian", "score": 0.5}]
    )
    results.store_tables(empty_graph, run, {"ranking": frame})

    done = graphcrm(env, "forget", "C1")
    assert done.returncode == 0, done.stderr
    assert "Forgot C1 (Customer)" in done.stdout and "1 stored analytics row" in done.stdout
    assert empty_graph.read("MATCH (n) WHERE n.id = 'C1' RETURN labels(n) AS l") == [{"l": ["Suppressed"]}]
    assert not any(value in everything(empty_graph) for value in ADA), "no trace of Ada's data"
    assert empty_graph.read("MATCH (f:Finding) RETURN f.id AS id") == [{"id": "C2"}]
    suppressed = empty_graph.read("MATCH (s:Suppressed) RETURN s.id AS id, s.erased_by AS who")
    assert suppressed == [{"id": "C1", "who": getpass.getuser()}]
    trail = [json.loads(line) for line in Path(env["GRAPHCRM_AUDIT_FILE"]).read_text().splitlines()]
    assert [(r["user"], r["event"], r["id"]) for r in trail] == [(getpass.getuser(), "erasure", "C1")]
    assert not any(value in json.dumps(trail) for value in ADA)

    for command in (["load", str(export)], ["load", str(export), "--sync"]):
        again = graphcrm(env, *command)
        assert again.returncode == 0, again.stderr
        assert "Suppressed 1 erased person (C1) and 3 relationship(s)" in again.stderr, command
        assert not any(value in again.stdout + again.stderr for value in ADA)
        assert not any(value in everything(empty_graph) for value in ADA), command
        assert ties(empty_graph, "C1") == []
    # tiny has REFERRED C1->C2, REFERRED C1->C3 and touch point I4 at C1; everything else is back.
    assert graphcrm_free_ties(empty_graph) == ties_before - {
        ("REFERRED", "C1", "C2"),
        ("REFERRED", "C1", "C3"),
        ("INTERACTED", "E1", "C1"),
    }

    partial = tmp_path / "partial"  # an export that only refers to C1, whose node is gone
    partial.mkdir()
    (partial / "customers.csv").write_text("id,name\nC2,Brian Kernighan\n")
    (partial / "relationships.csv").write_text("source,target,type\nC1,C2,REFERRED\n")
    assert load_directory(empty_graph, partial).withheld.relationships == 1
    assert ties(empty_graph, "C1") == []

    twice = graphcrm(env, "forget", "C1")
    assert twice.returncode == 0 and "already forgotten" in twice.stdout
    assert len(Path(env["GRAPHCRM_AUDIT_FILE"]).read_text().splitlines()) == 1


def graphcrm_free_ties(graph: Graph) -> set[tuple[str, str, str]]:
    """Every relationship among the model's nodes as (type, source id, target id)."""
    rows = graph.read(
        "MATCH (a:Customer|Company|Employee|Partner)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b"
    )
    return {(r["t"], r["a"], r["b"]) for r in rows}


def test_keep_structure_leaves_an_anonymised_node_with_its_ties(
    empty_graph: Graph, export: Path, env: dict[str, str]
) -> None:
    load_directory(empty_graph, export)
    before = ties(empty_graph, "C1")
    done = graphcrm(env, "forget", "C1", "--keep-structure")
    assert done.returncode == 0, done.stderr
    for command in ([], ["load", str(export), "--sync"]):
        if command:
            assert graphcrm(env, *command).returncode == 0
        ada = empty_graph.read("MATCH (c:Customer {id: 'C1'}) RETURN properties(c) AS p")[0]["p"]
        # tiny's row for C1 minus name (replaced), email and phone:
        assert sorted(ada) == sorted(
            [
                "id",
                "name",
                "city",
                "stage",
                "marketing_consent",
                "joined_on",
                "lifetime_value",
                "preferred_channel",
            ]
        )
        assert ada["name"] == "(erased)" and ada["city"] == "London"
        assert ties(empty_graph, "C1") == before, "the structure stays"
        assert not any(value in everything(empty_graph) for value in ADA), command
    touch = empty_graph.read(
        "MATCH ()-[r:INTERACTED {id: 'I4'}]->() RETURN r.note AS note, r.channel AS channel"
    )
    assert touch == [{"note": None, "channel": "visit"}]
    again = graphcrm(env, "forget", "C1", "--keep-structure")
    assert again.returncode == 0 and "already forgotten" in again.stdout
    deleted = graphcrm(env, "forget", "C1")
    assert deleted.returncode == 0 and "the node and its relationships are deleted" in deleted.stdout
    assert empty_graph.read(
        "MATCH (n) WHERE n.id = 'C1' RETURN labels(n) AS l, n.structure_kept AS kept"
    ) == [{"l": ["Suppressed"], "kept": False}]


def test_wrong_input_is_one_sentence(empty_graph: Graph, export: Path, env: dict[str, str]) -> None:
    load_directory(empty_graph, export)
    before = everything(empty_graph)
    unknown = graphcrm(env, "forget", "NOPE")
    assert unknown.returncode == 1
    assert unknown.stderr == "graphcrm: There is no customer or employee with id 'NOPE'.\n"
    company = graphcrm(env, "forget", "CO1")
    assert company.returncode == 1
    assert company.stderr.startswith("graphcrm: 'CO1' is a Company, not a person")
    assert everything(empty_graph) == before


def test_erasure_needs_an_admin_where_sign_in_is_on(
    empty_graph: Graph, export: Path, env: dict[str, str], tmp_path: Path
) -> None:
    load_directory(empty_graph, export)
    users = UsersFile(tmp_path / "users.json")
    users.add("ann", "analyst", "analyst-password")
    users.add("root", "admin", "admin-password")
    signed = {**env, "GRAPHCRM_AUTH_FILE": str(users.path)}
    before = everything(empty_graph)

    nobody = graphcrm(signed, "forget", "C1")
    assert nobody.returncode == 1 and "--user NAME" in nobody.stderr
    analyst = graphcrm(signed, "forget", "C1", "--user", "ann", stdin="analyst-password\n")
    assert analyst.returncode == 1
    assert analyst.stderr == (
        "graphcrm: Erasing a person's data needs the admin role; you are signed in as an analyst.\n"
    )
    wrong = graphcrm(signed, "forget", "C1", "--user", "root", stdin="not-the-password\n")
    assert wrong.returncode == 1 and "Wrong user name or password" in wrong.stderr
    assert everything(empty_graph) == before, "nothing erased"

    admin = graphcrm(signed, "forget", "C1", "--user", "root", stdin="admin-password\n")
    assert admin.returncode == 0, admin.stderr
    assert empty_graph.read("MATCH (s:Suppressed) RETURN s.erased_by AS who") == [{"who": "root"}]
    trail = [json.loads(line) for line in Path(env["GRAPHCRM_AUDIT_FILE"]).read_text().splitlines()]
    assert [(r["user"], r["event"]) for r in trail] == [
        ("ann", "denied"),
        ("root", "sign-in failed"),
        ("root", "erasure"),
    ]
