"""Neo4j -> columns: the compact projection the batch's whole-graph algorithms run on.

`graphcrm.projection.project` builds a NetworkX MultiDiGraph: right for the small subgraphs a page
explains, but about 5 KiB per node at scale (5.6 GiB at 1,000,000 customers). `project_compact`
reads the same Bolt streams (the same Cypher, the same properties) into pandas columns instead:
one table of nodes numbered ``0..n-1`` and, per relationship type, a table whose `source` and
`target` are those numbers. Ids are held once, in the node table.

It keeps `project`'s contract (see `graphcrm.projection`): relationships whose ends are not
projected are left out, one relationship per pair and type (INTERACTED: per interaction id), the
last one read wins; dates and date-times become pandas timestamps (date-times in UTC).
`CompactGraph.to_networkx` gives back exactly what `project` builds, which is how the tests hold
the two to each other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from graphcrm import model
from graphcrm.analytics.spec import Projection
from graphcrm.db import Graph
from graphcrm.memory import cyclic_gc_paused
from graphcrm.projection import Part, parts, stream

_KINDS: dict[str, model.Kind] = {
    key: prop.kind
    for owner in (*model.NODE_TYPES.values(), *model.REL_TYPES.values())
    for key, prop in owner.props.items()
}


@dataclass
class CompactGraph:
    """A projected graph as columns.

    `nodes` has one row per node, row ``i`` being node number ``i``: `id`, `label` (categorical),
    `name` and the projected properties. `relationships` maps each projected type to a table with
    `source` and `target` (node numbers, int32) and that type's projected properties.
    """

    nodes: pd.DataFrame
    relationships: dict[str, pd.DataFrame]

    @property
    def n(self) -> int:
        """How many nodes."""
        return len(self.nodes)

    def number_of_edges(self) -> int:
        """How many relationships, every type together."""
        return sum(len(frame) for frame in self.relationships.values())

    def numbers(self, ids: Collection[str]) -> np.ndarray:
        """The node numbers of `ids` (-1 for an id that is not projected)."""
        return pd.Index(self.nodes["id"]).get_indexer(pd.Index(list(ids), dtype=object))

    def of_type(self, rel_type: str) -> pd.DataFrame:
        """The relationships of `rel_type` (an empty table when the type was not projected)."""
        return self.relationships.get(rel_type, pd.DataFrame({"source": [], "target": []}, dtype=np.int32))

    def labelled(self, *labels: str) -> np.ndarray:
        """The numbers of the nodes carrying one of `labels`, ascending."""
        return np.flatnonzero(self.nodes["label"].isin(labels).to_numpy())

    def labels(self) -> dict[str, str]:
        """id -> label, as the write-back wants it."""
        return dict(zip(self.nodes["id"].tolist(), self.nodes["label"].astype(str).tolist(), strict=True))

    def to_networkx(
        self, nodes: np.ndarray | None = None, rows: Mapping[str, np.ndarray] | None = None
    ) -> nx.MultiDiGraph:
        """The MultiDiGraph `graphcrm.projection.project` builds from the same projection, or the
        part of it on the node numbers `nodes` (ascending) with, for each type in `rows`, the
        relationships that boolean mask selects (those of other types all) between kept nodes:
        a small graph for an analysis' NetworkX form once the columns have found what matters."""
        G = nx.MultiDiGraph()
        ids = self.nodes["id"].tolist()
        kept = np.ones(self.n, dtype=bool) if nodes is None else np.isin(np.arange(self.n), nodes)
        for row in _records(self.nodes if nodes is None else self.nodes.iloc[nodes]):
            G.add_node(row.pop("id"), **row)
        for rel_type, frame in self.relationships.items():
            chosen = kept[frame["source"].to_numpy()] & kept[frame["target"].to_numpy()]
            if rows is not None and rel_type in rows:
                chosen &= rows[rel_type]
            for row in _records(frame[chosen]):
                source, target = ids[row.pop("source")], ids[row.pop("target")]
                key = row.pop("id", None) if rel_type == model.INTERACTED else rel_type
                G.add_edge(source, target, key, type=rel_type, **row)
        return G


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `frame` as dicts without missing values, timestamps as Python dates/datetimes
    the way `project` parses them."""
    columns = {}
    for key in frame.columns:
        values = frame[key]
        if _KINDS.get(key) is model.Kind.DATE:
            columns[key] = [None if pd.isna(v) else v.date() for v in values]
        elif _KINDS.get(key) is model.Kind.DATETIME:
            columns[key] = [None if pd.isna(v) else v.to_pydatetime() for v in values]
        elif key == "label":
            columns[key] = values.astype(str).tolist()
        else:
            columns[key] = [None if missing(v) else v for v in values.tolist()]
    keys = list(columns)
    return [
        {k: v for k, v in zip(keys, row, strict=True) if v is not None}
        for row in zip(*columns.values(), strict=True)
    ]


def missing(value: Any) -> bool:
    """Whether a cell of a compact table holds no value (None, or NaN in a number column)."""
    return value is None or (isinstance(value, float) and value != value)


def project_compact(graph: Graph, projection: Projection) -> CompactGraph:
    """Read the nodes and relationships named by `projection` into a `CompactGraph`."""
    with cyclic_gc_paused():
        reader = _Reader()
        for part, rows in stream(graph, parts(projection)):
            reader.add(part, rows)
        return reader.finish()


# Text columns held as categories (few distinct values: stages, cities, channels, relations);
# ids, names and free text stay plain text.
_PLAIN_TEXT = {"id", "name", "email", "phone"}


class _Reader:
    """Turns streamed pages into column chunks as they arrive (so that a page's Python objects
    live only until the next one), node ids into numbers once every node is in."""

    def __init__(self) -> None:
        self.node_chunks: dict[str, list[Any]] = {}
        self.rel_chunks: dict[str, dict[str, list[Any]]] = {}
        self.nodes: pd.DataFrame | None = None
        self.index: pd.Index | None = None

    def add(self, part: Part, rows: list[Any]) -> None:
        if not rows:
            return
        if part.kind == "nodes":
            ids, values = zip(*rows, strict=True)
            chunks = self.node_chunks
            ends = {
                "id": np.array(ids, dtype=object),
                "label": pd.Categorical([part.name] * len(ids), categories=model.LABELS),
            }
        else:
            if self.index is None:
                self.nodes = _concat(self.node_chunks)
                self.node_chunks = {}
                self.nodes = self.nodes.drop_duplicates("id", keep="last", ignore_index=True)
                self.index = pd.Index(self.nodes["id"], dtype=object)
            sources, targets, values = zip(*rows, strict=True)
            chunks = self.rel_chunks.setdefault(part.name, {})
            ends = {
                "source": self.index.get_indexer(pd.Index(sources, dtype=object)).astype(np.int32),
                "target": self.index.get_indexer(pd.Index(targets, dtype=object)).astype(np.int32),
            }
        for key, chunk in ends.items():
            chunks.setdefault(key, []).append(chunk)
        for key, column in zip(part.keys, zip(*values, strict=True), strict=True):
            chunks.setdefault(key, []).append(_chunk(key, column))

    def finish(self) -> CompactGraph:
        nodes = self.nodes
        if nodes is None:
            nodes = _concat(self.node_chunks).drop_duplicates("id", keep="last", ignore_index=True)
        relationships = {}
        for rel_type, chunks in self.rel_chunks.items():
            frame = _concat(chunks)
            frame = frame[(frame["source"].to_numpy() >= 0) & (frame["target"].to_numpy() >= 0)]
            unique = ["id"] if rel_type == model.INTERACTED and "id" in frame else ["source", "target"]
            duplicate = frame.duplicated(unique, keep="last").to_numpy()
            if unique == ["id"]:  # touch points without an id are each their own, as NetworkX keys them
                duplicate = duplicate & frame["id"].notna().to_numpy()
            if duplicate.any():
                frame = frame[~duplicate]
            relationships[rel_type] = frame.reset_index(drop=True)
        return CompactGraph(nodes, relationships)


def _chunk(key: str, values: tuple[Any, ...]) -> Any:
    """One page of one projected property as a typed array: the model's dates and date-times
    (read as ISO text) as timestamps, numbers as floats (missing: NaN), short text as categories."""
    kind = _KINDS.get(key)
    if kind is model.Kind.DATE:
        return pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d")
    if kind is model.Kind.DATETIME:
        text = pd.Series(values, dtype=object).str.split("[", n=1).str[0]
        return pd.to_datetime(text, format="ISO8601", utc=True)
    if kind in (model.Kind.FLOAT, model.Kind.INTEGER):
        return np.array(values, dtype=float)
    if kind is model.Kind.STRING and key not in _PLAIN_TEXT:
        present = sorted({value for value in values if value is not None})
        return pd.Categorical(values, categories=pd.Index(present, dtype=object))
    return np.array(values, dtype=object)


def _concat(chunks: dict[str, list[Any]]) -> pd.DataFrame:
    """The chunks of each column joined into one table."""
    columns: dict[str, Any] = {}
    for key, pieces in chunks.items():
        if isinstance(pieces[0], pd.Categorical):
            columns[key] = union_categoricals(pieces)
        elif isinstance(pieces[0], pd.Series):
            columns[key] = pd.concat(pieces, ignore_index=True)
        else:
            columns[key] = np.concatenate(pieces)
    if not columns:
        return pd.DataFrame({"id": pd.Series([], dtype=object), "label": pd.Categorical([], model.LABELS)})
    return pd.DataFrame(columns)
