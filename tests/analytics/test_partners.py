"""Partner reach, referral results, overlap and Adamic-Adar candidate links."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.partners import partner_reach, partner_report
from graphcrm.errors import UnknownNode

from .graphs import build

REF = model.REFERRED


def partnerships() -> nx.MultiDiGraph:
    """P1 partners with CO1 (contact C1) and referred C2 (converted, 100) and C3 (not); C2
    referred C4 and works at CO2. P2 partners with CO1 only."""
    nodes = {
        "P1": (model.PARTNER, {"kind": "telecom"}),
        "P2": (model.PARTNER, {"kind": "bank"}),
        "CO1": model.COMPANY,
        "CO2": model.COMPANY,
        "C1": model.CUSTOMER,
        "C2": (model.CUSTOMER, {"lifetime_value": 100.0}),
        "C3": (model.CUSTOMER, {"lifetime_value": 50.0}),
        "C4": model.CUSTOMER,
    }
    return build(
        nodes,
        [
            ("P1", model.PARTNERS_WITH, "CO1"),
            ("P2", model.PARTNERS_WITH, "CO1"),
            ("C1", model.WORKS_AT, "CO1"),
            ("P1", REF, "C2", {"converted": True}),
            ("P1", REF, "C3", {"converted": False}),
            ("C2", REF, "C4", {"converted": True}),
            ("C2", model.WORKS_AT, "CO2"),
        ],
    )


def test_reach_is_cascade_plus_partner_accounts_and_their_contacts() -> None:
    G = partnerships()
    assert partner_reach(G, "P1") == {"C2", "C3", "C4", "CO1", "C1"}
    assert partner_reach(G, "P2") == {"CO1", "C1"}
    with pytest.raises(UnknownNode, match="There is no partner with id 'C1'"):
        partner_reach(G, "C1")


def test_partner_table_and_overlap() -> None:
    report = partner_report(partnerships())
    p1 = report.partners.set_index("id").loc["P1"]
    assert (p1.companies, p1.customers_reached, p1.referrals, p1.converted) == (1, 4, 2, 1)
    assert (p1.conversion_rate, p1.referred_value) == (0.5, 100)
    assert list(report.partners["id"]) == ["P1", "P2"]
    # Shared reach {CO1, C1} of a union of 5.
    assert report.overlap.to_dict(orient="records") == [
        {"partner_a": "P1", "partner_b": "P2", "shared": 2, "jaccard": pytest.approx(2 / 5)}
    ]


def test_candidate_links_by_adamic_adar() -> None:
    candidates = partner_report(partnerships()).candidates
    # P1 - CO2 share C2, whose neighbours are P1, C4 and CO2: 1 / log 3. P2 - CO2 share nothing;
    # no candidate for CO1 since both partners already work with it.
    assert candidates[["partner", "company"]].values.tolist() == [["P1", "CO2"]]
    assert candidates.loc[0, "score"] == pytest.approx(1 / math.log(3))
    assert candidates.loc[0, "reason"] == "1 shared tie: C2 (C2)"


def test_no_partners() -> None:
    report = partner_report(nx.MultiDiGraph())
    assert all(t.empty for t in report.tables().values())
