"""The read-only runner: refusals that leave the database as it was, limits, typed parameters,
rendering, and the `graphcrm query` / `graphcrm cypher` commands as a user runs them."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import socket
import subprocess
import time
from datetime import date
from typing import Any

import pytest

from graphcrm import console
from graphcrm.db import DatabaseError, Graph
from graphcrm.explore import MASK

from .test_queries import nodes


def fingerprint(graph: Graph) -> dict[str, Any]:
    """Counts and a digest of every node, relationship, index, constraint and user."""
    node_rows = graph.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rel_rows = graph.read("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p")
    digest = hashlib.sha256()
    for text in sorted(repr(sorted(row.items())) for row in node_rows + rel_rows):
        digest.update(text.encode())
    system = Graph(dataclasses.replace(graph.settings, database="system"))
    return {
        "nodes": len(node_rows),
        "relationships": len(rel_rows),
        "digest": digest.hexdigest(),
        "indexes": graph.read("SHOW INDEXES YIELD name, state RETURN name, state ORDER BY name"),
        "constraints": graph.read("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name"),
        "users": system.read("SHOW USERS YIELD user, passwordChangeRequired RETURN * ORDER BY user"),
    }


@pytest.fixture()
def guarded(sample_graph: Graph) -> Any:
    """sample_data/ loaded; the test fails if the database differs afterwards."""
    before = fingerprint(sample_graph)
    yield sample_graph
    assert fingerprint(sample_graph) == before, "the database changed"


REFUSED = {
    "create": "CREATE (n:Customer {id: 'X1', name: 'Mallory'}) RETURN n",
    "merge": "MERGE (n:Customer {id: 'X2'}) RETURN n",
    "set": "MATCH (c:Customer) SET c.name = 'hacked' RETURN count(c)",
    "delete": "MATCH ()-[r:KNOWS]->() DELETE r",
    "detach_delete": "MATCH (n) DETACH DELETE n",
    "remove": "MATCH (c:Customer) REMOVE c.email RETURN count(c)",
    "foreach": "MATCH (c:Customer) WITH collect(c) AS cs FOREACH (c IN cs | SET c.flag = true)",
    "call_subquery_write": "MATCH (c:Customer) CALL (c) { CREATE (:Customer {id: 'X' + c.id}) } RETURN 1",
    "in_transactions": "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS",
    "create_index": "CREATE INDEX sneaky FOR (n:Customer) ON (n.city)",
    "create_constraint": "CREATE CONSTRAINT sneaky FOR (n:Customer) REQUIRE n.email IS UNIQUE",
    "drop_index": "DROP INDEX customer_name",
    "create_user": "CREATE USER mallory SET PASSWORD 'secret-password-1'",
    "alter_user": "ALTER USER neo4j SET PASSWORD 'changed-password-1'",
    "show_users": "SHOW USERS",
    "create_database": "CREATE DATABASE other",
    "show_settings": "SHOW SETTINGS",
    "terminate_transactions": "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "load_csv": "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load_csv_in_subquery": "CALL () { LOAD CSV FROM 'file:///etc/hosts' AS row RETURN row } RETURN row",
    "list_config": "CALL dbms.listConfig()",
    "create_label": "CALL db.createLabel('Evil')",
    "clear_caches": "CALL db.clearQueryCaches()",
    "set_metadata": "CALL tx.setMetaData({who: 'mallory'})",
    "allowed_then_disallowed": "CALL db.labels() YIELD label CALL dbms.listConfig() YIELD name RETURN *",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_refused_and_database_unchanged(guarded: Graph, text: str) -> None:
    # Community edition cannot even plan CREATE DATABASE; the server's refusal is the answer there.
    expected = DatabaseError if text == REFUSED["create_database"] else console.QueryRefused
    with pytest.raises(expected) as caught:
        console.run_query(guarded, text)
    message = str(caught.value)
    assert message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (REFUSED["create"], "writes to the database"),
        (REFUSED["create_index"], "schema"),
        (REFUSED["create_user"], "(?i)administration"),
        (REFUSED["load_csv"], "LOAD CSV"),
        (REFUSED["list_config"], "dbms.listConfig"),
        (REFUSED["show_settings"], "ShowSettings"),
    ],
)
def test_refusals_say_why(guarded: Graph, text: str, words: str) -> None:
    with pytest.raises(console.QueryRefused, match=words):
        console.run_query(guarded, text)


def test_the_server_refuses_writes_even_without_the_plan_check(
    guarded: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "check_plan", lambda query_type, plan: None)
    with pytest.raises(DatabaseError, match="read access mode"):
        console.run_query(guarded, "MATCH (n) DETACH DELETE n")


def test_time_limit(guarded: Graph) -> None:
    started = time.perf_counter()
    with pytest.raises(console.QueryTimedOut, match="1 s time limit"):
        console.run_query(
            guarded, "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*)", timeout=1
        )
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "value", ["x'}) DETACH DELETE n //", "C000001' OR 1=1 //", 'x"}) MATCH (n) DETACH DELETE n RETURN 1 //']
)
def test_injection_through_a_parameter_is_a_plain_string(guarded: Graph, value: str) -> None:
    assert console.run_canned(guarded, "customer_360", {"id": value}).rows == []
    result = console.run_query(
        guarded, "MATCH (c:Customer) WHERE c.name = $name RETURN c.id", {"name": value}
    )
    assert result.rows == []
    echoed = console.run_query(guarded, "RETURN $name AS name", {"name": value})
    assert echoed.rows == [[value]]


def test_allowed_procedures_and_schema_listings_run(guarded: Graph) -> None:
    labels = console.run_query(guarded, "CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert {"Company", "Customer", "Employee", "Partner"} <= set(labels.column("label"))
    version = console.run_query(guarded, "CALL dbms.components() YIELD edition RETURN edition")
    assert version.rows == [["community"]]
    assert console.run_query(guarded, "CALL db.schema.visualization()").rows
    indexes = console.run_query(guarded, "SHOW INDEXES YIELD name RETURN name")
    assert "customer_name" in indexes.column("name")


def test_row_cap_says_when_the_result_was_cut(guarded: Graph) -> None:
    customers = sum(1 for row in nodes().values() if row["_label"] == "Customer")
    text = "MATCH (c:Customer) RETURN c.id AS id ORDER BY id"
    cut = console.run_query(guarded, text, max_rows=10)
    assert (
        len(cut.rows) == 10 and cut.truncated and "cut at the limit of 10 rows" in console.summary_line(cut)
    )
    assert cut.column("id") == sorted(n for n, r in nodes().items() if r["_label"] == "Customer")[:10]
    exact = console.run_query(guarded, text, max_rows=customers)
    assert len(exact.rows) == customers and not exact.truncated
    assert console.run_query(guarded, text, max_rows=customers - 1).truncated


def test_server_errors_are_one_sentence(guarded: Graph) -> None:
    with pytest.raises(DatabaseError, match="syntax") as syntax:
        console.run_query(guarded, "MATCH (n RETURN n")
    assert "\n" not in str(syntax.value)
    with pytest.raises(DatabaseError, match="name"):
        console.run_query(guarded, "MATCH (c:Customer {name: $name}) RETURN c")


def test_nodes_relationships_and_paths_render_as_readable_maps(guarded: Graph) -> None:
    result = console.run_query(
        guarded,
        "MATCH p = (c:Customer {id: 'C000001'})-[r:KNOWS]-(k) "
        "RETURN c, r, p, c.joined_on AS joined ORDER BY k.id LIMIT 1",
    )
    c, r, p, joined = result.rows[0]
    row = nodes()["C000001"]
    assert c["_labels"] == ["Customer"] and c["id"] == "C000001" and c["name"] == row["name"]
    assert all(c.get(k, MASK) == MASK for k in ("email", "phone")), "personal data is masked unless asked for"
    assert c["joined_on"] == row["joined_on"] == joined
    assert r["_type"] == "KNOWS" and "C000001" in (r["_start"], r["_end"]) and r["since"]
    assert len(p) == 3 and p[1] == r
    assert {n.id for n in result.nodes} == {r["_start"], r["_end"]}
    assert [x.type for x in result.relationships] == ["KNOWS"]
    json.dumps(result.records())
    personal = console.run_query(guarded, "MATCH (c:Customer {id: 'C000002'}) RETURN c", personal=True)
    assert personal.rows[0][0]["email"] == nodes()["C000002"]["email"]


def test_csv_and_json_output() -> None:
    result = console.QueryResult(
        columns=["id", "tags", "ok", "none"], rows=[["C1", ["a", "b"], True, None], ["C,2", [], False, 1.5]]
    )
    parsed = list(csv.reader(io.StringIO(console.render(result, "csv"))))
    assert parsed == [
        ["id", "tags", "ok", "none"],
        ["C1", '["a","b"]', "true", ""],
        ["C,2", "[]", "false", "1.5"],
    ]
    document = json.loads(console.render(result, "json"))
    assert document["rows"][0] == {"id": "C1", "tags": ["a", "b"], "ok": True, "none": None}
    assert document["truncated"] is False
    table = console.render(result, "table").splitlines()
    assert table[0].split() == ["id", "tags", "ok", "none"] and len(table) == 4


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("10", "integer", 10),
        ("2500.5", "float", 2500.5),
        ("true", "boolean", True),
        ("no", "boolean", False),
        ("2026-11-01", "date", date(2026, 11, 1)),
        ('["C1","C2"]', "list", ["C1", "C2"]),
        ("KNOWS, WORKS_AT", "list", ["KNOWS", "WORKS_AT"]),
        ("Ada", "string", "Ada"),
        ("null", "integer", None),
        ("10", "string", "10"),
    ],
)
def test_declared_parameter_types(raw: str, kind: str, expected: Any) -> None:
    assert console.typed_value(raw, kind, "p") == expected


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("ten", "integer"), ("1,5", "float"), ("maybe", "boolean"), ("01/11/2026", "date"), ("[1,", "list")],
)
def test_bad_parameter_values_are_one_sentence(raw: str, kind: str) -> None:
    with pytest.raises(console.ParameterError, match=re.escape(f"p={raw!r} is not")):
        console.typed_value(raw, kind, "p")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10", 10),
        ("-3", -3),
        ("2.5", 2.5),
        ("true", True),
        ("null", None),
        ('["C1", 2]', ["C1", 2]),
        ('{"a": 1}', {"a": 1}),
        ("Ada", "Ada"),
        ("[not json", "[not json"),
        ("C000001", "C000001"),
    ],
)
def test_ad_hoc_parameters_are_inferred(raw: str, expected: Any) -> None:
    assert console.infer_value(raw) == expected


def test_canned_parameters_are_checked_before_running() -> None:
    query = console.canned("referral_chain")
    assert console.bind(query, {"id": "C1"}) == {"id": "C1", "hops": 3}
    assert console.bind(query, {"id": "C1", "hops": "5"})["hops"] == 5
    with pytest.raises(console.ParameterError, match="needs the parameter id"):
        console.bind(query, {})
    with pytest.raises(console.ParameterError, match="has no parameter depth"):
        console.bind(query, {"id": "C1", "depth": "2"})
    with pytest.raises(console.UnknownQuery, match="Did you mean .*referral_chain"):
        console.canned("referral")
    with pytest.raises(console.ParameterError, match="name=value"):
        console.parse_assignments(["limit"])
    assert console.parse_assignments(["name=a=b"]) == {"name": "a=b"}


# --- the command line ---------------------------------------------------------------------------


def graphcrm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["graphcrm", *args], env=env, capture_output=True, text=True, timeout=120)


def assert_one_sentence(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graphcrm: "), done.stderr
    for word in words:
        assert word in lines[0]


def test_cli_lists_the_library(neo4j_env: dict[str, str]) -> None:
    done = graphcrm(neo4j_env, "query", "--list")
    assert done.returncode == 0
    for name in ("customer_360", "referral_chain", "stale_relationships", "shortest_path"):
        assert f"\n{name}\n" in f"\n{done.stdout}"
    assert "-p hops=<integer>  (default 3)" in done.stdout
    assert "-p id=<string>  (required)" in done.stdout


def test_cli_canned_query_as_csv_and_json(sample_graph: Graph, neo4j_env: dict[str, str]) -> None:
    done = graphcrm(neo4j_env, "query", "lifecycle_funnel", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    customers = [r["stage"] for r in rows if r["label"] == "Customer"]
    assert rows[0]["label"] == "Customer" and customers == [
        "exploration",
        "awareness",
        "expansion",
        "commitment",
        "dissolution",
    ]
    done = graphcrm(neo4j_env, "query", "top_referrers", "-p", "limit=3", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert len(document["rows"]) == 3 and document["truncated"] is False
    table = graphcrm(neo4j_env, "query", "partner_referrals")
    partners = sum(1 for r in nodes().values() if r["_label"] == "Partner")
    assert table.returncode == 0 and f"{partners} rows in" in table.stdout
    shown = graphcrm(neo4j_env, "query", "referral_chain", "--show")
    assert "MATCH" in shown.stdout and "$hops" in shown.stdout


def test_cli_ad_hoc_query_with_typed_parameters_and_a_cap(
    sample_graph: Graph, neo4j_env: dict[str, str]
) -> None:
    done = graphcrm(
        neo4j_env,
        "cypher",
        "MATCH (c:Customer) WHERE c.id IN $ids RETURN c.id AS id, $n + 1 AS n ORDER BY id",
        "-p",
        'ids=["C000001","C000002"]',
        "-p",
        "n=41",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == [{"id": "C000001", "n": 42}, {"id": "C000002", "n": 42}]
    capped = graphcrm(
        neo4j_env, "cypher", "MATCH (c:Customer) RETURN c.id", "--limit", "5", "--format", "csv"
    )
    assert capped.returncode == 0 and len(capped.stdout.splitlines()) == 6
    assert "cut at the limit of 5 rows" in capped.stderr


def test_cli_refuses_a_write_in_one_sentence(guarded: Graph, neo4j_env: dict[str, str]) -> None:
    assert_one_sentence(graphcrm(neo4j_env, "cypher", "MATCH (n) DETACH DELETE n"), "Only read queries")
    assert_one_sentence(
        graphcrm(neo4j_env, "cypher", "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r"), "LOAD CSV"
    )
    injected = graphcrm(neo4j_env, "query", "customer_360", "-p", "id=x'}) DETACH DELETE n //")
    assert injected.returncode == 0 and "0 rows" in injected.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("query", "no_such_query"), ("no canned query",)),
        (("query", "referral_chain", "-p", "hops"), ("name=value",)),
        (("query", "referral_chain", "-p", "id=C000001", "-p", "hops=ten"), ("hops='ten'",)),
        (("query", "referral_chain"), ("needs the parameter id",)),
        (("query", "referral_chain", "-p", "id=C1", "-p", "depth=2"), ("no parameter depth",)),
        (("cypher", "MATCH (n RETURN n"), ("syntax",)),
        (("query",), ("graphcrm query --list",)),
    ],
)
def test_cli_mistakes_are_one_sentence(
    neo4j_env: dict[str, str], args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    assert_one_sentence(graphcrm(neo4j_env, *args), *words)


def test_cli_unreachable_database_is_one_sentence(neo4j_env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**neo4j_env, "NEO4J_URI": f"bolt://127.0.0.1:{port}"}
    assert_one_sentence(graphcrm(env, "query", "lifecycle_funnel"), "Cannot reach Neo4j")
