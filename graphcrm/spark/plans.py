"""Keep iterative DataFrame plans small.

`DataFrame.localCheckpoint` cuts the lineage but keeps the plan's size estimate, and Spark
multiplies the estimates of a join's sides, so an estimate carried through a hundred iterations
grows without bound (its BigInt arithmetic alone exhausted the heap). `checkpoint` also starts
the estimate afresh.
"""

from __future__ import annotations

from pyspark.sql import DataFrame


def checkpoint(frame: DataFrame) -> DataFrame:
    """`frame` computed now and kept on the executors, as a new plan with no history."""
    kept = frame.localCheckpoint()
    spark = frame.sparkSession
    return DataFrame(spark._jsparkSession.createDataFrame(kept._jdf.rdd(), kept._jdf.schema()), spark)
