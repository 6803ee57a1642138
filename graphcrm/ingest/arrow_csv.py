"""Read one import CSV file at C speed (Arrow's streaming CSV reader), or say it needs the exact reader.

`read_table` returns the file as a table of stripped text cells, one column per header name, when
the file is provably one the row-by-row reader (`csvfile`) accepts cell for cell; otherwise None,
and the caller reads it with `csvfile`, which names every problem at its line. Where the two CSV
parsers differ, the file is suspect: Arrow accepts text after a closing quote (`"b"c`) and a bare
carriage return as a line end, which Python's strict `csv` refuses; a file with either a quote or a
carriage return that ends no line is therefore checked once by `csv` itself (C speed too), and
rows Arrow cannot split into the header's width make the file suspect.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graphcrm.ingest import column_values
from graphcrm.ingest.csvfile import FileSpec, Limits

_CHUNK = 16 * 2**20
# The raw scan reads small pieces: its memory stays bounded whatever one line holds.
_SCAN_CHUNK = 256 * 1024
_BARE_CR = re.compile(rb"\r(?!\n)")
# ASCII control characters other than the line breaks; a file without them (and without quotes,
# so without line breaks inside cells) needs no per-cell control check in its ASCII columns.
_CONTROLS = bytes(b for b in range(32) if b not in (10, 13)) + b"\x7f"
_NOT_CONTROLS = bytes(b for b in range(256) if b not in _CONTROLS)


@dataclass(frozen=True)
class _Bytes:
    """What one pass over a file's raw bytes found."""

    quoted: bool = False
    bare_cr: bool = False
    controls: bool = False


def read_table(path: Path, spec: FileSpec, limits: Limits) -> pa.Table | None:
    """The file's data rows as stripped strings (blank cells ""), or None if it may have an issue."""
    if path.stat().st_size > limits.file_bytes:
        return None
    raw = _scan(path)
    if raw.bare_cr or (raw.quoted and not _strict_csv_parses(path, limits)):
        return None
    names = _header(path)
    if names is None or not _header_fits(names, spec):
        return None
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=_CHUNK),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:  # a row of another width, text that is not UTF-8
        return None
    if table.num_rows > limits.file_rows or not _rows_fit(table, limits.row_bytes):
        return None
    stripped = [column_values.strip(column) for column in table.columns]
    plain = not (raw.quoted or raw.controls)
    for name, column in zip(names, stripped, strict=True):
        if not column_values.sound_text(column, spec.prop(name), plain):
            return None
    return pa.table(stripped, names=names)


def _scan(path: Path) -> _Bytes:
    """Whether the file holds a double quote, a carriage return that is not part of CRLF, and an
    ASCII control character other than a line break."""
    quoted = bare_cr = controls = False
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            data = carry + chunk
            carry = b"\r" if data.endswith(b"\r") else b""
            data = data[: len(data) - len(carry)]
            quoted = quoted or b'"' in data
            bare_cr = bare_cr or _BARE_CR.search(data) is not None
            controls = controls or bool(data.translate(None, _NOT_CONTROLS))
    return _Bytes(quoted, bare_cr or carry == b"\r", controls)


def _strict_csv_parses(path: Path, limits: Limits) -> bool:
    """True when Python's strict `csv` reads the whole file (as the exact reader does) without
    error, and no line is longer than a row may be (lines are read within that bound)."""

    def lines(handle: BinaryIO) -> Iterator[str]:
        while line := handle.readline(limits.row_bytes + 1):
            if len(line) > limits.row_bytes:
                raise _TooLong
            yield line.decode("utf-8", errors="replace")

    previous = csv.field_size_limit(limits.row_bytes)
    try:
        with path.open("rb") as handle:
            for _ in csv.reader(lines(handle), strict=True):
                pass
    except (csv.Error, _TooLong):
        return False
    finally:
        csv.field_size_limit(previous)
    return True


class _TooLong(Exception):
    """A line longer than the row limit (the exact reader names it)."""


def _header(path: Path) -> list[str] | None:
    """The header row's names as Arrow reads them (a UTF-8 byte-order mark is skipped)."""
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=1 << 16, use_threads=False),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(include_columns=[]),
        )
    except pa.ArrowInvalid:
        return None
    return list(reader.schema.names)


def _header_fits(names: list[str], spec: FileSpec) -> bool:
    """No stray spaces, no empty, repeated or unknown name, every required one present."""
    return (
        all(name and name == name.strip() and name in spec.allowed for name in names)
        and len(set(names)) == len(names)
        and all(column in names for column in spec.required)
    )


def _rows_fit(table: pa.Table, row_bytes: int) -> bool:
    """A bound on each record's bytes in the file (cells, separators, a quote pair per cell, the
    doubled quotes inside, CRLF) stays within the limit; summed per row only when the longest
    cells of all columns together might not fit."""
    if table.num_rows == 0:
        return True
    overhead = 3 * table.num_columns + 2
    sizes = [pc.binary_length(c) for c in table.columns]
    if sum(pc.max(size).as_py() for size in sizes) * 2 + overhead <= row_bytes:
        return True
    sizes = [pc.add(size, pc.count_substring(c, '"')) for size, c in zip(sizes, table.columns, strict=True)]
    total = sizes[0]
    for size in sizes[1:]:
        total = pc.add(total, size)
    return pc.max(total).as_py() + overhead <= row_bytes
