"""Neo4j -> NetworkX: read the part of the graph an analysis needs into a `nx.MultiDiGraph`.

The projection is the only step between the database and the pure analytics. It streams nodes and
relationships per label and type (both from the model, never from user text), fetches only the
listed properties, converts Neo4j temporal values to Python ones, and keeps ids as node keys.

Graph contract (what `graphcrm.analytics` functions receive): node key = the node's `id`; node
attributes `label`, `name` and the requested properties; edges `(source, target, key)` with
attribute `type` plus the requested properties; INTERACTED edges are keyed by their interaction id,
other types by the type name (one relationship per pair and type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import networkx as nx
from neo4j import ManagedTransaction

from graphcrm import model, queries
from graphcrm.db import Graph, native
from graphcrm.memory import cyclic_gc_paused

DEFAULT_NODE_PROPS: tuple[str, ...] = (
    "name",
    "stage",
    "city",
    "lifetime_value",
    "annual_value",
    "marketing_consent",
    "joined_on",
    "industry",
    "size",
    "role",
    "region",
    "kind",
    "email",
    "phone",
)
DEFAULT_REL_PROPS: dict[str, tuple[str, ...]] = {
    model.INTERACTED: ("id", "at", "channel", "sentiment"),
}
TRANSFER_BATCH = 5_000
_COMMON_REL_PROPS: tuple[str, ...] = ("since", "converted", "channel", "relation", "strength", "value")


@dataclass(frozen=True)
class Projection:
    """Which labels, types and properties to read (`rel_props`: the same keys for every type,
    by default `DEFAULT_REL_PROPS` for touch points and the common relationship keys otherwise)."""

    labels: tuple[str, ...] = model.LABELS
    types: tuple[str, ...] = tuple(model.REL_TYPES)
    node_props: tuple[str, ...] = DEFAULT_NODE_PROPS
    rel_props: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        unknown = [
            x for x in (*self.labels, *self.types) if x not in model.LABELS and x not in model.REL_TYPES
        ]
        if unknown:
            raise ValueError(f"not part of the graph model: {', '.join(unknown)}")


SOCIAL = Projection(types=(model.REFERRED, model.KNOWS, model.WORKS_AT, model.PARTNERS_WITH, model.MANAGES))
EVERYTHING = Projection()


def _temporal_parsers() -> dict[str, Callable[[str], Any]]:
    """Property key -> parser for the model's date and date-time properties (sent as ISO text)."""
    props: dict[str, model.Prop] = {}
    for node_type in model.NODE_TYPES.values():
        props.update(node_type.props)
    for rel_type in model.REL_TYPES.values():
        props.update(rel_type.props)
    parsers: dict[str, Callable[[str], Any]] = {}
    for key, prop in props.items():
        if prop.kind is model.Kind.DATE:
            parsers[key] = date.fromisoformat
        elif prop.kind is model.Kind.DATETIME:
            parsers[key] = lambda text: datetime.fromisoformat(text.split("[", 1)[0])
    return parsers


_TEMPORAL = _temporal_parsers()


def read(key: str, value: Any) -> Any:
    """A projected property value as Python: the model's dates and date-times parsed from ISO text."""
    parse = _TEMPORAL.get(key)
    return parse(value) if parse is not None and isinstance(value, str) else native(value)


def project(graph: Graph, projection: Projection = EVERYTHING) -> nx.MultiDiGraph:
    """Read the nodes and relationships named by `projection` into a MultiDiGraph."""
    with cyclic_gc_paused():
        return _project(graph, projection)


def _project(graph: Graph, projection: Projection) -> nx.MultiDiGraph:
    result = nx.MultiDiGraph()
    node_keys = list(dict.fromkeys(("name", *projection.node_props)))
    node_template = queries.internal("project_nodes")
    rel_template = queries.internal("project_relationships")

    def read_nodes(tx: ManagedTransaction, cypher: str, label: str) -> None:
        for (rows,) in tx.run(cypher, batch=TRANSFER_BATCH):
            result.add_nodes_from(
                (
                    node_id,
                    {
                        "label": label,
                        **{k: read(k, v) for k, v in zip(node_keys, values, strict=True) if v is not None},
                    },
                )
                for node_id, values in rows
            )

    def read_edges(tx: ManagedTransaction, cypher: str, rel_type: str, keys: list[str]) -> None:
        keyed_by_id = rel_type == model.INTERACTED
        nodes = result.nodes
        for (rows,) in tx.run(cypher, batch=TRANSFER_BATCH):
            edges = []
            for source, target, values in rows:
                if source not in nodes or target not in nodes:
                    continue
                attrs = {k: read(k, v) for k, v in zip(keys, values, strict=True) if v is not None}
                key = attrs.pop("id", None) if keyed_by_id else rel_type
                attrs["type"] = rel_type
                edges.append((source, target, key, attrs))
            result.add_edges_from(edges)

    for label in projection.labels:
        cypher = node_template.render(label=label, values=queries.PropertyReads("n", tuple(node_keys)))
        graph.run_read(lambda tx, c=cypher, lb=label: read_nodes(tx, c, lb))
    for rel_type in projection.types:
        keys = list(projection.rel_props or DEFAULT_REL_PROPS.get(rel_type, _COMMON_REL_PROPS))
        if rel_type == model.INTERACTED and "id" not in keys:
            keys.insert(0, "id")
        cypher = rel_template.render(type=rel_type, values=queries.PropertyReads("r", tuple(keys)))
        graph.run_read(lambda tx, c=cypher, t=rel_type, k=keys: read_edges(tx, c, t, k))
    return result
