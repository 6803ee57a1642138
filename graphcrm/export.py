"""CSV exports that a spreadsheet opens as data, never as formulas.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets, so a customer called `=HYPERLINK("http://…")` would turn an export
into a phishing link or worse. Following OWASP's CSV-injection guidance, every string cell (and
every header) that starts with one of those characters gets a leading single quote, which the
spreadsheet shows as text. Numbers are left alone, so a negative number stays a number.

Every CSV writer of graphcrm (the CLI's `--format csv`, the dashboard's downloads) goes through
`neutralise`, by way of `frame_csv` or `rows_csv`. Lines end in CRLF as RFC 4180 says, which also
makes the csv module quote any cell holding a carriage return.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
LINE_END = "\r\n"


def neutralise(value: Any) -> Any:
    """A string cell that a spreadsheet would run as a formula, prefixed with `'`; anything else
    (numbers, None, ...) unchanged.

    >>> neutralise("=1+1"), neutralise("-2"), neutralise(-2), neutralise("Ada")
    ("'=1+1", "'-2", -2, 'Ada')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def frame_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV text (no index) with every text cell and header neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        dtype = safe[column].dtype
        if not (is_numeric_dtype(dtype) or is_bool_dtype(dtype)):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator=LINE_END)


def rows_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Rows of plain values as CSV text: None is empty, booleans `true`/`false`, maps and lists
    JSON, text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow([neutralise(str(c)) for c in columns])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def text_of(value: Any) -> str:
    """A result value as the text a table or a CSV shows: '' for none, `true`/`false`, compact
    JSON for maps and lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _cell(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return neutralise(text_of(value))
