"""Read one import CSV file row by row, within the contract's size limits.

The file is streamed: physical lines are read with a bounded `readline` and decoded one at a time,
so memory stays bounded by the row limit whatever the file holds (one 1 GB line is an error at its
line, not a 1 GB string), and a byte that is not UTF-8 is reported at its own line. The header
must name the file's required columns and nothing outside the contract. Each cell is stripped and
checked against its column's length limit and for control characters before a row is yielded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from graphcrm import model
from graphcrm.ingest.values import CellError, check_text, may_need_checking
from graphcrm.model import Prop

_UTF8_BOM = b"\xef\xbb\xbf"


class IssueSink(Protocol):
    def add(self, file: str, line: int, reason: str) -> None: ...


@dataclass(frozen=True)
class Limits:
    """Size limits of one validation run (defaults: the contract's, see graphcrm.model)."""

    row_bytes: int = model.MAX_ROW_BYTES
    file_bytes: int = model.MAX_FILE_BYTES
    file_rows: int = model.MAX_FILE_ROWS


@dataclass(frozen=True)
class FileSpec:
    """The columns one file may have: required ones (short text) and typed optional ones."""

    required: tuple[str, ...]
    props: dict[str, Prop]

    @property
    def allowed(self) -> tuple[str, ...]:
        return (*self.required, *(p for p in self.props if p not in self.required))

    def prop(self, column: str) -> Prop:
        return self.props.get(column) or Prop()


class _Unreadable(Exception):
    """Reading stops at this line: the rest of the file cannot be trusted or would not fit."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _Lines:
    """Physical lines of a binary file as text for `csv.reader`, counted, each decoded as UTF-8,
    and at most `row_bytes` bytes per CSV record (`start_record` is called before each record)."""

    def __init__(self, handle: BinaryIO, row_bytes: int) -> None:
        self.handle = handle
        self.row_bytes = row_bytes
        self.number = 0
        self.record_start = 1
        self.record_bytes = 0

    def start_record(self) -> int:
        """Begin counting a new record's bytes; return its first line."""
        self.record_start = self.number + 1
        self.record_bytes = 0
        return self.record_start

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline(self.row_bytes + 1)
        if not raw:
            raise StopIteration
        self.number += 1
        self.record_bytes += len(raw)
        if self.record_bytes > self.row_bytes:
            raise _Unreadable(
                self.record_start,
                f"the row is larger than the limit of {self.row_bytes:,} bytes (the rest of the file "
                "was not read)",
            )
        if self.number == 1 and raw.startswith(_UTF8_BOM):
            raw = raw[len(_UTF8_BOM) :]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _Unreadable(
                self.number, f"not UTF-8 (byte 0x{raw[err.start]:02x} at byte {err.start + 1} of the line)"
            ) from None


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """csv's own per-field cap (process-wide), set to the row limit while a file is read."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def read_rows(path: Path, spec: FileSpec, limits: Limits, issues: IssueSink) -> Iterator[tuple[int, dict]]:
    """Yield (line, {column: stripped cell}) for each sound data row of a CSV file.

    Problems go to `issues` as `file:line: reason`; a row with a bad cell is not yielded. Reading
    stops at the first problem that makes the rest unreadable (bad header, malformed CSV, invalid
    UTF-8, a row over the limit, too many rows).
    """
    name = path.name
    size = path.stat().st_size
    if size > limits.file_bytes:
        issues.add(name, 0, f"the file has {size:,} bytes, the limit is {limits.file_bytes:,}")
        return
    with path.open("rb") as handle, _field_size_limit(limits.row_bytes):
        lines = _Lines(handle, limits.row_bytes)
        reader = csv.reader(lines, strict=True)
        try:
            header = checked_header(name, next(reader, None), spec, issues)
            if header is None:
                return
            yield from _records(name, header, reader, lines, spec, limits, issues)
        except _Unreadable as stop:
            issues.add(name, stop.line, stop.reason)
        except csv.Error as err:
            issues.add(name, lines.number, f"malformed CSV: {err}")


def checked_header(name: str, cells: list[str] | None, spec: FileSpec, issues: IssueSink) -> list[str] | None:
    """The header's column names, or None (with issues) unless it fits the file's contract: no
    empty or repeated names, only the contract's columns, every required one present. Shared by
    every reader of an import directory (this one, the Spark engine's)."""
    if cells is None:
        issues.add(name, 1, "the file is empty (a header row is required)")
        return None
    header = [c.strip() for c in cells]
    problems = 0
    for position, column in enumerate(header):
        if not column:
            issues.add(name, 1, f"column {position + 1} has an empty name")
            problems += 1
        elif header.index(column) != position:
            issues.add(name, 1, f"column {column[:100]!r} appears twice")
            problems += 1
        elif column not in spec.allowed:
            allowed = ", ".join(spec.allowed)
            issues.add(name, 1, f"unknown column {column[:100]!r}; the contract allows {allowed}")
            problems += 1
    missing = [c for c in spec.required if c not in header]
    if missing:
        issues.add(name, 1, f"missing required column(s): {', '.join(missing)}")
        problems += 1
    return None if problems else header


def _records(
    name: str,
    header: list[str],
    reader: Iterator[list[str]],
    lines: _Lines,
    spec: FileSpec,
    limits: Limits,
    issues: IssueSink,
) -> Iterator[tuple[int, dict]]:
    width = len(header)
    max_chars = [spec.prop(column).max_chars for column in header]
    count = 0
    while True:
        start = lines.start_record()
        cells = next(reader, None)
        if cells is None:
            return
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        count += 1
        if count > limits.file_rows:
            raise _Unreadable(start, f"more than {limits.file_rows:,} data rows, the limit per file")
        if len(cells) != width:
            issues.add(name, start, f"has {len(cells)} fields, the header has {width}")
            continue
        row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        values = row.values()
        within = all(len(value) <= most for value, most in zip(values, max_chars, strict=True))
        if within and not may_need_checking("".join(values)):
            yield start, row
        elif _sound_cells(name, start, row, spec, issues):
            yield start, row


def _sound_cells(name: str, line: int, row: dict[str, str], spec: FileSpec, issues: IssueSink) -> bool:
    """Check each cell of a row against its column's limit; report each bad one."""
    sound = True
    for column, value in row.items():
        prop = spec.prop(column)
        try:
            check_text(value, prop.max_chars, prop.free_text)
        except CellError as err:
            issues.add(name, line, f"{column}: {err}")
            sound = False
    return sound
