"""Exploring the graph the way a manager does in a browser: counts, search, neighbourhoods.

Everything here reads Neo4j through `graphcrm.db.Graph` with the statements of `cypher/internal/`;
nothing is computed over the whole graph. A neighbourhood is expanded hop by hop from the start
node, with a cap on what one node pulls in (hubs) and on the nodes drawn in all, and it says what
it left out, so a view of a customer with ten thousand ties stays readable and fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphcrm import model, queries
from graphcrm.db import Graph, native
from graphcrm.errors import InputError, UnknownNode

# Touch points are many per pair; they are shown in a node's details, not drawn, unless asked for.
DEFAULT_TYPES: tuple[str, ...] = tuple(t for t in model.REL_TYPES if t != model.INTERACTED)
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
MASK = "•••"
MAX_NODES_DRAWN = 150  # default cap on the nodes one network view draws


@dataclass(frozen=True)
class NodeHit:
    """One search result."""

    id: str
    label: str
    name: str


@dataclass
class Subgraph:
    """Nodes (id -> {"label", "props"}) and relationships (source, target, type, props) to draw.

    `left_out` says in words what the caps held back; `depth` is how far the expansion went.
    """

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    depth: int = 0

    def add_node(self, node_id: str, label: str, props: Mapping[str, Any]) -> None:
        self.nodes.setdefault(node_id, {"label": label, "props": dict(props)})


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: native(value) for key, value in props.items()}


def graph_counts(graph: Graph) -> dict[str, dict[str, int]]:
    """Nodes per label and relationships per type, from Neo4j's count store (no scan)."""
    label_count = queries.internal("label_count")
    type_count = queries.internal("type_count")
    return {
        "nodes": {label: graph.read(label_count.render(label=label))[0]["count"] for label in model.LABELS},
        "relationships": {t: graph.read(type_count.render(type=t))[0]["count"] for t in model.REL_TYPES},
    }


def lucene_query(text: str) -> str:
    """A full-text query for what a user typed: every word must match, the last one as a prefix.

    Lucene's special characters are escaped and words lower-cased (its AND/OR/NOT operators are
    upper-case only; the index's analyser lower-cases anyway), so user text can never change the
    query's structure.
    """
    words = [_LUCENE_SPECIAL.sub(r"\\\1", w.lower()) for w in text.split()]
    if not words:
        return ""
    words[-1] = f"{words[-1]}*"
    return " AND ".join(words)


def search_nodes(graph: Graph, text: str, *, limit: int = 10) -> list[NodeHit]:
    """Nodes whose name or id matches `text` (type-ahead over the `node_search` full-text index)."""
    query = lucene_query(text)
    if not query:
        return []
    rows = graph.read(queries.internal("search_nodes").render(), {"query": query, "limit": limit})
    return [NodeHit(r["id"], r["label"], r["name"] or r["id"]) for r in rows]


