"""Read and validate a data directory into records ready to write, or report every bad row.

Validation is complete before anything is written: a directory with any error produces no
records at all, only `file:line: reason` messages (the first `max_issues` of them, a setting), so a load
never half-happens because of bad input. A clean directory is proven clean column by column at C
speed (`vectorised`); only one that may have an issue is read row by row within the contract's
size limits (`csvfile`), cells parsed strictly by kind (`values`), to name each issue at its line.
Each row carries every contract property of its file, None where the cell is blank, so that a
re-import clears it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphcrm import model, settings
from graphcrm.errors import ValidationFailed
from graphcrm.ingest import vectorised
from graphcrm.ingest.csvfile import FileSpec, Limits, read_rows
from graphcrm.ingest.values import CellError, parse_value
from graphcrm.model import Prop

# Looks up ids that are not in the directory's own node files: id -> label, for those that exist.
ExistingLabels = Callable[[set[str]], dict[str, str]]


@dataclass(frozen=True)
class Issue:
    """One problem in one row of one file (line 1 is the header; 0 means the whole file)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


@dataclass
class Dataset:
    """Validated records grouped the way the loader writes them.

    `nodes[label]` rows are `{"id", "props"}`; `relationships[(type, source_label,
    target_label)]` rows are `{"s", "t", "props"}` (INTERACTED rows also carry `"id"`).
    """

    nodes: dict[str, Sequence[dict[str, Any]]] = field(default_factory=dict)
    relationships: dict[tuple[str, str, str], Sequence[dict[str, Any]]] = field(default_factory=dict)

    def node_count(self) -> int:
        return sum(len(rows) for rows in self.nodes.values())

    def relationship_count(self) -> int:
        return sum(len(rows) for rows in self.relationships.values())

    def counts_by_label(self) -> dict[str, int]:
        return {label: len(rows) for label, rows in self.nodes.items()}

    def counts_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (rel_type, _, _), rows in self.relationships.items():
            counts[rel_type] = counts.get(rel_type, 0) + len(rows)
        return counts


class IssueCollector:
    """Keeps the first `max_issues` (a setting) issues and counts the rest: the sink every check
    of an import directory reports to (`read_directory` here, the Spark engine's reader)."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.total = 0

    def add(self, file: str, line: int, reason: str) -> None:
        self.total += 1
        if len(self.issues) < int(settings.value("max_issues")):
            self.issues.append(Issue(file, line, reason))


def _properties(
    row: dict[str, str], props: dict[str, Prop], file: str, line: int, issues: IssueCollector
) -> dict[str, Any]:
    """Every contract property of a row, typed: a blank cell, or a column the file does not have,
    is None, so that writing the map clears what an earlier import stored (the file is the source
    of truth; consent is never left true by an older file). Analytics' scores are not in the map."""
    out: dict[str, Any] = {}
    for column, prop in props.items():
        raw = row.get(column, "")
        try:
            out[column] = parse_value(raw, prop) if raw else None
        except CellError as err:
            issues.add(file, line, f"{column}: {err}")
    return out


def read_directory(
    directory: str | Path,
    existing: ExistingLabels | None = None,
    limits: Limits | None = None,
    *,
    vectorised_first: bool = True,
) -> Dataset:
    """Validate every file of a data directory and return its records, or raise ValidationFailed.

    Parameters
    ----------
    directory
        Folder with the import contract's CSV files (see DESIGN.md).
    existing
        Looks up ids the directory refers to but does not define, and the directory's own ids,
        in the database (id -> label). None means an empty database (e.g. `load --wipe`).
    limits
        Row, file and row-count limits; None means the contract's (graphcrm.model.MAX_*).
    vectorised_first
        Try the column-at-a-time validator first (`vectorised`: C speed, records kept as Arrow
        tables); the row-by-row reader runs only when it finds the directory may have an issue,
        to name each one at its line. False runs the row-by-row reader alone (the reference the
        vectorised path is tested against).
    """
    limits = limits or Limits()
    root = Path(directory)
    if not root.is_dir():
        raise ValidationFailed([Issue(str(root), 0, "is not a directory")], 1)
    issues = IssueCollector()
    dataset = Dataset()
    labels: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    present = [nt for nt in model.NODE_TYPES.values() if (root / nt.file).exists()]
    if not present:
        expected = ", ".join(nt.file for nt in model.NODE_TYPES.values())
        raise ValidationFailed([Issue(str(root), 0, f"has none of the node files ({expected})")], 1)
    clean = vectorised.read_clean(root, existing, limits) if vectorised_first else None
    if clean is not None:
        return Dataset(*clean)

    for node_type in present:
        dataset.nodes[node_type.label] = _read_nodes(
            root / node_type.file, node_type, labels, first_seen, limits, issues
        )

    referenced: list[tuple[str, int, str, str, tuple[str, ...]]] = []
    _read_relationships(root, dataset, labels, referenced, limits, issues)
    _read_interactions(root, dataset, labels, referenced, limits, issues)

    if existing is not None:
        _check_against_database(dataset, labels, first_seen, referenced, existing, issues)
    else:
        for file, line, role, node_id, allowed in referenced:
            _endpoint_issue(file, line, role, node_id, labels.get(node_id), allowed, issues)

    if issues.total:
        ordered = sorted(issues.issues, key=lambda i: (i.file, i.line))
        raise ValidationFailed(ordered, issues.total)
    return dataset


