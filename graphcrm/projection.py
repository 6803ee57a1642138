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

import queue
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import networkx as nx
from neo4j import ManagedTransaction

from graphcrm import model, queries
from graphcrm.analytics.spec import Projection
from graphcrm.db import Graph
from graphcrm.errors import InputError
from graphcrm.memory import cyclic_gc_paused

DEFAULT_REL_PROPS: dict[str, tuple[str, ...]] = {
    model.INTERACTED: ("id", "at", "channel", "sentiment"),
}
# Nodes per page: one query's rows (a label's nodes, or the relationships of as many nodes).
TRANSFER_BATCH = 5_000
# Packed pages the fetching thread may read ahead.
PREFETCH_BATCHES = 64
_COMMON_REL_PROPS: tuple[str, ...] = ("since", "converted", "channel", "relation", "strength", "value")


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


def _parsers(keys: list[str]) -> list[Callable[[str], Any] | None]:
    """Per key, the parser of its ISO text (the model's dates and date-times) or None: every other
    projected value already arrives as a plain Python str, int, float or bool."""
    return [_TEMPORAL.get(key) for key in keys]


def _attributes(keys: list[str], values: list[Any], parsers: list[Callable[[str], Any] | None]) -> dict:
    """The non-null values of one projected row by key, dates and date-times parsed."""
    return {
        key: value if parse is None else parse(value)
        for key, value, parse in zip(keys, values, parsers, strict=True)
        if value is not None
    }


def project(graph: Graph, projection: Projection = EVERYTHING) -> nx.MultiDiGraph:
    """Read the nodes and relationships named by `projection` into a MultiDiGraph."""
    with cyclic_gc_paused():
        return _project(graph, projection)


@dataclass(frozen=True)
class Part:
    """One streamed part of a projection: the nodes of a label, or the relationships of a type.

    `pages` are (label, paged query) pairs, each read page by page in id order; a relationship
    part also has `pages_in`, the same relationships paged over their target side, and is read
    from whichever side has more nodes, so that a page holds few relationships."""

    kind: str
    name: str
    keys: list[str]
    pages: tuple[tuple[str, str], ...]
    pages_in: tuple[tuple[str, str], ...] = ()


def parts(projection: Projection) -> list[Part]:
    """The streamed parts of `projection`: every label's nodes first, then each type's
    relationships (`graphcrm.compact` numbers relationship ends once all nodes are in)."""
    node_keys = list(dict.fromkeys(("name", *projection.node_props)))
    node_reads = queries.PropertyReads("n", tuple(node_keys))
    node_template = queries.internal("project_nodes")
    parts = [
        Part("nodes", label, node_keys, ((label, node_template.render(label=label, values=node_reads)),))
        for label in projection.labels
    ]
    for rel_type in projection.types:
        keys = rel_keys(projection, rel_type)
        reads = queries.PropertyReads("r", tuple(keys))
        sides = []
        for side, labels in (
            ("out", model.REL_TYPES[rel_type].sources),
            ("in", model.REL_TYPES[rel_type].targets),
        ):
            template = queries.internal(f"project_relationships_{side}")
            kept = [label for label in labels if label in projection.labels]
            sides.append(
                tuple((label, template.render(label=label, type=rel_type, values=reads)) for label in kept)
            )
        if all(sides):
            parts.append(Part("relationships", rel_type, keys, sides[0], sides[1]))
    return parts


_END = object()


def _refuse_ids_not_text(graph: Graph, label: str) -> None:
    """InputError when nodes of `label` have no id, an empty one or one that is not text: pages
    are read in text-id order after the empty text, so such nodes (and their ties) would be left
    out without a word. The counts (count store, id index) settle it at once; only when they
    differ are the nodes looked at."""
    (counted,) = graph.read(queries.internal("text_ids_counted").render(label=label))
    if counted["nodes"] == counted["texts"]:
        return
    (found,) = graph.read(queries.internal("ids_not_text").render(label=label))
    if found["count"]:
        examples = ", ".join(repr(e) for e in found["examples"])
        shown = f" (for example {examples})" if examples else ""
        raise InputError(
            f"{found['count']:,} {label} node(s) have no id, an empty id or an id that is not "
            f"text{shown}; graphcrm reads nodes by their text ids and would leave them out. Give them "
            f"text ids (e.g. MATCH (n:{label}) WHERE n.id IS :: INTEGER SET n.id = toString(n.id)) "
            "and run again."
        )


