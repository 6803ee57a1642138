"""The CRM graph model: labels, relationship types, their endpoints and typed properties.

Everything that needs to know the shape of the graph (the CSV validator, the loader, the
projection, the dashboard) reads it from here. Labels and relationship types are the only
identifiers ever placed into Cypher text, and they always come from these constants, never from
user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """Property value kinds accepted in CSV files, with how they are parsed."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


CUSTOMER = "Customer"
COMPANY = "Company"
EMPLOYEE = "Employee"
PARTNER = "Partner"
LABELS: tuple[str, ...] = (CUSTOMER, COMPANY, EMPLOYEE, PARTNER)

MANAGES = "MANAGES"
WORKS_AT = "WORKS_AT"
PARTNERS_WITH = "PARTNERS_WITH"
REFERRED = "REFERRED"
KNOWS = "KNOWS"
SUPPLIES = "SUPPLIES"
REPORTS_TO = "REPORTS_TO"
INTERACTED = "INTERACTED"

STAGES: tuple[str, ...] = ("exploration", "awareness", "expansion", "commitment", "dissolution")
CHANNELS: tuple[str, ...] = ("call", "email", "meeting", "visit", "survey", "web", "direct_mail")


# Size limits of the import contract, each checked in validation as a `file:line` error. A cell of
# free text (Prop.free_text) may hold a paragraph; every other cell (ids, names, emails, typed
# values) a line. A row is one CSV record, separators and quotes included; 64 KiB holds every column
# at its limit with room to spare. A file's bytes are checked before it is read, its data rows while
# it is read (20 million rows: the 1M-customer benchmark has 3.6 million relationship rows in all).
MAX_TEXT_CHARS = 1_000
MAX_FREE_TEXT_CHARS = 10_000
MAX_ROW_BYTES = 64 * 1024
MAX_FILE_BYTES = 2 * 1024**3
MAX_FILE_ROWS = 20_000_000


@dataclass(frozen=True)
class Prop:
    """One typed property. `minimum`/`maximum` bound numbers; `choices` bound strings;
    `free_text` allows MAX_FREE_TEXT_CHARS characters with tabs and line breaks."""

    kind: Kind = Kind.STRING
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    doc: str = ""
    free_text: bool = False

    @property
    def max_chars(self) -> int:
        """The longest cell the contract accepts for this property."""
        return MAX_FREE_TEXT_CHARS if self.free_text else MAX_TEXT_CHARS


@dataclass(frozen=True)
class NodeType:
    """A node label with the CSV file it is imported from and its typed optional properties."""

    label: str
    file: str
    props: dict[str, Prop] = field(default_factory=dict)


@dataclass(frozen=True)
class RelType:
    """A relationship type with the labels allowed at each end and its typed properties."""

    type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    props: dict[str, Prop] = field(default_factory=dict)
    description: str = ""


# Money: up to a quadrillion, so that sums over millions of accounts stay finite.
_MONEY = Prop(Kind.FLOAT, minimum=0, maximum=1e15)
_STAGE = Prop(choices=STAGES)

NODE_TYPES: dict[str, NodeType] = {
    CUSTOMER: NodeType(
        CUSTOMER,
        "customers.csv",
        {
            "email": Prop(),
            "phone": Prop(),
            "city": Prop(),
            "profession": Prop(),
            "education": Prop(),
            "income_band": Prop(),
            "interests": Prop(free_text=True),
            "preferred_channel": Prop(choices=CHANNELS),
            "marketing_consent": Prop(Kind.BOOLEAN),
            "stage": _STAGE,
            "joined_on": Prop(Kind.DATE),
            "lifetime_value": _MONEY,
        },
    ),
    COMPANY: NodeType(
        COMPANY,
        "companies.csv",
        {
            "industry": Prop(),
            "size": Prop(),
            "city": Prop(),
            "stage": _STAGE,
            "annual_value": _MONEY,
        },
    ),
    EMPLOYEE: NodeType(
        EMPLOYEE,
        "employees.csv",
        {"email": Prop(), "role": Prop(), "region": Prop()},
    ),
    PARTNER: NodeType(PARTNER, "partners.csv", {"kind": Prop(), "since": Prop(Kind.DATE)}),
}

RELATIONSHIP_PROPS: dict[str, Prop] = {
    "since": Prop(Kind.DATE),
    "converted": Prop(Kind.BOOLEAN),
    "channel": Prop(),
    "relation": Prop(),
    "strength": Prop(Kind.FLOAT, minimum=0, maximum=1),
    "value": _MONEY,
}

