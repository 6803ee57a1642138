"""Stored results: what the batch found, kept in Neo4j so pages and read commands never recompute.

Each stored table row is a `Finding` node (its columns as properties, plus `table` and `row`)
linked from the `AnalyticsRun` that made it: ``(:AnalyticsRun)-[:FOUND]->(:Finding)``. A run is
written first, then marked `complete`, and readers switch to it; the complete run before it is
kept until the next one completes, so a reader part-way through it still finds its rows. Reads
are capped (`limit`) and go through the `(run, table, row)` index.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from graphcrm import queries, settings
from graphcrm.db import Graph, native
from graphcrm.errors import BatchRunning, GraphCRMError

MARKER = "graph"


@dataclass(frozen=True)
class Run:
    """One stored run of an analysis: when, with which parameters, and whether the graph changed
    after it (a load or sync since then makes its results stale)."""

    id: str
    analysis: str
    computed_at: datetime
    params: dict[str, Any]
    data_at: datetime | None = None
    graph_changed_at: datetime | None = None

    @property
    def stale(self) -> bool:
        """The graph changed after the run started reading it."""
        seen = self.data_at or self.computed_at
        return self.graph_changed_at is not None and self.graph_changed_at > seen

    def as_of(self) -> str:
        """The line pages and commands show under a stored result."""
        text = f"As of the {self.analysis} run at {self.computed_at:%Y-%m-%d %H:%M} UTC"
        if self.stale:
            changed = f"{self.graph_changed_at:%Y-%m-%d %H:%M}"
            text += f"; the graph has changed since ({changed} UTC): recompute for fresh results"
        return text + "."


def new_run_id() -> str:
    """A fresh run id."""
    return uuid.uuid4().hex


def _cell(value: Any) -> Any:
    """A value Neo4j can store: numpy scalars to Python, NaN/NaT to None (no property)."""
    if value is pd.NaT:
        return None
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, datetime):
        value = item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def store_tables(
    graph: Graph, run_id: str, tables: Mapping[str, pd.DataFrame], *, batch_size: int = 10_000
) -> int:
    """Write every row of `tables` as a Finding of run `run_id`; return how many were written."""
    rows = [
        {"table": name, "row": number, "values": {k: _cell(v) for k, v in record.items()}}
        for name, frame in tables.items()
        for number, record in enumerate(frame.to_dict(orient="records"))
    ]
    statement = queries.internal("store_findings").render()
    return graph.write_batches(statement, rows, batch_size=batch_size, extra={"run": run_id})


def begin_run(graph: Graph, analysis: str, params: Mapping[str, Any], *, started_by: str) -> str:
    """Create an incomplete `AnalyticsRun` (readers ignore it until `finish_run`)."""
    run_id = new_run_id()
    graph.write(
        queries.internal("begin_run").render(),
        {
            "id": run_id,
            "analysis": analysis,
            "params": _params_text(params),
            "started_by": started_by,
            "started_at": datetime.now(UTC).isoformat(),
        },
    )
    return run_id


def finish_run(
    graph: Graph,
    run_id: str,
    *,
    nodes: int,
    seconds: float,
    data_at: datetime | None = None,
    engine: str = "local",
) -> None:
    """Mark the run complete (readers switch to it at once), then delete the runs it replaces
    (the one before it stays, for readers who were reading it)."""
    graph.write(
        queries.internal("finish_run").render(),
        {
            "id": run_id,
            "nodes": nodes,
            "seconds": float(seconds),
            "engine": engine,
            "data_at": (data_at or datetime.now(UTC)).isoformat(),
        },
    )
    for old in graph.read(queries.internal("replaced_runs").render(), {"id": run_id}):
        graph.run_autocommit(queries.internal("drop_run").render(), {"id": old["id"]})
        graph.write(queries.internal("delete_run").render(), {"element": old["element"]})


def latest_run(graph: Graph, analysis: str) -> Run | None:
    """The newest complete run of `analysis`, with when the graph last changed, or None."""
    rows = graph.read(queries.internal("latest_run").render(), {"analysis": analysis, "marker": MARKER})
    if not rows:
        return None
    row = rows[0]
    return Run(
        id=row["id"],
        analysis=analysis,
        computed_at=native(row["computed_at"]),
        params=_params_of(row["params"]),
        data_at=native(row["data_at"]),
        graph_changed_at=native(row["changed_at"]) if row["changed_at"] is not None else None,
    )


def read_table(
    graph: Graph,
    run: Run,
    table: str,
    columns: tuple[str, ...],
    *,
    limit: int | None = None,
    where: tuple[str, float] | None = None,
) -> pd.DataFrame:
    """Rows of one stored table in their stored order, at most `limit`; `where=(column, x)` keeps
    the rows whose `column` is missing or above `x` (how the stale threshold narrows a run). A
    narrowed table is stored with those rows first (`Analysis.narrowing`), so only the first
    `limit` rows are read, through the index, however few of them pass."""
    column, above = where if where is not None else (None, None)
    rows = graph.read(
        queries.internal("read_findings").render(),
        {"run": run.id, "table": table, "limit": limit or 2**62, "column": column, "above": above},
    )
    records = [{key: native(r["values"].get(key)) for key in columns} for r in rows]
    return pd.DataFrame(records, columns=list(columns))


def mark_graph_changed(graph: Graph) -> None:
    """Record that the graph's data changed (a load, a sync, an erasure): stored runs older than
    this say so."""
    graph.write(
        queries.internal("mark_graph_changed").render(),
        {"marker": MARKER},
    )


def graph_changed_at(graph: Graph) -> datetime | None:
    """When the graph's data last changed (`mark_graph_changed`), None if never recorded."""
    rows = graph.read(queries.internal("graph_changed_at").render(), {"marker": MARKER})
    return native(rows[0]["changed_at"]) if rows and rows[0]["changed_at"] is not None else None


