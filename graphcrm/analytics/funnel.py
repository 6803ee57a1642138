"""The relationship lifecycle funnel: how many customers and accounts sit at each stage, and
what they are worth.

Stages follow the CRM relationship lifecycle, in order: exploration -> awareness -> expansion ->
commitment -> dissolution (`graphcrm.model.STAGES`).
"""

from __future__ import annotations

from collections.abc import Collection

import networkx as nx
import pandas as pd

from graphcrm import model
from graphcrm.analytics.views import node_value

NO_STAGE = "(none)"
FUNNEL_COLUMNS = ("label", "segment", "stage", "count", "share", "value", "mean_value")


def lifecycle_funnel(
    G: nx.MultiDiGraph,
    *,
    segment: str | None = None,
    labels: Collection[str] = (model.CUSTOMER, model.COMPANY),
) -> pd.DataFrame:
    """Counts and value per lifecycle stage, per label, optionally per segment.

    Parameters
    ----------
    G
        The projected graph (only node attributes `label`, `stage`, `lifetime_value` /
        `annual_value` and the segment property are read).
    segment
        A node property to split by (e.g. 'size' or 'industry' for companies, 'city' or
        'income_band' for customers); nodes without it fall in segment '(none)'. None: no split
        (segment column 'all').
    labels
        Which labels to count.

    Returns
    -------
    pandas.DataFrame
        Columns `FUNNEL_COLUMNS`, one row per label, segment and stage in lifecycle order, every
        stage listed even when its count is 0 (nodes without a stage come last as '(none)', only
        when there are some). `share` is the stage's part of its label-and-segment total in
        [0, 1]; `value` sums `lifetime_value`/`annual_value`; `mean_value` is 0 for an empty stage.
    """
    records = [
        {
            "label": d.get("label"),
            "segment": "all" if segment is None else str(d.get(segment) or NO_STAGE),
            "stage": d.get("stage") or NO_STAGE,
            "value": node_value(d),
        }
        for _, d in G.nodes(data=True)
        if d.get("label") in set(labels)
    ]
    rows = []
    frame = pd.DataFrame(records, columns=["label", "segment", "stage", "value"])
    for label in [lb for lb in labels if lb in set(frame["label"])]:
        of_label = frame[frame["label"] == label]
        for seg in sorted(of_label["segment"].unique()):
            part = of_label[of_label["segment"] == seg]
            stages = list(model.STAGES) + ([NO_STAGE] if (part["stage"] == NO_STAGE).any() else [])
            for stage in stages:
                at = part[part["stage"] == stage]
                rows.append(
                    {
                        "label": label,
                        "segment": seg,
                        "stage": stage,
                        "count": len(at),
                        "share": len(at) / len(part),
                        "value": float(at["value"].sum()),
                        "mean_value": float(at["value"].mean()) if len(at) else 0.0,
                    }
                )
    return pd.DataFrame(rows, columns=list(FUNNEL_COLUMNS))
