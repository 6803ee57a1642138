"""The batch on Apache Spark: `graphcrm analyze all --write --engine spark --input DIR`.

The import directory is read straight into Spark DataFrames (`frames`), the scores are computed
as DataFrame iterations (`pagerank`, `cascades`, `brokerage`, `communities`, `rings`), and the
executors write them back to Neo4j partition by partition (`writeback`) with the same statements
as the local engine; `engine` ties it together and records each run with ``engine: "spark"``.
"""
