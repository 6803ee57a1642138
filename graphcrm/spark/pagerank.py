"""PageRank as DataFrame iterations, formulated as the local engine's (igraph's PRPACK).

Each step spreads every node's rank over its out-edges in proportion to their weight, spreads
the rank of dangling nodes (no out-weight) evenly over all nodes, damps by `alpha` and adds the
teleport ``(1 - alpha) / n``; iteration stops once the L1 change is below `tol`. Each step
shrinks the L1 distance to the fixed point by `alpha` at least, so what is left after a change
`c` is at most ``c * alpha / (1 - alpha)``: 5.7e-8 for the default, within the 1e-6 the engines
must agree to (each step at 1M nodes costs seconds, so tighter is not free). The links are
shuffled by source once and kept, so a step shuffles only the ranks and what they send; the
ranks are checkpointed each step so the plan does not grow.

References
----------
Page, Brin, Motwani, Winograd (1999), The PageRank citation ranking: bringing order to the web.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graphcrm.spark.plans import checkpoint, kept_by

TOL = 1e-8
MAX_ITER = 500


def pagerank(
    nodes: DataFrame, edges: DataFrame, *, alpha: float = 0.85, tol: float = TOL, max_iter: int = MAX_ITER
) -> DataFrame:
    """id, pagerank of every node of `nodes` (id) over weighted `edges` (src, dst, weight);
    ranks sum to 1. Without edges every rank is 0, as the local engine reports it."""
    n = nodes.count()
    if n == 0 or edges.isEmpty():
        return nodes.select("id", F.lit(0.0).alias("pagerank"))
    out = edges.groupBy("src").agg(F.sum("weight").alias("out"))
    links = (
        edges.join(out, "src")
        .filter(F.col("out") > 0)
        .select("src", "dst", (F.col("weight") / F.col("out")).alias("share"))
        .transform(lambda frame: kept_by(frame, "src"))
    )
    has_out = out.filter(F.col("out") > 0).select(F.col("src").alias("id"), F.lit(False).alias("dangling"))
    rank = (
        nodes.join(has_out, "id", "left")
        .select("id", F.coalesce("dangling", F.lit(True)).alias("dangling"), F.lit(1.0 / n).alias("rank"))
        .transform(checkpoint)
    )
    lost = rank.filter("dangling").agg(F.sum("rank")).first()[0] or 0.0
    for _ in range(max_iter):
        step = _step(rank, links, alpha, n, lost).transform(checkpoint)
        change, lost = step.agg(
            F.sum(F.abs(F.col("rank") - F.col("previous"))),
            F.coalesce(F.sum(F.when(F.col("dangling"), F.col("rank"))), F.lit(0.0)),
        ).first()
        rank = step.drop("previous")
        if change < tol:
            break
    links.unpersist()
    return rank.select("id", F.col("rank").alias("pagerank"))


def _step(rank: DataFrame, links: DataFrame, alpha: float, n: int, lost: float) -> DataFrame:
    """One power-iteration step (`lost`: the rank held by dangling nodes): id, dangling, rank,
    previous."""
    received = (
        links.join(rank.select(F.col("id").alias("src"), "rank").hint("shuffle_hash"), "src")
        .groupBy("dst")
        .agg(F.sum(F.col("rank") * F.col("share")).alias("received"))
        .withColumnRenamed("dst", "id")
    )
    new = alpha * (F.coalesce("received", F.lit(0.0)) + lost / n) + (1 - alpha) / n
    return rank.join(received.hint("shuffle_hash"), "id", "left").select(
        "id", "dangling", new.alias("rank"), F.col("rank").alias("previous")
    )
