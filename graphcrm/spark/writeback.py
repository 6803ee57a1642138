"""Scores from Spark into Neo4j, partition by partition, by the executors themselves.

Each partition opens its own connection (`db.Graph`, one cached driver per executor process)
and writes its rows with `scores.write_node_scores`: the same UNWIND statement, per label, in the
same batches as the local engine. Only counts travel back to the driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from pyspark.sql import DataFrame

from graphcrm import scores
from graphcrm.db import Graph, Settings

BATCH_SIZE = 10_000


def write_scores(frame: DataFrame, settings: Settings, *, computed_at: datetime) -> int:
    """Set the columns of `frame` (id, label and the score columns) as properties of the nodes
    by id; return how many nodes were written."""
    written = frame.sparkSession.sparkContext.accumulator(0)

    def write_partition(rows: Iterator[Any]) -> None:
        graph = Graph(settings)
        while batch := list(islice(rows, BATCH_SIZE)):
            labels = {row["id"]: row["label"] for row in batch}
            values = [{k: v for k, v in row.asDict().items() if k != "label"} for row in batch]
            written.add(scores.write_node_scores(graph, labels, values, computed_at=computed_at))

    frame.foreachPartition(write_partition)
    return written.value
