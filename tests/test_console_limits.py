"""The console's limits and personal data, as an attacker tries them: ways around the masking,
queries the server does not stop at its timeout, a memory bomb, and limits out of range."""

from __future__ import annotations

import json
import time
from typing import Any

import neo4j
import pytest
from neo4j._sync.work.transaction import TransactionBase

from graphcrm import cli, console
from graphcrm.db import CLIENT_GRACE_S, Graph
from graphcrm.errors import InputError, QueryRefused, QueryTimedOut, QueryTooLarge
from graphcrm.explore import MASK

from .conftest import SAMPLE_DATA
from .test_load import csv_rows

PERSONAL_VALUES = sorted(
    {
        row[key]
        for file in ("customers.csv", "employees.csv")
        for row in csv_rows(SAMPLE_DATA / file)
        for key in ("email", "phone")
        if row.get(key)
    }
)
WITH_EMAIL = next(row for row in csv_rows(SAMPLE_DATA / "customers.csv") if row["email"] and row["phone"])

# Each reads email or phone without `personal`; every one must be refused before it runs.
BYPASSES = {
    "property": "MATCH (c:Customer) RETURN c.email AS x",
    "properties_function": "MATCH (c:Customer) RETURN properties(c) AS p",
    "all_properties_projection": "MATCH (c:Customer) RETURN c{.*} AS p",
    "key_projection": "MATCH (c:Customer) RETURN c{.email} AS p",
    "renamed_projection": "MATCH (c:Customer) RETURN c{.name, contact: c.phone} AS p",
    "keys_comprehension": "MATCH (c:Customer) RETURN [k IN keys(c) | c[k]] AS v",
    "keys_unwind": "MATCH (c:Customer) UNWIND keys(c) AS k RETURN c[k] AS v",
    "keys_reduce": "MATCH (c:Customer) RETURN reduce(s = '', k IN keys(c) | s + toString(c[k])) AS v",
    "concatenated_key": "MATCH (c:Customer) RETURN c['em' + 'ail'] AS v",
    "computed_key": "MATCH (c:Customer) WITH c, toLower('PHONE') AS k RETURN c[k] AS v",
    "parameter_key": "MATCH (c:Customer) RETURN c[$key] AS v",
    "literal_key_on_keyword_variable": "MATCH (c:Customer) WITH c AS where RETURN where['email'] AS v",
    "literal_key_in_list": "MATCH (c:Customer) WITH c AS return RETURN [return['phone']] AS v",
    "collect": "MATCH (c:Customer) RETURN collect(c.email) AS v",
    "unicode_escaped_name": "MATCH (c:Customer) RETURN c.`em\\u0061il` AS v",
    "comment_in_between": "MATCH (c:Customer) RETURN c./* hidden */phone AS v",
    "through_a_list": "MATCH (c:Customer) RETURN [x IN [c] | x.email][0] AS v",
    "through_a_path": "MATCH p = (c:Customer)-[:KNOWS]-() RETURN [n IN nodes(p) | n.phone] AS v",
    "subquery": "MATCH (c:Customer) RETURN COLLECT { MATCH (c) RETURN c.phone } AS v",
    "filter_oracle": "MATCH (c:Customer) WHERE c.email STARTS WITH 'a' RETURN c.id AS id",
    "pattern_oracle": "MATCH (c:Customer {phone: $key}) RETURN c.id AS id",
    "map_key_from_a_map": "MATCH (c:Customer) WITH {k: 'email'} AS m, c AS cache RETURN cache[m.k] AS v",
    "user_function": "MATCH (c:Customer) RETURN apoc.map.values(c, keys(c)) AS v",
}
# Read email or phone in a way masking by key removes: they run, and no personal value comes back.
MASKED = [
    "MATCH (c:Customer) RETURN c",
    "MATCH p = (c:Customer)-[r]-(d) RETURN p, nodes(p) AS ns, relationships(p) AS rs LIMIT 300",
    "MATCH (c:Customer) RETURN {who: c, inner: {again: [c]}} AS m",
    "MATCH (c:Customer) RETURN collect(c) AS all",
    "MATCH (c:Customer)-[r]-(d) RETURN startNode(r) AS s, endNode(r) AS e LIMIT 300",
]


