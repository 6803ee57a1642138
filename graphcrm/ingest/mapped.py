"""Load a CRM export through a mapping: translate it into a native data directory, then load that.

The export's files are streamed row by row (with the native reader's size, UTF-8 and CSV checks)
and written as the import contract's files into a temporary directory, each native row remembering
the export row it came from. The native validator and loader then do the rest, so every guarantee
of a native load holds (nothing written on any error, restore point for `--wipe`, batch sizes,
idempotence); their `file:line` messages are translated back to the export's file, line and
column, with the mapping's line. Columns the mapping does not use are reported once, as warnings.

A relationship stated twice by different blocks (Salesforce's `Contact.AccountId` and its direct
`AccountContactRelation` row) is one relationship: the later statement fills the properties the
first left blank. Twice in the same block is a duplicate, reported as the native loader would.
"""

from __future__ import annotations

import csv
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from graphcrm import model, settings
from graphcrm.db import Graph
from graphcrm.errors import ValidationFailed
from graphcrm.ingest.csvfile import FileSpec, Limits, read_rows
from graphcrm.ingest.loader import LoadSummary, ProgressFactory, existing_labels, load_directory
from graphcrm.ingest.mapping import Block, Cell, Mapping, contract_properties
from graphcrm.ingest.provenance import Origin, Origins, Provenance
from graphcrm.ingest.sync import SyncReport, sync_directory
from graphcrm.ingest.validate import ExistingLabels, Issue, read_directory

_Done = TypeVar("_Done", LoadSummary, SyncReport)

_NODE_COLUMNS = {label: ("id", "name", *nt.props) for label, nt in model.NODE_TYPES.items()}
_REL_COLUMNS = ("source", "target", "type", *model.RELATIONSHIP_PROPS)
_TOUCH_COLUMNS = (*model.INTERACTION_REQUIRED, "sentiment", "note")


@dataclass(frozen=True)
class _AnyText(model.Prop):
    """An export cell as read: bounded by the row limit only (a long description in a column the
    mapping ignores is no error); mapped values meet their own limits in native validation."""

    free_text: bool = True

    @property
    def max_chars(self) -> int:
        return model.MAX_ROW_BYTES


_ANY_TEXT = _AnyText()


@dataclass
class Translated:
    """A native directory made from an export: where each native row came from, and warnings."""

    directory: Path
    provenance: Provenance
    warnings: list[str] = field(default_factory=list)


class _Issues:
    """Collects `file:line: reason` problems of the export itself (the first `max_issues`, a
    setting, and a count of all)."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.total = 0
        self.limit = int(settings.value("max_issues"))
        self.stop = False  # a missing file or column: there is nothing sound to check further

    def add(self, file: str, line: int, reason: str) -> None:
        self.total += 1
        if len(self.issues) < self.limit:
            self.issues.append(Issue(file, line, reason))

    def failure(self, others: list[Issue] | None = None, other_total: int = 0) -> ValidationFailed:
        """These issues and `others` as one ValidationFailed (the first `limit` in file order)."""
        ordered = sorted([*self.issues, *(others or [])], key=lambda i: (i.file, i.line))
        return ValidationFailed(ordered[: self.limit], self.total + other_total)


class _NativeFile:
    """One contract CSV being written, counting physical lines to know each record's first line."""

    def __init__(self, path: Path, header: tuple[str, ...], origins: Origins) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.header = header
        self.writer.writerow(header)
        self.line = 2
        self.origins = origins

    def write(self, values: dict[str, str], origin: Origin) -> None:
        cells = [values.get(column) or "" for column in self.header]
        self.writer.writerow(cells)
        self.origins.add(self.line, origin)
        self.line += 1 + sum(cell.count("\n") for cell in cells)

    def close(self) -> None:
        self.handle.close()


