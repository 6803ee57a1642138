"""`analyze all --write --engine spark`: the batch's influencers, communities and referral rings
computed on Spark from an import directory and stored in Neo4j as the local batch stores them.

The input is checked completely before anything is written. Then, holding the one batch lock,
each analysis is recorded as an `AnalyticsRun` (``engine: "spark"``, same parameters as the local
batch), its node scores are written by the executors (`writeback`) and its tables (communities,
rings: one row per finding, small) by the driver.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graphcrm import erasure, model, results
from graphcrm.analytics import influencers
from graphcrm.analytics.registry import ANALYSES
from graphcrm.analytics.rings import ring_membership
from graphcrm.analytics.run import batch_arguments, recorded_parameters
from graphcrm.db import Graph
from graphcrm.ingest.loader import apply_schema
from graphcrm.spark import cascades, communities, influence, rings
from graphcrm.spark.frames import Frames, read_directory
from graphcrm.spark.plans import checkpoint
from graphcrm.spark.session import spark_session
from graphcrm.spark.writeback import write_scores

ENGINE = "spark"
# What the Spark batch computes and stores, in this order.
ANALYSED: tuple[str, ...] = ("influencers", "communities", "rings")


@dataclass
class SparkResult:
    """What one analysis of the Spark batch stored: `scores` (id, label, score columns, on
    Spark), its `tables`, how many nodes were written, and how long computing it and writing it
    back took (the benchmark's per-stage costs)."""

    name: str
    scores: DataFrame
    tables: dict[str, pd.DataFrame]
    written: int = 0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def seconds(self) -> float:
        """Computing and writing back, together."""
        return self.compute_seconds + self.write_seconds


def compute(frames: Frames, *, seed: int = 7) -> dict[str, SparkResult]:
    """Every analysis of `ANALYSED` on the frames, with the local batch's parameters."""
    params = {name: ANALYSES[name].arguments(batch_arguments(ANALYSES[name], seed)) for name in ANALYSED}
    started = time.perf_counter()
    referrals = cascades.referral_edges(frames).transform(checkpoint)
    downstream = cascades.reached(referrals)
    ranked = influence.influence_frame(
        frames, referrals, downstream, alpha=params["influencers"]["alpha"], seed=seed
    )
    found = {"influencers": SparkResult("influencers", ranked.select("id", "label", *influencers.SCORES), {})}
    found["influencers"].compute_seconds = time.perf_counter() - started
    started = time.perf_counter()
    chosen = {k: params["communities"][k] for k in ("resolution", "min_size")}
    membership, summary = communities.communities(frames, ranked, seed=seed, **chosen)
    labelled = membership.select("id", F.lit(model.CUSTOMER).alias("label"), "community")
    found["communities"] = SparkResult("communities", labelled, {"communities": summary.toPandas()})
    found["communities"].compute_seconds = time.perf_counter() - started
    started = time.perf_counter()
    chosen = {k: params["rings"][k] for k in ("window_days", "min_burst")}
    table = rings.referral_rings(frames, downstream, **chosen)
    found["rings"] = SparkResult("rings", _ring_scores(frames, table), {"rings": table})
    found["rings"].compute_seconds = time.perf_counter() - started
    return found


def _ring_scores(frames: Frames, table: pd.DataFrame) -> DataFrame:
    """id, label, referral_ring (null: in none) of every customer and partner."""
    spark = frames.nodes.sparkSession
    membership = spark.createDataFrame(list(ring_membership(table).items()), "id string, referral_ring long")
    people = frames.nodes.filter(F.col("label").isin(model.CUSTOMER, model.PARTNER)).select("id", "label")
    return people.join(membership, "id", "left")


def write_all(
    graph: Graph,
    directory: str | Path,
    *,
    master: str,
    seed: int = 7,
    started_by: str = "graphcrm",
) -> dict[str, SparkResult]:
    """The Spark batch: check `directory`, compute, and store each analysis as a run of its own
    (node scores written by the executors). People on the suppression list (`graphcrm forget`)
    and their relationships are left out, as a load leaves them out. Raises ValidationFailed
    (nothing written) for input that fails the import contract, BatchRunning while another batch
    runs."""
    frames = read_directory(spark_session(master), directory)
    return store_batch(graph, frames, seed=seed, started_by=started_by)


def store_batch(
    graph: Graph, frames: Frames, *, seed: int = 7, started_by: str = "graphcrm"
) -> dict[str, SparkResult]:
    """Compute every analysis of `ANALYSED` on checked `frames` (`read_directory`) and store each
    as a run of its own, holding the batch lock; the second half of `write_all`, apart so that
    reading the input can be timed on its own."""
    apply_schema(graph)
    with results.batch_lock(graph, started_by) as progress:
        data_at = datetime.now(UTC)
        # Read under the lock, which erasures take too: no one forgotten from here on is scored.
        frames = frames.without(erasure.suppressed_ids(graph))
        progress("computing on Spark")
        found = compute(frames, seed=seed)
        for name, result in found.items():
            progress(f"writing {name}")
            _store(graph, result, seed=seed, started_by=started_by, data_at=data_at)
    return found


def _store(graph: Graph, result: SparkResult, *, seed: int, started_by: str, data_at: datetime) -> None:
    spec = ANALYSES[result.name]
    arguments: dict[str, Any] = spec.arguments(batch_arguments(spec, seed))
    started = time.perf_counter()
    run_id = results.begin_run(
        graph, result.name, recorded_parameters(spec, arguments, seed), started_by=started_by
    )
    result.written = write_scores(result.scores, graph.settings, computed_at=datetime.now(UTC))
    if spec.stores_tables:
        results.store_tables(graph, run_id, result.tables)
    result.write_seconds = time.perf_counter() - started
    results.finish_run(
        graph, run_id, nodes=result.written, seconds=result.seconds, data_at=data_at, engine=ENGINE
    )
