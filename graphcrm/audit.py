"""The audit trail: one JSON line per sign-in (or failed one), revealed personal data, query,
export, recompute and denied action, with the time and the user.

The file is only ever appended to (opened with O_APPEND, mode 0600) and the dashboard has no way
to edit it. Records carry query text and parameters, never results, so no personal data lands
here. Its place is `GRAPHCRM_AUDIT_FILE`, else `audit.jsonl` in the state folder.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graphcrm import settings
from graphcrm.errors import InputError
from graphcrm.export import rows_csv
from graphcrm.server import ServerHome

FORMATS = ("table", "csv", "json")
COLUMNS = ("time", "user", "event", "details")


def default_path() -> Path:
    """`GRAPHCRM_AUDIT_FILE`, else `audit.jsonl` in the state folder."""
    chosen = str(settings.value("audit_file"))
    return Path(chosen) if chosen else ServerHome.resolve().root / "audit.jsonl"


def append(path: Path, user: str, event: str, **details: Any) -> None:
    """Add one record; a single write to an O_APPEND file, so concurrent sessions never interleave."""
    record = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "user": user, "event": event}
    record.update(details)
    line = (json.dumps(record, default=str, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read(
    path: Path, *, since: datetime | date | None = None, user: str | None = None
) -> list[dict[str, Any]]:
    """The records (oldest first) at or after `since` (a date means its midnight, UTC), of `user`."""
    if not path.exists():
        return []
    if since is not None and not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day, tzinfo=UTC)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
                moment = datetime.fromisoformat(record["time"])
            except (ValueError, KeyError, TypeError) as err:
                raise InputError(f"{path}:{number}: not an audit record ({err}).") from err
            if (since is None or moment >= since) and (user is None or record.get("user") == user):
                records.append(record)
    return records


def render(records: list[dict[str, Any]], fmt: str) -> str:
    """Records as JSON lines, CSV (time, user, event, details as JSON) or an aligned table."""
    if fmt == "json":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    rows = [_row(r) for r in records]
    if fmt == "csv":
        return rows_csv(COLUMNS, rows)
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(COLUMNS[:-1])]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, [*widths, 0], strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, [*widths, 0], strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def _row(record: dict[str, Any]) -> list[str]:
    details = {k: v for k, v in record.items() if k not in COLUMNS}
    extra = json.dumps(details, ensure_ascii=False) if details else ""
    return [str(record.get("time", "")), str(record.get("user", "")), str(record.get("event", "")), extra]
