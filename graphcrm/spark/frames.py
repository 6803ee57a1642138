"""The import directory as Spark DataFrames, checked against the same contract as `graphcrm load`.

Every file is read as text columns (cells stripped, blank = null); the header is checked on the
driver (`csvfile` rules), every cell on the executors with the contract's own parsers
(`ingest.values`), and ids, relationship types, endpoints and duplicates with DataFrame joins. Any
problem raises `ValidationFailed` (one line per problem and file, with an example row) before
anything is computed or written.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from graphcrm import model
from graphcrm.errors import ValidationFailed
from graphcrm.ingest.csvfile import FileSpec, checked_header
from graphcrm.ingest.validate import Issue, IssueCollector
from graphcrm.ingest.values import CellError, check_text, parse_value

# Issues shown per file and problem; the rest are counted.
EXAMPLES = 3


@dataclass
class Frames:
    """The graph of an import directory.

    `nodes`: id, label, name, value (lifetime_value or annual_value, 0 when blank), stage, city.
    `relationships`: source, target, type, converted (bool), strength (double), relation, since
    (date), one row per (source, target, type), as Neo4j holds them after `graphcrm load`.
    """

    nodes: DataFrame
    relationships: DataFrame

    def without(self, ids: Collection[str]) -> Frames:
        """The graph with the nodes of `ids` and all their relationships left out, as a load
        leaves out the people on the suppression list (`erasure.suppressed_ids`)."""
        if not ids:
            return self
        gone = self.nodes.sparkSession.createDataFrame([(i,) for i in sorted(ids)], "id string")
        nodes = self.nodes.join(gone, "id", "left_anti")
        relationships = self.relationships.join(
            gone.withColumnRenamed("id", "source"), "source", "left_anti"
        ).join(gone.withColumnRenamed("id", "target"), "target", "left_anti")
        return Frames(nodes.select(*self.nodes.columns), relationships.select(*self.relationships.columns))


def read_directory(spark: SparkSession, directory: str | Path) -> Frames:
    """Read and check an import directory; raise ValidationFailed listing what is wrong."""
    root = Path(directory)
    if not root.is_dir():
        raise ValidationFailed([Issue(str(root), 0, "is not a directory")], 1)
    present = [nt for nt in model.NODE_TYPES.values() if (root / nt.file).exists()]
    if not present:
        expected = ", ".join(nt.file for nt in model.NODE_TYPES.values())
        raise ValidationFailed([Issue(str(root), 0, f"has none of the node files ({expected})")], 1)
    issues = IssueCollector()
    checks: list[Any] = []
    node_parts = []
    for node_type in present:
        spec = FileSpec(model.NODE_REQUIRED, node_type.props)
        frame = _read(spark, root / node_type.file, spec, issues, checks)
        if frame is not None:
            node_parts.append(_node_rows(frame, node_type))
    rel_spec = FileSpec(model.RELATIONSHIP_REQUIRED, model.RELATIONSHIP_PROPS)
    rel_path = root / model.RELATIONSHIPS_FILE
    relationships = _read(spark, rel_path, rel_spec, issues, checks) if rel_path.exists() else None
    interactions = root / model.INTERACTIONS_FILE
    if interactions.exists():
        spec = FileSpec(model.INTERACTION_REQUIRED, model.REL_TYPES[model.INTERACTED].props)
        _read(spark, interactions, spec, issues, checks)
    _check_cells(checks, issues)
    if len(node_parts) < len(present) or (rel_path.exists() and relationships is None):
        _raise_if_any(issues)
    nodes = node_parts[0]
    for part in node_parts[1:]:
        nodes = nodes.unionByName(part)
    _check_ids(nodes, issues)
    if relationships is None:
        relationships = spark.createDataFrame([], "source string, target string, type string")
        relationships = relationships.select(*(F.lit(None).cast("string").alias(c) for c in rel_spec.allowed))
    else:
        _check_relationships(relationships, nodes, issues)
    _raise_if_any(issues)
    return Frames(nodes, _typed_relationships(relationships))


def _read(
    spark: SparkSession, path: Path, spec: FileSpec, issues: IssueCollector, checks: list[Any]
) -> DataFrame | None:
    """One file as text columns after its header passed (its cell checks added to `checks`);
    None if the header failed (its issues are recorded)."""
    with path.open(encoding="utf-8", newline="", errors="replace") as handle:
        first = next(csv.reader(handle), None)
    if first and first[0].startswith("\ufeff"):
        first[0] = first[0][1:]
    if checked_header(path.name, first, spec, issues) is None:
        return None
    frame = (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("encoding", "UTF-8")
        .option("ignoreLeadingWhiteSpace", True)
        .option("ignoreTrailingWhiteSpace", True)
        .option("mode", "PERMISSIVE")
        .schema(", ".join(f"`{c.strip()}` string" for c in first))
        .csv(str(path))
    )
    checks.append(_bad_cells(frame, path.name, spec))
    return frame


def _bad_cells(frame: DataFrame, file: str, spec: FileSpec) -> Any:
    """An RDD with, per partition, (file, count, first examples) of the cells the contract
    refuses (text limits, typed parsing), checked on the executors with `ingest.values`."""
    columns = frame.columns
    props = {c: spec.prop(c) for c in columns}
    key = columns[0]

    def problems(row: Any) -> Iterator[str]:
        for column in columns:
            raw = row[column]
            if raw is None:
                continue
            prop = props[column]
            try:
                check_text(raw, prop.max_chars, prop.free_text)
                if column not in spec.required:
                    parse_value(raw, prop)
            except CellError as err:
                yield f"row with {key} {str(row[key])[:100]!r}: {column}: {err}"

    def summary(rows: Iterator[Any]) -> Iterator[tuple[str, int, list[str]]]:
        count, examples = 0, []
        for row in rows:
            for problem in problems(row):
                count += 1
                if len(examples) < EXAMPLES:
                    examples.append(problem)
        yield file, count, examples

    return frame.rdd.mapPartitions(summary)


def _check_cells(checks: list[Any], issues: IssueCollector) -> None:
    """Run every file's cell checks in one job; record what they found."""
    if not checks:
        return
    union = checks[0].context.union(checks)
    for file, count, examples in union.filter(lambda part: part[1] > 0).collect():
        for example in examples:
            issues.add(file, 0, example)
        issues.total += count - len(examples)


