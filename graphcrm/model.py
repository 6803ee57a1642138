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


@dataclass(frozen=True)
class Prop:
    """One typed property. `minimum`/`maximum` bound numbers; `choices` bound strings."""

    kind: Kind = Kind.STRING
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None


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


_MONEY = Prop(Kind.FLOAT, minimum=0)
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
            "interests": Prop(),
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
            "note": Prop(),
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
