"""`graphcrm load DIR --sync`: make the graph equal to an export, and say what changed.

The export is the whole truth about the CRM's records: it is validated on its own (every endpoint
must be in its node files, as for `--wipe`), and a node file or `interactions.csv` that is absent
means there are none of those. The sync reads what the graph holds now (the contract's properties
of every node and relationship), compares it with the export in Python (`plan`), and writes only
the difference: removed relationships, removed nodes (with whatever still hangs on them), then the
added and changed nodes and relationships, each row with every contract property so a blank cell
clears a value. What graphcrm keeps beside the records is left alone: analytics' scores
(`model.SCORES`, never in a row), stored runs and findings, the `GraphState` marker, the
suppression list; suppressed people are neither brought back nor removed (`graphcrm.erasure`).

The whole difference is written in ONE transaction: a sync that fails half-way (a bad statement,
a server that runs out of memory or is killed) commits nothing, and Neo4j's recovery undoes the
unfinished transaction when the server starts again, so the graph is exactly what it was. For the
managed server a sync that lost the server starts it again itself. The restore point of `--wipe`
(stop the server, move the store aside) would also protect a sync, but it costs two restarts per
run and works only on the managed server; a sync writes only the changes, which for a regular
export are small. Its size is bounded by the server's transaction memory
(`GRAPHCRM_NEO4J_TX_MEMORY_MB`): the first import of a large export is a job for `load`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction

from graphcrm import model, queries, results, server
from graphcrm.db import DatabaseError, Graph, native
from graphcrm.erasure import suppressed_ids
from graphcrm.errors import LoadInterrupted
from graphcrm.ingest.loader import apply_schema
from graphcrm.ingest.suppressed import Withheld, withhold
from graphcrm.ingest.validate import Dataset, read_directory

# (type, source label, target label): how the loader groups relationship rows.
Group = tuple[str, str, str]
# A relationship's identity: (type, source id, target id), or (INTERACTED, interaction id, "").
RelKey = tuple[str, str, str]


@dataclass
class Changes:
    """How many records of one label or type a sync added, changed and removed."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


@dataclass
class Snapshot:
    """What the graph holds now: contract properties (None-free) of every node and relationship."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    relationships: dict[RelKey, tuple[Group, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Plan:
    """The writes that turn the graph into the export, and their counts per label and type."""

    remove_relationships: dict[Group, list[dict[str, Any]]] = field(default_factory=dict)
    remove_nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    write_nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    write_relationships: dict[Group, list[dict[str, Any]]] = field(default_factory=dict)
    nodes: dict[str, Changes] = field(default_factory=dict)
    relationships: dict[str, Changes] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows the transaction sends."""
        parts = (self.remove_relationships, self.remove_nodes, self.write_nodes, self.write_relationships)
        return sum(len(rows) for part in parts for rows in part.values())


@dataclass
class SyncReport:
    """What a sync did: changes per label and per relationship type, and the suppressed rows."""

    nodes: dict[str, Changes]
    relationships: dict[str, Changes]
    withheld: Withheld
    validate_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def unchanged(self) -> bool:
        return not any(c.total for c in [*self.nodes.values(), *self.relationships.values()])


NODE_KEYS: dict[str, tuple[str, ...]] = {
    label: ("name", *node_type.props) for label, node_type in model.NODE_TYPES.items()
}


