"""Brokerage: betweenness centrality (Brandes 2001) as DataFrame iterations.

A breadth-first search from every source at once counts shortest paths level by level (rows
source, node, sigma); then, from the deepest level back, each node collects its dependency
``sum(sigma_v / sigma_w * (1 + delta_w))`` over its neighbours one level further. Scaled as
`analytics.brokerage.betweenness_of_edges`: exact up to `exact_limit` nodes, else estimated from
`k` sources (Brandes & Pich 2007) drawn with `seed` from the ids in sorted order (the local
engine draws from its projection's order, so the two estimates differ above that size).

References
----------
Brandes (2001), A faster algorithm for betweenness centrality, J. Math. Sociol. 25(2).
Brandes & Pich (2007), Centrality estimation in large networks.
"""

from __future__ import annotations

import random

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graphcrm.analytics.influencers import BETWEENNESS_BUDGET
from graphcrm.spark.plans import checkpoint, kept_by


def betweenness(
    nodes: DataFrame, pairs: DataFrame, *, exact_limit: int = 2000, seed: int = 7, samples: int | None = None
) -> DataFrame:
    """id, brokerage (normalised betweenness in [0, 1]) of every node of `nodes` (id) over the
    undirected, unweighted `pairs` (a, b; both directions of each pair)."""
    n = nodes.count()
    if n < 3 or pairs.isEmpty():
        return nodes.select("id", F.lit(0.0).alias("brokerage"))
    sources = nodes.select(F.col("id").alias("source"))
    k = None
    if n > exact_limit:
        size = n + pairs.count() // 2
        k = min(samples or max(32, min(256, BETWEENNESS_BUDGET // size)), n)
        ids = [row.id for row in nodes.orderBy("id").select("id").collect()]
        chosen = random.Random(seed).sample(ids, k)
        sources = nodes.sparkSession.createDataFrame([(s,) for s in chosen], "source string")
    kept = kept_by(pairs, "a")
    total = _dependencies(sources, kept).transform(checkpoint)
    kept.unpersist()
    scale = _scale(n, k)
    if k is not None:
        sampled = sources.select(F.col("source").alias("id"), F.lit(True).alias("sampled"))
        total = total.join(sampled, "id", "left")
        scale = F.when(F.col("sampled"), F.lit(_scale(n, k - 1) if k > 1 else None)).otherwise(F.lit(scale))
    else:
        scale = F.lit(scale)
    return nodes.join(total, "id", "left").select(
        "id", (F.coalesce(F.col("delta"), F.lit(0.0)) * scale).alias("brokerage")
    )


def _scale(n: int, k: int | None) -> float:
    return 1 / ((n - 1) * (n - 2)) if k is None else 1 / (k * (n - 2))


def _next_level(frontier: DataFrame, before: DataFrame | None, pairs: DataFrame) -> DataFrame:
    """source, node, sigma: the nodes one hop beyond `frontier` (the level before it: `before`)
    and their shortest-path counts. In an undirected graph a neighbour of distance d is at d - 1,
    d or d + 1, so leaving out those two levels leaves exactly the next one: no search needs the
    set of all the nodes reached so far, which is the largest frame here (sources x nodes)."""
    step = (
        pairs.join(frontier.hint("shuffle_hash"), frontier.node == pairs.a)
        .groupBy("source", F.col("b").alias("node"))
        .agg(F.sum("sigma").alias("sigma"))
        .join(frontier.select("source", "node"), ["source", "node"], "left_anti")
    )
    if before is not None:
        step = step.join(before.select("source", "node"), ["source", "node"], "left_anti")
    return step.transform(checkpoint)


def _dependencies(sources: DataFrame, pairs: DataFrame) -> DataFrame:
    """id, delta: each node's summed dependency over the sources' shortest paths."""
    frontier = sources.select("source", F.col("source").alias("node"), F.lit(1.0).alias("sigma"))
    frontier, before = frontier.transform(checkpoint), None
    levels = []
    while True:
        step = _next_level(frontier, before, pairs)
        if step.isEmpty():
            break
        levels.append(step)
        frontier, before = step, frontier
    deltas = []
    below = None
    for level in reversed(levels):
        if below is None:
            current = level.withColumn("delta", F.lit(0.0))
        else:
            parents = level.select("source", F.col("node").alias("v"), F.col("sigma").alias("sigma_v"))
            children = below.select(
                "source", F.col("node").alias("w"), F.col("sigma").alias("sigma_w"), "delta"
            )
            gathered = (
                pairs.join(parents.hint("shuffle_hash"), parents.v == pairs.a)
                .join(children, (F.col("b") == F.col("w")) & (parents.source == children.source))
                .groupBy(parents.source.alias("source"), F.col("v").alias("node"))
                .agg(F.sum(F.col("sigma_v") / F.col("sigma_w") * (1 + F.col("delta"))).alias("delta"))
            )
            current = level.join(gathered, ["source", "node"], "left").fillna({"delta": 0.0})
        below = current.transform(checkpoint)
        deltas.append(below)
    total = deltas[0]
    for part in deltas[1:]:
        total = total.unionByName(part)
    return total.groupBy(F.col("node").alias("id")).agg(F.sum("delta").alias("delta"))
