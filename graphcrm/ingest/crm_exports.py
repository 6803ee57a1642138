"""Write a native data directory as a HubSpot or a Salesforce export (`generate --format`).

Each export holds the same graph as the native files, every label and relationship type, laid
out the way the built-in mapping (graphcrm/mappings/*.toml) reads it: vendor files and column
names, lifecycle stages in the vendor's values, references in the vendor's lookup columns, and
what the vendor has no field for in its extension mechanism (HubSpot association labels and
custom properties; Salesforce custom fields and the Relationship__c custom object). Loading the
export through its mapping gives the native load's graph, which tests/test_mappings.py checks.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from graphcrm import model

FORMATS = ("native", "hubspot", "salesforce")
Row = dict[str, str]


class _Files:
    """The export's CSV files, opened on first write; counts rows per file."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.handles: dict[str, tuple[TextIO, csv.DictWriter]] = {}
        self.counts: dict[str, int] = {}

    def write(self, name: str, header: Sequence[str], row: Row) -> None:
        if name not in self.handles:
            handle = (self.out / name).open("w", encoding="utf-8", newline="")
            writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n")
            writer.writeheader()
            self.handles[name] = (handle, writer)
            self.counts[name] = 0
        self.handles[name][1].writerow(row)
        self.counts[name] += 1

    def close(self) -> dict[str, int]:
        for handle, _ in self.handles.values():
            handle.close()
        return self.counts


class _Native:
    """A native data directory read back: nodes by label, relationships by type, touch points."""

    def __init__(self, directory: Path) -> None:
        self.nodes = {nt.label: _rows(directory / nt.file) for nt in model.NODE_TYPES.values()}
        self.labels = {row["id"]: label for label, rows in self.nodes.items() for row in rows}
        self.relationships: dict[str, list[Row]] = defaultdict(list)
        for row in _rows(directory / model.RELATIONSHIPS_FILE):
            self.relationships[row["type"]].append(row)
        touches = directory / model.INTERACTIONS_FILE
        self.interactions = _rows(touches) if touches.exists() else []

    def single(self, rel_type: str, key: str) -> tuple[dict[str, Row], list[Row]]:
        """The first `rel_type` row per `key` end ("source" or "target"), and the other rows."""
        first: dict[str, Row] = {}
        extra: list[Row] = []
        for row in self.relationships[rel_type]:
            if row[key] in first:
                extra.append(row)
            else:
                first[row[key]] = row
        return first, extra


def _rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last


