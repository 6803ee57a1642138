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

from dataclasses import dataclass

import networkx as nx
from neo4j import ManagedTransaction

from graphcrm import model, queries
from graphcrm.db import Graph, native

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
_COMMON_REL_PROPS: tuple[str, ...] = ("since", "converted", "channel", "relation", "strength", "value")


@dataclass(frozen=True)
class Projection:
    """Which labels, types and properties to read."""

    labels: tuple[str, ...] = model.LABELS
    types: tuple[str, ...] = tuple(model.REL_TYPES)
    node_props: tuple[str, ...] = DEFAULT_NODE_PROPS

    def __post_init__(self) -> None:
        unknown = [
            x for x in (*self.labels, *self.types) if x not in model.LABELS and x not in model.REL_TYPES
        ]
        if unknown:
            raise ValueError(f"not part of the graph model: {', '.join(unknown)}")


SOCIAL = Projection(types=(model.REFERRED, model.KNOWS, model.WORKS_AT, model.PARTNERS_WITH, model.MANAGES))
EVERYTHING = Projection()


def project(graph: Graph, projection: Projection = EVERYTHING) -> nx.MultiDiGraph:
    """Read the nodes and relationships named by `projection` into a MultiDiGraph."""
    result = nx.MultiDiGraph()
    node_keys = list(dict.fromkeys(("name", *projection.node_props)))
    node_template = queries.internal("project_nodes")
    rel_template = queries.internal("project_relationships")

    def read_nodes(tx: ManagedTransaction, cypher: str, label: str) -> None:
        for record in tx.run(cypher, keys=node_keys):
            attrs = {k: native(v) for k, v in zip(node_keys, record["values"], strict=True) if v is not None}
            result.add_node(record["id"], label=label, **attrs)

    def read_edges(tx: ManagedTransaction, cypher: str, rel_type: str, keys: list[str]) -> None:
        keyed_by_id = rel_type == model.INTERACTED
        for record in tx.run(cypher, keys=keys):
            attrs = {k: native(v) for k, v in zip(keys, record["values"], strict=True) if v is not None}
            key = attrs.pop("id", None) if keyed_by_id else rel_type
            if record["source"] not in result or record["target"] not in result:
                continue
            result.add_edge(record["source"], record["target"], key=key, type=rel_type, **attrs)

    for label in projection.labels:
        cypher = node_template.render(label=label)
        graph.run_read(lambda tx, c=cypher, lb=label: read_nodes(tx, c, lb))
    for rel_type in projection.types:
        keys = list(DEFAULT_REL_PROPS.get(rel_type, _COMMON_REL_PROPS))
        cypher = rel_template.render(type=rel_type)
        graph.run_read(lambda tx, c=cypher, t=rel_type, k=keys: read_edges(tx, c, t, k))
    return result
