"""Referral cascades as DataFrame iterations: who reaches whom along REFERRED, and how far.

A breadth-first search from every referrer at once: level by level, the pairs (root, node) one
hop further that were not reached before, so each node is counted once per root even where a
ring loops back (as `views.hops_downstream`). The pairs reached are also what referral circles
are found from (`rings`).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graphcrm import model
from graphcrm.spark.frames import Frames
from graphcrm.spark.plans import checkpoint
from graphcrm.spark.ties import of_type


def referral_edges(frames: Frames) -> DataFrame:
    """src, dst, converted: every referral, referrer -> referee."""
    referred = of_type(frames, model.REFERRED).filter(F.col("source") != F.col("target"))
    return referred.select(F.col("source").alias("src"), F.col("target").alias("dst"), "converted")


def reached(edges: DataFrame) -> DataFrame:
    """root, node, depth: everyone downstream of each referrer with the fewest hops to them
    (the root itself is left out, also when a ring leads back to it)."""
    links = edges.select("src", "dst").distinct().transform(checkpoint)
    frontier = links.select(F.col("src").alias("root"), F.col("dst").alias("node"), F.lit(1).alias("depth"))
    found = frontier.transform(checkpoint)
    frontier = found
    while not frontier.isEmpty():
        step = (
            frontier.join(links, frontier.node == links.src)
            .select("root", F.col("dst").alias("node"), (F.col("depth") + 1).alias("depth"))
            .filter(F.col("node") != F.col("root"))
            .distinct()
        )
        frontier = step.join(found, ["root", "node"], "left_anti").transform(checkpoint)
        found = found.unionByName(frontier).transform(checkpoint)
    return found


def cascade_scores(frames: Frames, edges: DataFrame, downstream: DataFrame) -> DataFrame:
    """id, referral_reach, cascade_depth, converted_value, referred, converted for every node
    (0 for those who referred no one). `converted_value` sums the value of the people and
    accounts downstream who came in through a converted referral."""
    worth = (
        edges.filter("converted")
        .select(F.col("dst").alias("node"))
        .distinct()
        .join(frames.nodes.select(F.col("id").alias("node"), "value"), "node")
    )
    sizes = (
        downstream.join(worth, "node", "left")
        .groupBy(F.col("root").alias("id"))
        .agg(
            F.count("node").alias("referral_reach"),
            F.max("depth").alias("cascade_depth"),
            F.coalesce(F.sum("value"), F.lit(0.0)).alias("converted_value"),
        )
    )
    direct = (
        edges.groupBy("src", "dst")
        .agg(F.max(F.col("converted").cast("int")).alias("won"))
        .groupBy(F.col("src").alias("id"))
        .agg(F.count("dst").alias("referred"), F.sum("won").alias("converted"))
    )
    zero = {"referral_reach": 0, "cascade_depth": 0, "converted_value": 0.0, "referred": 0, "converted": 0}
    return frames.nodes.select("id").join(sizes, "id", "left").join(direct, "id", "left").fillna(zero)
