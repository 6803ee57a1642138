"""Every import-contract rule with a malformed file of its own: the error names file, line and
reason, and the database is left exactly as it was."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from graphcrm.db import Graph
from graphcrm.ingest.loader import load_directory
from graphcrm.ingest.validate import MAX_ISSUES, ValidationFailed, read_directory

from .conftest import TEST_DATA

TINY = TEST_DATA / "tiny"


def fingerprint(graph: Graph) -> tuple:
    """Everything in the database: every node and relationship with all properties."""
    nodes = graph.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id")
    rels = graph.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
        "ORDER BY a, t, b, r.id"
    )
    return (repr(nodes), repr(rels))


def copy_tiny(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(TINY, target)
    return target


def append(file: str, text: str) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        with (directory / file).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return mutate


def replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        path = directory / file
        content = path.read_text(encoding="utf-8")
        assert old in content, f"fixture changed: {old!r} not in {file}"
        path.write_text(content.replace(old, new, 1), encoding="utf-8")

    return mutate


def write_bytes(file: str, data: bytes) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        with (directory / file).open("ab") as handle:
            handle.write(data)

    return mutate


# (rule, mutation, expected "file:line: reason" fragment)
CASES = [
    (
        "missing required column",
        replace("customers.csv", "id,name,", "id,"),
        "customers.csv:1: missing required column(s): name",
    ),
    (
        "missing rel column",
        replace("relationships.csv", "source,target,type", "source,target,kind"),
        "relationships.csv:1: missing required column(s): type",
    ),
    ("empty id", append("customers.csv", ",Nobody,,,,,,,,,\n"), "customers.csv:6: empty id"),
    ("empty name", append("customers.csv", "C9,,,,,,,,,,\n"), "customers.csv:6: empty name"),
    (
        "duplicate id in file",
        append("customers.csv", "C2,Again,,,,,,,,,\n"),
        "customers.csv:6: duplicate id 'C2' (first at customers.csv:3)",
    ),
    (
        "duplicate id across files",
        append("partners.csv", "C1,Clash,bank,2020-01-01\n"),
        "partners.csv:3: duplicate id 'C1' (first at customers.csv:2)",
    ),
    (
        "unknown endpoint",
        append("relationships.csv", "C1,C404,KNOWS,,,,friend,0.5,\n"),
        "relationships.csv:13: target 'C404' is not a known id",
    ),
    (
        "wrong endpoint label",
        append("relationships.csv", "C1,CO1,KNOWS,,,,friend,0.5,\n"),
        "relationships.csv:13: target 'CO1' is a Company, expected Customer",
    ),
    (
        "wrong source label",
        append("relationships.csv", "CO1,C1,MANAGES,,,,,,\n"),
        "relationships.csv:13: source 'CO1' is a Company, expected Employee",
    ),
    (
        "unknown type",
        append("relationships.csv", "C1,C4,LIKES,,,,,,\n"),
        "relationships.csv:13: unknown relationship type 'LIKES'",
    ),
    (
        "interacted in relationships",
        append("relationships.csv", "E1,C1,INTERACTED,,,,,,\n"),
        "touch points belong in interactions.csv",
    ),
    (
        "self loop",
        append("relationships.csv", "C1,C1,KNOWS,,,,,,\n"),
        "relationships.csv:13: source and target are the same id 'C1'",
    ),
    (
        "duplicate relationship",
        append("relationships.csv", "C1,C2,REFERRED,2022-05-02,false,,,,\n"),
        "relationships.csv:13: duplicate REFERRED from 'C1' to 'C2' (first at line 2)",
    ),
    (
        "bad date",
        replace("customers.csv", "2021-03-01", "01/03/2021"),
        "customers.csv:2: joined_on: '01/03/2021' is not an ISO 8601 date",
    ),
    (
        "bad datetime",
        replace("interactions.csv", "2025-01-15", "yesterday"),
        "interactions.csv:4: at: 'yesterday' is not an ISO 8601 date-time",
    ),
    (
        "bad boolean",
        replace("customers.csv", "commitment,true", "commitment,yes"),
        "customers.csv:2: marketing_consent: 'yes' is not a boolean",
    ),
    (
        "bad number",
        replace("companies.csv", "250000", "lots"),
        "companies.csv:2: annual_value: 'lots' is not a number",
    ),
    (
        "negative value",
        replace("customers.csv", "12000.5", "-5"),
        "customers.csv:2: lifetime_value: -5 is negative",
    ),
    (
        "strength out of range",
        replace("relationships.csv", "friend,0.7", "friend,1.7"),
        "relationships.csv:4: strength: 1.7 is above 1",
    ),
    (
        "unknown stage",
        replace("companies.csv", "expansion", "growing"),
        "companies.csv:3: stage: 'growing' is not one of exploration",
    ),
    (
        "unknown channel",
        replace("interactions.csv", "meeting", "carrier pigeon"),
        "interactions.csv:2: channel: 'carrier pigeon' is not one of call",
    ),
    ("non-utf8", write_bytes("employees.csv", b"E3,Gr\xe9ta,,,\n"), "employees.csv:4: not UTF-8 (byte 0xe9"),
    (
        "ragged row",
        append("companies.csv", "CO3,Short Row\n"),
        "companies.csv:4: has 2 fields, the header has 7",
    ),
    (
        "unknown interaction party",
        append("interactions.csv", "I5,E1,C404,2026-01-01,call,,\n"),
        "interactions.csv:6: party 'C404' is not a known id",
    ),
    (
        "interaction from non-employee",
        append("interactions.csv", "I5,C1,C2,2026-01-01,call,,\n"),
        "interactions.csv:6: employee 'C1' is a Customer, expected Employee",
    ),
    (
        "duplicate interaction id",
        append("interactions.csv", "I1,E1,C1,2026-01-01,call,,\n"),
        "interactions.csv:6: duplicate interaction id 'I1' (first at line 2)",
    ),
    (
        "sentiment out of range",
        replace("interactions.csv", "0.8,quarterly", "-1.5,quarterly"),
        "interactions.csv:2: sentiment: -1.5 is below -1",
    ),
    ("empty file", lambda d: (d / "partners.csv").write_text(""), "partners.csv:1: the file is empty"),
    (
        "duplicate column",
        replace("employees.csv", "id,name,email,role,region", "id,name,email,role,role"),
        "employees.csv:1: column 'role' appears twice",
    ),
]


@pytest.mark.parametrize(("rule", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_reports_file_line_reason_and_leaves_database_unchanged(
    empty_graph: Graph, tmp_path: Path, rule: str, mutate: Callable[[Path], None], expected: str
) -> None:
    load_directory(empty_graph, TINY)
    before = fingerprint(empty_graph)
    directory = copy_tiny(tmp_path)
    mutate(directory)
    with pytest.raises(ValidationFailed) as failed:
        load_directory(empty_graph, directory)
    messages = [str(issue) for issue in failed.value.issues]
    assert any(expected in m for m in messages), messages
    assert fingerprint(empty_graph) == before


def test_wipe_does_not_happen_when_validation_fails(empty_graph: Graph, tmp_path: Path) -> None:
    load_directory(empty_graph, TINY)
    before = fingerprint(empty_graph)
    directory = copy_tiny(tmp_path)
    append("customers.csv", "C1,Duplicate,,,,,,,,,\n")(directory)
    with pytest.raises(ValidationFailed):
        load_directory(empty_graph, directory, wipe_first=True)
    assert fingerprint(empty_graph) == before


def test_every_bad_row_is_reported_up_to_the_cap(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    bad_rows = "".join(f"X{i},Bad {i},,,,growing,,,,,\n" for i in range(MAX_ISSUES + 20))
    append("customers.csv", bad_rows)(directory)
    with pytest.raises(ValidationFailed) as failed:
        read_directory(directory)
    assert len(failed.value.issues) == MAX_ISSUES
    assert failed.value.total == MAX_ISSUES + 20
    assert str(failed.value.issues[0]) == "customers.csv:6: stage: 'growing' is not one of " + ", ".join(
        ("exploration", "awareness", "expansion", "commitment", "dissolution")
    )


def test_endpoint_may_be_a_node_already_in_the_database(empty_graph: Graph, tmp_path: Path) -> None:
    load_directory(empty_graph, TINY)
    directory = tmp_path / "more"
    directory.mkdir()
    (directory / "customers.csv").write_text("id,name\nC10,New Customer\n")
    (directory / "relationships.csv").write_text("source,target,type\nC1,C10,REFERRED\n")
    load_directory(empty_graph, directory)
    rows = empty_graph.read(
        "MATCH (:Customer {id: 'C1'})-[:REFERRED]->(c:Customer {id: 'C10'}) RETURN c.name AS n"
    )
    assert rows == [{"n": "New Customer"}]


def test_id_clashing_with_another_label_in_the_database(empty_graph: Graph, tmp_path: Path) -> None:
    load_directory(empty_graph, TINY)
    before = fingerprint(empty_graph)
    directory = tmp_path / "clash"
    directory.mkdir()
    (directory / "partners.csv").write_text("id,name\nCO1,Partner with a company's id\n")
    with pytest.raises(ValidationFailed) as failed:
        load_directory(empty_graph, directory)
    assert [str(i) for i in failed.value.issues] == [
        "partners.csv:2: id 'CO1' already exists in the database as a Company"
    ]
    assert fingerprint(empty_graph) == before


def test_cli_prints_each_error_and_exits_non_zero(
    empty_graph: Graph, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    directory = copy_tiny(tmp_path)
    append("relationships.csv", "C1,C404,KNOWS,,,,,,\nC1,C4,LIKES,,,,,,\n")(directory)
    done = subprocess.run(
        ["graphcrm", "load", str(directory)], env=neo4j_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "relationships.csv:13: target 'C404' is not a known id",
        "relationships.csv:14: unknown relationship type 'LIKES'",
        f"graphcrm: 2 error(s) in {directory}; nothing was loaded.",
    ]
    assert "Traceback" not in done.stderr
    assert empty_graph.read("MATCH (n) RETURN count(n) AS c") == [{"c": 0}]


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="is not a directory"):
        read_directory(tmp_path / "missing")
