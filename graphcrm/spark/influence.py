"""The influencer scores on Spark: the components of `analytics.influencers` and their blend.

Same columns and scaling as the local engine: PageRank, brokerage and cascade depth divided by
their maximum, reach and converted value by ``log1p(x) / log1p(max)``, weighted by
`influencers.DEFAULT_WEIGHTS`; the reason line is `influencers.influence_reason`, run on the executors.
"""

from __future__ import annotations

import math

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from graphcrm import model
from graphcrm.analytics.influencers import DEFAULT_WEIGHTS, influence_reason
from graphcrm.spark import brokerage, cascades, pagerank, ties
from graphcrm.spark.frames import Frames
from graphcrm.spark.plans import checkpoint

LOG_SCALED = ("referral_reach", "converted_value")


def influence_frame(
    frames: Frames, referrals: DataFrame, downstream: DataFrame, *, alpha: float = 0.85, seed: int = 7
) -> DataFrame:
    """One row per customer and partner: id, label, name, influence, pagerank, referral_reach,
    cascade_depth, referred, converted, converted_value, brokerage, knows, influence_why
    (`referrals` and `downstream` from `cascades`)."""
    nodes = ties.influence_nodes(frames).transform(checkpoint)
    edges = ties.influence_edges(frames).transform(checkpoint)
    ranks = pagerank.pagerank(nodes, edges, alpha=alpha)
    broker = brokerage.betweenness(nodes, ties.undirected_pairs(edges), seed=seed)
    sizes = cascades.cascade_scores(frames, referrals, downstream)
    rows = (
        frames.nodes.filter(F.col("label").isin(model.CUSTOMER, model.PARTNER))
        .select("id", "label", "name")
        .join(ranks, "id", "left")
        .join(broker, "id", "left")
        .join(sizes, "id", "left")
        .join(ties.knows_counts(frames), "id", "left")
        .fillna({"pagerank": 0.0, "brokerage": 0.0, "knows": 0})
        .transform(checkpoint)
    )
    return _blend(rows).transform(checkpoint)


def _blend(rows: DataFrame) -> DataFrame:
    peaks = rows.agg(*(F.max(c).alias(c) for c in DEFAULT_WEIGHTS)).first().asDict()
    total = sum(DEFAULT_WEIGHTS.values())
    influence = sum(
        (weight * _scaled(column, peaks[column]) for column, weight in DEFAULT_WEIGHTS.items()), F.lit(0.0)
    ) / F.lit(total)
    why = F.udf(influence_reason, StringType())
    reason = why("referred", "converted", "referral_reach", "converted_value", "knows", "brokerage")
    return rows.withColumn("influence", influence).withColumn("influence_why", reason)


def _scaled(column: str, peak: float | None) -> Column:
    if not peak or peak <= 0:
        return F.lit(0.0)
    if column in LOG_SCALED:
        return F.log1p(F.col(column).cast("double")) / F.lit(math.log1p(peak))
    return F.col(column).cast("double") / F.lit(float(peak))