def load_export(
    graph: Graph,
    mapping: Mapping,
    directory: str | Path,
    *,
    wipe_first: bool = False,
    batch_size: int = 10_000,
    progress: ProgressFactory | None = None,
    warn: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Translate the export in `directory` through `mapping` and load it like a native directory;
    raise ValidationFailed (with the export's `file:line`s; nothing written) on any error."""

    def load(native: Path) -> LoadSummary:
        return load_directory(graph, native, wipe_first=wipe_first, batch_size=batch_size, progress=progress)

    return _through(graph, mapping, directory, load, whole=wipe_first, warn=warn)


def sync_export(
    graph: Graph,
    mapping: Mapping,
    directory: str | Path,
    *,
    batch_size: int = 10_000,
    progress: ProgressFactory | None = None,
    warn: Callable[[str], None] | None = None,
) -> SyncReport:
    """Translate the export in `directory` through `mapping` and make the graph equal to it
    (`sync.sync_directory`); errors as `load_export`."""

    def sync(native: Path) -> SyncReport:
        return sync_directory(graph, native, batch_size=batch_size, progress=progress)

    return _through(graph, mapping, directory, sync, whole=True, warn=warn)


def _through(
    graph: Graph,
    mapping: Mapping,
    directory: str | Path,
    apply: Callable[[Path], _Done],
    *,
    whole: bool,
    warn: Callable[[str], None] | None,
) -> _Done:
    """`apply` to the export translated into a scratch native directory, with the native
    checks' issues told in the export's terms. `whole`: the export replaces the graph, so its
    references are checked against itself alone."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="graphcrm-mapped-") as scratch:
        translated, problems = _translate(mapping, directory, Path(scratch), Limits())
        for message in translated.warnings:
            if warn:
                warn(message)
        if problems.total:
            _raise_all(problems, translated, None if whole else existing_labels(graph))
        translating = time.perf_counter() - started
        try:
            done = apply(translated.directory)
        except ValidationFailed as failed:
            told = [translated.provenance.tell(issue) for issue in failed.issues]
            raise problems.failure(told, failed.total) from None
        done.validate_seconds += translating  # the translation is part of checking the input
        return done


def translate(mapping: Mapping, directory: str | Path, out: Path, limits: Limits | None = None) -> Translated:
    """Write the contract's files for the export in `directory` into `out`; raise ValidationFailed
    for problems of the export (missing file or column, unknown value) before anything is loaded."""
    translated, problems = _translate(mapping, directory, out, limits or Limits())
    if problems.total:
        raise problems.failure()
    return translated


def _raise_all(problems: _Issues, translated: Translated, existing: ExistingLabels | None) -> None:
    """Raise the translation's problems together with the contract's for the rows that did
    translate (told in export terms), so that one run names every bad row."""
    try:
        read_directory(translated.directory, existing)
    except ValidationFailed as failed:
        told = [translated.provenance.tell(issue) for issue in failed.issues]
        raise problems.failure(told, failed.total) from None
    raise problems.failure()


def _translate(
    mapping: Mapping, directory: str | Path, out: Path, limits: Limits
) -> tuple[Translated, _Issues]:
    """The translation and its row problems; raise ValidationFailed at once for problems that
    leave nothing to check further (no such directory, a missing file or column)."""
    root = Path(directory)
    issues = _Issues()
    if not root.is_dir():
        raise ValidationFailed([Issue(str(root), 0, "is not a directory")], 1)
    translated = Translated(out, Provenance(mapping.blocks))
    read = set(mapping.files())
    ignored = sorted(p.name for p in root.iterdir() if p.suffix.lower() == ".csv" and p.name not in read)
    if ignored:
        translated.warnings.append(f"files the mapping does not read: {', '.join(ignored)}")
    writers = _open_native(out, mapping, translated)
    relationships = _Relationships(_Names(mapping))
    try:
        for name in mapping.files():
            blocks = [b for b in mapping.blocks if b.file == name]
            _translate_file(root / name, blocks, writers, relationships, translated, limits, issues)
        if not issues.stop:
            relationships.write(writers, issues)
    finally:
        for writer in writers.values():
            writer.close()
    if issues.stop:
        raise issues.failure()
    return translated, issues


def _open_native(out: Path, mapping: Mapping, translated: Translated) -> dict[str, _NativeFile]:
    """The contract files the mapping produces, keyed by file name."""
    headers: dict[str, tuple[str, ...]] = {}
    for block in mapping.blocks:
        if block.kind == "nodes":
            headers[model.NODE_TYPES[block.label].file] = _NODE_COLUMNS[block.label]
        elif block.kind == "relationships":
            headers[model.RELATIONSHIPS_FILE] = _REL_COLUMNS
        else:
            headers[model.INTERACTIONS_FILE] = _TOUCH_COLUMNS
    out.mkdir(parents=True, exist_ok=True)
    return {
        name: _NativeFile(out / name, header, translated.provenance.file(name))
        for name, header in headers.items()
    }


def _translate_file(
    path: Path,
    blocks: list[Block],
    writers: dict[str, _NativeFile],
    relationships: _Relationships,
    translated: Translated,
    limits: Limits,
    issues: _Issues,
) -> None:
    """Every row of one export file through every block that reads it."""
    if not path.is_file():
        if not all(block.optional for block in blocks):
            required = next(block for block in blocks if not block.optional)
            issues.add(
                path.name, 0, f"the export has no such file (the mapping reads it at {required.where})"
            )
            issues.stop = True
        return
    header = _header(path, limits)
    bound = [_Bound(block, header, issues) for block in blocks]
    used = set().union(*(b.used for b in bound))
    unused = [column for column in header if column not in used]
    if unused:
        translated.warnings.append(f"{path.name}: columns the mapping does not use: {', '.join(unused)}")
    if any(not b.sound for b in bound):
        issues.stop = True
        return
    spec = FileSpec((), dict.fromkeys(header, _ANY_TEXT))
    for line, row in read_rows(path, spec, limits, issues):
        for rule in bound:
            rule.apply(row, line, writers, relationships, issues)
    for rule in bound:
        if rule.skipped:
            translated.warnings.append(
                f"{path.name}: {rule.skipped:,} row(s) without an employee or a party were skipped "
                f"(mapping {rule.block.where})"
            )


def _header(path: Path, limits: Limits) -> list[str]:
    """The export file's column names: its first line, read within the row limit (read_rows
    reports a header that is too long, malformed or not UTF-8)."""
    with path.open("rb") as handle:
        first = handle.readline(limits.row_bytes).decode("utf-8-sig", errors="replace")
    try:
        return [cell.strip() for cell in next(csv.reader([first]), [])]
    except csv.Error:
        return []


class _Bound:
    """A block bound to one file's header: which column each cell reads."""

    def __init__(self, block: Block, header: list[str], issues: _Issues) -> None:
        self.block = block
        props = contract_properties(block.kind, block.label)
        self.cells = list({**block.cells, **block.properties}.items())
        self.dates = [key for key, _ in self.cells if key in props and props[key].kind == model.Kind.DATE]
        self.header = header
        self.used: set[str] = set()
        self.sound = True
        self.skipped = 0
        self.issues = issues
        cells = [*block.cells.values(), *block.properties.values()]
        cells += [cell for refs in block.references.values() for cell in refs]
        self.columns = {id(cell): self._columns(cell) for cell in cells}
        self.filter = None
        if block.condition is not None:
            found = [c for c in block.condition.column if c in header]
            if not found and not block.condition.optional:
                self._missing(block.condition.column, block.condition.where)
            elif not found:
                self.filter = None
            else:
                self.filter = found[0]
                self.used.add(found[0])

    def _columns(self, cell: Cell) -> list[str] | None:
        chosen: list[str] = []
        for part in cell.parts:
            found = [c for c in part if c in self.header]
            if not found:
                if not cell.optional:
                    self._missing(part, cell.where)
                return None
            chosen.append(found[0])
        self.used.update(chosen)
        return chosen

    def _missing(self, names: tuple[str, ...], where: Any) -> None:
        self.sound = False
        wanted = " or ".join(repr(n) for n in names)
        self.issues.add(self.block.file, 1, f"no column {wanted} (the mapping reads it at {where})")

    def apply(
        self,
        row: dict[str, str],
        line: int,
        writers: dict[str, _NativeFile],
        relationships: _Relationships,
        issues: _Issues,
    ) -> None:
        block = self.block
        if block.condition is not None:
            if not block.condition.admits(row[self.filter] if self.filter is not None else ""):
                return
        origin = Origin(block.file, line, block)
        values = {key: self.checked(self.value, cell, row, line, issues) for key, cell in self.cells}
        ends = {
            key: self.checked(self.references, refs, row, line, issues)
            for key, refs in block.references.items()
        }
        for key in self.dates:
            values[key] = _date_part(values[key])
        if block.kind == "nodes":
            writers[model.NODE_TYPES[block.label].file].write(values, origin)
            relationships.names.record(block.label, values)
        elif block.kind == "interactions" and ends["employee"] and ends["party"]:
            first = {"employee": ends["employee"][0], "party": ends["party"][0]}
            relationships.touch({**values, **first}, origin)
        elif block.kind == "interactions":
            self.skipped += 1
        elif values.get("type"):
            for source in ends["source"]:
                for target in ends["target"]:
                    relationships.add({**values, "source": source, "target": target}, origin)

    def checked(
        self,
        read: Callable[[Any, dict[str, str]], Any],
        cell: Any,
        row: dict[str, str],
        line: int,
        issues: _Issues,
    ) -> Any:
        """`read(cell, row)`, or (reported) no value where the cell holds a value its translation
        does not know: the row still stands, so that the rest of the export is checked as well."""
        try:
            return read(cell, row)
        except _Unknown as unknown:
            issues.add(self.block.file, line, str(unknown))
            return [] if isinstance(cell, tuple) else ""

    def raw(self, cell: Cell, row: dict[str, str]) -> str:
        """The cell's text in this row before translation: its constant, or its columns joined."""
        if cell.value is not None:
            return cell.value
        columns = self.columns[id(cell)]
        if columns is None:
            return ""
        if len(columns) == 1:
            return row[columns[0]]
        return cell.join.join(part for part in (row[c] for c in columns) if part)

    def value(self, cell: Cell, row: dict[str, str]) -> str:
        """The cell's contract value for this row ("" for no value)."""
        return self.finish(cell, self.raw(cell, row))

    def finish(self, cell: Cell, raw: str) -> str:
        """Translate, default and prefix one raw value."""
        if not raw:
            return cell.default or ""
        if cell.translate is not None:
            known = cell.translate.lookup(raw)
            if known is None:
                sample = ", ".join(sorted(cell.translate.values)[:12])
                raise _Unknown(
                    f"{cell.describe()}: unknown value {raw[:80]!r}; the translation "
                    f"{cell.translate.name!r} at {cell.translate.where} knows {sample}"
                )
            if not known:
                return cell.default or ""
            raw = known
        return cell.prefix + raw

    def references(self, refs: tuple[Cell, ...], row: dict[str, str]) -> list[Any]:
        """The ids of the first non-blank of a reference's alternatives (several where the cell
        holds a `split`-separated list, as HubSpot's "Associated ... IDs" columns do); a
        `lookup` cell gives names, resolved to ids once every node is read."""
        for cell in refs:
            raw = self.raw(cell, row)
            pieces = [p.strip() for p in raw.split(cell.split)] if cell.split else [raw]
            found = [self.finish(cell, piece) for piece in pieces if piece]
            if any(found):
                return [_Lookup(cell.lookup, cell.describe(), f) if cell.lookup else f for f in found if f]
        return []


class _Unknown(Exception):
    """A cell holds a value its translation does not know."""


def _date_part(value: str) -> str:
    """A date given as a date-time (CRMs export `2024-01-05 10:30`) keeps its date."""
    return value[:10] if len(value) > 10 and value[10] in "T " else value


class _Lookup(NamedTuple):
    """A reference by name (or email) to a node of `label`, resolved after all rows."""

    label: str
    column: str
    text: str


class _Names:
    """Ids of the nodes of the labels a mapping looks up by name or email (folded; None when
    two nodes share the name)."""

    def __init__(self, mapping: Mapping) -> None:
        wanted = {c.lookup for b in mapping.blocks for refs in b.references.values() for c in refs}
        self.ids: dict[str, dict[str, str | None]] = {label: {} for label in wanted if label}

    def record(self, label: str, values: dict[str, str]) -> None:
        index = self.ids.get(label)
        if index is None:
            return
        for key in {values.get("name", "").casefold(), values.get("email", "").casefold()} - {""}:
            index[key] = None if key in index and index[key] != values["id"] else values["id"]

    def resolve(self, end: Any) -> str:
        """The id `end` stands for; raise _Unknown if no node, or several, have that name."""
        if not isinstance(end, _Lookup):
            return end
        index = self.ids[end.label]
        found = index.get(end.text.casefold(), "")
        if found == "":
            raise _Unknown(f"{end.column}: no {end.label} named {end.text[:80]!r} in the export")
        if found is None:
            raise _Unknown(f"{end.column}: {end.text[:80]!r} names several records of label {end.label}")
        return found


class _Relationships:
    """Relationship and touch-point rows in order, written once every node is read (references
    by name need them all); a relationship stated again by another block only fills blanks."""

    def __init__(self, names: _Names) -> None:
        self.names = names
        self.rows: list[tuple[dict[str, Any], Origin]] = []
        self.first: dict[tuple[str, Any, Any], int] = {}
        self.touches: list[tuple[dict[str, Any], Origin]] = []

    def add(self, values: dict[str, Any], origin: Origin) -> None:
        key = (values["type"], values["source"], values["target"])
        index = self.first.get(key)
        if index is not None and self.rows[index][1].block is not origin.block:
            kept = self.rows[index][0]
            kept.update({k: v for k, v in values.items() if v and not kept.get(k)})
            return
        self.first.setdefault(key, len(self.rows))
        self.rows.append((values, origin))

    def touch(self, values: dict[str, Any], origin: Origin) -> None:
        self.touches.append((values, origin))

    def write(self, writers: dict[str, _NativeFile], issues: _Issues) -> None:
        for name, rows, ends in (
            (model.RELATIONSHIPS_FILE, self.rows, ("source", "target")),
            (model.INTERACTIONS_FILE, self.touches, ("employee", "party")),
        ):
            for values, origin in rows:
                try:
                    resolved = {end: self.names.resolve(values[end]) for end in ends}
                except _Unknown as unknown:
                    issues.add(origin.file, origin.line, str(unknown))
                    continue
                writers[name].write({**values, **resolved}, origin)
