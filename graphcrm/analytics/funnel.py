"""The relationship lifecycle funnel: how many customers and accounts sit at each stage, and
what they are worth.

Stages follow the CRM relationship lifecycle, in order: exploration -> awareness -> expansion ->
commitment -> dissolution (`graphcrm.model.STAGES`). The server does the counting (the canned
query `cypher/lifecycle_funnel.cypher`, no projection); this module puts its rows in lifecycle
order with every stage listed, shares and means.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd

from graphcrm import model
from graphcrm.analytics.spec import Analysis, AnalysisResult, Param, Table

NO_STAGE = "(none)"
FUNNEL_COLUMNS = ("label", "segment", "stage", "count", "share", "value", "mean_value")
SEGMENTS: tuple[str, ...] = (
    "city",
    "industry",
    "size",
    "income_band",
    "profession",
    "education",
    "preferred_channel",
)


def lifecycle_funnel(
    counts: Iterable[Mapping[str, Any]], *, labels: Collection[str] = (model.CUSTOMER, model.COMPANY)
) -> pd.DataFrame:
    """Counts and value per lifecycle stage, per label and segment, from grouped counts.

    Parameters
    ----------
    counts
        One row per (label, segment, stage) with its `count` and summed `value`
        (`lifetime_value` for customers, `annual_value` for companies); nodes without a stage
        come as stage '(none)'. Combinations with no nodes may be left out.
    labels
        Which labels to list, in this order.

    Returns
    -------
    pandas.DataFrame
        Columns `FUNNEL_COLUMNS`, one row per label, segment and stage in lifecycle order, every
        stage listed even when its count is 0 ('(none)' last, only when there are some). `share`
        is the stage's part of its label-and-segment total in [0, 1]; `mean_value` is 0 for an
        empty stage.

    Examples
    --------
    >>> rows = [{"label": "Customer", "segment": "all", "stage": "awareness", "count": 2, "value": 30.0}]
    >>> funnel = lifecycle_funnel(rows, labels=("Customer",))
    >>> funnel[["stage", "count", "share", "mean_value"]].head(2).values.tolist()
    [['exploration', 0, 0.0, 0.0], ['awareness', 2, 1.0, 15.0]]
    """
    found: dict[tuple[str, str], dict[str, tuple[int, float]]] = {}
    for row in counts:
        if row["label"] in labels:
            found.setdefault((row["label"], str(row["segment"])), {})[row["stage"]] = (
                row["count"],
                row["value"],
            )
    rows = []
    for label in labels:
        for segment in sorted(seg for lab, seg in found if lab == label):
            stages = found[(label, segment)]
            total = sum(count for count, _ in stages.values())
            for stage in [*model.STAGES, *([NO_STAGE] if NO_STAGE in stages else [])]:
                count, value = stages.get(stage, (0, 0.0))
                rows.append(
                    {
                        "label": label,
                        "segment": segment,
                        "stage": stage,
                        "count": count,
                        "share": count / total if total else 0.0,
                        "value": float(value),
                        "mean_value": float(value) / count if count else 0.0,
                    }
                )
    return pd.DataFrame(rows, columns=list(FUNNEL_COLUMNS))


def _run(counts: list[dict[str, Any]], *, segment: str | None) -> AnalysisResult:
    table = lifecycle_funnel(counts)
    return AnalysisResult("funnel", {"funnel": table}, table)


SPEC = Analysis(
    name="funnel",
    help="counts and value per lifecycle stage",
    query="lifecycle_funnel",
    params=(
        Param(
            "segment",
            "str",
            None,
            f"split by this property: {', '.join(SEGMENTS)}",
            flag="--by",
            choices=SEGMENTS,
        ),
    ),
    tables=(Table("funnel", FUNNEL_COLUMNS, "one row per label, segment and lifecycle stage"),),
    compute=_run,
    stores_tables=True,
)
