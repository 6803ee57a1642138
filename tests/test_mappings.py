"""CRM exports through mappings: a HubSpot or Salesforce export of a graph loads as that same graph,
and every mistake (in the mapping or the export) is named by file and line with nothing written."""

from __future__ import annotations

import csv
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from graphcrm import model
from graphcrm.db import Graph
from graphcrm.errors import ValidationFailed
from graphcrm.ingest import mapping
from graphcrm.ingest.crm_exports import generate_export
from graphcrm.ingest.loader import load_directory
from graphcrm.ingest.mapped import load_export, sync_export, translate
from graphcrm.ingest.mapping import MappingError
from graphcrm.ingest.validate import read_directory

from .conftest import SAMPLE_DATA

CRMS = ("hubspot", "salesforce")
LABELS = "|".join(model.LABELS)
SMALL = {"customers": 120, "seed": 3}


def fingerprint(graph: Graph) -> dict[str, list]:
    """The graph as data: every node (labels, id, properties) and relationship (type, ends,
    properties), sorted, computed by queries over the model's labels."""
    nodes = graph.read(
        f"MATCH (n:{LABELS}) RETURN labels(n) AS l, n.id AS id, properties(n) AS p ORDER BY id"
    )
    rels = graph.read(
        f"MATCH (a:{LABELS})-[r]->(b:{LABELS}) RETURN type(r) AS t, a.id AS a, b.id AS b, "
        "properties(r) AS p ORDER BY t, a, b, r.id"
    )
    return {"nodes": nodes, "relationships": rels}


def clear(graph: Graph) -> None:
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small synthetic graph, written natively and as each CRM's export."""
    root = tmp_path_factory.mktemp("exports")
    for fmt in ("native", *CRMS):
        generate_export(root / fmt, fmt, **SMALL)
    return {fmt: root / fmt for fmt in ("native", *CRMS)}


def copy_export(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def edit_row(path: Path, record_id: str, **changes: str) -> int:
    """Change cells of the row whose first cell is `record_id`; return that row's line in the file."""
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(f"\n{record_id},")].count("\n") + 2
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    for column in changes:
        if column not in header:
            header.append(column)
    for row in rows:
        if row[header[0]] == record_id:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def mapping_line(name: str, needle: str) -> int:
    """The line of the built-in mapping that holds `needle` (read from the TOML text itself)."""
    text = (Path(mapping.__file__).parent.parent / "mappings" / f"{name}.toml").read_text()
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("crm", CRMS)
def test_export_loads_as_the_same_graph_as_native_files(
    crm: str, exports: dict[str, Path], empty_graph: Graph
) -> None:
    load_directory(empty_graph, exports["native"])
    native = fingerprint(empty_graph)
    clear(empty_graph)
    load_export(empty_graph, mapping.load(crm), exports[crm])
    assert fingerprint(empty_graph) == native
    assert {label for row in native["nodes"] for label in row["l"]} == set(model.LABELS)
    assert {row["t"] for row in native["relationships"]} == set(model.REL_TYPES)


def test_a_later_export_syncs_its_changes_through_the_mapping(
    exports: dict[str, Path], empty_graph: Graph, tmp_path: Path
) -> None:
    export = copy_export(exports["hubspot"], tmp_path / "hubspot")
    load_export(empty_graph, mapping.load("hubspot"), export)
    same = sync_export(empty_graph, mapping.load("hubspot"), export)
    assert same.unchanged, "the export the graph was loaded from changes nothing"
    edit_row(export / "contacts.csv", "000001", **{"Lifecycle Stage": "lead", "City": ""})
    report = sync_export(empty_graph, mapping.load("hubspot"), export)
    assert report.nodes[model.CUSTOMER].changed == 1 and report.nodes[model.CUSTOMER].removed == 0
    row = empty_graph.read("MATCH (c:Customer {id: 'C000001'}) RETURN c.stage AS stage, c.city AS city")
    assert row == [{"stage": "awareness", "city": None}], (
        "HubSpot's lead is our awareness; a blank cell clears"
    )


@pytest.mark.parametrize("crm", CRMS)
def test_sample_exports_hold_the_sample_graph(crm: str, tmp_path: Path) -> None:
    """sample_data/hubspot and sample_data/salesforce are sample_data/'s graph (validated records)."""
    translated = translate(mapping.load(crm), SAMPLE_DATA / crm, tmp_path)
    mapped, native = read_directory(translated.directory), read_directory(SAMPLE_DATA)
    assert {label: list(rows) for label, rows in mapped.nodes.items()} == {
        label: list(rows) for label, rows in native.nodes.items()
    }
    key = lambda row: (row["s"], row["t"], row.get("id", ""))  # noqa: E731
    for group, rows in native.relationships.items():
        assert sorted(mapped.relationships[group], key=key) == sorted(rows, key=key)
    assert mapped.relationships.keys() == native.relationships.keys()


