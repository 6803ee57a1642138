"""Write analytics results back to Neo4j as node properties, and record when each run happened.

Analysts then `ORDER BY c.influence DESC` in Cypher, and the dashboard reads scores without
recomputing them. Rows are written per label in UNWIND batches (labels from the model only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from graphcrm import model, queries
from graphcrm.db import Graph, native


def _clean(value: Any) -> Any:
    """A value Neo4j can store: numpy scalars to Python, NaN to None (the property is removed)."""
    item = getattr(value, "item", None)
    if item is not None:
        value = item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_node_scores(
    graph: Graph,
    labels: Mapping[str, str],
    scores: Iterable[Mapping[str, Any]],
    *,
    computed_at: datetime | None = None,
    batch_size: int = 10_000,
) -> int:
    """Set the given properties on nodes by id; return how many rows were written.

    Parameters
    ----------
    labels
        id -> label of every node that may be scored (e.g. from the projected graph), so each
        row is written through its label's unique-id index.
    scores
        Rows with an `id` key and the properties to set, e.g. `{"id": "C1", "influence": 0.8}`.
    """
    stamp = (computed_at or datetime.now(UTC)).isoformat()
    by_label: dict[str, list[dict[str, Any]]] = {}
    for row in scores:
        node_id = str(row["id"])
        label = labels.get(node_id)
        if label not in model.LABELS:
            continue
        props = {k: _clean(v) for k, v in row.items() if k != "id"}
        by_label.setdefault(label, []).append({"id": node_id, "props": props})
    template = queries.internal("write_scores")
    written = 0
    for label, rows in by_label.items():
        written += graph.write_batches(
            template.render(label=label), rows, batch_size=batch_size, extra={"computed_at": stamp}
        )
    return written


def write_score_frame(
    graph: Graph, frame: pd.DataFrame, *, computed_at: datetime | None = None, batch_size: int = 10_000
) -> int:
    """Set every column of `frame` but `id` and `label` on the node with that id and label, in
    UNWIND batches built one at a time (a million rows never exist as dicts at once); a missing
    value (NaN, None, an infinity) removes the property. The batch writes every analysis' scores
    in this one pass, each node once. Returns how many rows were written."""
    stamp = (computed_at or datetime.now(UTC)).isoformat()
    template = queries.internal("write_scores")
    props = [column for column in frame.columns if column not in ("id", "label")]
    written = 0
    for label, part in frame.groupby("label", observed=True, sort=False):
        if label not in model.LABELS:
            continue
        cypher = template.render(label=str(label))
        for start in range(0, len(part), batch_size):
            chunk = part.iloc[start : start + batch_size]
            values = chunk[props].replace([np.inf, -np.inf], np.nan)
            values = values.astype(object).where(values.notna(), None)
            rows = [
                {"id": node_id, "props": dict(zip(props, row, strict=True))}
                for node_id, row in zip(
                    chunk["id"].tolist(), values.itertuples(index=False, name=None), strict=True
                )
            ]
            written += graph.write_batches(cypher, rows, batch_size=batch_size, extra={"computed_at": stamp})
    return written


def latest_runs(graph: Graph) -> list[dict[str, Any]]:
    """When each analysis last ran: analysis, computed_at (datetime), nodes, seconds, engine and
    who started it."""
    rows = graph.read(queries.internal("analytics_runs").render())
    for row in rows:
        stamp = row.get("computed_at")
        if stamp is not None:
            row["computed_at"] = native(stamp)
    return rows