def _node_rows(frame: DataFrame, node_type: model.NodeType) -> DataFrame:
    value = next((c for c in ("lifetime_value", "annual_value") if c in frame.columns), None)
    return frame.select(
        F.col("id"),
        F.lit(node_type.label).alias("label"),
        F.col("name"),
        (F.col(value).cast("double") if value else F.lit(None).cast("double")).alias("value"),
        (F.col("stage") if "stage" in frame.columns else F.lit(None).cast("string")).alias("stage"),
        (F.col("city") if "city" in frame.columns else F.lit(None).cast("string")).alias("city"),
        F.lit(node_type.file).alias("file"),
    )


def _report(frame: DataFrame, problems: list[tuple[Column, str, Column]], issues: IssueCollector) -> None:
    """Count each (condition, file, example text) over `frame` in one pass; record the bad ones."""
    if not problems:
        return
    aggregates = []
    for number, (condition, _, example) in enumerate(problems):
        aggregates.append(F.sum(condition.cast("long")).alias(f"n{number}"))
        aggregates.append(F.first(F.when(condition, example), ignorenulls=True).alias(f"e{number}"))
    totals = frame.agg(*aggregates).first()
    for number, (_, file, _) in enumerate(problems):
        count = totals[f"n{number}"] or 0
        if count:
            issues.add(file, 0, totals[f"e{number}"])
            issues.total += count - 1