def _read_nodes(
    path: Path,
    node_type: model.NodeType,
    labels: dict[str, str],
    first_seen: dict[str, str],
    limits: Limits,
    issues: IssueCollector,
) -> list[dict[str, Any]]:
    """Rows `{"id", "props"}` of one node file; ids are recorded in `labels`/`first_seen`."""
    rows: list[dict[str, Any]] = []
    for line, row in read_rows(path, FileSpec(model.NODE_REQUIRED, node_type.props), limits, issues):
        node_id, name = row["id"], row["name"]
        if not node_id:
            issues.add(path.name, line, "empty id")
            continue
        if not name:
            issues.add(path.name, line, f"empty name for id {node_id!r}")
        if node_id in labels:
            issues.add(path.name, line, f"duplicate id {node_id!r} (first at {first_seen[node_id]})")
            continue
        labels[node_id] = node_type.label
        first_seen[node_id] = f"{path.name}:{line}"
        props = _properties(row, node_type.props, path.name, line, issues)
        props["name"] = name
        rows.append({"id": node_id, "props": props})
    return rows


def _endpoint_issue(
    file: str,
    line: int,
    role: str,
    node_id: str,
    label: str | None,
    allowed: tuple[str, ...],
    issues: IssueCollector,
) -> None:
    if label is None:
        issues.add(file, line, f"{role} {node_id!r} is not a known id")
    elif label not in allowed:
        issues.add(file, line, f"{role} {node_id!r} is a {label}, expected {' or '.join(allowed)}")


def _check_against_database(
    dataset: Dataset,
    labels: dict[str, str],
    first_seen: dict[str, str],
    referenced: list[tuple[str, int, str, str, tuple[str, ...]]],
    existing: ExistingLabels,
    issues: IssueCollector,
) -> None:
    """Ids must stay unique across labels in the database too; endpoints may be existing nodes."""
    unknown = {node_id for _, _, _, node_id, _ in referenced if node_id not in labels}
    in_db = existing(set(labels) | unknown)
    for node_id, db_label in in_db.items():
        own = labels.get(node_id)
        if own is not None and own != db_label:
            file, line = first_seen[node_id].rsplit(":", 1)
            issues.add(file, int(line), f"id {node_id!r} already exists in the database as a {db_label}")
    known = {**in_db, **labels}
    for file, line, role, node_id, allowed in referenced:
        _endpoint_issue(file, line, role, node_id, known.get(node_id), allowed, issues)
    if issues.total == 0:
        _regroup(dataset, known)


def _regroup(dataset: Dataset, labels: dict[str, str]) -> None:
    """Group relationship rows by (type, source label, target label) now that labels are known."""
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for (rel_type, _, _), rows in dataset.relationships.items():
        for row in rows:
            key = (rel_type, labels[row["s"]], labels[row["t"]])
            grouped.setdefault(key, []).append(row)
    dataset.relationships = grouped


def _read_relationships(
    root: Path,
    dataset: Dataset,
    labels: dict[str, str],
    referenced: list[tuple[str, int, str, str, tuple[str, ...]]],
    limits: Limits,
    issues: IssueCollector,
) -> None:
    path = root / model.RELATIONSHIPS_FILE
    if not path.exists():
        return
    file_spec = FileSpec(model.RELATIONSHIP_REQUIRED, model.RELATIONSHIP_PROPS)
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in read_rows(path, file_spec, limits, issues):
        source, target, rel_type = row["source"], row["target"], row["type"]
        spec = model.REL_TYPES.get(rel_type)
        if spec is None or rel_type not in model.CSV_REL_TYPES:
            hint = " (touch points belong in interactions.csv)" if rel_type == model.INTERACTED else ""
            issues.add(path.name, line, f"unknown relationship type {rel_type!r}{hint}")
            continue
        if not source or not target:
            issues.add(path.name, line, "empty source or target")
            continue
        if source == target:
            issues.add(path.name, line, f"source and target are the same id {source!r}")
            continue
        key = (source, target, rel_type)
        if key in seen:
            issues.add(
                path.name,
                line,
                f"duplicate {rel_type} from {source!r} to {target!r} (first at line {seen[key]})",
            )
            continue
        seen[key] = line
        referenced.append((path.name, line, "source", source, spec.sources))
        referenced.append((path.name, line, "target", target, spec.targets))
        props = _properties(row, spec.props, path.name, line, issues)
        group = (rel_type, labels.get(source, "?"), labels.get(target, "?"))
        dataset.relationships.setdefault(group, []).append({"s": source, "t": target, "props": props})


def _read_interactions(
    root: Path,
    dataset: Dataset,
    labels: dict[str, str],
    referenced: list[tuple[str, int, str, str, tuple[str, ...]]],
    limits: Limits,
    issues: IssueCollector,
) -> None:
    path = root / model.INTERACTIONS_FILE
    if not path.exists():
        return
    spec = model.REL_TYPES[model.INTERACTED]
    seen: dict[str, int] = {}
    for line, row in read_rows(path, FileSpec(model.INTERACTION_REQUIRED, spec.props), limits, issues):
        interaction_id, employee, party = row["id"], row["employee"], row["party"]
        if not interaction_id:
            issues.add(path.name, line, "empty id")
            continue
        if interaction_id in seen:
            issues.add(
                path.name,
                line,
                f"duplicate interaction id {interaction_id!r} (first at line {seen[interaction_id]})",
            )
            continue
        seen[interaction_id] = line
        for column in ("at", "channel"):
            if not row[column]:
                issues.add(path.name, line, f"{column}: required")
        referenced.append((path.name, line, "employee", employee, spec.sources))
        referenced.append((path.name, line, "party", party, spec.targets))
        props = _properties(row, spec.props, path.name, line, issues)
        group = (model.INTERACTED, labels.get(employee, "?"), labels.get(party, "?"))
        dataset.relationships.setdefault(group, []).append(
            {"s": employee, "t": party, "id": interaction_id, "props": props}
        )
