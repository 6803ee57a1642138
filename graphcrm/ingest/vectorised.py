"""Validate a clean data directory column by column, at C speed; step aside for anything else.

`read_clean` applies every rule of the row-by-row validator (`validate`) to whole columns: the
cells (`arrow_csv`, `column_values`), empty and duplicate ids across all node files, relationship
types, self-loops, duplicate relationships and interaction ids, and that each endpoint is a known
id of an allowed label (in the files or, with `existing`, in the database). It returns the
records as typed tables (`records.Records`) or None as soon as any rule might be broken: the
caller then validates with the row-by-row reader, which reports each problem as `file:line:
reason` in file order. A clean million-customer directory never pays for line bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphcrm import model
from graphcrm.ingest import arrow_csv, column_values
from graphcrm.ingest.csvfile import FileSpec, Limits
from graphcrm.ingest.records import Records
from graphcrm.model import Prop

ExistingLabels = Callable[[set[str]], dict[str, str]]
Edges = list[tuple[pa.ChunkedArray, pa.Table, tuple[str, ...]]]
Clean = tuple[dict[str, Records], dict[tuple[str, str, str], Records]]
_LABEL_CODES = {label: code for code, label in enumerate(model.LABELS)}


class _Index:
    """One hash pass over every id and endpoint: position of each distinct string, the files'
    own ids first (in order, so that they are unique exactly when they take positions 0..n-1),
    and the label code of each position (-1: not a known node)."""

    def __init__(self, own: list[pa.ChunkedArray], labels: np.ndarray, endpoints: list[pa.ChunkedArray]):
        chunks = [chunk.cast(pa.large_string()) for column in [*own, *endpoints] for chunk in column.chunks]
        encoded = pc.dictionary_encode(
            pa.concat_arrays(chunks) if chunks else pa.array([], pa.large_string())
        )
        positions = encoded.indices.to_numpy(zero_copy_only=False)
        self.dictionary = encoded.dictionary
        self.own = len(labels)
        self.unique = bool(np.array_equal(positions[: self.own], np.arange(self.own)))
        self.label_of = np.full(len(self.dictionary), -1, np.int8)
        if self.unique:
            self.label_of[: self.own] = labels
        bounds = np.cumsum([self.own, *(len(column) for column in endpoints)])
        self.endpoints = [positions[start:stop] for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]


def read_clean(root: Path, existing: ExistingLabels | None, limits: Limits) -> Clean | None:
    """`({label: Records}, {(type, source label, target label): Records})` of a directory that
    breaks no rule, else None (see the module docstring)."""
    nodes: dict[str, Records] = {}
    for node_type in model.NODE_TYPES.values():
        path = root / node_type.file
        if path.exists():
            table = _node_table(path, node_type, limits)
            if table is None:
                return None
            nodes[node_type.label] = Records(table, ("id",))
    edges = _edge_tables(root, limits)
    if edges is None:
        return None
    labels = np.concatenate(
        [np.full(len(r), _LABEL_CODES[label], np.int8) for label, r in nodes.items()]
        or [np.zeros(0, np.int8)]
    )
    ends = [table[column] for _, table, _ in edges for column in ("s", "t")]
    index = _Index([r.table["id"] for r in nodes.values()], labels, ends)
    if not index.unique or (existing is not None and not _add_existing(index, existing)):
        return None
    relationships: dict[tuple[str, str, str], Records] = {}
    for number, (types, table, keys) in enumerate(edges):
        sources, targets = index.endpoints[2 * number], index.endpoints[2 * number + 1]
        groups = _grouped(types, table, sources, targets, index.label_of)
        if groups is None:
            return None
        for key, group in groups.items():
            relationships[key] = Records(group, keys)
    return nodes, relationships


def _node_table(path: Path, node_type: model.NodeType, limits: Limits) -> pa.Table | None:
    """id, typed properties and name of one node file, or None."""
    table = arrow_csv.read_table(path, FileSpec(model.NODE_REQUIRED, node_type.props), limits)
    if table is None or _has_blank(table["id"]) or _has_blank(table["name"]):
        return None
    props = _typed_props(table, node_type.props)
    if props is None:
        return None
    return pa.table({"id": table["id"], **props, "name": table["name"]})


def _typed_props(table: pa.Table, props: dict[str, Prop]) -> dict[str, pa.ChunkedArray] | None:
    """Every contract property of the file, typed; a column the file lacks is all null."""
    out: dict[str, pa.ChunkedArray] = {}
    for column, prop in props.items():
        if column not in table.column_names:
            out[column] = pa.chunked_array([pa.nulls(table.num_rows, column_values.ARROW_TYPES[prop.kind])])
            continue
        parsed = column_values.typed(table[column], prop)
        if parsed is None:
            return None
        out[column] = parsed
    return out


def _has_blank(column: pa.ChunkedArray) -> bool:
    return len(column) > 0 and pc.min(pc.binary_length(column)).as_py() == 0


def _edge_tables(root: Path, limits: Limits) -> Edges | None:
    """(type per row, table of s, t[, id] and typed props, row keys) of relationships.csv and
    interactions.csv, for the files present; None if a row-level rule may be broken."""
    out = []
    path = root / model.RELATIONSHIPS_FILE
    if path.exists():
        spec = FileSpec(model.RELATIONSHIP_REQUIRED, model.RELATIONSHIP_PROPS)
        table = arrow_csv.read_table(path, spec, limits)
        if table is None:
            return None
        types, source, target = table["type"], table["source"], table["target"]
        if not pc.all(pc.is_in(types, value_set=pa.array(model.CSV_REL_TYPES))).as_py():
            return None
        if _has_blank(source) or _has_blank(target):
            return None
        props = _typed_props(table, model.RELATIONSHIP_PROPS)
        if props is None:
            return None
        out.append((types, pa.table({"s": source, "t": target, **props}), ("s", "t")))
    path = root / model.INTERACTIONS_FILE
    if path.exists():
        interacted = model.REL_TYPES[model.INTERACTED]
        table = arrow_csv.read_table(path, FileSpec(model.INTERACTION_REQUIRED, interacted.props), limits)
        if table is None:
            return None
        required = ("id", "at", "channel")
        if any(_has_blank(table[c]) for c in required) or _repeats(table["id"]):
            return None
        props = _typed_props(table, interacted.props)
        if props is None:
            return None
        types = pa.chunked_array([pa.array([model.INTERACTED] * table.num_rows, pa.string())])
        columns = {"s": table["employee"], "t": table["party"], "id": table["id"], **props}
        out.append((types, pa.table(columns), ("s", "t", "id")))
    return out


def _repeats(column: pa.ChunkedArray) -> bool:
    return pc.count_distinct(column).as_py() != len(column)


def _add_existing(index: _Index, existing: ExistingLabels) -> bool:
    """Label the endpoints the files do not define from the database; False if one of the files'
    own ids exists in the database under another label."""
    unknown = np.unique(np.concatenate([e[index.label_of[e] < 0] for e in index.endpoints] or [[]]))
    unknown = unknown.astype(np.int64)
    own = index.dictionary.slice(0, index.own).to_pylist()
    missing = index.dictionary.take(pa.array(unknown, pa.int64())).to_pylist()
    in_db = existing(set(own) | set(missing))
    for position, node_id in enumerate(own):
        label = in_db.get(node_id)
        if label is not None and _LABEL_CODES[label] != index.label_of[position]:
            return False
    for position, node_id in zip(unknown.tolist(), missing, strict=True):
        if node_id in in_db:
            index.label_of[position] = _LABEL_CODES[in_db[node_id]]
    return True


def _grouped(
    types: pa.ChunkedArray, table: pa.Table, sources: np.ndarray, targets: np.ndarray, label_of: np.ndarray
) -> dict[tuple[str, str, str], pa.Table] | None:
    """The rows split by (type, source label, target label); None on a self-loop, a repeated
    (source, target, type) in relationships.csv, or an endpoint that is unknown or of a label
    the type does not allow."""
    source_labels, target_labels = label_of[sources].astype(np.int64), label_of[targets].astype(np.int64)
    if (source_labels < 0).any() or (target_labels < 0).any() or (sources == targets).any():
        return None
    rel_types, labels = list(model.REL_TYPES), model.LABELS
    type_codes = (
        pc.index_in(types, value_set=pa.array(rel_types)).to_numpy(zero_copy_only=False).astype(np.int64)
    )
    width = len(labels)
    if not (_ALLOWED["sources"][type_codes * width + source_labels]).all():
        return None
    if not (_ALLOWED["targets"][type_codes * width + target_labels]).all():
        return None
    if "id" not in table.column_names:  # relationships.csv: one per (source, target, type)
        distinct = len(label_of) + 1
        pairs = (type_codes * distinct + sources.astype(np.int64)) * distinct + targets.astype(np.int64)
        pairs.sort()
        if (pairs[1:] == pairs[:-1]).any():
            return None
    group = (type_codes * width + source_labels) * width + target_labels
    groups: dict[tuple[str, str, str], pa.Table] = {}
    for code in np.flatnonzero(np.bincount(group, minlength=1)).tolist():
        rest, target = divmod(code, width)
        type_code, source = divmod(rest, width)
        groups[(rel_types[type_code], labels[source], labels[target])] = table.filter(pa.array(group == code))
    return groups


def _allowed_table(end: str) -> pa.Array:
    """For type code * len(LABELS) + label code: may a node of that label be at this end?"""
    return pa.array(
        [label in getattr(spec, end) for spec in model.REL_TYPES.values() for label in model.LABELS],
        pa.bool_(),
    )


_ALLOWED = {end: np.array(_allowed_table(end).to_pylist(), bool) for end in ("sources", "targets")}
