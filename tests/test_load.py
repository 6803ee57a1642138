"""Importing sample_data/: exact counts against the CSV files, typed properties, idempotent reload."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from graphcrm import erasure, model, server
from graphcrm.db import Graph
from graphcrm.errors import DatabaseError, LoadInterrupted, ValidationFailed
from graphcrm.ingest import restore_point
from graphcrm.ingest.loader import load_directory

from .conftest import SAMPLE_DATA, TEST_DATA, kill_at_first_batch
from .test_validate import fingerprint

# Every node of the import contract's labels (not the GraphState marker a load updates) and its ties.
EVERYTHING = (
    f"MATCH (n:{'|'.join(model.LABELS)}) OPTIONAL MATCH (n)-[r]->(m) RETURN n.id AS n, properties(n) AS p, "
    "type(r) AS t, m.id AS m, properties(r) AS rp ORDER BY n, t, m, r.id"
)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_counts(directory: Path) -> tuple[Counter, Counter]:
    labels = Counter({nt.label: len(csv_rows(directory / nt.file)) for nt in model.NODE_TYPES.values()})
    types = Counter(row["type"] for row in csv_rows(directory / "relationships.csv"))
    if (directory / "interactions.csv").exists():
        types["INTERACTED"] = len(csv_rows(directory / "interactions.csv"))
    return labels, types


def database_counts(graph: Graph) -> tuple[Counter, Counter]:
    labels = Counter(
        {
            r["l"]: r["c"]
            for r in graph.read(
                "MATCH (n) UNWIND labels(n) AS l WITH l WHERE l IN $labels RETURN l, count(*) AS c",
                {"labels": list(model.LABELS)},
            )
        }
    )
    types = Counter(
        {r["t"]: r["c"] for r in graph.read("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c")}
    )
    return labels, types


def test_sample_data_counts_match_the_csv_files(sample_graph: Graph) -> None:
    labels, types = expected_counts(SAMPLE_DATA)
    assert database_counts(sample_graph) == (labels, types)
    assert set(types) >= set(model.REL_TYPES), "sample data should use every relationship type"


def test_sample_data_is_rich(sample_graph: Graph) -> None:
    labels, types = expected_counts(SAMPLE_DATA)
    assert 200 <= labels["Customer"] <= 1000
    assert labels["Company"] >= 10 and labels["Employee"] >= 5 and labels["Partner"] >= 3
    assert types["REFERRED"] >= 50 and types["INTERACTED"] >= 200


def test_properties_are_typed(empty_graph: Graph) -> None:
    load_directory(empty_graph, TEST_DATA / "tiny")
    ada = empty_graph.read("MATCH (c:Customer {id: 'C1'}) RETURN c")[0]["c"]
    assert ada["joined_on"] == date(2021, 3, 1) or ada["joined_on"].to_native() == date(2021, 3, 1)
    assert ada["marketing_consent"] is True
    assert ada["lifetime_value"] == 12000.5
    assert "phone" not in empty_graph.read("MATCH (c:Customer {id: 'C2'}) RETURN c")[0]["c"], (
        "empty optional cells are not stored"
    )
    rows = empty_graph.read(
        "MATCH (:Employee {id: 'E1'})-[r:INTERACTED {id: 'I4'}]->(:Customer {id: 'C1'}) RETURN r.at AS at"
    )
    assert rows[0]["at"].to_native().isoformat() == "2026-09-20T13:00:00+00:00"


def test_loading_twice_changes_nothing(empty_graph: Graph) -> None:
    tiny = TEST_DATA / "tiny"
    load_directory(empty_graph, tiny)
    snapshot = empty_graph.read(EVERYTHING)
    load_directory(empty_graph, tiny)
    again = empty_graph.read(EVERYTHING)
    assert repr(again) == repr(snapshot)
    assert database_counts(empty_graph) == expected_counts(tiny)


def test_wipe_replaces_the_graph(managed_graph: Graph, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "customers.csv").write_text("id,name\nZ1,Only One\n")
    load_directory(managed_graph, TEST_DATA / "tiny")
    load_directory(managed_graph, other, wipe_first=True)
    assert managed_graph.read("MATCH (n) RETURN collect(n.id) AS ids") == [{"ids": ["Z1"]}]
    assert not (managed_graph.settings.home / restore_point.FOLDER).exists()


def test_wipe_does_not_happen_when_validation_fails(managed_graph: Graph, tmp_path: Path) -> None:
    load_directory(managed_graph, TEST_DATA / "tiny")
    before = fingerprint(managed_graph)
    pid = server.running_pid(server.ServerHome(managed_graph.settings.home))
    bad = tmp_path / "bad"
    shutil.copytree(TEST_DATA / "tiny", bad)
    with (bad / "customers.csv").open("a") as handle:
        handle.write("C1,Duplicate,,,,,,,,\n")
    with pytest.raises(ValidationFailed):
        load_directory(managed_graph, bad, wipe_first=True)
    assert fingerprint(managed_graph) == before
    assert server.running_pid(server.ServerHome(managed_graph.settings.home)) == pid, "no restart either"


def test_server_killed_during_a_wipe_load_gets_the_previous_graph_back(managed_graph: Graph) -> None:
    load_directory(managed_graph, TEST_DATA / "tiny")
    before = fingerprint(managed_graph)
    home = server.ServerHome(managed_graph.settings.home)
    killed: list[int] = []

    with pytest.raises(LoadInterrupted) as interrupted:
        load_directory(
            managed_graph,
            SAMPLE_DATA,
            wipe_first=True,
            batch_size=50,
            progress=kill_at_first_batch(home, killed),
        )
    message = str(interrupted.value)
    assert killed, "the load never reported progress"
    assert "The Neo4j server at" in message and "stopped in the middle of the work" in message, message
    assert "The previous graph was restored" in message
    assert server.running_pid(home) not in (None, killed[0])
    assert fingerprint(managed_graph) == before
    assert not (home.root / restore_point.FOLDER).exists()


def test_wipe_keeps_the_suppression_list(
    managed_graph: Graph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GRAPHCRM_AUDIT_FILE", str(tmp_path / "audit.jsonl"))
    load_directory(managed_graph, TEST_DATA / "tiny")
    erasure.forget(managed_graph, "C1", user="dpo")
    summary = load_directory(managed_graph, TEST_DATA / "tiny", wipe_first=True)
    assert summary.withheld.ids == ("C1",)
    assert managed_graph.read("MATCH (n) WHERE n.id = 'C1' RETURN labels(n) AS l, n.erased_by AS who") == [
        {"l": ["Suppressed"], "who": "dpo"}
    ], "the erased person stays out of the new graph, and the record of who erased them stays"


def test_schema_gives_unique_ids_and_name_indexes(sample_graph: Graph) -> None:
    constraints = {r["name"] for r in sample_graph.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"customer_id", "company_id", "employee_id", "partner_id"} <= constraints
    indexes = {r["name"] for r in sample_graph.read("SHOW INDEXES YIELD name RETURN name")}
    assert {"customer_name", "company_name", "node_search"} <= indexes


def test_cli_load_prints_a_summary(empty_graph: Graph, neo4j_env: dict[str, str]) -> None:
    done = subprocess.run(
        ["graphcrm", "load", str(TEST_DATA / "tiny")],
        env=neo4j_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "rows/s" in done.stdout
    summary = dict(line.split() for line in done.stdout.splitlines()[1:])
    assert summary["Customer"] == "4" and summary["REFERRED"] == "3" and summary["INTERACTED"] == "4"


def rewrite(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_blank_cells_clear_what_an_earlier_import_stored(empty_graph: Graph, tmp_path: Path) -> None:
    load_directory(empty_graph, TEST_DATA / "tiny")
    empty_graph.write("MATCH (c:Customer {id: 'C1'}) SET c.influence = 0.5, c.community = 3")
    again = tmp_path / "again"
    shutil.copytree(TEST_DATA / "tiny", again)
    rewrite(again, "customers.csv", "ada@example.com,+44 20 7946 0001", ",+44 20 7946 0001")
    rewrite(again, "customers.csv", "commitment,true,2021-03-01", "commitment,,2021-03-01")
    rewrite(again, "relationships.csv", "C2,C4,KNOWS,2021-01-01,,,friend,0.7,", "C2,C4,KNOWS,,,,friend,,")
    rewrite(again, "interactions.csv", "meeting,0.8,quarterly review", "meeting,,")
    rewrite(again, "partners.csv", "telecom,2019-04-01", ",")
    load_directory(empty_graph, again)

    ada = empty_graph.read(
        "MATCH (c:Customer {id: 'C1'}) RETURN c.email AS email, c.marketing_consent AS consent, "
        "c.phone AS phone, c.influence AS influence, c.community AS community"
    )
    assert ada == [
        {"email": None, "consent": None, "phone": "+44 20 7946 0001", "influence": 0.5, "community": 3}
    ], "blank cells clear; analytics' scores stay"
    knows = empty_graph.read(
        "MATCH (:Customer {id: 'C2'})-[r:KNOWS]->(:Customer {id: 'C4'}) RETURN properties(r) AS p"
    )
    assert knows == [{"p": {"relation": "friend"}}]
    touch = empty_graph.read("MATCH ()-[r:INTERACTED {id: 'I1'}]->() RETURN keys(r) AS k")
    assert sorted(touch[0]["k"]) == ["at", "channel", "id"]
    partner = empty_graph.read("MATCH (p:Partner {id: 'P1'}) RETURN keys(p) AS k")
    assert sorted(partner[0]["k"]) == ["id", "name"]


def test_a_column_left_out_clears_it_too(empty_graph: Graph, tmp_path: Path) -> None:
    load_directory(empty_graph, TEST_DATA / "tiny")
    again = tmp_path / "again"
    again.mkdir()
    (again / "customers.csv").write_text("id,name,email\nC1,Ada Lovelace,ada@example.com\n")
    load_directory(empty_graph, again)
    ada = empty_graph.read("MATCH (c:Customer {id: 'C1'}) RETURN properties(c) AS p")
    assert ada == [{"p": {"id": "C1", "name": "Ada Lovelace", "email": "ada@example.com"}}], (
        "consent is never true unless the current file says so"
    )


def test_server_out_of_memory_is_named_in_one_sentence(managed_graph: Graph) -> None:
    with pytest.raises(DatabaseError) as failed:
        managed_graph.run_autocommit("UNWIND range(1, 100000000) AS x WITH collect(x) AS xs RETURN size(xs)")
    assert str(failed.value).startswith(f"The Neo4j server at {managed_graph.settings.uri} ran out of memory")
    assert "MemoryPoolOutOfMemoryError" in str(failed.value)
    assert managed_graph.read("RETURN 1 AS one") == [{"one": 1}], "the server survives it"


def test_cli_reports_a_date_out_of_range_as_file_line(
    empty_graph: Graph, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    directory = tmp_path / "data"
    shutil.copytree(TEST_DATA / "tiny", directory)
    rewrite(directory, "interactions.csv", "2026-10-01T10:00:00Z", "9999-12-31T23:59:59-14:00")
    done = subprocess.run(
        ["graphcrm", "load", str(directory)], env=neo4j_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "interactions.csv:2: at: '9999-12-31T23:59:59-14:00' falls outside years 1-9999 once converted "
        "to UTC",
        f"graphcrm: 1 error(s) in {directory}; nothing was loaded.",
    ]
