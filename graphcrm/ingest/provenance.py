"""Where each row of a translated export came from, and the native validator's issues told in
the export's terms: its file, line and column, and the mapping block that made the row."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass

from graphcrm.ingest.mapping import Block
from graphcrm.ingest.validate import Issue

_CELL_ERROR = re.compile(r"^(?P<column>\w+): ")
_ROLE = re.compile(r"^(?P<role>source|target|employee|party) ")


@dataclass(frozen=True)
class Origin:
    """The export row (and mapping block) a native row was made from."""

    file: str
    line: int
    block: Block


class Origins:
    """Where each record of one native file came from, compactly (a large export has millions):
    the record's first line in the native file, the export line, and the block's number."""

    def __init__(self, blocks: tuple[Block, ...]) -> None:
        self.blocks = blocks
        self.numbers = {id(block): number for number, block in enumerate(blocks)}
        self.native = array("Q")
        self.export = array("Q")
        self.block = array("H")

    def add(self, native_line: int, origin: Origin) -> None:
        self.native.append(native_line)
        self.export.append(origin.line)
        self.block.append(self.numbers[id(origin.block)])

    def get(self, native_line: int) -> Origin | None:
        """The origin of the record starting at `native_line` (lines are added in order)."""
        at = bisect_left(self.native, native_line)
        if at == len(self.native) or self.native[at] != native_line:
            return None
        block = self.blocks[self.block[at]]
        return Origin(block.file, self.export[at], block)


class Provenance:
    """The origins of every native file written from one export through one mapping."""

    def __init__(self, blocks: tuple[Block, ...]) -> None:
        self.blocks = blocks
        self.files: dict[str, Origins] = {}

    def file(self, native_file: str) -> Origins:
        """The origins of one native file (created on first use)."""
        return self.files.setdefault(native_file, Origins(self.blocks))

    def origin(self, native_file: str, native_line: int) -> Origin | None:
        origins = self.files.get(native_file)
        return origins.get(native_line) if origins else None

    def tell(self, issue: Issue) -> Issue:
        """A native validator's issue, told in terms of the export and the mapping."""
        origin = self.origin(issue.file, issue.line)
        if origin is None:
            return issue
        block = origin.block
        reason = issue.reason
        cell_error = _CELL_ERROR.match(reason)
        role = _ROLE.match(reason)
        cells = {**block.cells, **block.properties}
        if cell_error and cell_error.group("column") in cells:
            column = cell_error.group("column")
            reason = f"{cells[column].describe()} ({column}){reason[cell_error.end() - 2 :]}"
        elif role and role.group("role") in block.references:
            described = " or ".join(c.describe() for c in block.references[role.group("role")])
            reason = f"{reason} (column {described})"
        reason = re.sub(r"first at line (\d+)", lambda m: self._first(m, issue.file, m.group(1)), reason)
        reason = re.sub(r"first at ([\w.]+):(\d+)", lambda m: self._first(m, m.group(1), m.group(2)), reason)
        return Issue(origin.file, origin.line, f"{reason} [mapping {block.where}]")

    def _first(self, match: re.Match[str], file: str, line: str) -> str:
        origin = self.origin(file, int(line))
        return f"first at {origin.file}:{origin.line}" if origin else match.group(0)