def test_cli_loads_an_export_and_warns_once_about_unused_columns(
    exports: dict[str, Path], tmp_path: Path, neo4j_env: dict[str, str], empty_graph: Graph
) -> None:
    export = copy_export(exports["hubspot"], tmp_path / "hubspot")
    edit_row(export / "contacts.csv", "000001", **{"Favourite Colour": "teal"})
    (export / "tickets.csv").write_text("Ticket ID,Subject\n1,Printer on fire\n")
    done = subprocess.run(
        ["graphcrm", "load", str(export), "--mapping", "HubSpot"],
        env=neo4j_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("Favourite Colour") == 1
    assert "contacts.csv: columns the mapping does not use: Favourite Colour" in done.stderr
    assert "files the mapping does not read: tickets.csv" in done.stderr
    expected = len(list(csv.DictReader((exports["native"] / "customers.csv").open(encoding="utf-8"))))
    assert empty_graph.read("MATCH (c:Customer) RETURN count(c) AS n")[0]["n"] == expected


def test_unknown_mapping_name_is_one_sentence(neo4j_env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="hubspot, salesforce"):
        mapping.load("zoho")
    done = subprocess.run(
        ["graphcrm", "load", str(tmp_path), "--mapping", "zoho"],
        env=neo4j_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "There is no mapping 'zoho'" in done.stderr
    assert "Traceback" not in done.stderr


def test_malformed_toml_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[nodes]]\nfile = "contacts.csv"\nlabel = "Customer\n')
    with pytest.raises(MappingError, match=r"bad\.toml: not valid TOML: .*line 3"):
        mapping.load(bad)


MINI = """\
[[nodes]]
file = "people.csv"
label = "Customer"
id = "Key"
name = "Full name"
properties.city = "Town"
"""


@pytest.mark.parametrize(
    ("extra", "line", "where"),
    [
        ('properties.shoe_size = "Shoe"\n', 7, "nodes[0].properties.shoe_size"),
        ('[[relationships]]\nfile = "people.csv"\ntype = { value = "LIKES" }\nsource = "Key"\n'
         'target = "Key"\n', 9, "relationships[0].type"),
        ('properties.stage = { column = "Stage", translate = "nope" }\n', 7, "nodes[0].properties.stage"),
        ('[[nodes]]\nfile = "../secrets.csv"\nlabel = "Partner"\n', 8, "nodes[1].file"),
        ('[[nodes]]\nfile = "p.csv"\nlabel = "Lead"\n', 9, "nodes[1].label"),
    ],
)  # fmt: skip
def test_mapping_that_does_not_fit_the_model_names_key_and_line(extra: str, line: int, where: str) -> None:
    with pytest.raises(MappingError) as raised:
        mapping.parse(MINI + extra, "mine.toml")
    assert f"mine.toml:{line} ({where})" in str(raised.value)


def test_translation_into_an_unknown_stage_names_the_translation(tmp_path: Path) -> None:
    text = (
        '[translations.stages]\nhot = "burning"\n\n'
        + MINI
        + 'properties.stage = { column = "S", translate = "stages" }\n'
    )
    with pytest.raises(MappingError, match=r"mine\.toml:1 \(translations\.stages\): 'burning' is not one of"):
        mapping.parse(text, "mine.toml")


def test_missing_file_and_column_are_named_with_the_mapping_line(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    with pytest.raises(ValidationFailed) as raised:
        translate(mapping.parse(MINI, "mine.toml"), export, tmp_path / "out")
    assert (
        str(raised.value.issues[0])
        == "people.csv: the export has no such file (the mapping reads it at mine.toml:1 (nodes[0]))"
    )
    (export / "people.csv").write_text("Key,Full name\nk1,Ada\n")
    with pytest.raises(ValidationFailed) as raised:
        translate(mapping.parse(MINI, "mine.toml"), export, tmp_path / "out2")
    assert [str(i) for i in raised.value.issues] == [
        "people.csv:1: no column 'Town' (the mapping reads it at mine.toml:6 (nodes[0].properties.city))"
    ]


def test_reference_to_an_id_not_in_the_export_writes_nothing(
    exports: dict[str, Path], tmp_path: Path, empty_graph: Graph
) -> None:
    load_directory(empty_graph, exports["native"])
    before = fingerprint(empty_graph)
    export = copy_export(exports["hubspot"], tmp_path / "hubspot")
    line = edit_row(export / "contacts.csv", "000007", **{"Associated Company ID": "99999"})
    with pytest.raises(ValidationFailed) as raised:
        load_export(empty_graph, mapping.load("hubspot"), export)
    works_at = mapping_line("hubspot", 'type = { value = "WORKS_AT" }') - 2
    assert [str(i) for i in raised.value.issues] == [
        f"contacts.csv:{line}: target 'CO99999' is not a known id (column 'Associated Company ID' or "
        "'Associated Company IDs' or 'Primary Associated Company ID' or 'associatedcompanyid' or "
        "'Associated Company') "
        f"[mapping hubspot.toml:{works_at} (relationships[0])]"
    ]
    assert fingerprint(empty_graph) == before


def test_unknown_stage_value_names_row_column_and_translation(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    export = copy_export(exports["hubspot"], tmp_path / "hubspot")
    line = edit_row(export / "contacts.csv", "000012", **{"Lifecycle Stage": "superfan"})
    with pytest.raises(ValidationFailed) as raised:
        translate(mapping.load("hubspot"), export, tmp_path / "out")
    translation = mapping_line("hubspot", "[translations.lifecycle]")
    (issue,) = raised.value.issues
    assert str(issue).startswith(
        f"contacts.csv:{line}: 'Lifecycle Stage' or 'lifecyclestage': unknown value 'superfan'; "
        f"the translation 'lifecycle' at hubspot.toml:{translation} (translations.lifecycle) knows "
    )


def test_duplicate_id_names_both_export_lines(
    exports: dict[str, Path], tmp_path: Path, empty_graph: Graph
) -> None:
    export = copy_export(exports["salesforce"], tmp_path / "salesforce")
    contacts = export / "Contact.csv"
    first = edit_row(contacts, "C000003")
    line = edit_row(contacts, "C000009", Id="C000003")
    with pytest.raises(ValidationFailed) as raised:
        load_export(empty_graph, mapping.load("salesforce"), export)
    contact = mapping_line("salesforce", 'file = "Contact.csv"\nlabel = "Customer"')
    assert f"Contact.csv:{line}: duplicate id 'C000003' (first at Contact.csv:{first}) " in [
        str(i)[: str(i).index("[")] for i in raised.value.issues
    ]
    assert any(
        str(i).endswith(f"[mapping salesforce.toml:{contact - 1} (nodes[2])]") for i in raised.value.issues
    )
    assert empty_graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_formula_like_cells_load_as_text_and_bad_numbers_are_refused(
    exports: dict[str, Path], tmp_path: Path, empty_graph: Graph
) -> None:
    export = copy_export(exports["hubspot"], tmp_path / "hubspot")
    formula = '=HYPERLINK("http://127.0.0.1/x","open, me")'
    edit_row(export / "contacts.csv", "000002", **{"First Name": formula, "City": "@SUM(A1:A9)"})
    load_export(empty_graph, mapping.load("hubspot"), export)
    row = empty_graph.read("MATCH (c:Customer {id: 'C000002'}) RETURN c.name AS name, c.city AS city")[0]
    assert row["name"].startswith(formula + " ")
    assert row["city"] == "@SUM(A1:A9)"
    line = edit_row(export / "contacts.csv", "000004", **{"Total Revenue": "=1+1"})
    with pytest.raises(ValidationFailed) as raised:
        load_export(empty_graph, mapping.load("hubspot"), export)
    (issue,) = raised.value.issues
    assert str(issue).startswith(
        f"contacts.csv:{line}: 'Total Revenue' or 'total_revenue' (lifetime_value): '=1+1'"
    )


def write_files(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def records(directory: Path) -> tuple[set, set]:
    """The validated records of a native directory: (label, id, set properties) and
    (type, source, target, set properties), blank properties left out."""
    dataset = read_directory(directory)
    nodes = {
        (label, row["id"], frozenset((k, v) for k, v in row["props"].items() if v is not None))
        for label, rows in dataset.nodes.items()
        for row in rows
    }
    rels = {
        (rel_type, row["s"], row["t"], frozenset((k, v) for k, v in row["props"].items() if v is not None))
        for (rel_type, _, _), rows in dataset.relationships.items()
        for row in rows
    }
    return nodes, rels


def props(**values: object) -> frozenset:
    return frozenset(values.items())


SALESFORCE = {
    "Account.csv": """\
Id,Name,Type,Industry,BillingCity,AnnualRevenue,ParentId,OwnerId,NumberOfEmployees
001A,Acme Foods,Customer - Direct,food,Leeds,500000,,005A,120
001B,Acme Sugar,Customer - Direct,food,York,,001A,005B,
001P,Tele Mobile,Technology Partner,telecom,,,,005B,
""",
    "Contact.csv": """\
Id,FirstName,LastName,Email,AccountId,ReportsToId,OwnerId,HasOptedOutOfEmail
003A,Ada,Lovelace,ada@example.com,001A,,005A,false
003B,Bob,Byte,,001A,003A,005A,true
""",
    "User.csv": "Id,FirstName,LastName,Email,Title,ManagerId\n"
    "005A,Una,Owner,,Account manager,005B\n005B,Max,Boss,,,\n",
    "Partner.csv": """\
Id,AccountFromId,AccountToId,Role,IsPrimary
00IA,001A,001P,VAR/Reseller,false
00IB,001P,001A,Vendor,false
00IC,001A,001B,Supplier,false
""",
    "AccountContactRelation.csv": """\
Id,AccountId,ContactId,IsDirect,StartDate
07kA,001A,003A,true,2021-03-01
07kB,001B,003A,false,2022-05-01
""",
    "Opportunity.csv": """\
Id,Name,AccountId,ContactId,PartnerAccountId,IsWon,Amount,CreatedDate,LeadSource
006A,Big order,001B,,001P,true,25000,2024-01-10T09:00:00.000Z,Partner Referral
006B,Renewal,001A,,,false,100,2024-02-10T09:00:00.000Z,Web
""",
    "Task.csv": """\
Id,OwnerId,WhoId,WhatId,AccountId,Type,Subject,CompletedDateTime,Description
00TA,005A,003A,006A,001A,Call,Intro,2024-02-01T10:00:00.000+0000,Talked about sugar
00TB,005A,,,001A,Other,Send slides,,
""",
    "Event.csv": "Id,OwnerId,WhoId,WhatId,Type,StartDateTime\n00UA,005B,,001P,,2024-03-01T15:00:00.000Z\n",
}


def test_salesforce_standard_objects_become_the_relations_they_mean(tmp_path: Path) -> None:
    """Derived by hand from the rows above: OwnerId manages, ParentId and a Supplier partner row
    are one SUPPLIES, the reverse Partner row (role Vendor) is not read, AccountContactRelation
    dates the direct WORKS_AT and adds the indirect one, ReportsToId is a colleague tie, a
    partner-sourced won opportunity is a converted referral, a plain to-do task is no touch point."""
    export = write_files(tmp_path / "sf", SALESFORCE)
    nodes, rels = records(translate(mapping.load("salesforce"), export, tmp_path / "out").directory)
    assert {(label, node_id) for label, node_id, _ in nodes} == {
        ("Company", "001A"), ("Company", "001B"), ("Partner", "001P"),
        ("Customer", "003A"), ("Customer", "003B"), ("Employee", "005A"), ("Employee", "005B"),
    }  # fmt: skip
    assert ("Customer", "003B", props(name="Bob Byte", marketing_consent=False)) in nodes
    assert (
        "Company",
        "001A",
        props(name="Acme Foods", industry="food", city="Leeds", annual_value=500000.0),
    ) in nodes
    assert ("Partner", "001P", props(name="Tele Mobile", kind="telecom")) in nodes
    assert rels == {
        ("MANAGES", "005A", "001A", props()), ("MANAGES", "005B", "001B", props()),
        ("MANAGES", "005B", "001P", props()), ("MANAGES", "005A", "003A", props()),
        ("MANAGES", "005A", "003B", props()),
        ("SUPPLIES", "001B", "001A", props(channel="Supplier")),
        ("PARTNERS_WITH", "001P", "001A", props(channel="VAR/Reseller")),
        ("WORKS_AT", "003A", "001A", props(since=date(2021, 3, 1))), ("WORKS_AT", "003B", "001A", props()),
        ("WORKS_AT", "003A", "001B", props(since=date(2022, 5, 1))),
        ("KNOWS", "003B", "003A", props(relation="colleague")),
        ("REPORTS_TO", "005A", "005B", props()),
        ("REFERRED", "001P", "001B",
         props(converted=True, value=25000.0, since=date(2024, 1, 10), channel="Partner Referral")),
        ("INTERACTED", "005A", "003A",
         props(at=datetime(2024, 2, 1, 10, tzinfo=UTC), channel="call", note="Talked about sugar")),
        ("INTERACTED", "005B", "001P", props(at=datetime(2024, 3, 1, 15, tzinfo=UTC), channel="meeting")),
    }  # fmt: skip


HUBSPOT = {
    "contacts.csv": "hs_object_id,firstname,lastname,email,lifecyclestage,hs_marketable_status,"
    """hubspot_owner_id,Associated Company IDs,createdate
101,Ada,Lovelace,ada@example.com,Marketing Qualified Lead,Marketing contact,7,11;12,2023-04-05 13:22
102,Bob,Byte,,customer,Non-marketing contact,,,2023-05-01 08:00
""",
    "companies.csv": "hs_object_id,name,industry,lifecyclestage,hubspot_owner_id,domain\n"
    "11,Acme,food,customer,7,acme.example\n12,Beta,retail,other,,beta.example\n",
    "owners.csv": "id,firstName,lastName,email\n7,Una,Owner,una@example.com\n",
    "calls.csv": "hs_object_id,hubspot_owner_id,Associated Contact IDs,hs_timestamp,hs_call_body\n"
    "501,7,101;102,2024-02-01 10:00,hello\n",
    "meetings.csv": "hs_object_id,hubspot_owner_id,Associated Company IDs,hs_timestamp,hs_activity_type\n"
    "502,7,11,2024-03-01 09:30:00,Site visit\n",
}


def test_hubspot_internal_names_labels_and_id_lists(tmp_path: Path) -> None:
    """Internal property names as headers, lifecycle stages as labels or internal values, a
    contact associated with two companies, and only some engagement files: derived by hand."""
    export = write_files(tmp_path / "hs", HUBSPOT)
    translated = translate(mapping.load("hubspot"), export, tmp_path / "out")
    nodes, rels = records(translated.directory)
    assert nodes == {
        ("Customer", "C101", props(name="Ada Lovelace", email="ada@example.com", stage="exploration",
                                   marketing_consent=True, joined_on=date(2023, 4, 5))),
        ("Customer", "C102", props(name="Bob Byte", stage="expansion", marketing_consent=False,
                                   joined_on=date(2023, 5, 1))),
        ("Company", "CO11", props(name="Acme", industry="food", stage="expansion")),
        ("Company", "CO12", props(name="Beta", industry="retail")),
        ("Employee", "E7", props(name="Una Owner", email="una@example.com")),
    }  # fmt: skip
    assert rels == {
        ("MANAGES", "E7", "C101", props()), ("MANAGES", "E7", "CO11", props()),
        ("WORKS_AT", "C101", "CO11", props()), ("WORKS_AT", "C101", "CO12", props()),
        ("INTERACTED", "E7", "C101",
         props(at=datetime(2024, 2, 1, 10, tzinfo=UTC), channel="call", note="hello")),
        ("INTERACTED", "E7", "CO11", props(at=datetime(2024, 3, 1, 9, 30, tzinfo=UTC), channel="visit")),
    }  # fmt: skip
    assert translated.warnings == ["companies.csv: columns the mapping does not use: domain"]


@pytest.mark.parametrize("crm", CRMS)
def test_committed_sample_exports_are_what_the_generator_writes(crm: str, tmp_path: Path) -> None:
    """sample_data/hubspot and sample_data/salesforce are `make sample-data`'s output."""
    done = subprocess.run(
        ["graphcrm", "generate", str(tmp_path), "--customers", "400", "--seed", "7", "--format", crm],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    committed = sorted(p.name for p in (SAMPLE_DATA / crm).iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DATA / crm / name).read_bytes(), name


def test_hubspot_owner_and_company_names_are_looked_up(tmp_path: Path) -> None:
    """An export that shows owners and companies by name, as HubSpot's export labels do: the
    names resolve to the same records as the ids; an unknown or shared name is an error at its line."""
    files = dict(HUBSPOT)
    files["contacts.csv"] = (
        "Record ID,First Name,Last Name,Contact owner,Associated Company\n"
        "101,Ada,Lovelace,Una Owner,Acme;Beta\n102,Bob,Byte,una@example.com,\n"
    )
    files["calls.csv"] = (
        "Record ID,Activity assigned to,Associated Contact IDs,Activity date\n501,una owner,102,2024-02-01\n"
    )
    export = write_files(tmp_path / "hs", files)
    _, rels = records(translate(mapping.load("hubspot"), export, tmp_path / "out").directory)
    assert {(t, s, e) for t, s, e, _ in rels} == {
        ("MANAGES", "E7", "C101"), ("MANAGES", "E7", "C102"), ("MANAGES", "E7", "CO11"),
        ("WORKS_AT", "C101", "CO11"), ("WORKS_AT", "C101", "CO12"),
        ("INTERACTED", "E7", "C102"), ("INTERACTED", "E7", "CO11"),
    }  # fmt: skip
    (export / "companies.csv").write_text("Record ID,Company name\n11,Acme\n12,Acme\n")
    (export / "contacts.csv").write_text(
        "Record ID,First Name,Last Name,Contact owner,Associated Company\n"
        "101,Ada,L,Ann Other,\n102,Bob,B,,Acme\n"
    )
    with pytest.raises(ValidationFailed) as raised:
        translate(mapping.load("hubspot"), export, tmp_path / "out2")
    assert [str(i) for i in raised.value.issues] == [
        "contacts.csv:2: 'Contact owner': no Employee named 'Ann Other' in the export",
        "contacts.csv:3: 'Associated Company': 'Acme' names several records of label Company",
    ]


def test_salesforce_partner_types_and_an_export_without_account_types(tmp_path: Path) -> None:
    accounts = "Id,Name,Type,OwnerId\n001A,Acme,Customer - Channel,005A\n"
    accounts += "001P,Resell Co,Channel Partner / Reseller,\n"
    files = {
        "Account.csv": accounts,
        "Contact.csv": SALESFORCE["Contact.csv"],
        "User.csv": SALESFORCE["User.csv"],
    }
    nodes, _ = records(
        translate(mapping.load("salesforce"), write_files(tmp_path / "a", files), tmp_path / "o").directory
    )
    assert {(label, node_id) for label, node_id, _ in nodes if node_id.startswith("001")} == {
        ("Company", "001A"), ("Partner", "001P"),
    }  # fmt: skip
    files["Account.csv"] = "Id,Name,OwnerId\n001A,Acme,005A\n001P,Resell Co,\n"
    nodes, _ = records(
        translate(mapping.load("salesforce"), write_files(tmp_path / "b", files), tmp_path / "p").directory
    )
    assert {(label, node_id) for label, node_id, _ in nodes if node_id.startswith("001")} == {
        ("Company", "001A"), ("Company", "001P"),
    }  # fmt: skip


def test_long_text_in_an_unused_column_is_no_error_but_a_long_mapped_value_is(tmp_path: Path) -> None:
    files = dict(HUBSPOT)
    files["companies.csv"] = f"hs_object_id,name,About\n11,Acme,{'x' * 20_000}\n12,Beta,\n"
    translated = translate(mapping.load("hubspot"), write_files(tmp_path / "a", files), tmp_path / "o1")
    nodes, _ = records(translated.directory)
    assert ("Company", "CO11", props(name="Acme")) in nodes
    files["companies.csv"] = f"hs_object_id,name,About\n11,Acme,\n12,{'B' * 1_001},\n"
    translated = translate(mapping.load("hubspot"), write_files(tmp_path / "b", files), tmp_path / "o2")
    with pytest.raises(ValidationFailed) as raised:
        read_directory(translated.directory)
    block = mapping_line("hubspot", 'file = "companies.csv"\nlabel = "Company"') - 1
    told = [str(translated.provenance.tell(i)) for i in raised.value.issues]
    assert told[0] == (
        "companies.csv:3: 'Company name' or 'Name' or 'name' (name): 1,001 characters, the limit is 1,000 "
        f"[mapping hubspot.toml:{block} (nodes[1])]"
    )


def test_one_run_names_every_bad_row(exports: dict[str, Path], tmp_path: Path, empty_graph: Graph) -> None:
    """A value no translation knows and a reference to a missing record, in one run, nothing written."""
    export = copy_export(exports["hubspot"], tmp_path / "hubspot")
    stage = edit_row(export / "contacts.csv", "000012", **{"Lifecycle Stage": "superfan"})
    reference = edit_row(export / "contacts.csv", "000007", **{"Associated Company ID": "99999"})
    with pytest.raises(ValidationFailed) as raised:
        load_export(empty_graph, mapping.load("hubspot"), export)
    assert [str(i).split(": ")[0] for i in raised.value.issues] == [
        f"contacts.csv:{reference}",
        f"contacts.csv:{stage}",
    ]
    assert raised.value.total == 2
    assert empty_graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
