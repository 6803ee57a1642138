"""Write a validated data directory into Neo4j.

Order: validate everything (nothing is written if anything is wrong), apply the schema
(constraints before any write), optionally wipe, then nodes before relationships, in UNWIND
batches of `batch_size` rows, each batch its own managed transaction. Into a non-empty database
every write is a MERGE on the model's identity (node id; relationship endpoints and type;
interaction id), so re-running a load, also after one that was cut off, converges on the same
graph; into an empty one the loader CREATEs (see `write_dataset`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graphcrm import model, queries
from graphcrm.db import DatabaseError, Graph
from graphcrm.ingest.validate import Dataset, read_directory

ProgressFactory = Callable[[int], Callable[[int], None]]


@dataclass
class LoadSummary:
    """What a load wrote and how fast."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    validate_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.write_seconds if self.write_seconds else 0.0


class LoadInterrupted(RuntimeError):
    """The database failed part-way through writing; re-running the same load completes it."""


def existing_labels(graph: Graph) -> Callable[[set[str]], dict[str, str]]:
    """A lookup of which ids already exist in the database, and under which label."""

    def lookup(ids: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        wanted = sorted(ids)
        statement = queries.internal("existing_ids")
        for label in model.LABELS:
            cypher = statement.render(label=label)
            for start in range(0, len(wanted), 50_000):
                chunk = wanted[start : start + 50_000]
                for row in graph.read(cypher, {"ids": chunk}):
                    found[row["id"]] = label
        return found

    return lookup


def apply_schema(graph: Graph) -> None:
    """Create the constraints and indexes of `cypher/schema.cypher` (idempotent)."""
    for statement in queries.schema().statements():
        graph.run_autocommit(statement)
    graph.run_autocommit("CALL db.awaitIndexes(300)")


def wipe(graph: Graph) -> None:
    """Delete the whole graph (used by `load --wipe`, only after validation passed)."""
    graph.run_autocommit(queries.internal("wipe").render())


def write_dataset(
    graph: Graph,
    dataset: Dataset,
    *,
    fresh: bool = False,
    batch_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write nodes, then relationships, batch by batch.

    `fresh` (the database was empty when the load began) CREATEs instead of MERGEs: validation
    already guarantees unique ids and relationships, so there is nothing to look up first. A
    re-run after an interrupted fresh load finds a non-empty database and MERGEs.
    """
    verb = "create" if fresh else "merge"
    node_statement = queries.internal(f"{verb}_nodes")
    for label in model.LABELS:
        rows = dataset.nodes.get(label, [])
        if rows:
            graph.write_batches(
                node_statement.render(label=label), rows, batch_size=batch_size, progress=progress
            )
    for (rel_type, source, target), rows in sorted(dataset.relationships.items()):
        if rel_type == model.INTERACTED:
            cypher = queries.internal(f"{verb}_interactions").render(source=source, target=target)
        else:
            cypher = queries.internal(f"{verb}_relationships").render(
                source=source, target=target, type=rel_type
            )
        graph.write_batches(cypher, rows, batch_size=batch_size, progress=progress)


def is_empty(graph: Graph) -> bool:
    """True when the database holds no node at all."""
    return graph.read(queries.internal("node_count").render())[0]["count"] == 0


def load_directory(
    graph: Graph,
    directory: str | Path,
    *,
    wipe_first: bool = False,
    batch_size: int = 10_000,
    progress: ProgressFactory | None = None,
) -> LoadSummary:
    """Validate `directory` and load it; raise ValidationFailed (nothing written) or
    LoadInterrupted (the server failed mid-way; safe to re-run)."""
    started = time.perf_counter()
    graph.check()
    dataset = read_directory(directory, None if wipe_first else existing_labels(graph))
    summary = LoadSummary(
        nodes=dataset.counts_by_label(),
        relationships=dataset.counts_by_type(),
        validate_seconds=time.perf_counter() - started,
    )
    written = 0

    def advance(n: int) -> None:
        nonlocal written
        written += n
        if tick:
            tick(n)

    tick = progress(summary.rows) if progress else None
    began = time.perf_counter()
    try:
        apply_schema(graph)
        if wipe_first:
            wipe(graph)
        fresh = wipe_first or is_empty(graph)
        write_dataset(graph, dataset, fresh=fresh, batch_size=batch_size, progress=advance)
    except DatabaseError as err:
        raise LoadInterrupted(
            f"The load stopped after {written:,} of {summary.rows:,} rows: {err} "
            "Loading is idempotent: run the same command again once the database is back."
        ) from err
    summary.write_seconds = time.perf_counter() - began
    return summary


def terminal_progress(total: int) -> Callable[[int], None]:
    """A tqdm progress bar on a terminal (stderr), nothing otherwise."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="rows", unit_scale=True, disable=not sys.stderr.isatty(), leave=False)
    return bar.update