def nodes_by_id(graph: Graph, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """id -> {"label", "props"} for the ids that exist (others are simply absent)."""
    rows = graph.read(queries.internal("nodes_by_id").render(), {"ids": list(ids)})
    return {r["id"]: {"label": r["label"], "props": _plain(r["props"])} for r in rows}


def neighbourhood(
    graph: Graph,
    node_id: str,
    *,
    depth: int = 1,
    types: Iterable[str] = DEFAULT_TYPES,
    labels: Iterable[str] = model.LABELS,
    stages: Iterable[str] = (),
    min_strength: float = 0.0,
    max_nodes: int = MAX_NODES_DRAWN,
    per_node: int = 25,
) -> Subgraph:
    """The nodes within `depth` hops (1-3) of `node_id`, expanded breadth first.

    Parameters
    ----------
    types, labels, stages, min_strength
        Filters on the relationships followed and the neighbours kept (stages apply to nodes that
        have one; `min_strength` to relationships that carry a `strength`).
    max_nodes
        Cap on the nodes in the result; the expansion stops adding once it is reached.
    per_node
        Cap on the neighbours one node pulls in, most influential first (keeps hubs readable).

    Raises
    ------
    UnknownNode
        When no node has `node_id`.
    ValueError
        When a filter names something outside the model or a number is out of range.
    """
    if not 1 <= depth <= 3:
        raise InputError("Depth must be 1, 2 or 3.")
    if max_nodes < 1 or per_node < 1:
        raise InputError("The node caps must be at least 1.")
    types, labels, stages = list(types), list(labels), list(stages)
    unknown = [x for x in types if x not in model.REL_TYPES] + [x for x in labels if x not in model.LABELS]
    unknown += [x for x in stages if x not in model.STAGES]
    if unknown:
        raise InputError(f"Not part of the graph model: {', '.join(unknown)}.")
    start = nodes_by_id(graph, [node_id])
    if node_id not in start:
        raise UnknownNode(node_id)
    result = Subgraph()
    result.add_node(node_id, start[node_id]["label"], start[node_id]["props"])
    seen_edges: set[tuple[str, str, str, Any]] = set()
    frontier = [node_id]
    statement = queries.internal("expand").render()
    hubs: list[str] = []
    dropped = 0
    for hop in range(1, depth + 1):
        if not frontier:
            break
        rows = graph.read(
            statement,
            {
                "ids": frontier,
                "types": types,
                "labels": labels,
                "stages": stages,
                "min_strength": float(min_strength),
                "per_node": per_node,
            },
        )
        result.depth = hop
        next_frontier: list[str] = []
        capped: dict[str, int] = {}
        for row in rows:
            if row["available"] > per_node:
                capped[row["from_id"]] = row["available"]
            if row["id"] not in result.nodes:
                if len(result.nodes) >= max_nodes:
                    dropped += 1
                    continue
                result.add_node(row["id"], row["label"], _plain(row["props"]))
                next_frontier.append(row["id"])
            rel_props = _plain(row["rel_props"])
            key = (row["source"], row["target"], row["type"], rel_props.get("id"))
            if key not in seen_edges:
                seen_edges.add(key)
                result.edges.append((row["source"], row["target"], row["type"], rel_props))
        hubs += [f"{result.nodes[n]['props'].get('name', n)} ({total:,} ties)" for n, total in capped.items()]
        frontier = next_frontier
    if hubs:
        result.left_out.append(
            f"Showing the {per_node} most influential neighbours of {len(hubs)} hub(s): {', '.join(hubs[:5])}"
            + ("…" if len(hubs) > 5 else "")
        )
    if dropped:
        result.left_out.append(
            f"{dropped:,} more neighbours not drawn: the view is capped at {max_nodes} nodes."
        )
    return result


@dataclass(frozen=True)
class NodeDetails:
    """The details panel of one node."""

    id: str
    label: str
    props: dict[str, Any]
    managers: list[str]
    referrers: list[str]
    last_touch: dict[str, Any] | None
    touch_points: int


def node_details(graph: Graph, node_id: str) -> NodeDetails:
    """Properties, managers, referrers and the last touch point of one node; UnknownNode if absent."""
    rows = graph.read(queries.internal("node_details").render(), {"id": node_id})
    if not rows:
        raise UnknownNode(node_id)
    row = rows[0]
    touch = _plain(row["last_touch"]) if row["last_touch"] else None
    return NodeDetails(
        node_id,
        row["label"],
        _plain(row["props"]),
        row["managers"] or [],
        row["referrers"] or [],
        touch,
        row["touch_points"] or 0,
    )


def subgraph_table(subgraph: Subgraph) -> list[dict[str, Any]]:
    """The view as rows (one per relationship, with both ends' names), for a CSV download."""
    name = {n: d["props"].get("name", n) for n, d in subgraph.nodes.items()}
    label = {n: d["label"] for n, d in subgraph.nodes.items()}
    return [
        {
            "source": s,
            "source_label": label[s],
            "source_name": name[s],
            "type": t,
            "target": o,
            "target_label": label[o],
            "target_name": name[o],
            **{f"rel_{k}": v for k, v in props.items()},
        }
        for s, o, t, props in subgraph.edges
    ]


def top_referrers(graph: Graph, *, limit: int = 5) -> list[dict[str, Any]]:
    """The nodes that made the most referrals: id, label, name, referrals."""
    return graph.read(queries.internal("top_referrers").render(), {"limit": limit})


def is_personal(key: str) -> bool:
    """Whether a property or column holds personal data: `email`, `phone`, or a name ending in
    them such as `neighbour_email`."""
    return key in model.PERSONAL_PROPS or str(key).rsplit("_", 1)[-1] in model.PERSONAL_PROPS


def mask_personal(props: Mapping[str, Any], *, show: bool) -> dict[str, Any]:
    """A copy of `props` with personal data (email, phone) masked unless `show` is set.

    The one masking rule: node views, tables, tooltips and downloads all pass through it (via
    `mask_subgraph` and `mask_table`).
    """
    return {k: (MASK if not show and is_personal(k) and _present(v) else v) for k, v in props.items()}


def _present(value: Any) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return bool(value)
    return not pd.isna(value) and value != ""


def mask_table(frame: pd.DataFrame, *, show: bool) -> pd.DataFrame:
    """A copy of `frame` whose personal columns are masked (by `mask_personal`) unless `show`."""
    personal = [c for c in frame.columns if is_personal(str(c))]
    if show or not personal:
        return frame
    masked = frame.copy()
    for column in personal:
        masked[column] = [mask_personal({column: v}, show=False)[column] for v in frame[column]]
    return masked


def mask_subgraph(subgraph: Subgraph, *, show: bool) -> Subgraph:
    """A copy of `subgraph` whose nodes have personal data masked unless `show` is set."""
    nodes = {
        n: {"label": d["label"], "props": mask_personal(d["props"], show=show)}
        for n, d in subgraph.nodes.items()
    }
    return Subgraph(nodes, list(subgraph.edges), list(subgraph.left_out), subgraph.depth)


def subgraph_from_elements(
    nodes: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    relationships: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    *,
    max_nodes: int = MAX_NODES_DRAWN,
) -> Subgraph:
    """A Subgraph from result elements: nodes as (key, label, id, props), relationships as
    (start key, end key, type, props); keys are the server's element ids, mapped to model ids.

    At most `max_nodes` nodes are kept (the first ones, in result order), with the
    relationships between them; `left_out` says how many nodes were not drawn, as in
    `neighbourhood`, so one row holding `collect(n)` cannot draw the whole graph.
    """
    if max_nodes < 1:
        raise InputError("The node cap must be at least 1.")
    result = Subgraph()
    ids: dict[str, str] = {}
    dropped = 0
    for key, label, node_id, props in nodes:
        if node_id not in result.nodes and len(result.nodes) >= max_nodes:
            dropped += 1
            continue
        ids[key] = node_id
        result.add_node(node_id, label, props)
    for start, end, rel_type, props in relationships:
        if start in ids and end in ids:
            result.edges.append((ids[start], ids[end], rel_type, dict(props)))
    if dropped:
        result.left_out.append(f"{dropped:,} more nodes not drawn: the view is capped at {max_nodes} nodes.")
    return result