@dataclass(frozen=True)
class BatchStatus:
    """A batch that is running: who started it, when, and what it is doing."""

    started_by: str
    started_at: datetime
    progress: str

    def __str__(self) -> str:
        return (
            f"A recompute is running since {self.started_at:%Y-%m-%d %H:%M:%S} UTC, started by "
            f"{self.started_by} (now: {self.progress}); try again when it has finished."
        )


@contextmanager
def batch_lock(graph: Graph, started_by: str) -> Iterator[Callable[[str], None]]:
    """Hold the one batch lock for the duration: across sessions and processes only one batch
    runs. Raises BatchRunning (saying who runs it, since when and its step) when another batch
    holds the lock. Yields `progress(step)`, which records the step and raises BatchRunning if
    the lock was lost; a background heartbeat keeps the lock alive through long steps, so a
    holder that died is presumed so after `batch_stale_seconds` without one."""
    token = uuid.uuid4().hex
    stale = int(settings.value("batch_stale_seconds"))
    statement = queries.internal("acquire_batch_lock").render()
    params = {"token": token, "started_by": started_by, "stale_seconds": stale}
    row = graph.run_write(lambda tx: tx.run(statement, params).single().data())
    if not row["mine"]:
        raise BatchRunning(str(BatchStatus(row["started_by"], native(row["started_at"]), row["progress"])))
    beat = queries.internal("batch_progress").render()

    def progress(step: str | None) -> None:
        if not graph.run_write(lambda tx: tx.run(beat, {"token": token, "progress": step}).data()):
            raise BatchRunning(
                "This recompute lost its lock to another one (no heartbeat for too long); "
                "its results were not stored."
            )

    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(max(1.0, stale / 10)):
            try:
                progress(None)
            except GraphCRMError:
                return

    beating = threading.Thread(target=heartbeat, name="graphcrm-batch-heartbeat", daemon=True)
    beating.start()
    try:
        yield progress
    finally:
        stop.set()
        beating.join()
        graph.write(queries.internal("release_batch_lock").render(), {"token": token})


def batch_status(graph: Graph) -> BatchStatus | None:
    """The batch running now, or None."""
    rows = graph.read(queries.internal("batch_status").render())
    if not rows:
        return None
    return BatchStatus(rows[0]["started_by"], native(rows[0]["started_at"]), rows[0]["progress"])


def _params_text(params: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(params.items()) if v is not None)


def _params_of(text: str | None) -> dict[str, Any]:
    pairs = [part.split("=", 1) for part in (text or "").split("; ") if "=" in part]
    return {k: v for k, v in pairs}