def write_export(native_dir: str | Path, out_dir: str | Path, fmt: str) -> dict[str, int]:
    """Write the graph of the native directory `native_dir` into `out_dir` as a `fmt` export
    (hubspot or salesforce); return rows written per file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    native = _Native(Path(native_dir))
    files = _Files(out)
    try:
        (_write_hubspot if fmt == "hubspot" else _write_salesforce)(native, files)
    finally:
        counts = files.close()
    return counts


# ---------------------------------------------------------------- HubSpot
_HS_PREFIX = {model.CUSTOMER: "C", model.COMPANY: "CO", model.EMPLOYEE: "E", model.PARTNER: "P"}
_HS_OBJECT = {
    model.CUSTOMER: "Contact",
    model.COMPANY: "Company",
    model.PARTNER: "Partner",
    model.EMPLOYEE: "Owner",
}
_HS_STAGE = {
    "awareness": "lead",
    "exploration": "opportunity",
    "expansion": "customer",
    "commitment": "evangelist",
    "dissolution": "churned",
    "": "",
}
_HS_CONSENT = {"true": "Marketing contact", "false": "Non-marketing contact", "": ""}
_HS_TIE = {"friend": "Friend", "family": "Family member", "colleague": "Colleague"}
_HS_MEETING = {"meeting": "Meeting", "visit": "Site visit", "survey": "Survey", "web": "Web session"}
_HS_MEETING["direct_mail"] = "Direct mail"
_HS_TOUCH_FILES = {"call": ("calls.csv", "Call notes"), "email": ("emails.csv", "Email body")}


def _hs(native: _Native, node_id: str) -> str:
    """A node's HubSpot record id: the native id without its label's prefix."""
    return node_id[len(_HS_PREFIX[native.labels[node_id]]) :]


def _write_hubspot(native: _Native, files: _Files) -> None:
    managers, extra = native.single(model.MANAGES, "target")
    _hs_contacts(native, files, managers)
    _hs_companies(native, files, managers)
    _hs_owners(native, files)
    _hs_partners(native, files, managers)
    _hs_deals(native, files)
    _hs_associations(native, files, extra)
    _hs_engagements(native, files)


def _owner(native: _Native, managers: dict[str, Row], node_id: str) -> Row:
    row = managers.get(node_id)
    return {"owner": _hs(native, row["source"]) if row else "", "since": row["since"] if row else ""}


def _hs_contacts(native: _Native, files: _Files, managers: dict[str, Row]) -> None:
    header = (
        "Record ID", "First Name", "Last Name", "Email", "Phone Number", "City", "Job Title", "Degree",
        "Income Band", "Interests", "Preferred Channel", "Marketing contact status", "Lifecycle Stage",
        "Create Date", "Total Revenue", "Associated Company ID", "Associated Company Since",
        "Contact owner ID", "Owner Assigned Date",
    )  # fmt: skip
    works_at, _ = native.single(model.WORKS_AT, "source")
    for c in native.nodes[model.CUSTOMER]:
        first, last = _split_name(c["name"])
        company = works_at.get(c["id"])
        owner = _owner(native, managers, c["id"])
        values = (
            _hs(native, c["id"]), first, last, c["email"], c["phone"], c["city"], c["profession"],
            c["education"], c["income_band"], c["interests"], c["preferred_channel"],
            _HS_CONSENT[c["marketing_consent"]], _HS_STAGE[c["stage"]], c["joined_on"], c["lifetime_value"],
            _hs(native, company["target"]) if company else "", company["since"] if company else "",
            owner["owner"], owner["since"],
        )  # fmt: skip
        files.write("contacts.csv", header, dict(zip(header, values, strict=True)))


def _hs_companies(native: _Native, files: _Files, managers: dict[str, Row]) -> None:
    header = (
        "Record ID", "Company name", "Industry", "Company Size", "City", "Lifecycle Stage", "Total Revenue",
        "Company owner ID", "Owner Assigned Date",
    )  # fmt: skip
    for c in native.nodes[model.COMPANY]:
        owner = _owner(native, managers, c["id"])
        values = (
            _hs(native, c["id"]), c["name"], c["industry"], c["size"], c["city"], _HS_STAGE[c["stage"]],
            c["annual_value"], owner["owner"], owner["since"],
        )  # fmt: skip
        files.write("companies.csv", header, dict(zip(header, values, strict=True)))


def _hs_owners(native: _Native, files: _Files) -> None:
    header = (
        "Owner ID",
        "First Name",
        "Last Name",
        "Email",
        "Job Title",
        "Team",
        "Manager ID",
        "Manager Since",
    )
    reports, _ = native.single(model.REPORTS_TO, "source")
    for e in native.nodes[model.EMPLOYEE]:
        first, last = _split_name(e["name"])
        boss = reports.get(e["id"])
        values = (
            _hs(native, e["id"]), first, last, e["email"], e["role"], e["region"],
            _hs(native, boss["target"]) if boss else "", boss["since"] if boss else "",
        )  # fmt: skip
        files.write("owners.csv", header, dict(zip(header, values, strict=True)))


def _hs_partners(native: _Native, files: _Files, managers: dict[str, Row]) -> None:
    header = (
        "Record ID",
        "Partner Name",
        "Partner Type",
        "Partner Since",
        "Partner owner ID",
        "Owner Assigned Date",
    )
    for p in native.nodes[model.PARTNER]:
        owner = _owner(native, managers, p["id"])
        values = (_hs(native, p["id"]), p["name"], p["kind"], p["since"], owner["owner"], owner["since"])
        files.write("partners.csv", header, dict(zip(header, values, strict=True)))


def _hs_deals(native: _Native, files: _Files) -> None:
    header = (
        "Record ID", "Deal Name", "Referred By Contact ID", "Referred By Partner ID", "Referred By Owner ID",
        "Associated Contact ID", "Associated Company ID", "Create Date", "Is Closed Won", "Amount",
        "Referral Channel",
    )  # fmt: skip
    by = {model.CUSTOMER: "Referred By Contact ID", model.PARTNER: "Referred By Partner ID"}
    to = {model.CUSTOMER: "Associated Contact ID", model.COMPANY: "Associated Company ID"}
    for number, r in enumerate(native.relationships[model.REFERRED], start=1):
        row = dict.fromkeys(header, "")
        row.update({"Record ID": str(number), "Deal Name": f"Referral {number}", "Create Date": r["since"]})
        row.update({"Is Closed Won": r["converted"], "Amount": r["value"], "Referral Channel": r["channel"]})
        row[by.get(native.labels[r["source"]], "Referred By Owner ID")] = _hs(native, r["source"])
        row[to[native.labels[r["target"]]]] = _hs(native, r["target"])
        files.write("deals.csv", header, row)


def _hs_associations(native: _Native, files: _Files, extra_managers: list[Row]) -> None:
    ends = [f"From {kind} ID" for kind in ("Contact", "Company", "Partner", "Owner")]
    ends += [f"To {kind} ID" for kind in ("Contact", "Company", "Partner")]
    header = (*ends, "Association Label", "Since", "Strength", "Channel", "Value")
    labelled = [(r, _HS_TIE[r["relation"]]) for r in native.relationships[model.KNOWS]]
    labelled += [(r, "Supplier") for r in native.relationships[model.SUPPLIES]]
    labelled += [(r, "Partner") for r in native.relationships[model.PARTNERS_WITH]]
    labelled += [(r, "Account manager") for r in extra_managers]
    for r, label in labelled:
        row = dict.fromkeys(header, "")
        row[f"From {_HS_OBJECT[native.labels[r['source']]]} ID"] = _hs(native, r["source"])
        row[f"To {_HS_OBJECT[native.labels[r['target']]]} ID"] = _hs(native, r["target"])
        row.update({"Association Label": label, "Since": r["since"], "Strength": r["strength"]})
        row.update({"Channel": r["channel"], "Value": r["value"]})
        files.write("associations.csv", header, row)


def _hs_engagements(native: _Native, files: _Files) -> None:
    parties = ("Associated Contact ID", "Associated Company ID", "Associated Partner ID")
    for t in native.interactions:
        name, note = _HS_TOUCH_FILES.get(t["channel"], ("meetings.csv", "Meeting description"))
        kind = ("Call and meeting type",) if name == "meetings.csv" else ()
        header = ("Record ID", "Activity Owner ID", *parties, "Activity date", *kind, "Sentiment", note)
        row = dict.fromkeys(header, "")
        row.update({"Record ID": t["id"][1:], "Activity Owner ID": _hs(native, t["employee"])})
        row[f"Associated {_HS_OBJECT[native.labels[t['party']]]} ID"] = _hs(native, t["party"])
        row.update({"Activity date": t["at"], "Sentiment": t["sentiment"], note: t["note"]})
        if kind:
            row["Call and meeting type"] = _HS_MEETING[t["channel"]]
        files.write(name, header, row)


# ---------------------------------------------------------------- Salesforce
_SF_PARTNER_TYPE = "Technology Partner"
_SF_CUSTOMER_TYPE = "Customer - Direct"
_SF_CHANNEL = {
    "call": ("Task.csv", "Call"),
    "email": ("Task.csv", "Email"),
    "survey": ("Task.csv", "Survey"),
    "web": ("Task.csv", "Web"),
    "direct_mail": ("Task.csv", "Direct Mail"),
    "meeting": ("Event.csv", "Meeting"),
    "visit": ("Event.csv", "Visit"),
}
_SF_CONSENT = {"true": "false", "false": "true", "": ""}


def _write_salesforce(native: _Native, files: _Files) -> None:
    managers, extra = native.single(model.MANAGES, "target")
    _sf_accounts(native, files, managers)
    _sf_contacts(native, files, managers)
    _sf_users(native, files)
    _sf_opportunities(native, files)
    _sf_relationships(native, files, extra)
    _sf_activities(native, files)


def _sf_accounts(native: _Native, files: _Files, managers: dict[str, Row]) -> None:
    header = (
        "Id Name Type Industry Size__c BillingCity Relationship_Stage__c Annual_Value__c Partner_Kind__c "
        "Partner_Since__c ParentId OwnerId Owner_Since__c"
    ).split()
    for c in native.nodes[model.COMPANY]:
        owner = managers.get(c["id"], {})
        values = (
            c["id"], c["name"], _SF_CUSTOMER_TYPE, c["industry"], c["size"], c["city"], c["stage"].title(),
            c["annual_value"], "", "", "", owner.get("source", ""), owner.get("since", ""),
        )  # fmt: skip
        files.write("Account.csv", header, dict(zip(header, values, strict=True)))
    for p in native.nodes[model.PARTNER]:
        owner = managers.get(p["id"], {})
        values = (
            p["id"], p["name"], _SF_PARTNER_TYPE, "", "", "", "", "", p["kind"], p["since"], "",
            owner.get("source", ""), owner.get("since", ""),
        )  # fmt: skip
        files.write("Account.csv", header, dict(zip(header, values, strict=True)))


def _sf_contacts(native: _Native, files: _Files, managers: dict[str, Row]) -> None:
    header = (
        "Id FirstName LastName Email Phone MailingCity Title Education__c Income_Band__c Interests__c "
        "Preferred_Channel__c HasOptedOutOfEmail Relationship_Stage__c Customer_Since__c Lifetime_Value__c "
        "AccountId ReportsToId OwnerId Owner_Since__c Referred_By__c"
    ).split()
    works_at, _ = native.single(model.WORKS_AT, "source")
    relation = ("Id", "AccountId", "ContactId", "IsDirect", "StartDate")
    for c in native.nodes[model.CUSTOMER]:
        first, last = _split_name(c["name"])
        owner = managers.get(c["id"], {})
        account = works_at.get(c["id"], {})
        values = (
            c["id"], first, last, c["email"], c["phone"], c["city"], c["profession"], c["education"],
            c["income_band"], c["interests"], c["preferred_channel"], _SF_CONSENT[c["marketing_consent"]],
            c["stage"].title(), c["joined_on"], c["lifetime_value"], account.get("target", ""), "",
            owner.get("source", ""), owner.get("since", ""), "",
        )  # fmt: skip
        files.write("Contact.csv", header, dict(zip(header, values, strict=True)))
        if account:
            link = (f"ACR{c['id']}", account["target"], c["id"], "true", account["since"])
            files.write("AccountContactRelation.csv", relation, dict(zip(relation, link, strict=True)))


def _sf_users(native: _Native, files: _Files) -> None:
    header = ("Id", "FirstName", "LastName", "Email", "Title", "Region__c", "ManagerId", "Manager_Since__c")
    reports, _ = native.single(model.REPORTS_TO, "source")
    for e in native.nodes[model.EMPLOYEE]:
        first, last = _split_name(e["name"])
        boss = reports.get(e["id"], {})
        values = (
            e["id"],
            first,
            last,
            e["email"],
            e["role"],
            e["region"],
            boss.get("target", ""),
            boss.get("since", ""),
        )
        files.write("User.csv", header, dict(zip(header, values, strict=True)))


def _sf_opportunities(native: _Native, files: _Files) -> None:
    header = (
        "Id Name AccountId ContactId Referred_By__c Referral_Date__c StageName IsWon Amount "
        "Referral_Channel__c"
    ).split()
    for number, r in enumerate(native.relationships[model.REFERRED], start=1):
        person = native.labels[r["target"]] == model.CUSTOMER
        stage = "Closed Won" if r["converted"] == "true" else "Prospecting"
        values = (
            f"OPP{number:07d}", f"Referral {number}", "" if person else r["target"],
            r["target"] if person else "", r["source"], r["since"], stage, r["converted"], r["value"],
            r["channel"],
        )  # fmt: skip
        files.write("Opportunity.csv", header, dict(zip(header, values, strict=True)))


def _sf_relationships(native: _Native, files: _Files, extra_managers: list[Row]) -> None:
    header = (
        "Id From__c To__c Type__c Since__c Converted__c Channel__c Relation__c Strength__c Value__c".split()
    )
    rows: Iterable[Row] = [
        *native.relationships[model.KNOWS],
        *native.relationships[model.PARTNERS_WITH],
        *native.relationships[model.SUPPLIES],
        *extra_managers,
    ]
    for number, r in enumerate(rows, start=1):
        values = (
            f"REL{number:07d}", r["source"], r["target"], r["type"].lower(), r["since"], r["converted"],
            r["channel"], r["relation"], r["strength"], r["value"],
        )  # fmt: skip
        files.write("Relationship__c.csv", header, dict(zip(header, values, strict=True)))


def _sf_activities(native: _Native, files: _Files) -> None:
    for t in native.interactions:
        name, kind = _SF_CHANNEL[t["channel"]]
        when = "CompletedDateTime" if name == "Task.csv" else "StartDateTime"
        header = (
            "Id",
            "OwnerId",
            "WhoId",
            "AccountId",
            "Subject",
            "Type",
            when,
            "Sentiment__c",
            "Description",
        )
        person = native.labels[t["party"]] == model.CUSTOMER
        values = (
            t["id"], t["employee"], t["party"] if person else "", "" if person else t["party"], kind, kind,
            t["at"], t["sentiment"], t["note"],
        )  # fmt: skip
        files.write(name, header, dict(zip(header, values, strict=True)))


def generate_export(out_dir: str | Path, fmt: str, *, customers: int, seed: int = 7) -> dict[str, int]:
    """`generate` in format `fmt`: the synthetic data set of that size and seed, written natively
    or as a CRM export of the same graph; return rows written per file."""
    from graphcrm.ingest.generate import generate

    if fmt == "native":
        return generate(out_dir, customers=customers, seed=seed)
    with tempfile.TemporaryDirectory(prefix="graphcrm-native-") as scratch:
        generate(scratch, customers=customers, seed=seed)
        return write_export(scratch, out_dir, fmt)
