"""Lifecycle funnel counts and value per stage."""

from __future__ import annotations

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.analytics.funnel import FUNNEL_COLUMNS, lifecycle_funnel

from .graphs import build


def crm() -> nx.MultiDiGraph:
    return build(
        {
            "c1": (model.CUSTOMER, {"stage": "exploration", "lifetime_value": 10.0, "city": "Leeds"}),
            "c2": (model.CUSTOMER, {"stage": "exploration", "lifetime_value": 20.0, "city": "York"}),
            "c3": (model.CUSTOMER, {"stage": "commitment", "lifetime_value": 30.0, "city": "Leeds"}),
            "c4": model.CUSTOMER,
            "k1": (model.COMPANY, {"stage": "expansion", "annual_value": 100.0, "size": "large"}),
            "e1": model.EMPLOYEE,
        }
    )


def test_counts_shares_and_values_per_stage_in_lifecycle_order() -> None:
    frame = lifecycle_funnel(crm())
    customers = frame[frame["label"] == model.CUSTOMER].set_index("stage")
    # Five lifecycle stages plus '(none)' for c4; shares are of the 4 customers.
    assert list(customers.index) == [*model.STAGES, "(none)"]
    assert list(customers["count"]) == [2, 0, 0, 1, 0, 1]
    assert customers.loc["exploration", "share"] == pytest.approx(2 / 4)
    assert customers.loc["exploration", "value"] == 30 and customers.loc["exploration", "mean_value"] == 15
    assert customers.loc["awareness", "mean_value"] == 0
    companies = frame[frame["label"] == model.COMPANY].set_index("stage")
    assert list(companies.index) == list(model.STAGES)
    assert companies.loc["expansion", "count"] == 1 and companies.loc["expansion", "share"] == 1.0
    assert set(frame["segment"]) == {"all"}


def test_by_segment() -> None:
    frame = lifecycle_funnel(crm(), segment="city", labels=(model.CUSTOMER,))
    leeds = frame[frame["segment"] == "Leeds"].set_index("stage")
    assert leeds.loc["exploration", "count"] == 1 and leeds.loc["commitment", "share"] == 0.5
    assert sorted(set(frame["segment"])) == ["(none)", "Leeds", "York"]


def test_empty_graph() -> None:
    frame = lifecycle_funnel(nx.MultiDiGraph())
    assert frame.empty and list(frame.columns) == list(FUNNEL_COLUMNS)
