"""Communities of customers on Spark: Louvain's two phases as DataFrame iterations.

Local moving: every node weighs moving to each neighbouring community by its modularity gain
``k_i,C - resolution * tot_C * k_i / 2m`` (Blondel et al. 2008) and takes the best strictly
better one. All nodes decide at once, so to keep neighbours from swapping places forever only a
seeded-random half of them may move in each round. When no node gains, the communities become
the nodes of a smaller graph (their internal weight a self-loop) and the phase repeats, until
nothing moves. The social graph is `views.social_graph`'s (`ties.social_edges`).

References
----------
Blondel, Guillaume, Lambiotte, Lefebvre (2008), Fast unfolding of communities in large
networks, J. Stat. Mech. P10008.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from graphcrm import model
from graphcrm.analytics.communities import SUMMARY_COLUMNS
from graphcrm.spark import ties
from graphcrm.spark.frames import Frames
from graphcrm.spark.plans import checkpoint, kept_by

MAX_LEVELS = 10
MAX_ROUNDS = 40
# A move must gain more than this (floating-point noise is no gain).
MIN_GAIN = 1e-12


def louvain(nodes: DataFrame, edges: DataFrame, *, resolution: float = 1.0, seed: int = 7) -> DataFrame:
    """id, community (a member id) of every node of `nodes` (id) over the undirected weighted
    `edges` (a, b, weight; both directions of each pair)."""
    membership = nodes.select("id", F.col("id").alias("community")).transform(checkpoint)
    two_m = edges.agg(F.sum("weight")).first()[0] or 0.0
    if two_m <= 0:
        return membership
    graph_nodes, graph_edges = nodes.select(F.col("id").alias("node")), edges
    for level in range(MAX_LEVELS):
        moved, placed = _local_moving(graph_nodes, graph_edges, two_m, resolution, seed + level)
        if not moved:
            break
        membership = (
            membership.join(placed.withColumnRenamed("node", "community"), "community")
            .select("id", F.col("placed").alias("community"))
            .transform(checkpoint)
        )
        graph_nodes, graph_edges = _contract(graph_edges, placed)
    return membership


def _local_moving(
    graph_nodes: DataFrame, graph_edges: DataFrame, two_m: float, resolution: float, seed: int
) -> tuple[bool, DataFrame]:
    """Move nodes between communities until none gains; (whether any moved, node -> placed)."""
    degree = graph_edges.groupBy(F.col("a").alias("node")).agg(F.sum("weight").alias("k"))
    state = (
        graph_nodes.join(degree, "node", "left")
        .select("node", F.coalesce("k", F.lit(0.0)).alias("k"), F.col("node").alias("placed"))
        .transform(checkpoint)
    )
    links = kept_by(graph_edges.filter(F.col("a") != F.col("b")), "b")
    moved_any = False
    for round_number in range(MAX_ROUNDS):
        choice = _best_moves(state, links, two_m, resolution)
        eligible = F.abs(F.hash("node", F.lit(seed), F.lit(round_number))) % 2 == 0
        wants = F.col("target").isNotNull()
        decided = choice.select(
            "node",
            "k",
            F.when(wants & eligible, F.col("target")).otherwise(F.col("placed")).alias("placed"),
            wants.alias("wants"),
        ).transform(checkpoint)
        wanting, moving = decided.agg(
            F.sum(F.col("wants").cast("long")), F.sum((F.col("wants") & eligible).cast("long"))
        ).first()
        state = decided.drop("wants")
        moved_any = moved_any or bool(moving)
        if not wanting:
            break
    links.unpersist()
    return moved_any, state.select("node", "placed")


def _best_moves(state: DataFrame, links: DataFrame, two_m: float, resolution: float) -> DataFrame:
    """node, k, placed, target: the community each node gains most by moving to (null: stay;
    ties to the smallest community id). One aggregation per node finds both its ties into its
    own community and its best offer, the offer as the smallest (-gain, community)."""
    totals = state.groupBy("placed").agg(F.sum("k").alias("tot"))
    neighbour = state.select(F.col("node").alias("b"), F.col("placed").alias("community"))
    toward = (
        links.join(neighbour.hint("shuffle_hash"), "b")
        .groupBy("a", "community")
        .agg(F.sum("weight").alias("k_in"))
    )
    me = state.select(F.col("node").alias("a"), "k", "placed")
    factor = resolution / two_m
    loss = factor * F.coalesce("tot", F.lit(0.0)) * F.col("k") - F.col("k_in")
    mine = F.col("community") == F.col("placed")
    offer = F.struct(loss.alias("loss"), F.col("community").alias("best"))
    offers = (
        toward.join(me, "a")
        .join(totals.withColumnRenamed("placed", "community"), "community", "left")
        .groupBy("a")
        .agg(
            F.sum(F.when(mine, F.col("k_in"))).alias("own_k_in"),
            F.min(F.when(~mine, offer)).alias("offer"),
        )
    )
    stay = F.coalesce("own_k_in", F.lit(0.0)) - factor * (F.col("own_tot") - F.col("k")) * F.col("k")
    own_total = totals.select("placed", F.col("tot").alias("own_tot"))
    return (
        me.join(own_total, "placed", "left")
        .join(offers, "a", "left")
        .select(
            F.col("a").alias("node"),
            "k",
            "placed",
            F.when(-F.col("offer.loss") > stay + MIN_GAIN, F.col("offer.best")).alias("target"),
        )
    )


def _contract(graph_edges: DataFrame, placed: DataFrame) -> tuple[DataFrame, DataFrame]:
    """The graph of communities: one node per community, edge weights summed (inside: a self-loop)."""
    of_a = placed.select(F.col("node").alias("a"), F.col("placed").alias("ca"))
    of_b = placed.select(F.col("node").alias("b"), F.col("placed").alias("cb"))
    edges = (
        graph_edges.join(of_a, "a")
        .join(of_b, "b")
        .groupBy(F.col("ca").alias("a"), F.col("cb").alias("b"))
        .agg(F.sum("weight").alias("weight"))
        .transform(checkpoint)
    )
    nodes = placed.select(F.col("placed").alias("node")).distinct().transform(checkpoint)
    return nodes, edges


def numbered(membership: DataFrame) -> DataFrame:
    """id, community: communities numbered from 0 by size (largest first, ties by smallest
    member id), as the local engine numbers them."""
    groups = membership.groupBy("community").agg(F.count("id").alias("size"), F.min("id").alias("first"))
    order = Window.orderBy(F.desc("size"), "first")
    numbers = groups.select("community", (F.row_number().over(order) - 1).alias("number"))
    return membership.join(numbers, "community").select("id", F.col("number").alias("community"))


def communities(
    frames: Frames, influence: DataFrame, *, seed: int = 7, resolution: float = 1.0, min_size: int = 2
) -> tuple[DataFrame, DataFrame]:
    """(id, community of every customer; the summary table as `analytics.communities`, one row
    per community of at least `min_size` members, `influence` (id, influence) picking each
    community's top influencer)."""
    customers = frames.nodes.filter(F.col("label") == model.CUSTOMER)
    edges = ties.social_edges(frames).transform(checkpoint)
    membership = numbered(louvain(customers.select("id"), edges, resolution=resolution, seed=seed))
    membership = membership.transform(checkpoint)
    return membership, _summary(customers, edges, membership, influence, min_size)


def _summary(
    customers: DataFrame, edges: DataFrame, membership: DataFrame, influence: DataFrame, min_size: int
) -> DataFrame:
    members = membership.join(customers, "id").join(influence.select("id", "influence"), "id", "left")
    members = members.fillna({"influence": 0.0})
    top = Window.partitionBy("community").orderBy(F.desc("influence"), "id")
    leaders = (
        members.withColumn("rank", F.row_number().over(top))
        .filter(F.col("rank") == 1)
        .select(
            "community",
            F.col("id").alias("top_influencer"),
            F.coalesce("name", F.lit("")).alias("top_influencer_name"),
        )
    )
    sizes = members.groupBy("community").agg(
        F.count("id").alias("size"), F.sum(F.coalesce("value", F.lit(0.0))).alias("total_value")
    )
    of_a = membership.select(F.col("id").alias("a"), F.col("community"))
    of_b = membership.select(F.col("id").alias("b"), F.col("community").alias("cb"))
    inside = (
        edges.filter(F.col("a") < F.col("b"))
        .join(of_a, "a")
        .join(of_b, "b")
        .filter(F.col("community") == F.col("cb"))
        .groupBy("community")
        .agg(F.count(F.lit(1)).alias("internal_ties"))
    )
    summary = (
        sizes.filter(F.col("size") >= min_size)
        .join(leaders, "community")
        .join(_most_common(members, "stage", "dominant_stage"), "community", "left")
        .join(_most_common(members, "city", "dominant_city"), "community", "left")
        .join(inside, "community", "left")
        .fillna({"dominant_stage": "", "dominant_city": "", "internal_ties": 0})
    )
    return summary.select(*SUMMARY_COLUMNS).orderBy("community")


def _most_common(members: DataFrame, column: str, name: str) -> DataFrame:
    """community, `name`: the most common non-blank `column` (ties alphabetically)."""
    counts = members.filter(F.col(column).isNotNull()).groupBy("community", column).count()
    order = Window.partitionBy("community").orderBy(F.desc("count"), column)
    return (
        counts.withColumn("rank", F.row_number().over(order))
        .filter("rank = 1")
        .select("community", F.col(column).alias(name))
    )