def stream(graph: Graph, parts: list[Part]) -> Iterator[tuple[Part, list[Any]]]:
    """Every part's packed rows, page by page, fetched by a helper thread so that Neo4j works
    on the next page while this thread builds the graph from the last one (on 2 cores at a
    million customers the two used to take turns). A transaction retried by the driver sends its
    rows again, which the graph absorbs (adding a node or keyed edge twice is idempotent)."""
    batches: queue.Queue[Any] = queue.Queue(maxsize=PREFETCH_BATCHES)
    stop = threading.Event()
    count = queries.internal("label_count")

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def nodes(pages: tuple[tuple[str, str], ...]) -> int:
        return sum(graph.read(count.render(label=label))[0]["count"] for label, _ in pages)

    def fetch_part(tx: ManagedTransaction, part: Part, pages: tuple[tuple[str, str], ...]) -> None:
        for _, cypher in pages:
            after = ""
            while not stop.is_set():
                rows, last = tx.run(cypher, after=after, batch=TRANSFER_BATCH).single(strict=True)
                if rows:
                    put((part, rows))
                if last is None:
                    break
                after = last

    def fetch() -> None:
        try:
            for part in parts:
                if part.kind == "nodes":
                    _refuse_ids_not_text(graph, part.name)
                pages = part.pages
                if part.pages_in and nodes(part.pages_in) > nodes(part.pages):
                    pages = part.pages_in
                graph.run_read(lambda tx, p=part, q=pages: fetch_part(tx, p, q))
            put(_END)
        except BaseException as err:  # handed to the consuming thread, which raises it
            put(err)

    worker = threading.Thread(target=fetch, name="graphcrm-projection", daemon=True)
    worker.start()
    try:
        while (item := batches.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _project(graph: Graph, projection: Projection) -> nx.MultiDiGraph:
    result = nx.MultiDiGraph()
    present: set[str] = set()
    for part, rows in stream(graph, parts(projection)):
        parsers = _parsers(part.keys)
        if part.kind == "nodes":
            for node_id, values in rows:
                result.add_node(node_id, label=part.name, **_attributes(part.keys, values, parsers))
                present.add(node_id)
            continue
        keyed_by_id = part.name == model.INTERACTED
        for source, target, values in rows:
            if source not in present or target not in present:
                continue
            attrs = _attributes(part.keys, values, parsers)
            key = attrs.pop("id", None) if keyed_by_id else part.name
            result.add_edge(source, target, key, type=part.name, **attrs)
    return result


def rel_keys(projection: Projection, rel_type: str) -> list[str]:
    """The properties projected for relationships of `rel_type` (INTERACTED always with its id,
    which keys its edges)."""
    keys = list(projection.rel_props or DEFAULT_REL_PROPS.get(rel_type, _COMMON_REL_PROPS))
    if rel_type == model.INTERACTED and "id" not in keys:
        keys.insert(0, "id")
    return keys


def _add_edge(G: nx.MultiDiGraph, source: str, target: str, rel_type: str, attrs: dict) -> None:
    """One relationship as `project` keys it: INTERACTED by its interaction id, others by type."""
    key = attrs.pop("id", None) if rel_type == model.INTERACTED else rel_type
    G.add_edge(source, target, key, type=rel_type, **attrs)


# A node with more relationships of one type than this has them read from the other end in a
# bounded projection (`_relationships_among`).
AROUND_WIDE = 200


def project_around(graph: Graph, ids: Collection[str], projection: Projection) -> nx.MultiDiGraph:
    """The nodes `ids` and the relationships among them named by `projection`, as `project`
    builds them (same attributes and keys), read through the id indexes: the request path's
    bounded subgraph around the nodes in view, never the whole graph."""
    wanted = sorted(set(ids))
    node_keys = list(dict.fromkeys(("name", *projection.node_props)))
    parsers = _parsers(node_keys)
    result = nx.MultiDiGraph()
    node_template = queries.internal("project_nodes_by_id")
    labels: dict[str, str] = {}
    for label in projection.labels:
        cypher = node_template.render(label=label, values=queries.PropertyReads("n", tuple(node_keys)))
        for row in graph.read(cypher, {"ids": wanted}):
            result.add_node(row["id"], label=label, **_attributes(node_keys, row["values"], parsers))
            labels[row["id"]] = label
    present = sorted(labels)
    for rel_type in projection.types:
        keys = rel_keys(projection, rel_type)
        rel_parsers = _parsers(keys)
        for row in _relationships_among(graph, present, projection.labels, rel_type, keys):
            _add_edge(G=result, source=row["source"], target=row["target"], rel_type=rel_type,
                      attrs=_attributes(keys, row["values"], rel_parsers))  # fmt: skip
    return result


def _relationships_among(
    graph: Graph, ids: list[str], labels: Collection[str], rel_type: str, keys: list[str]
) -> list[dict[str, Any]]:
    """The relationships of `rel_type` between the nodes `ids` (their ends of `labels`), per
    source label in element-id order. Each is read from its source, unless that node has more
    than `AROUND_WIDE` of them (a hub: an employee's thousands of touch points), whose ties are
    read from the listed nodes at their other end instead (of any label, as for other nodes: a
    tie written outside graphcrm is read whether its source is a hub or not)."""
    reads = queries.PropertyReads("r", tuple(keys))
    among = queries.internal("project_relationships_among")
    into = queries.internal("project_relationships_into")
    rows: list[dict[str, Any]] = []
    for label in (label for label in model.REL_TYPES[rel_type].sources if label in labels):
        read = graph.read(
            among.render(label=label, type=rel_type, values=reads), {"ids": ids, "wide": AROUND_WIDE}
        )
        found = [row for row in read if not row["hub"]]
        hubs = [row["source"] for row in read if row["hub"]]
        for target in (target for target in model.LABELS if target in labels) if hubs else ():
            cypher = into.render(label=label, target=target, type=rel_type, values=reads)
            found += graph.read(cypher, {"ids": ids, "hubs": hubs})
        rows += sorted(found, key=lambda row: row["element"])
    return rows


def incident_ties(
    graph: Graph, ids: Collection[str], projection: Projection, *, known: Collection[str] = ()
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """`(source, target, key, attributes)` of every relationship of `projection`'s types touching
    the nodes `ids` (of any of its labels), keyed and with the `type` and relationship properties
    `project` gives it, leaving out ties to the `known` nodes; one query for all the nodes: one
    step of a search that reads a node's ties only once it reaches the node, and each tie once."""
    keys_of = {rel_type: rel_keys(projection, rel_type) for rel_type in projection.types}
    every_key = list(dict.fromkeys(key for keys in keys_of.values() for key in keys))
    positions = {rel_type: [every_key.index(key) for key in keys] for rel_type, keys in keys_of.items()}
    rel_parsers = {rel_type: _parsers(keys) for rel_type, keys in keys_of.items()}
    cypher = queries.internal("intro_ties").render(
        types="|".join(projection.types), values=queries.PropertyReads("r", tuple(every_key))
    )
    params = {"ids": sorted(set(ids)), "known": sorted(known), "labels": list(projection.labels)}
    for node, ties in graph.read_tuples(cypher, params):
        for outgoing, rel_type, other, values in ties:
            keys = keys_of[rel_type]
            attrs = _attributes(keys, [values[i] for i in positions[rel_type]], rel_parsers[rel_type])
            key = attrs.pop("id", None) if rel_type == model.INTERACTED else rel_type
            attrs["type"] = rel_type
            yield (node, other, key, attrs) if outgoing else (other, node, key, attrs)
