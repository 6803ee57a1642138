"""Write a validated data directory into Neo4j.

Order: validate everything (nothing is written if anything is wrong), for `--wipe` set the old
graph aside (`restore_point`, put back if the load fails), apply the schema (constraints before
any write), then nodes before relationships, in UNWIND
batches of `batch_size` rows, each batch its own managed transaction. Into a non-empty database
every write is a MERGE on the model's identity (node id; relationship endpoints and type;
interaction id), so re-running a load, also after one that was cut off, converges on the same
graph; into an empty one the loader CREATEs (see `write_dataset`). Every row carries all of its
file's contract properties, blank ones as null, so a re-import clears what the file no longer says
(and never touches the scores analytics wrote). People on the suppression list (`graphcrm forget`)
are withheld (`suppressed.withhold`) and reported by id; `--wipe` carries the list over.

The fresh-database path is the bulk path: only the unique-id constraints exist while it writes
(the relationship batches find their endpoints through them); batches go to the server from
`WRITERS` sessions at once: node ids are unique, so node batches never contend, and relationship
rows are sorted by (source, target) so that concurrent batches hold mostly disjoint endpoint
locks (the rare deadlock is a transient error that the managed transaction retries). The
secondary indexes (names, stages, full-text search, ...) are built once over the loaded graph at
the end, which is much cheaper than updating them row by row.

The first load into the managed server's empty database (not `--wipe`, not `transactional`) goes
around Cypher altogether: `offline_import` builds the store with neo4j-admin's importer while the
server is stopped, then the same schema and GraphState marker are written.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphcrm import model, queries, results
from graphcrm.db import DatabaseError, Graph
from graphcrm.erasure import restore_suppressions, suppression_list
from graphcrm.errors import LoadInterrupted
from graphcrm.ingest import offline_import, restore_point
from graphcrm.ingest.suppressed import Withheld, known_with_suppressed, withhold
from graphcrm.ingest.validate import Dataset, read_directory

ProgressFactory = Callable[[int], Callable[[int], None]]
# Concurrent sessions writing batches on the fresh path (one per core of a small server).
WRITERS = 2
# How long a load waits for the indexes it created to come online (seconds).
INDEX_WAIT_SECONDS = 3600


@dataclass
class LoadSummary:
    """What a load wrote and how fast."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    validate_seconds: float = 0.0
    write_seconds: float = 0.0
    withheld: Withheld = field(default_factory=Withheld)
    offline: bool = False

    @property
    def rows(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.write_seconds if self.write_seconds else 0.0


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


def apply_schema(graph: Graph, *, constraints_only: bool = False) -> None:
    """Create the constraints and indexes of `cypher/schema.cypher` (idempotent) and wait until
    they are online; `constraints_only` creates just the constraints (the fresh-load path)."""
    for statement in queries.schema().statements():
        if constraints_only and not statement.lstrip().upper().startswith("CREATE CONSTRAINT"):
            continue
        graph.run_autocommit(statement)
    graph.run_autocommit("CALL db.awaitIndexes($seconds)", {"seconds": INDEX_WAIT_SECONDS})


def wipe(graph: Graph) -> None:
    """Delete the whole graph in batches (online; `load --wipe` sets the old graph aside instead)."""
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
        if rows and fresh:
            _write_concurrently(graph, node_statement.render(label=label), rows, batch_size, progress)
        elif rows:
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
        if fresh:
            ordered = sorted(rows, key=_endpoints)
            _write_concurrently(graph, cypher, ordered, batch_size, progress)
        else:
            graph.write_batches(cypher, rows, batch_size=batch_size, progress=progress)


def _endpoints(row: dict[str, Any]) -> tuple[str, str]:
    return row["s"], row["t"]


def _write_concurrently(
    graph: Graph,
    cypher: str,
    rows: Sequence[dict[str, Any]],
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    """`graph.write_batches` from `WRITERS` sessions at once (batches in order, at most
    `WRITERS` in flight); `progress` is called from this thread only."""
    batches = [rows[start : start + batch_size] for start in range(0, len(rows), batch_size)]
    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="graphcrm-load") as pool:
        pending: set[Future[int]] = set()
        try:
            for batch in batches:
                if len(pending) >= WRITERS:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    _report(done, progress)
                pending.add(pool.submit(graph.write_batches, cypher, batch, batch_size=batch_size))
            done, pending = wait(pending)
            _report(done, progress)
        finally:
            for future in pending:
                future.cancel()


def _report(done: set[Future[int]], progress: Callable[[int], None] | None) -> None:
    for future in done:
        sent = future.result()
        if progress:
            progress(sent)


def is_empty(graph: Graph) -> bool:
    """True when the database holds no node at all."""
    return graph.read(queries.internal("node_count").render())[0]["count"] == 0


def load_directory(
    graph: Graph,
    directory: str | Path,
    *,
    wipe_first: bool = False,
    transactional: bool = False,
    batch_size: int = 10_000,
    progress: ProgressFactory | None = None,
) -> LoadSummary:
    """Validate `directory` and load it; raise ValidationFailed (nothing written) or
    LoadInterrupted (the server failed mid-way).

    `wipe_first` replaces the graph behind a restore point of the managed server (see
    `restore_point`): if the load fails, the previous graph is put back. Without it, a load cut
    off mid-way is completed by running it again (every write is idempotent). Into the managed
    server's empty database the load is an offline import (`offline_import`) unless
    `transactional`.
    """
    started = time.perf_counter()
    graph.verify()
    if wipe_first:
        restore_point.require(graph.settings)
    suppressions = suppression_list(graph)  # a suppression is a node: the database is then not empty
    empty = wipe_first or is_empty(graph)
    known = known_with_suppressed(existing_labels(graph), {e.id: e.label for e in suppressions})
    dataset = read_directory(directory, None if empty else known)
    withheld = withhold(dataset, {entry.id for entry in suppressions})
    summary = LoadSummary(
        nodes=dataset.counts_by_label(),
        relationships=dataset.counts_by_type(),
        validate_seconds=time.perf_counter() - started,
        withheld=withheld,
    )
    written = 0

    def advance(n: int) -> None:
        nonlocal written
        written += n
        if tick:
            tick(n)

    tick = progress(summary.rows) if progress else None
    if _offline(graph, wipe_first, transactional):
        began = time.perf_counter()
        offline_import.import_dataset(graph, dataset, _finish_offline)
        advance(summary.rows)
        summary.write_seconds, summary.offline = time.perf_counter() - began, True
        return summary
    point = restore_point.RestorePoint.take(graph) if wipe_first else None
    began = time.perf_counter()
    try:
        if point is not None:
            restore_suppressions(graph, suppressions)
        _write(graph, dataset, wipe_first, batch_size, advance)
    except BaseException as failure:
        if point is not None:
            point.restore(graph)
        if not isinstance(failure, DatabaseError):
            raise
        after = (
            "The previous graph was restored and the server started again; nothing of this load remains."
            if point is not None
            else "Loading is idempotent: run the same command again once the database is back."
        )
        raise LoadInterrupted(
            f"The load stopped after {written:,} of {summary.rows:,} rows: {failure} {after}"
        ) from failure
    if point is not None:
        point.discard()
    summary.write_seconds = time.perf_counter() - began
    return summary


def _offline(graph: Graph, wipe_first: bool, transactional: bool) -> bool:
    """Whether this load is an offline import: the managed server (graphcrm may stop it), its
    database still empty after validation, and neither `--wipe` nor `--transactional` asked."""
    managed = graph.settings.home is not None
    return managed and not (wipe_first or transactional) and is_empty(graph)


def _finish_offline(graph: Graph) -> None:
    """What the transactional path writes besides the records: the schema, the GraphState marker."""
    apply_schema(graph)
    results.mark_graph_changed(graph)


def _write(
    graph: Graph, dataset: Dataset, wipe_first: bool, batch_size: int, progress: Callable[[int], None]
) -> None:
    """Schema, the records, then (into an empty database) the secondary indexes. After a wipe the
    database is empty: the restore point set the old one aside."""
    fresh = wipe_first or is_empty(graph)
    apply_schema(graph, constraints_only=fresh)
    results.mark_graph_changed(graph)  # before the writes too: a load cut off half-way changed it
    write_dataset(graph, dataset, fresh=fresh, batch_size=batch_size, progress=progress)
    if fresh:
        apply_schema(graph)
    results.mark_graph_changed(graph)


def terminal_progress(total: int) -> Callable[[int], None]:
    """A tqdm progress bar on a terminal (stderr), nothing otherwise."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="rows", unit_scale=True, disable=not sys.stderr.isatty(), leave=False)
    return bar.update
