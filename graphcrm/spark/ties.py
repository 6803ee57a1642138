"""The graphs the batch's scores run on, built from the import frames as DataFrames.

The same graphs as the local engine's (`analytics.influencers.Ties`, `views.social_graph`),
so the two engines give the same answers: employees are left out of the influence graph; a
referral u -> v is the edge v -> u ("v credits u", weight 2 when converted, else 1); a KNOWS tie
counts both ways with its strength; parallel ties add up and self-loops are dropped.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from graphcrm import model
from graphcrm.analytics.influencers import CONVERTED_REFERRAL_WEIGHT
from graphcrm.analytics.views import DEFAULT_KNOWS_STRENGTH, REFERRAL_TIE_STRENGTH, RELATION_STRENGTH
from graphcrm.spark.frames import Frames


def knows_strength() -> Column:
    """`views.knows_strength` as a column: the tie's strength, else a default by relation."""
    by_relation = F.lit(DEFAULT_KNOWS_STRENGTH)
    for relation, strength in RELATION_STRENGTH.items():
        by_relation = F.when(F.col("relation") == relation, F.lit(strength)).otherwise(by_relation)
    return F.coalesce(F.col("strength"), by_relation)


def of_type(frames: Frames, *types: str) -> DataFrame:
    """Relationships of these types."""
    return frames.relationships.filter(F.col("type").isin(*types))


def influence_nodes(frames: Frames) -> DataFrame:
    """Ids of the influence graph's nodes: everyone but employees."""
    return frames.nodes.filter(F.col("label") != model.EMPLOYEE).select("id")


def _among(edges: DataFrame, nodes: DataFrame) -> DataFrame:
    """Edges (source, target, ...) whose two ends are in `nodes` (id), without self-loops."""
    ids = nodes.select("id")
    inside = edges.join(ids.withColumnRenamed("id", "source"), "source", "left_semi")
    inside = inside.join(ids.withColumnRenamed("id", "target"), "target", "left_semi")
    return inside.filter(F.col("source") != F.col("target"))


def influence_edges(frames: Frames) -> DataFrame:
    """src, dst, weight: the weighted directed edges PageRank runs on."""
    ties = _among(of_type(frames, model.REFERRED, model.KNOWS), influence_nodes(frames))
    referral_weight = F.when(F.col("converted"), F.lit(CONVERTED_REFERRAL_WEIGHT)).otherwise(F.lit(1.0))
    credit = ties.filter(F.col("type") == model.REFERRED).select(
        F.col("target").alias("src"), F.col("source").alias("dst"), referral_weight.alias("weight")
    )
    knows = ties.filter(F.col("type") == model.KNOWS).select("source", "target", knows_strength().alias("w"))
    forward = knows.select(
        F.col("source").alias("src"), F.col("target").alias("dst"), F.col("w").alias("weight")
    )
    backward = knows.select(
        F.col("target").alias("src"), F.col("source").alias("dst"), F.col("w").alias("weight")
    )
    return (
        credit.unionByName(forward)
        .unionByName(backward)
        .groupBy("src", "dst")
        .agg(F.sum("weight").alias("weight"))
    )


def undirected_pairs(edges: DataFrame) -> DataFrame:
    """a, b: both directions of every distinct undirected pair of `edges` (src, dst)."""
    low = F.least("src", "dst").alias("a")
    high = F.greatest("src", "dst").alias("b")
    pairs = edges.select(low, high).distinct()
    return pairs.unionByName(pairs.select(F.col("b").alias("a"), F.col("a").alias("b")))


def knows_counts(frames: Frames) -> DataFrame:
    """id, knows: distinct KNOWS partners of each node of the influence graph."""
    knows = _among(of_type(frames, model.KNOWS), influence_nodes(frames))
    ends = knows.select(F.col("source").alias("id"), F.col("target").alias("other")).unionByName(
        knows.select(F.col("target").alias("id"), F.col("source").alias("other"))
    )
    return ends.groupBy("id").agg(F.countDistinct("other").alias("knows"))


def social_edges(frames: Frames) -> DataFrame:
    """a, b, weight: `views.social_graph` among customers, each undirected pair in both
    directions, weighted by its strongest tie (KNOWS strength, a referral 0.5)."""
    customers = frames.nodes.filter(F.col("label") == model.CUSTOMER).select("id")
    ties = _among(of_type(frames, model.REFERRED, model.KNOWS), customers)
    weight = F.when(F.col("type") == model.KNOWS, knows_strength()).otherwise(F.lit(REFERRAL_TIE_STRENGTH))
    low, high = F.least("source", "target"), F.greatest("source", "target")
    pairs = ties.select(low.alias("a"), high.alias("b"), weight.alias("weight"))
    pairs = pairs.groupBy("a", "b").agg(F.max("weight").alias("weight"))
    return pairs.unionByName(pairs.select(F.col("b").alias("a"), F.col("a").alias("b"), "weight"))
