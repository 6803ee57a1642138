"""Read and validate a data directory into records ready to write, or report every bad row.

Validation is complete before anything is written: a directory with any error produces no
records at all, only `file:line: reason` messages (the first `MAX_ISSUES` of them), so a load
never half-happens because of bad input.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graphcrm import model
from graphcrm.errors import ValidationFailed
from graphcrm.model import Kind, Prop

MAX_ISSUES = 100
# Looks up ids that are not in the directory's own node files: id -> label, for those that exist.
ExistingLabels = Callable[[set[str]], dict[str, str]]


@dataclass(frozen=True)
class Issue:
    """One problem in one row of one file (line 1 is the header)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class Dataset:
    """Validated records grouped the way the loader writes them.

    `nodes[label]` rows are `{"id", "props"}`; `relationships[(type, source_label,
    target_label)]` rows are `{"s", "t", "props"}` (INTERACTED rows also carry `"id"`).
    """

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    relationships: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)

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


class _Collector:
    """Keeps the first MAX_ISSUES issues and counts the rest."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.total = 0

    def add(self, file: str, line: int, reason: str) -> None:
        self.total += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(file, line, reason))


def parse_value(raw: str, prop: Prop) -> Any:
    """Parse one CSV cell by its property kind; raise ValueError with a reason a user reads."""
    kind = prop.kind
    value: Any
    if kind is Kind.STRING:
        value = raw
        if prop.choices and value not in prop.choices:
            raise ValueError(f"{raw!r} is not one of {', '.join(prop.choices)}")
        return value
    if kind is Kind.BOOLEAN:
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"{raw!r} is not a boolean (true or false)")
        return lowered == "true"
    if kind is Kind.DATE:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not an ISO 8601 date (YYYY-MM-DD)") from None
    if kind is Kind.DATETIME:
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not an ISO 8601 date-time") from None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        value = int(raw) if kind is Kind.INTEGER else float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not {'an integer' if kind is Kind.INTEGER else 'a number'}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a finite number")
    if prop.minimum is not None and value < prop.minimum:
        reason = "negative" if prop.minimum == 0 else f"below {prop.minimum:g}"
        raise ValueError(f"{raw} is {reason}")
    if prop.maximum is not None and value > prop.maximum:
        raise ValueError(f"{raw} is above {prop.maximum:g}")
    return value


def _rows(path: Path, issues: _Collector) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) for a CSV file after checking encoding, header and row widths."""
    name = path.name
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        issues.add(name, line, f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})")
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        issues.add(name, 1, "the file is empty (a header row is required)")
        return
    except csv.Error as err:
        issues.add(name, 1, f"unreadable header: {err}")
        return
    header = [h.strip() for h in header]
    bad_header = False
    for position, column in enumerate(header):
        if not column:
            issues.add(name, 1, f"column {position + 1} has an empty name")
            bad_header = True
        elif header.index(column) != position:
            issues.add(name, 1, f"column {column!r} appears twice")
            bad_header = True
    if bad_header:
        return
    width = len(header)
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            issues.add(name, reader.line_num, f"malformed CSV: {err}")
            return
        start, line = line + 1, reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) != width:
            issues.add(name, start, f"has {len(cells)} fields, the header has {width}")
            continue
        yield start, dict(zip(header, cells, strict=True))


