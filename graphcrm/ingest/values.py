"""Typed cells of the import contract, parsed strictly at their real limits.

Python's own parsers accept more than the contract says (`int("1_000")`, `float("nan")`,
`date.fromisoformat("20240101")`) and some fail outside their range with `OverflowError`; here each
kind has one written-out syntax and range, and every refusal is a `CellError` whose message a user
reads after `file:line: column:`.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

from graphcrm.model import Kind, Prop

# Neo4j stores integers as signed 64-bit.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) and the byte-order mark
# are never text; a free-text cell may hold tabs and line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufeff]")
_FREE_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")


class CellError(ValueError):
    """A cell the contract refuses; the message says why."""


def may_need_checking(text: str) -> bool:
    """False when `text` has no character any cell would refuse (a fast test for a whole row)."""
    return _CONTROL.search(text) is not None


def check_text(value: str, max_chars: int, free_text: bool) -> None:
    """Refuse a cell longer than `max_chars`, or holding control characters or a byte-order mark."""
    if len(value) > max_chars:
        raise CellError(f"{len(value):,} characters, the limit is {max_chars:,}")
    found = (_FREE_TEXT_CONTROL if free_text else _CONTROL).search(value)
    if found:
        raise CellError(f"control character U+{ord(found.group()):04X} at character {found.start() + 1}")


def parse_value(raw: str, prop: Prop) -> Any:
    """Parse one non-blank cell by its property kind; raise CellError with a reason."""
    parse = _PARSERS[prop.kind]
    return parse(raw, prop)


def _string(raw: str, prop: Prop) -> str:
    if prop.choices and raw not in prop.choices:
        raise CellError(f"{raw!r} is not one of {', '.join(prop.choices)}")
    return raw


def _boolean(raw: str, prop: Prop) -> bool:
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise CellError(f"{raw!r} is not a boolean (true or false)")
    return lowered == "true"


def _date(raw: str, prop: Prop) -> date:
    if not _DATE.fullmatch(raw):
        raise CellError(f"{_short(raw)} is not an ISO 8601 date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CellError(f"{raw!r} is not a calendar date between 0001-01-01 and 9999-12-31") from None


def _datetime(raw: str, prop: Prop) -> datetime:
    """A date-time in UTC (no offset means UTC), within years 1-9999 after conversion."""
    if not _DATETIME.fullmatch(raw):
        raise CellError(f"{_short(raw)} is not an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS+HH:MM)")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CellError(f"{raw!r} is not a valid date-time (year 1-9999, offset under 24 hours)") from None
    try:
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:
        raise CellError(f"{raw!r} falls outside years 1-9999 once converted to UTC") from None


def _integer(raw: str, prop: Prop) -> int:
    if not _INTEGER.fullmatch(raw):
        raise CellError(f"{_short(raw)} is not an integer (digits only)")
    value = int(raw)
    if not INT_MIN <= value <= INT_MAX:
        raise CellError(f"{_short(raw)} does not fit in 64 bits")
    return _bounded(value, raw, prop)


def _float(raw: str, prop: Prop) -> float:
    if not _FLOAT.fullmatch(raw):
        raise CellError(f"{_short(raw)} is not a number (like 12, -0.5 or 1.5e3)")
    value = float(raw)
    if not math.isfinite(value):
        raise CellError(f"{_short(raw)} is too large for a 64-bit number")
    return _bounded(value, raw, prop)


def _bounded(value: float, raw: str, prop: Prop) -> Any:
    if prop.minimum is not None and value < prop.minimum:
        reason = "negative" if prop.minimum == 0 else f"below {prop.minimum:g}"
        raise CellError(f"{raw} is {reason}")
    if prop.maximum is not None and value > prop.maximum:
        raise CellError(f"{raw} is above {prop.maximum:g}")
    return value


def _short(raw: str, limit: int = 40) -> str:
    return repr(raw if len(raw) <= limit else raw[:limit] + "...")


_PARSERS = {
    Kind.STRING: _string,
    Kind.BOOLEAN: _boolean,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.INTEGER: _integer,
    Kind.FLOAT: _float,
}