def _present(props: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The contract's `keys` of `props` that hold a value, as Python values."""
    return {key: native(props[key]) for key in keys if props.get(key) is not None}


def _model_label(labels: list[str]) -> str | None:
    """The model's label among a node's labels (None for a node outside the model)."""
    return next((label for label in labels if label in model.LABELS), None)


def _rel_key(group: Group, row: dict[str, Any]) -> RelKey:
    if group[0] == model.INTERACTED:
        return model.INTERACTED, row["id"], ""
    return group[0], row["s"], row["t"]


def read_snapshot(graph: Graph) -> Snapshot:
    """The contract's records as the graph holds them now (scores and other keys left out);
    relationship rows look like the export's (`s`, `t`, INTERACTED's `id`, `props`)."""
    snapshot = Snapshot()
    for label in model.LABELS:
        rows = graph.read(queries.internal("current_nodes").render(label=label))
        snapshot.nodes[label] = {r["id"]: _present(r["props"], NODE_KEYS[label]) for r in rows}
    for rel_type, spec in model.REL_TYPES.items():
        keys = tuple(spec.props)
        for r in graph.read(queries.internal("current_relationships").render(type=rel_type)):
            group = (rel_type, _model_label(r["source"]), _model_label(r["target"]))
            if group[1] not in spec.sources or group[2] not in spec.targets:
                continue
            row = {"s": r["s"], "t": r["t"], "props": _present(r["props"], keys)}
            if rel_type == model.INTERACTED:
                row["id"] = r["props"].get("id")
            snapshot.relationships[_rel_key(group, row)] = (group, row)
    return snapshot


def plan(dataset: Dataset, snapshot: Snapshot, suppressed: set[str]) -> Plan:
    """The writes that make `snapshot` equal to `dataset` (already without suppressed rows);
    records of suppressed ids in the graph are left as they are."""
    result = Plan()
    for label in model.LABELS:
        _plan_nodes(result, label, dataset.nodes.get(label, []), snapshot.nodes.get(label, {}), suppressed)
    _plan_relationships(result, dataset, snapshot, suppressed)
    return result


def _plan_relationships(result: Plan, dataset: Dataset, snapshot: Snapshot, suppressed: set[str]) -> None:
    """A relationship whose identity (endpoints and type; a touch point's id) is new is added, one
    that is gone is removed, one whose properties differ is rewritten; a touch point that moved to
    other endpoints is removed and written again (counted as changed)."""
    wanted = {
        _rel_key(group, row): (group, row) for group, rows in dataset.relationships.items() for row in rows
    }
    result.relationships = {rel_type: Changes() for rel_type in model.REL_TYPES}
    for key, (group, row) in snapshot.relationships.items():
        if row["s"] in suppressed or row["t"] in suppressed:
            continue
        new = wanted.get(key)
        moved = new is not None and (new[0], new[1]["s"], new[1]["t"]) != (group, row["s"], row["t"])
        if new is None or moved:
            result.remove_relationships.setdefault(group, []).append(row)
        if new is None:
            result.relationships[key[0]].removed += 1
        elif moved or _present(new[1]["props"], tuple(new[1]["props"])) != row["props"]:
            result.relationships[key[0]].changed += 1
            result.write_relationships.setdefault(new[0], []).append(new[1])
    for key, (group, row) in wanted.items():
        if key not in snapshot.relationships:
            result.relationships[key[0]].added += 1
            result.write_relationships.setdefault(group, []).append(row)


def _plan_nodes(
    result: Plan,
    label: str,
    rows: list[dict[str, Any]],
    current: dict[str, dict[str, Any]],
    suppressed: set[str],
) -> None:
    changes = result.nodes[label] = Changes()
    wanted = {row["id"]: row for row in rows}
    for node_id in current:
        if node_id not in wanted and node_id not in suppressed:
            changes.removed += 1
            result.remove_nodes.setdefault(label, []).append({"id": node_id})
    for node_id, row in wanted.items():
        if node_id not in current:
            changes.added += 1
        elif _present(row["props"], NODE_KEYS[label]) != current[node_id]:
            changes.changed += 1
        else:
            continue
        result.write_nodes.setdefault(label, []).append(row)


def sync_directory(
    graph: Graph,
    directory: str | Path,
    *,
    batch_size: int = 10_000,
    progress: Callable[[int], Callable[[int], None]] | None = None,
) -> SyncReport:
    """Validate `directory` and make the graph equal to it (see the module docstring).

    Raises ValidationFailed (nothing written) or LoadInterrupted (nothing committed; the managed
    server is started again if it died). `progress(total)` returns a callback that is told how
    many rows each statement of the transaction sent.
    """
    started = time.perf_counter()
    graph.verify()
    dataset = read_directory(directory)
    suppressed = suppressed_ids(graph)
    withheld = withhold(dataset, suppressed)
    changes = plan(dataset, read_snapshot(graph), suppressed)
    report = SyncReport(changes.nodes, changes.relationships, withheld)
    report.validate_seconds = time.perf_counter() - started
    if not changes.rows:
        return report
    apply_schema(graph)
    tick = progress(changes.rows) if progress else None
    began = time.perf_counter()
    try:
        graph.run_write(lambda tx: _apply(tx, changes, batch_size, tick))
    except DatabaseError as failure:
        raise LoadInterrupted(f"The sync was not applied: {failure} {_recover(graph)}") from failure
    report.write_seconds = time.perf_counter() - began
    results.mark_graph_changed(graph)
    return report


def _apply(
    tx: ManagedTransaction, changes: Plan, batch_size: int, tick: Callable[[int], None] | None
) -> None:
    """Every write of `changes` in the one transaction `tx`: removals first (a node whose id moved
    to another label is gone before it is created again), nodes before relationships."""
    internal = queries.internal
    for (rel_type, source, target), rows in sorted(changes.remove_relationships.items()):
        name = "delete_interactions" if rel_type == model.INTERACTED else "delete_relationships"
        _send(tx, internal(name).render(type=rel_type, source=source, target=target), rows, batch_size, tick)
    for label, rows in changes.remove_nodes.items():
        _send(tx, internal("delete_nodes").render(label=label), rows, batch_size, tick)
    for label, rows in changes.write_nodes.items():
        _send(tx, internal("merge_nodes").render(label=label), rows, batch_size, tick)
    for (rel_type, source, target), rows in sorted(changes.write_relationships.items()):
        name = "merge_interactions" if rel_type == model.INTERACTED else "merge_relationships"
        _send(tx, internal(name).render(type=rel_type, source=source, target=target), rows, batch_size, tick)


def _send(
    tx: ManagedTransaction,
    cypher: str,
    rows: list[dict[str, Any]],
    batch_size: int,
    tick: Callable[[int], None] | None,
) -> None:
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        tx.run(cypher, rows=batch).consume()
        if tick:
            tick(len(batch))


def _recover(graph: Graph) -> str:
    """Start the managed server again if the failure took it down; say where the graph stands."""
    home = graph.settings.home
    if home is None:
        return "Nothing of it was committed; Neo4j undoes an unfinished transaction when it starts again."
    if server.running_pid(server.ServerHome(home)) is None:
        server.restart(server.ServerHome(home))
        graph.reconnect()
        return "The server was started again; nothing of the sync was committed, the graph is as it was."
    return "Nothing of it was committed: the graph is as it was."