def _missing_columns(path: Path, required: Iterable[str], issues: _Collector) -> bool:
    """Check the header has the required columns; True when some are missing."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except (UnicodeDecodeError, csv.Error):
        return False
    if not header:
        return False
    missing = [c for c in required if c not in header]
    if missing:
        issues.add(path.name, 1, f"missing required column(s): {', '.join(missing)}")
    return bool(missing)


def _properties(
    row: dict[str, str], props: dict[str, Prop], skip: Iterable[str], file: str, line: int, issues: _Collector
) -> dict[str, Any]:
    """Typed properties of a row: known columns parsed by kind, unknown ones kept as strings."""
    out: dict[str, Any] = {}
    skipped = set(skip)
    for column, raw in row.items():
        if column in skipped:
            continue
        raw = raw.strip()
        if raw == "":
            continue
        prop = props.get(column)
        if prop is None:
            out[column] = raw
            continue
        try:
            out[column] = parse_value(raw, prop)
        except ValueError as err:
            issues.add(file, line, f"{column}: {err}")
    return out


def read_directory(directory: str | Path, existing: ExistingLabels | None = None) -> Dataset:
    """Validate every file of a data directory and return its records, or raise ValidationFailed.

    Parameters
    ----------
    directory
        Folder with the import contract's CSV files (see DESIGN.md).
    existing
        Looks up ids the directory refers to but does not define, and the directory's own ids,
        in the database (id -> label). None means an empty database (e.g. `load --wipe`).
    """
    root = Path(directory)
    if not root.is_dir():
        raise ValidationFailed([Issue(str(root), 0, "is not a directory")], 1)
    issues = _Collector()
    dataset = Dataset()
    labels: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    present = [nt for nt in model.NODE_TYPES.values() if (root / nt.file).exists()]
    if not present:
        expected = ", ".join(nt.file for nt in model.NODE_TYPES.values())
        raise ValidationFailed([Issue(str(root), 0, f"has none of the node files ({expected})")], 1)

    for node_type in present:
        path = root / node_type.file
        if _missing_columns(path, model.NODE_REQUIRED, issues):
            continue
        rows: list[dict[str, Any]] = []
        for line, row in _rows(path, issues):
            node_id, name = row["id"].strip(), row["name"].strip()
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
            props = _properties(row, node_type.props, ("id", "name"), path.name, line, issues)
            props["name"] = name
            rows.append({"id": node_id, "props": props})
        dataset.nodes[node_type.label] = rows

    referenced: list[tuple[str, int, str, str, tuple[str, ...]]] = []
    _read_relationships(root, dataset, labels, referenced, issues)
    _read_interactions(root, dataset, labels, referenced, issues)

    if existing is not None:
        _check_against_database(dataset, labels, first_seen, referenced, existing, issues)
    else:
        for file, line, role, node_id, allowed in referenced:
            _endpoint_issue(file, line, role, node_id, labels.get(node_id), allowed, issues)

    if issues.total:
        ordered = sorted(issues.issues, key=lambda i: (i.file, i.line))
        raise ValidationFailed(ordered, issues.total)
    return dataset


def _endpoint_issue(
    file: str,
    line: int,
    role: str,
    node_id: str,
    label: str | None,
    allowed: tuple[str, ...],
    issues: _Collector,
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
    issues: _Collector,
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
    issues: _Collector,
) -> None:
    path = root / model.RELATIONSHIPS_FILE
    if not path.exists() or _missing_columns(path, model.RELATIONSHIP_REQUIRED, issues):
        return
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(path, issues):
        source, target, rel_type = row["source"].strip(), row["target"].strip(), row["type"].strip()
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
        props = _properties(row, spec.props, model.RELATIONSHIP_REQUIRED, path.name, line, issues)
        group = (rel_type, labels.get(source, "?"), labels.get(target, "?"))
        dataset.relationships.setdefault(group, []).append({"s": source, "t": target, "props": props})


def _read_interactions(
    root: Path,
    dataset: Dataset,
    labels: dict[str, str],
    referenced: list[tuple[str, int, str, str, tuple[str, ...]]],
    issues: _Collector,
) -> None:
    path = root / model.INTERACTIONS_FILE
    if not path.exists() or _missing_columns(path, model.INTERACTION_REQUIRED, issues):
        return
    spec = model.REL_TYPES[model.INTERACTED]
    seen: dict[str, int] = {}
    for line, row in _rows(path, issues):
        interaction_id = row["id"].strip()
        employee, party = row["employee"].strip(), row["party"].strip()
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
            if not row[column].strip():
                issues.add(path.name, line, f"{column}: required")
        referenced.append((path.name, line, "employee", employee, spec.sources))
        referenced.append((path.name, line, "party", party, spec.targets))
        props = _properties(row, spec.props, ("id", "employee", "party"), path.name, line, issues)
        group = (model.INTERACTED, labels.get(employee, "?"), labels.get(party, "?"))
        dataset.relationships.setdefault(group, []).append(
            {"s": employee, "t": party, "id": interaction_id, "props": props}
        )