# Lists, indexes and keywords that look like computed keys to a careless check: they run.
ORDINARY = [
    "MATCH (c:Customer) WHERE c.city IN [c.id, c.city] RETURN c.id AS id",
    "MATCH (c:Customer) WHERE c.stage IN ['awareness', 'commitment'] RETURN count(*) AS n",
    "MATCH (c:Customer) RETURN CASE WHEN c.stage = 'x' THEN [c.name] ELSE [c.id] END AS l",
    "MATCH (c:Customer) RETURN any(x IN [c.name] WHERE x STARTS WITH 'A') AS a",
    "MATCH (c:Customer) RETURN [x IN [c.name, c.id] WHERE x IS NOT NULL | x][0] AS a",
    "MATCH (c:Customer) WITH c, [c.name, c.id] AS l RETURN l[0] AS x, l[-1] AS y, l[0..1] AS z",
    "UNWIND [[1, 2], [3]] AS l RETURN l[size(l) - 1] AS last, keys({a: 1}) AS k",
    "MATCH (c:Customer) RETURN keys(c) AS k, date(c.joined_on).year AS y",
    "MATCH (c:Customer) WHERE c.preferred_channel = 'email' RETURN count(*) AS n",
]


def text_of(result: console.QueryResult) -> str:
    """Everything a user can get out of a result: its JSON and CSV and the network's elements."""
    elements = [n.properties for n in result.nodes] + [r.properties for r in result.relationships]
    return console.render(result, "json") + console.render(result, "csv") + json.dumps(elements)


@pytest.mark.parametrize("text", BYPASSES.values(), ids=BYPASSES.keys())
def test_reading_personal_data_without_permission_is_refused(sample_graph: Graph, text: str) -> None:
    with pytest.raises(QueryRefused, match="personal data turned on") as refused:
        console.run_query(sample_graph, text, {"key": "email"})
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("text", [t for k, t in BYPASSES.items() if k != "user_function"])
def test_the_same_queries_run_with_personal_data_on(sample_graph: Graph, text: str) -> None:
    console.run_query(sample_graph, text, {"key": "email"}, personal=True, max_rows=5)


@pytest.mark.parametrize("text", MASKED)
def test_personal_values_are_masked_at_any_depth(sample_graph: Graph, text: str) -> None:
    result = console.run_query(sample_graph, text, max_rows=100_000)
    assert result.rows
    shown = text_of(result)
    assert not [value for value in PERSONAL_VALUES if value in shown]
    assert MASK in shown, "masked, not silently dropped"


def test_personal_values_are_shown_when_turned_on(sample_graph: Graph) -> None:
    result = console.run_query(
        sample_graph,
        "MATCH (c:Customer {id: $id}) RETURN {who: [c]} AS m",
        {"id": WITH_EMAIL["id"]},
        personal=True,
    )
    who = result.rows[0][0]["who"][0]
    assert (who["email"], who["phone"]) == (WITH_EMAIL["email"], WITH_EMAIL["phone"])


@pytest.mark.parametrize("text", ORDINARY)
def test_lists_and_indexes_are_not_mistaken_for_computed_keys(sample_graph: Graph, text: str) -> None:
    assert console.run_query(sample_graph, text, max_rows=5).rows


def test_indexes_by_number_return_the_right_values(sample_graph: Graph) -> None:
    result = console.run_query(
        sample_graph,
        "MATCH (c:Customer) WHERE c.preferred_channel = 'email' WITH collect(c.name) AS names "
        "RETURN names[0] AS first, names[size(names) - 1] AS last, names[1..3] AS some, [1, 2, 3][$i] AS i, "
        "keys({a: 1}) AS k",
        {"i": 1},
    )
    first, last, some, i, k = result.rows[0]
    names = [r["name"] for r in csv_rows(SAMPLE_DATA / "customers.csv") if r["preferred_channel"] == "email"]
    assert {first, last, *some} <= set(names) and i == 2 and k == ["a"]


def test_canned_query_cannot_be_asked_for_personal_data_without_permission(sample_graph: Graph) -> None:
    asked = {"id": WITH_EMAIL["id"], console.PERSONAL_PARAM: "true"}
    with pytest.raises(QueryRefused, match="personal data turned on"):
        console.run_canned(sample_graph, "account_contacts", {"id": "X"} | {console.PERSONAL_PARAM: "true"})
    with pytest.raises(QueryRefused, match="personal data turned on"):
        console.run_canned(sample_graph, "customer_360", asked)
    allowed = console.run_canned(sample_graph, "customer_360", asked, personal=True)
    neighbours = {
        r["target"] for r in csv_rows(SAMPLE_DATA / "relationships.csv") if r["source"] == WITH_EMAIL["id"]
    }
    emails = {
        r["email"] for r in csv_rows(SAMPLE_DATA / "customers.csv") if r["id"] in neighbours and r["email"]
    }
    assert emails and emails <= set(allowed.column("neighbour_email"))


