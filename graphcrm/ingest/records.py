"""Validated rows kept as an Arrow table and handed out as the loader's row maps on demand.

A million customers as Python dicts cost more time and memory than validating them; the
vectorised validator keeps each group of rows as one typed table instead. `Records` is a sequence
of the same maps the row-by-row validator builds (`{"id", "props"}` for nodes, `{"s", "t",
"props"}` for relationships, plus `"id"` for interactions), made a batch at a time when the
transactional writer asks; the offline import reads `table` directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC
from typing import Any, overload

import pyarrow as pa

_BATCH = 10_000


class Records(Sequence[dict[str, Any]]):
    """Rows of `table` as `{key: value for key in keys, "props": {every other column}}`."""

    def __init__(self, table: pa.Table, keys: tuple[str, ...]) -> None:
        self.table = table
        self.keys = keys
        self._zoned = [f.name for f in table.schema if pa.types.is_timestamp(f.type)]

    def __len__(self) -> int:
        return self.table.num_rows

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._rows(self.table.slice(start, max(stop - start, 0)))
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._rows(self.table.slice(index % len(self), 1))[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, len(self), _BATCH):
            yield from self._rows(self.table.slice(start, _BATCH))

    def _rows(self, part: pa.Table) -> list[dict[str, Any]]:
        """Row maps; date-times carry datetime.UTC as the row-by-row validator's do (Arrow's
        would be a named zone, which Neo4j would store as one)."""
        rows = part.to_pylist()
        out = []
        for row in rows:
            for name in self._zoned:
                if row[name] is not None:
                    row[name] = row[name].replace(tzinfo=UTC)
            head = {key: row.pop(key) for key in self.keys}
            head["props"] = row
            out.append(head)
        return out
