"""Every import-contract rule with a malformed file of its own: the error names file, line and
reason, and the database is left exactly as it was."""

from __future__ import annotations

import shutil
import subprocess
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphcrm.db import Graph
from graphcrm.errors import InputError
from graphcrm.ingest.csvfile import Limits
from graphcrm.ingest.loader import load_directory
from graphcrm.ingest.validate import ValidationFailed, read_directory
from graphcrm.ingest.values import CellError, parse_value
from graphcrm.model import MAX_FILE_BYTES, MAX_FREE_TEXT_CHARS, MAX_ROW_BYTES, MAX_TEXT_CHARS, Kind, Prop

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


def replace_bytes(file: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def mutate(directory: Path) -> None:
        path = directory / file
        content = path.read_bytes()
        assert old in content, f"fixture changed: {old!r} not in {file}"
        path.write_bytes(content.replace(old, new, 1))

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
    ("empty id", append("customers.csv", ",Nobody,,,,,,,,\n"), "customers.csv:6: empty id"),
    ("empty name", append("customers.csv", "C9,,,,,,,,,\n"), "customers.csv:6: empty name"),
    (
        "duplicate id in file",
        append("customers.csv", "C2,Again,,,,,,,,\n"),
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
        "money too large to add up",
        replace("customers.csv", "12000.5", "1e308"),
        "customers.csv:2: lifetime_value: 1e308 is above 1e+15",
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


def test_wipe_is_refused_on_a_server_graphcrm_does_not_manage(empty_graph: Graph) -> None:
    load_directory(empty_graph, TINY)
    before = fingerprint(empty_graph)
    with pytest.raises(
        InputError, match="--wipe replaces the graph only on the local server graphcrm manages"
    ):
        load_directory(empty_graph, TINY, wipe_first=True)
    assert fingerprint(empty_graph) == before


@pytest.mark.parametrize("cap", [None, "7"])
def test_every_bad_row_is_reported_up_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: str | None
) -> None:
    if cap is not None:
        monkeypatch.setenv("GRAPHCRM_MAX_ISSUES", cap)
    listed = int(cap or 100)  # 100: the README's default for GRAPHCRM_MAX_ISSUES
    directory = copy_tiny(tmp_path)
    bad_rows = "".join(f"X{i},Bad {i},,,,growing,,,,\n" for i in range(listed + 20))
    append("customers.csv", bad_rows)(directory)
    with pytest.raises(ValidationFailed) as failed:
        read_directory(directory)
    assert len(failed.value.issues) == listed
    assert failed.value.total == listed + 20
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


def refused(directory: Path, limits: Limits | None = None) -> list[str]:
    """The `file:line: reason` messages validation gives for `directory` (it must fail)."""
    with pytest.raises(ValidationFailed) as failed:
        read_directory(directory, limits=limits)
    return [str(issue) for issue in failed.value.issues]


# Each typed column at its real limits: (kind, mutation, expected message fragment).
TYPED_LIMITS = [
    (
        "datetime overflows after conversion to UTC",
        replace("interactions.csv", "2026-10-01T10:00:00Z", "9999-12-31T23:59:59-14:00"),
        "interactions.csv:2: at: '9999-12-31T23:59:59-14:00' falls outside years 1-9999 once converted",
    ),
    (
        "datetime underflows after conversion to UTC",
        replace("interactions.csv", "2026-10-01T10:00:00Z", "0001-01-01T00:00:00+14:00"),
        "interactions.csv:2: at: '0001-01-01T00:00:00+14:00' falls outside years 1-9999",
    ),
    (
        "datetime year 10000",
        replace("interactions.csv", "2026-10-01T10:00:00Z", "10000-01-01T00:00:00Z"),
        "interactions.csv:2: at: '10000-01-01T00:00:00Z' is not an ISO 8601 date-time",
    ),
    (
        "datetime offset of a day",
        replace("interactions.csv", "2026-10-01T10:00:00Z", "2026-10-01T10:00:00+24:00"),
        "interactions.csv:2: at: '2026-10-01T10:00:00+24:00' is not a valid date-time",
    ),
    (
        "date year 0",
        replace("customers.csv", "2021-03-01", "0000-01-01"),
        "customers.csv:2: joined_on: '0000-01-01' is not a calendar date",
    ),
    (
        "date year 10000",
        replace("customers.csv", "2021-03-01", "10000-03-01"),
        "customers.csv:2: joined_on: '10000-03-01' is not an ISO 8601 date",
    ),
    (
        "date 30 February",
        replace("customers.csv", "2021-03-01", "2021-02-30"),
        "customers.csv:2: joined_on: '2021-02-30' is not a calendar date",
    ),
    (
        "date in ISO week form",
        replace("customers.csv", "2021-03-01", "2021-W09-1"),
        "customers.csv:2: joined_on: '2021-W09-1' is not an ISO 8601 date",
    ),
    (
        "number with underscores",
        replace("customers.csv", "12000.5", "1_000_000"),
        "customers.csv:2: lifetime_value: '1_000_000' is not a number",
    ),
    ("number inf", replace("customers.csv", "12000.5", "inf"), "lifetime_value: 'inf' is not a number"),
    ("number nan", replace("customers.csv", "12000.5", "nan"), "lifetime_value: 'nan' is not a number"),
    (
        "number beyond 64-bit float",
        replace("customers.csv", "12000.5", "1e400"),
        "customers.csv:2: lifetime_value: '1e400' is too large for a 64-bit number",
    ),
    (
        "number in non-ASCII digits",
        replace("customers.csv", "12000.5", "\u0661\u0662"),
        "lifetime_value: '\u0661\u0662' is not a number",
    ),
    ("number in hex", replace("customers.csv", "12000.5", "0x10"), "lifetime_value: '0x10' is not a number"),
    (
        "NUL byte in a name",
        replace("customers.csv", "Ada Lovelace", "Ada\x00Lovelace"),
        "customers.csv:2: name: control character U+0000 at character 4",
    ),
    (
        "escape character in an email",
        replace("employees.csv", "eve@graphcrm.example", "eve\x1b[31m@graphcrm.example"),
        "employees.csv:2: email: control character U+001B at character 4",
    ),
    (
        "line break in an id",
        replace("customers.csv", "C4,Dana", '"C\n4",Dana'),
        "customers.csv:5: id: control character U+000A at character 2",
    ),
    (
        "byte-order mark inside a cell",
        replace("companies.csv", "Sugar Mill", "Sugar\ufeffMill"),
        "companies.csv:3: name: control character U+FEFF at character 6",
    ),
    (
        "invalid UTF-8 mid-file",
        replace_bytes("relationships.csv", b"C1,C3,REFERRED", b"C1,C3,REF\xe9RRED"),
        "relationships.csv:3: not UTF-8 (byte 0xe9",
    ),
    (
        "field over the short-text limit",
        replace("customers.csv", "Ada Lovelace", "A" * (MAX_TEXT_CHARS + 1)),
        f"customers.csv:2: name: {MAX_TEXT_CHARS + 1:,} characters, the limit is {MAX_TEXT_CHARS:,}",
    ),
    (
        "field over the free-text limit",
        replace("interactions.csv", "quarterly review", "n" * (MAX_FREE_TEXT_CHARS + 1)),
        f"interactions.csv:2: note: {MAX_FREE_TEXT_CHARS + 1:,} characters, the limit is",
    ),
    (
        "row over the row limit",
        replace("relationships.csv", "friend,0.7", "x" * (MAX_ROW_BYTES + 10) + ",0.7"),
        f"relationships.csv:4: the row is larger than the limit of {MAX_ROW_BYTES:,} bytes",
    ),
    (
        "row over the limit across quoted line breaks",
        replace("interactions.csv", "quarterly review", '"' + ("words\n" * 12_000) + '"'),
        "interactions.csv:2: the row is larger than the limit",
    ),
    (
        "unknown column",
        replace("customers.csv", "preferred_channel\n", "preferred_channel,loyalty_tier\n"),
        "customers.csv:1: unknown column 'loyalty_tier'; the contract allows id, name, email, phone, city",
    ),
    (
        "huge unknown columns on every row",
        lambda d: (d / "relationships.csv").write_text(
            "source,target,type,pad\n" + "".join(f"C1,C{i},KNOWS,{'p' * 130_000}\n" for i in (2, 3))
        ),
        "relationships.csv:1: unknown column 'pad'; the contract allows source, target, type, since",
    ),
]


@pytest.mark.parametrize(("kind", "mutate", "expected"), TYPED_LIMITS, ids=[c[0] for c in TYPED_LIMITS])
def test_cell_at_its_real_limit_is_a_file_line_error(
    tmp_path: Path, kind: str, mutate: Callable[[Path], None], expected: str
) -> None:
    directory = copy_tiny(tmp_path)
    mutate(directory)
    messages = refused(directory)
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize(
    ("column", "value"),
    [("note", "line one\nline two\tand a tab"), ("note", "n" * MAX_FREE_TEXT_CHARS), ("at", "2025-01-15")],
)
def test_values_within_the_limits_pass(tmp_path: Path, column: str, value: str) -> None:
    directory = copy_tiny(tmp_path)
    cell = '"' + value + '"'
    old = "quarterly review" if column == "note" else "2026-10-01T10:00:00Z"
    replace("interactions.csv", old, cell)(directory)
    touch = next(r for r in read_directory(directory).relationships.values() if r[0].get("id") == "I1")[0]
    expected = value if column == "note" else datetime(2025, 1, 15, tzinfo=UTC)
    assert touch["props"][column] == expected


def test_a_leading_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    path = directory / "partners.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [r["id"] for r in read_directory(directory).nodes["Partner"]] == ["P1"]


def test_integers_at_the_64_bit_limits() -> None:
    prop = Prop(Kind.INTEGER)
    assert parse_value(str(2**63 - 1), prop) == 2**63 - 1
    assert parse_value(str(-(2**63)), prop) == -(2**63)
    for raw in (str(2**63), str(-(2**63) - 1), "1_000", "1.0", "+"):
        with pytest.raises(CellError):
            parse_value(raw, prop)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    with (directory / "companies.csv").open("r+b") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used, nothing read
    assert f"companies.csv: the file has {MAX_FILE_BYTES + 1:,} bytes, the limit is {MAX_FILE_BYTES:,}" in (
        refused(directory)
    )


def test_file_over_the_row_limit_is_refused_at_the_first_row_too_many(tmp_path: Path) -> None:
    directory = copy_tiny(tmp_path)
    assert "customers.csv:5: more than 3 data rows, the limit per file" in refused(
        directory, Limits(file_rows=3)
    )


@pytest.mark.parametrize("quoted", [False, True], ids=["one line", "quoted line breaks"])
def test_a_huge_field_keeps_validation_memory_bounded(tmp_path: Path, quoted: bool) -> None:
    directory = copy_tiny(tmp_path)
    size = 32 * 1024 * 1024
    chunk = "word " * 199 + ("word\n" if quoted else "word ")
    field = chunk * (size // len(chunk))
    with (directory / "interactions.csv").open("a", encoding="utf-8") as handle:
        handle.write(f'I9,E1,C1,2026-01-01,call,,"{field}"\nI10,E1,C2,2026-01-02,call,,\n')
    tracemalloc.start()
    try:
        messages = refused(directory)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert any(m.startswith("interactions.csv:6: the row is larger than the limit") for m in messages)
    assert peak < 4 * 1024 * 1024, f"validation peaked at {peak:,} bytes for a {size:,}-byte field"
