"""Lifecycle funnel: every stage in lifecycle order, shares and means, from grouped counts."""

from __future__ import annotations

import pytest

from graphcrm import model
from graphcrm.analytics.funnel import FUNNEL_COLUMNS, lifecycle_funnel

# Grouped counts as the server returns them: four customers (two exploring worth 10 and 20, one
# committed worth 30, one with no stage) and one company in expansion worth 100.
COUNTS = [
    {"label": model.CUSTOMER, "segment": "all", "stage": "exploration", "count": 2, "value": 30.0},
    {"label": model.CUSTOMER, "segment": "all", "stage": "commitment", "count": 1, "value": 30.0},
    {"label": model.CUSTOMER, "segment": "all", "stage": "(none)", "count": 1, "value": 0.0},
    {"label": model.COMPANY, "segment": "all", "stage": "expansion", "count": 1, "value": 100.0},
]


def test_counts_shares_and_values_per_stage_in_lifecycle_order() -> None:
    frame = lifecycle_funnel(COUNTS)
    customers = frame[frame["label"] == model.CUSTOMER].set_index("stage")
    # Five lifecycle stages plus '(none)'; shares are of the 4 customers.
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
    counts = [
        {"label": model.CUSTOMER, "segment": "Leeds", "stage": "exploration", "count": 1, "value": 10.0},
        {"label": model.CUSTOMER, "segment": "Leeds", "stage": "commitment", "count": 1, "value": 30.0},
        {"label": model.CUSTOMER, "segment": "York", "stage": "exploration", "count": 1, "value": 20.0},
        {"label": model.COMPANY, "segment": "large", "stage": "expansion", "count": 1, "value": 100.0},
    ]
    frame = lifecycle_funnel(counts, labels=(model.CUSTOMER,))
    leeds = frame[frame["segment"] == "Leeds"].set_index("stage")
    assert leeds.loc["exploration", "count"] == 1 and leeds.loc["commitment", "share"] == 0.5
    assert sorted(set(frame["segment"])) == ["Leeds", "York"]


def test_nothing_counted() -> None:
    frame = lifecycle_funnel([])
    assert frame.empty and list(frame.columns) == list(FUNNEL_COLUMNS)