REL_TYPES: dict[str, RelType] = {
    MANAGES: RelType(
        MANAGES,
        (EMPLOYEE,),
        (COMPANY, CUSTOMER, PARTNER),
        RELATIONSHIP_PROPS,
        "dedicated account or partner manager",
    ),
    WORKS_AT: RelType(
        WORKS_AT, (CUSTOMER,), (COMPANY,), RELATIONSHIP_PROPS, "a contact at a business account"
    ),
    PARTNERS_WITH: RelType(
        PARTNERS_WITH, (PARTNER,), (COMPANY, PARTNER), RELATIONSHIP_PROPS, "a partnership"
    ),
    REFERRED: RelType(
        REFERRED,
        (CUSTOMER, PARTNER, EMPLOYEE),
        (CUSTOMER, COMPANY),
        RELATIONSHIP_PROPS,
        "a referral; `converted` says whether it became business",
    ),
    KNOWS: RelType(
        KNOWS, (CUSTOMER,), (CUSTOMER,), RELATIONSHIP_PROPS, "a social tie; undirected in meaning"
    ),
    SUPPLIES: RelType(SUPPLIES, (COMPANY,), (COMPANY,), RELATIONSHIP_PROPS, "B2B trade between accounts"),
    REPORTS_TO: RelType(REPORTS_TO, (EMPLOYEE,), (EMPLOYEE,), RELATIONSHIP_PROPS, "org chart"),
    INTERACTED: RelType(
        INTERACTED,
        (EMPLOYEE,),
        (CUSTOMER, COMPANY, PARTNER),
        {
            "at": Prop(Kind.DATETIME),
            "channel": Prop(choices=CHANNELS),
            "sentiment": Prop(Kind.FLOAT, minimum=-1, maximum=1),
            "note": Prop(free_text=True),
        },
        "one touch point, imported from interactions.csv",
    ),
}

RELATIONSHIPS_FILE = "relationships.csv"
INTERACTIONS_FILE = "interactions.csv"
NODE_REQUIRED: tuple[str, ...] = ("id", "name")
RELATIONSHIP_REQUIRED: tuple[str, ...] = ("source", "target", "type")
INTERACTION_REQUIRED: tuple[str, ...] = ("id", "employee", "party", "at", "channel")
# Types that come from relationships.csv; INTERACTED only comes from interactions.csv.
CSV_REL_TYPES: tuple[str, ...] = tuple(t for t in REL_TYPES if t != INTERACTED)
PERSONAL_PROPS: frozenset[str] = frozenset({"email", "phone"})

# What the analytics write back onto nodes (declared by each analysis' `scores`), and the node that
# records each run. These are not import columns: a load never sets or clears them.
ANALYTICS_RUN = "AnalyticsRun"
SCORES: dict[str, Prop] = {
    "influence": Prop(Kind.FLOAT, 0, 1, doc="weighted blend of the components below, in [0, 1]"),
    "pagerank": Prop(Kind.FLOAT, 0, 1, doc="PageRank on referrals (credited to the referrer) and KNOWS ties"),
    "referral_reach": Prop(Kind.INTEGER, 0, doc="everyone downstream in the person's referral cascade"),
    "cascade_depth": Prop(Kind.INTEGER, 0, doc="longest referral chain below the person (hops)"),
    "converted_value": Prop(Kind.FLOAT, 0, doc="value of the converted people and accounts in the cascade"),
    "brokerage": Prop(Kind.FLOAT, 0, 1, doc="betweenness on the social graph: bridges between groups"),
    "influence_why": Prop(doc="one line saying why the person ranks where they do"),
    "community": Prop(Kind.INTEGER, 0, doc="Louvain community number (0 is the largest)"),
    "referral_ring": Prop(Kind.INTEGER, 1, doc="number of the referral ring the node belongs to"),
    "risk_reason": Prop(
        doc="why an account is at risk (stage dissolution, falling sentiment, fading touches)"
    ),
}


def contract_table() -> str:
    """The import contract as Markdown: each file, its required and optional columns with their
    types and allowed values (the README shows it; a test keeps the two equal)."""

    def described(props: dict[str, Prop]) -> str:
        parts = []
        for key, prop in props.items():
            kind = f"one of {'/'.join(prop.choices)}" if prop.choices else prop.kind.value
            bounds = [f">= {prop.minimum:g}"] if prop.minimum is not None else []
            bounds += [f"<= {prop.maximum:g}"] if prop.maximum is not None else []
            parts.append(f"`{key}` ({', '.join([kind, *bounds])})")
        return ", ".join(parts)

    lines = ["| file | required | optional |", "| --- | --- | --- |"]
    for node_type in NODE_TYPES.values():
        required = ", ".join(f"`{c}`" for c in NODE_REQUIRED)
        lines.append(f"| `{node_type.file}` | {required} | {described(node_type.props)} |")
    types = "/".join(CSV_REL_TYPES)
    required = ", ".join(f"`{c}`" for c in RELATIONSHIP_REQUIRED)
    lines.append(f"| `{RELATIONSHIPS_FILE}` | {required} (type: {types}) | {described(RELATIONSHIP_PROPS)} |")
    interacted = {k: v for k, v in REL_TYPES[INTERACTED].props.items() if k not in INTERACTION_REQUIRED}
    required = ", ".join(f"`{c}`" for c in INTERACTION_REQUIRED)
    lines.append(f"| `{INTERACTIONS_FILE}` (optional) | {required} | {described(interacted)} |")
    return "\n".join(lines)
