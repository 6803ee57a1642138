"""Keep iterative DataFrame plans small, and their static sides from being shuffled again.

`DataFrame.localCheckpoint` cuts the lineage but keeps the plan's size estimate, and Spark
multiplies the estimates of a join's sides, so an estimate carried through a hundred iterations
grows without bound (its BigInt arithmetic alone exhausted the heap). `checkpoint` also starts
the estimate afresh. `kept_by` is for the tables an iteration joins with again and again (a
graph's edges): shuffled once by the join's key and kept, so each iteration's join moves only
its changing side.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import DataFrame


def checkpoint(frame: DataFrame) -> DataFrame:
    """`frame` computed now and kept on the executors, as a new plan with no history. Its rows
    stay in Spark's internal form: rebuilding them as `Row` objects and back cost two
    conversions per row and iteration."""
    kept = frame.localCheckpoint()
    spark = frame.sparkSession
    rows = kept._jdf.queryExecution().toRdd()
    return DataFrame(spark._jsparkSession.internalCreateDataFrame(rows, kept._jdf.schema(), False), spark)


def kept_by(frame: DataFrame, *keys: str) -> DataFrame:
    """`frame` hash-partitioned by `keys`, computed now and kept in memory (spilling to disk).
    A join on `keys` finds it partitioned already, and its size estimate is its real size."""
    kept = checkpoint(frame).repartition(*keys).persist(StorageLevel.MEMORY_AND_DISK)
    kept.count()
    return kept
