"""Small hand-built graphs in the projection's contract (see graphcrm.projection)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from graphcrm import model
from graphcrm.compact import CompactGraph

AS_OF = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def build(
    nodes: dict[str, str | tuple[str, dict[str, Any]]],
    edges: Iterable[tuple[str, str, str] | tuple[str, str, str, dict[str, Any]]] = (),
) -> nx.MultiDiGraph:
    """`nodes`: id -> label or (label, attributes); `edges`: (source, TYPE, target[, attributes]).

    Nodes get `name` = their id unless given; INTERACTED edges are keyed I1, I2, ... like the
    projection keys them by interaction id.
    """
    G = nx.MultiDiGraph()
    for node, spec in nodes.items():
        label, attrs = (spec, {}) if isinstance(spec, str) else spec
        G.add_node(node, label=label, **{"name": node, **attrs})
    for number, edge in enumerate(edges, start=1):
        source, rel_type, target = edge[:3]
        attrs = edge[3] if len(edge) > 3 else {}
        key = f"I{number}" if rel_type == model.INTERACTED else rel_type
        G.add_edge(source, target, key=key, type=rel_type, **attrs)
    return G


def customers(*ids: str, **attrs: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    return {i: (model.CUSTOMER, dict(attrs)) for i in ids}


def touch(days_ago: float, sentiment: float | None = None) -> dict[str, Any]:
    """Attributes of an INTERACTED edge `days_ago` days before AS_OF."""
    attrs: dict[str, Any] = {"at": AS_OF - timedelta(days=days_ago), "channel": "call"}
    if sentiment is not None:
        attrs["sentiment"] = sentiment
    return attrs


def karate() -> nx.MultiDiGraph:
    """Zachary's karate club as customers C0..C33 with one KNOWS tie per friendship."""
    club = nx.karate_club_graph()
    return build(
        {f"C{n}": model.CUSTOMER for n in club},
        [(f"C{u}", model.KNOWS, f"C{v}") for u, v in club.edges()],
    )


def compact_of(G: nx.MultiDiGraph) -> CompactGraph:
    """`G` as the compact projection reads it (`graphcrm.compact`): a node table in `G`'s order,
    a table per relationship type with numbered ends, dates as timestamps, numbers as floats."""
    ids = list(G.nodes)
    number = {node: i for i, node in enumerate(ids)}
    nodes = pd.DataFrame([{"id": node, **attrs} for node, attrs in G.nodes(data=True)])
    if not ids:
        nodes = pd.DataFrame({"id": [], "label": [], "name": []}, dtype=object)
    rows: dict[str, list[dict[str, Any]]] = {}
    for u, v, key, attrs in G.edges(keys=True, data=True):
        extra = {"id": key} if attrs["type"] == model.INTERACTED else {}
        fields = {k: value for k, value in attrs.items() if k != "type"}
        row = {"source": number[u], "target": number[v], **extra, **fields}
        rows.setdefault(attrs["type"], []).append(row)
    relationships = {rel_type: _typed(pd.DataFrame(found)) for rel_type, found in rows.items()}
    return CompactGraph(_typed(nodes), relationships)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column in ("source", "target"):
            frame[column] = frame[column].astype(np.int32)
        elif column in ("lifetime_value", "annual_value", "strength", "sentiment", "value"):
            frame[column] = pd.to_numeric(frame[column]).astype(float)
        elif column == "at":
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif column in ("since", "joined_on"):
            frame[column] = pd.to_datetime(frame[column])
    return frame
