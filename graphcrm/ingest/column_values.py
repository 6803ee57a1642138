"""Whole columns of the import contract, checked and typed at C speed (Arrow compute kernels).

The vectorised twin of `values`: each function takes a column of stripped cells (a blank cell is
"") and returns it typed, with blanks as nulls, or None when any cell might be refused. None
never explains: the caller then reads the file with the exact row-by-row reader, which says
`file:line: reason`. So the checks here only have to be at least as strict as `values`: where
Arrow's parsers accept more than the contract (a normalised 30 February, year 0, a minute offset
of 60), the cell is treated as suspect.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from graphcrm.model import Kind, Prop

# Every character Python's str.strip() removes, so stripping agrees with the row-by-row reader.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
_CONTROL = r"[\x00-\x1f\x7f-\x{9f}\x{feff}]"
_FREE_TEXT_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}\x{feff}]"
_BOOLEAN = r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"
_INTEGER = r"^[+-]?[0-9]+$"
_FLOAT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_OFFSET = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
_EPOCH = date(1970, 1, 1)
_MICROS_MIN = (date(1, 1, 1) - _EPOCH).days * 86_400_000_000
_MICROS_END = ((date(9999, 12, 31) - _EPOCH).days + 1) * 86_400_000_000
ARROW_TYPES = {
    Kind.STRING: pa.string(),
    Kind.INTEGER: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOLEAN: pa.bool_(),
    Kind.DATE: pa.date32(),
    Kind.DATETIME: pa.timestamp("us", tz="UTC"),
}


def strip(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Each cell without the leading and trailing whitespace Python's str.strip() removes."""
    return pc.utf8_trim(column, characters=WHITESPACE)


def sound_text(column: pa.ChunkedArray, prop: Prop, plain_file: bool = False) -> bool:
    """True when no cell is longer than the column allows or holds a control character.

    `plain_file` says the file's bytes hold no ASCII control character but line breaks, and no
    quote (so no line break inside a cell): then an ASCII-only column needs no search."""
    if len(column) == 0:
        return True
    if pc.max(pc.binary_length(column)).as_py() > prop.max_chars:  # bytes >= characters
        if pc.max(pc.utf8_length(column)).as_py() > prop.max_chars:
            return False
    if plain_file and pc.all(pc.string_is_ascii(column)).as_py():
        return True
    pattern = _FREE_TEXT_CONTROL if prop.free_text else _CONTROL
    return not pc.any(pc.match_substring_regex(column, pattern)).as_py()


def typed(column: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    """The column parsed as `prop`'s kind (blank cells null), or None if a cell may be refused."""
    values = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    parsed = _PARSERS[prop.kind](values, prop)
    if parsed is None or not _within(parsed, prop):
        return None
    return parsed


def _any(mask: pa.ChunkedArray) -> bool:
    """True when some non-null entry of a boolean column is true."""
    return bool(pc.any(mask, skip_nulls=True).as_py())


def _all_match(values: pa.ChunkedArray, pattern: str) -> bool:
    return not _any(pc.invert(pc.match_substring_regex(values, pattern)))


def _string(values: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    if prop.choices and _any(pc.invert(pc.is_in(values, value_set=pa.array(prop.choices)))):
        return None
    return values


def _boolean(values: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    if not _all_match(values, _BOOLEAN):
        return None
    return pc.equal(pc.utf8_lower(values), "true")


def _date(values: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    """Dates by Arrow's strict ISO cast (it refuses 2023-02-29), years 0001-9999."""
    if not _all_match(values, _DATE) or _any(pc.starts_with(values, "0000")):
        return None
    try:
        return pc.cast(values, pa.date32())
    except pa.ArrowInvalid:
        return None


def _datetime(values: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    """Date-times in UTC (no offset means UTC) by Arrow's strict ISO cast, which refuses hour 24,
    second 60, offsets from 24 hours (and minute 60, which Python rolls over); instants outside
    years 1-9999 once in UTC are checked here (the cast lets them through)."""
    if not _all_match(values, _DATETIME):
        return None
    date_only = pc.equal(pc.utf8_length(values), 10)
    zoned = pc.match_substring_regex(values, _OFFSET)
    suffix = pc.if_else(date_only, "T00:00Z", pc.if_else(zoned, "", "Z"))
    try:
        parsed = pc.cast(pc.binary_join_element_wise(values, suffix, ""), ARROW_TYPES[Kind.DATETIME])
    except pa.ArrowInvalid:
        return None
    micros = pc.cast(parsed, pa.int64())
    if _any(pc.less(micros, _MICROS_MIN)) or _any(pc.greater_equal(micros, _MICROS_END)):
        return None
    return parsed


def _integer(values: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    if not _all_match(values, _INTEGER):
        return None
    try:
        return pc.cast(values, pa.int64())  # refuses what does not fit in 64 bits
    except pa.ArrowInvalid:
        return None


def _float(values: pa.ChunkedArray, prop: Prop) -> pa.ChunkedArray | None:
    if not _all_match(values, _FLOAT):
        return None
    try:
        parsed = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        return None
    return parsed if not _any(pc.invert(pc.is_finite(parsed))) else None


def _within(parsed: pa.ChunkedArray, prop: Prop) -> bool:
    """The contract's bounds of a number (the row-by-row reader says which bound was crossed)."""
    if prop.minimum is not None and _any(pc.less(parsed, prop.minimum)):
        return False
    return prop.maximum is None or not _any(pc.greater(parsed, prop.maximum))


_PARSERS = {
    Kind.STRING: _string,
    Kind.BOOLEAN: _boolean,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.INTEGER: _integer,
    Kind.FLOAT: _float,
}
