"""Account coverage on a hand-built book of accounts."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.coverage import account_coverage

from .graphs import AS_OF, build, touch

MAN, INT = model.MANAGES, model.INTERACTED


def book() -> nx.MultiDiGraph:
    """E1 manages CO1 and CO3; E2 manages CO3 (double-managed); E3 manages CO4..CO7; CO2 has no
    manager. Key contact K works at CO1. Influencer X is unmanaged and untouched; Y is managed by E2
    and touched today."""
    companies = {
        f"CO{i}": (model.COMPANY, {"annual_value": 100.0 * i, "stage": "commitment"}) for i in range(1, 8)
    }
    companies["CO2"][1]["stage"] = "dissolution"
    nodes = {
        **companies,
        **{e: (model.EMPLOYEE, {"role": "key_account_manager"}) for e in ("E1", "E2", "E3")},
        "K": model.CUSTOMER,
        "X": model.CUSTOMER,
        "Y": model.CUSTOMER,
    }
    edges = [
        ("E1", MAN, "CO1"),
        ("E1", MAN, "CO3"),
        ("E2", MAN, "CO3"),
        ("E2", MAN, "Y"),
        *[("E3", MAN, f"CO{i}") for i in range(4, 8)],
        ("K", model.WORKS_AT, "CO1"),
        # CO1: warm last year, cold lately (sentiment +0.8 -> -0.2), touched 10 days ago.
        ("E1", INT, "CO1", touch(300, sentiment=0.8)),
        ("E1", INT, "CO1", touch(10, sentiment=-0.2)),
        # CO3: last touched 200 days ago; three touches in the window before the last 180 days.
        *[("E2", INT, "CO3", touch(d, sentiment=0.5)) for d in (200, 250, 300)],
        *[("E3", INT, f"CO{i}", touch(5, sentiment=0.5)) for i in range(4, 8)],
        ("E2", INT, "Y", touch(0, sentiment=1.0)),
    ]
    return build(nodes, edges)


def report(**options: object):  # noqa: ANN201
    defaults = {"as_of": AS_OF, "influence": {"X": 0.9, "Y": 0.8}, "community": {}, "top_influencers": 2}
    return account_coverage(book(), **{**defaults, **options})


def test_unmanaged_and_double_managed_accounts() -> None:
    r = report()
    assert list(r.unmanaged["id"]) == ["CO2"]
    assert r.multi_managed.to_dict(orient="records") == [
        {"id": "CO3", "name": "CO3", "managers": 2, "manager_ids": "E1, E2"}
    ]


def test_manager_load_against_the_team_median() -> None:
    load = report().manager_load.set_index("id")
    # Accounts: E1 2 (CO1, CO3), E2 2 (CO3, Y), E3 4: median 2, so E3 is at 2x and overloaded.
    assert dict(load["accounts"]) == {"E3": 4, "E1": 2, "E2": 2}
    assert load.loc["E3", "accounts_vs_median"] == 2.0 and bool(load.loc["E3", "overloaded"])
    # Values: E1 100 + 300, E2 300 + 0, E3 400+500+600+700 = 2200; median 400.
    assert load.loc["E3", "value_vs_median"] == pytest.approx(2200 / 400)
    assert not load.loc["E1", "overloaded"]


def test_stale_accounts_and_contacts() -> None:
    stale = report(stale_days=90).stale.set_index("id")
    # CO2 never touched, CO3 200 days ago, key contact K never; CO1 (10 days) is fresh.
    assert set(stale.index) == {"CO2", "CO3", "K"}
    assert stale.loc["CO3", "days_since"] == pytest.approx(200)
    assert math.isnan(stale.loc["CO2", "days_since"])
    assert stale.loc["K", "kind"] == "key contact" and stale.loc["CO3", "managers"] == "E1, E2"


def test_accounts_trending_toward_dissolution() -> None:
    risk = report(trend_days=180).at_risk.set_index("id")
    assert risk.loc["CO2", "reason"] == "stage dissolution"
    # CO1: mean sentiment in the last 180 days -0.20, in the 180 before +0.80.
    assert risk.loc["CO1", "reason"] == "sentiment -0.20 from +0.80"
    # CO3: no touches in the last 180 days against three before.
    assert risk.loc["CO3", "reason"] == "touches 0 from 3 per 180 days"
    assert "CO4" not in risk.index


def test_influencers_nobody_covers_and_split_communities() -> None:
    r = report(community={"K": 0, "X": 0, "Y": 0}, split_managers=3)
    uncovered = r.influential_uncovered.set_index("id")
    assert list(uncovered.index) == ["X"]  # Y is managed and touched today
    assert uncovered.loc["X", "reason"] == "no manager and no touch points"
    # Community 0: Y managed by E2, K works at CO1 (E1): 2 managers, below 3.
    assert r.split_communities.empty
    split = report(community={"K": 0, "Y": 0}, split_managers=2).split_communities
    assert split.to_dict(orient="records") == [
        {"community": 0, "size": 2, "managers": 2, "manager_ids": "E1, E2"}
    ]


def test_empty_graph_gives_empty_tables() -> None:
    r = account_coverage(nx.MultiDiGraph())
    assert all(table.empty for table in r.tables().values())
    assert list(r.tables()) == [
        "unmanaged",
        "multi_managed",
        "manager_load",
        "stale",
        "at_risk",
        "influential_uncovered",
        "split_communities",
    ]