def test_cli_refuses_personal_data_without_the_flag(
    sample_graph: Graph, neo4j_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for key, value in neo4j_env.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["cypher", "MATCH (c:Customer) RETURN properties(c) AS p"]) == 1
    assert "personal data turned on" in capsys.readouterr().err
    assert (
        cli.main(["query", "customer_360", "-p", f"id={WITH_EMAIL['id']}", "-p", "include_personal=true"])
        == 1
    )
    assert "personal data turned on" in capsys.readouterr().err


SLOW = {
    # One expression the server does not interrupt at its timeout (it checks between rows).
    "reduce_over_range": "RETURN reduce(s = 0, x IN range(1, 300000000) | s + x) AS n",
    "catastrophic_regex": "RETURN 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' =~ '(.*a){12}' AS m",
    # Many rows: the server checks its timeout between rows, the client deadline holds regardless.
    "many_rows": "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS n",
}


@pytest.mark.parametrize("text", SLOW.values(), ids=SLOW.keys())
def test_time_limit_holds_for_every_kind_of_slow_query(sample_graph: Graph, text: str) -> None:
    limit, margin = 1.0, 2.0
    started = time.monotonic()
    with pytest.raises(QueryTimedOut, match="1 s time limit"):
        console.run_query(sample_graph, text, timeout=limit)
    assert time.monotonic() - started < limit + CLIENT_GRACE_S + margin


def test_memory_bomb_runs_once_and_names_the_limit(
    sample_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    setting = sample_graph.read("SHOW SETTINGS YIELD name, value WHERE name = 'db.memory.transaction.max'")
    limit_mib = float(setting[0]["value"].removesuffix("MiB")) if "MiB" in setting[0]["value"] else None
    limit_mib = limit_mib or int(setting[0]["value"]) / 2**20
    bomb = "UNWIND range(1, 10000000) AS x RETURN size(collect(toString(x) + $pad)) AS n"
    sent: list[str] = []
    original = TransactionBase.run

    def counting_run(
        self: TransactionBase, query: str, parameters: Any = None, **kwargs: Any
    ) -> neo4j.Result:
        sent.append(query)
        return original(self, query, parameters, **kwargs)

    monkeypatch.setattr(TransactionBase, "run", counting_run)
    with pytest.raises(QueryTooLarge, match=rf"the limit of {limit_mib:g} MiB per query") as caught:
        console.run_query(sample_graph, bomb, {"pad": "x" * 1000}, timeout=60)
    assert "\n" not in str(caught.value)
    assert sent.count(bomb) == 1, "a query that ran the server out of memory must not be retried"


@pytest.mark.parametrize(
    ("timeout", "max_rows"),
    [(float("inf"), 10), (float("nan"), 10), (1e300, 10), (-1.0, 10), (0, 10), (301, 10), (True, 10)]
    + [(5.0, 10**12), (5.0, -5), (5.0, 0), (5.0, 100_001), (5.0, 2.5)],
)
def test_limits_out_of_range_are_one_sentence(timeout: Any, max_rows: Any) -> None:
    with pytest.raises(InputError, match=r"^The (time|row) limit must be [^\n]*\.$"):
        console.check_limits(timeout, max_rows)


@pytest.mark.parametrize(
    "option",
    [["--timeout", "inf"], ["--timeout", "nan"], ["--timeout", "1e300"], ["--timeout", "-1"]]
    + [["--timeout", "0"], ["--limit", "99999999999999999999"], ["--limit", "-3"], ["--limit", "0"]],
)
def test_cli_limits_out_of_range_are_one_sentence(option: list[str], capsys: Any) -> None:
    assert cli.main(["cypher", "RETURN 1", *option]) == 1
    err = capsys.readouterr().err
    assert err.startswith("graphcrm: The ") and "limit must be" in err and err.count("\n") == 1


def test_limits_at_the_edges_are_accepted(sample_graph: Graph) -> None:
    result = console.run_query(
        sample_graph, "UNWIND range(1, 3) AS x RETURN x", timeout=console.MAX_TIMEOUT, max_rows=1
    )
    assert result.rows == [[1]] and result.truncated
    assert console.run_query(
        sample_graph, "RETURN 1 AS one", timeout=0.5, max_rows=console.MAX_ROWS
    ).rows == [[1]]
