"""Referral rings on Spark: circles and bursts as `analytics.rings` finds them.

Circles are the strongly connected components of two or more nodes of the referral graph: two
people are in one when each is downstream of the other (`cascades.reached`). Only the referrals
inside circles come to the driver, to be described by `rings.circle`. Bursts group referrals by
a company both ends work at, or a household (a component of family KNOWS ties, found by
min-label propagation); each group's densest window is found by `rings.burst` on the executors.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graphcrm import model
from graphcrm.analytics.rings import RING_COLUMNS, burst, circle
from graphcrm.analytics.views import referral_digraph
from graphcrm.spark.frames import Frames
from graphcrm.spark.plans import checkpoint
from graphcrm.spark.ties import of_type


def referral_rings(
    frames: Frames, downstream: DataFrame, *, window_days: int = 30, min_burst: int = 3
) -> pd.DataFrame:
    """The rings table (`rings.RING_COLUMNS`), numbered as the local engine numbers it, from the
    pairs `downstream` of each referrer (`cascades.reached`)."""
    rows = _circles(frames, downstream)
    rows.extend(_bursts(frames, window_days, min_burst))
    for number, row in enumerate(rows, start=1):
        row["ring"] = number
    return pd.DataFrame(rows, columns=list(RING_COLUMNS))


def circle_members(downstream: DataFrame) -> DataFrame:
    """id, circle (its smallest member): everyone in a referral circle."""
    back = downstream.select(F.col("node").alias("root"), F.col("root").alias("node"))
    mutual = downstream.select("root", "node").join(back, ["root", "node"])
    return mutual.groupBy(F.col("root").alias("id")).agg(
        F.least(F.min("node"), F.col("root")).alias("circle")
    )


def _circles(frames: Frames, downstream: DataFrame) -> list[dict]:
    members = circle_members(downstream).transform(checkpoint)
    of_src = members.select(F.col("id").alias("source"), F.col("circle"))
    of_dst = members.select(F.col("id").alias("target"), F.col("circle").alias("circle_of_target"))
    inside = (
        of_type(frames, model.REFERRED)
        .join(of_src, "source")
        .join(of_dst, "target")
        .filter(F.col("circle") == F.col("circle_of_target"))
        .select("circle", "source", "target", "converted", "since")
        .orderBy("circle", "source", "target")
        .collect()
    )
    found: dict[str, list[tuple[str, str, dict]]] = {}
    for row in inside:
        found.setdefault(row["circle"], []).append(
            (row["source"], row["target"], {"converted": row["converted"], "since": row["since"]})
        )
    rows = []
    for referrals in found.values():
        R: nx.DiGraph = referral_digraph(referrals)
        rows.append(circle(R, sorted(R)))
    rows.sort(key=lambda r: (-r["size"], r["members"]))
    return rows


def households(frames: Frames) -> DataFrame:
    """id, household (smallest member id): components of family KNOWS ties."""
    family = of_type(frames, model.KNOWS).filter(F.col("relation") == "family")
    pairs = family.select(F.col("source").alias("a"), F.col("target").alias("b"))
    pairs = pairs.unionByName(pairs.select(F.col("b").alias("a"), F.col("a").alias("b"))).transform(
        checkpoint
    )
    label = pairs.groupBy(F.col("a").alias("id")).agg(F.least(F.min("b"), F.col("a")).alias("household"))
    label = label.transform(checkpoint)
    while True:
        spread = (
            pairs.join(label.select(F.col("id").alias("b"), F.col("household").alias("theirs")), "b")
            .groupBy(F.col("a").alias("id"))
            .agg(F.min("theirs").alias("theirs"))
        )
        updated = label.join(spread, "id").select("id", F.least("household", "theirs").alias("household"))
        updated = updated.transform(checkpoint)
        changed = updated.join(label.withColumnRenamed("household", "before"), "id").filter(
            F.col("household") != F.col("before")
        )
        label = updated
        if changed.isEmpty():
            return label


def _bursts(frames: Frames, window_days: int, min_burst: int) -> list[dict]:
    referred = of_type(frames, model.REFERRED).filter(F.col("since").isNotNull())
    works = of_type(frames, model.WORKS_AT).select(
        F.col("source").alias("person"), F.col("target").alias("group")
    )
    names = frames.nodes.select(F.col("id").alias("group"), "name")
    by_company = (
        referred.join(works.withColumnRenamed("person", "source"), "source")
        .join(works.withColumnRenamed("person", "target"), ["target", "group"])
        .join(names, "group", "left")
        .select(F.lit("company").alias("kind"), "group", F.coalesce("name", "group").alias("name"), *_ITEM)
    )
    home = households(frames)
    by_household = (
        referred.join(home.select(F.col("id").alias("source"), F.col("household").alias("group")), "source")
        .join(
            home.select(F.col("id").alias("target"), F.col("household").alias("group")), ["target", "group"]
        )
        .select(F.lit("household").alias("kind"), "group", F.lit("").alias("name"), *_ITEM)
    )
    items = by_company.unionByName(by_household)
    found = (
        items.rdd.map(
            lambda r: (
                (r["kind"], r["group"], r["name"]),
                (r["since"], r["source"], r["target"], r["converted"]),
            )
        )
        .groupByKey()
        .map(lambda group: _burst(group, window_days, min_burst))
        .filter(lambda row: row is not None)
        .collect()
    )
    return sorted(found, key=lambda r: (-r["referrals"], r["kind"], r["group"]))


_ITEM = ("since", "source", "target", "converted")


def _burst(group: tuple[tuple[str, str, str], Any], window_days: int, min_burst: int) -> dict | None:
    (kind, key, name), items = group
    return burst(kind, key, name, list(items), window_days, min_burst)