def _check_ids(nodes: DataFrame, issues: IssueCollector) -> None:
    counted = nodes.withColumn("copies", F.count(F.lit(1)).over(Window.partitionBy("id")))
    blank_id = F.col("id").isNull()
    _report(
        counted,
        [
            (blank_id, "node files", F.concat(F.col("file"), F.lit(": a row has an empty id"))),
            (
                ~blank_id & F.col("name").isNull(),
                "node files",
                F.format_string("%s: empty name for id '%s'", F.col("file"), F.col("id")),
            ),
            (
                ~blank_id & (F.col("copies") > 1),
                "node files",
                F.format_string(
                    "%s: duplicate id '%s' (ids are unique across all files)", F.col("file"), F.col("id")
                ),
            ),
        ],
        issues,
    )


def _check_relationships(relationships: DataFrame, nodes: DataFrame, issues: IssueCollector) -> None:
    """Types, blank or self-referencing endpoints, duplicates, and endpoints' labels."""
    file = model.RELATIONSHIPS_FILE
    allowed = [
        (t, label, end)
        for t in model.CSV_REL_TYPES
        for end, labels in (("source", model.REL_TYPES[t].sources), ("target", model.REL_TYPES[t].targets))
        for label in labels
    ]
    ends = relationships.sparkSession.createDataFrame(allowed, "type string, label string, end string")
    labels = nodes.select("id", "label")
    checked = relationships.withColumn(
        "copies", F.count(F.lit(1)).over(Window.partitionBy("source", "target", "type"))
    )
    for end in ("source", "target"):
        found = labels.withColumnRenamed("id", end).withColumnRenamed("label", f"{end}_label")
        fits = ends.filter(F.col("end") == end).select(
            F.col("type").alias(f"{end}_type"), F.col("label").alias(f"{end}_allowed")
        )
        checked = checked.join(found, end, "left").join(
            fits,
            (F.col("type") == F.col(f"{end}_type")) & (F.col(f"{end}_label") == F.col(f"{end}_allowed")),
            "left",
        )
    known_type = F.col("type").isin(*model.CSV_REL_TYPES)
    blank = F.col("source").isNull() | F.col("target").isNull()
    problems = [
        (
            ~known_type | F.col("type").isNull(),
            F.format_string("unknown relationship type '%s'", F.col("type")),
        ),
        (known_type & blank, F.lit("empty source or target")),
        (
            F.col("source") == F.col("target"),
            F.format_string("source and target are the same id '%s'", F.col("source")),
        ),
        (
            F.col("copies") > 1,
            F.format_string(
                "duplicate %s from '%s' to '%s'", F.col("type"), F.col("source"), F.col("target")
            ),
        ),
    ]
    for end in ("source", "target"):
        present = known_type & F.col(end).isNotNull()
        problems.append(
            (
                present & F.col(f"{end}_label").isNull(),
                F.format_string(f"{end} '%s' is not a known id", F.col(end)),
            )
        )
        problems.append(
            (
                present & F.col(f"{end}_label").isNotNull() & F.col(f"{end}_allowed").isNull(),
                F.format_string(
                    f"{end} '%s' is a %s, not allowed for %s",
                    F.col(end),
                    F.col(f"{end}_label"),
                    F.col("type"),
                ),
            )
        )
    _report(checked, [(c, file, text) for c, text in problems], issues)


def _typed_relationships(frame: DataFrame) -> DataFrame:
    def column(name: str, kind: str) -> Column:
        if name not in frame.columns:
            return F.lit(None).cast(kind).alias(name)
        if kind == "boolean":
            return (F.lower(F.col(name)) == "true").alias(name)
        if kind == "date":
            return F.to_date(F.col(name)).alias(name)
        return F.col(name).cast(kind).alias(name)

    return frame.select(
        "source",
        "target",
        "type",
        F.coalesce(column("converted", "boolean"), F.lit(False)).alias("converted"),
        column("strength", "double"),
        column("relation", "string"),
        column("since", "date"),
    )


def _raise_if_any(issues: IssueCollector) -> None:
    if issues.total:
        raise ValidationFailed(sorted(issues.issues, key=lambda i: (i.file, i.line)), issues.total)
