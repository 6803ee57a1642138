"""Mapping files: how a CRM export's files and columns become the import contract's rows.

A mapping is TOML (read with the standard library's `tomllib`) with three kinds of blocks, each
reading one export file (see graphcrm/mappings/*.toml for commented examples)::

    [translations.lifecycle]          # export value -> contract value ("" means no value)
    customer = "expansion"

    [[nodes]]                          # one node per row of `file` (rows `where` allows)
    file = "contacts.csv"
    label = "Customer"
    id = { column = "Record ID", prefix = "C" }
    name = { columns = ["First Name", "Last Name"] }
    properties.stage = { column = ["Lifecycle Stage", "lifecyclestage"], translate = "lifecycle" }

    [[relationships]]                  # one relationship per row whose ends are not blank
    file = "contacts.csv"
    type = "WORKS_AT"
    source = { column = "Record ID", prefix = "C" }
    target = { column = "Associated Company ID", prefix = "CO" }

    [[interactions]]                   # one touch point per row
    file = "calls.csv"
    id = ...; employee = ...; party = [...]; at = ...; channel = { value = "call" }

A *cell* names a column (a list gives alternative header spellings; the first present is read),
`columns` joined by `join`, or a constant `value`; `prefix` keeps ids unique across an export's
objects, `translate` names a translation, `default` fills a blank cell, `optional = true` lets the
column be absent from the export. A *reference* (`source`, `target`, `employee`, `party`) is a cell
or a list of cells, of which the first non-blank is used; with `split = ";"` a cell holds several
ids (a relationship is made to each); with `lookup = "Employee"` it holds that node's name or email
(CRM exports often show an owner's name). `where = { column = ..., in = [...] }` (or `not_in`,
`contains`, `not_contains`) picks the rows a block reads. Every mistake in a mapping is reported
with its key path and line in the TOML file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from graphcrm import model
from graphcrm.errors import InputError

BUILT_IN = ("hubspot", "salesforce")


class MappingError(InputError):
    """A mapping file that cannot be read or does not fit the model; the message names where."""


@dataclass(frozen=True)
class Where:
    """The place in a mapping file a value came from: `hubspot.toml:12 (nodes[0].id)`."""

    file: str
    line: int
    path: str

    def __str__(self) -> str:
        at = f"{self.file}:{self.line}" if self.line else self.file
        return f"{at} ({self.path})" if self.path else at


@dataclass(frozen=True)
class Translation:
    """Export values (matched ignoring case and surrounding space) -> contract values."""

    name: str
    values: dict[str, str]
    where: Where

    def lookup(self, raw: str) -> str | None:
        """The contract value for `raw`, or None when the translation does not know it."""
        return self.values.get(raw.strip().casefold())


@dataclass(frozen=True)
class Cell:
    """How one value is read from an export row.

    `parts` are the columns joined by `join` (each a tuple of alternative header spellings);
    empty when the cell is the constant `value`.
    """

    parts: tuple[tuple[str, ...], ...]
    where: Where
    join: str = " "
    value: str | None = None
    prefix: str = ""
    translate: Translation | None = None
    default: str | None = None
    optional: bool = False
    split: str = ""
    lookup: str = ""

    def describe(self) -> str:
        """The export column(s) as a user knows them."""
        if self.value is not None:
            return f"the constant {self.value!r}"
        return " + ".join(" or ".join(repr(c) for c in part) for part in self.parts)


@dataclass(frozen=True)
class Condition:
    """Rows of a file a block takes: `column` is one of `values` (or, `contains`, has one in it;
    `negate` turns the test round), ignoring case; an `optional` column missing from the export
    counts as blank."""

    column: tuple[str, ...]
    values: frozenset[str]
    negate: bool
    where: Where
    optional: bool = False
    contains: bool = False

    def admits(self, cell: str) -> bool:
        """True when a row whose column holds `cell` belongs to the block."""
        text = cell.strip().casefold()
        hit = any(value in text for value in self.values) if self.contains else text in self.values
        return hit != self.negate


@dataclass(frozen=True)
class Block:
    """One `[[nodes]]`, `[[relationships]]` or `[[interactions]]` table of a mapping."""

    kind: str
    file: str
    where: Where
    cells: dict[str, Cell] = field(default_factory=dict)
    references: dict[str, tuple[Cell, ...]] = field(default_factory=dict)
    properties: dict[str, Cell] = field(default_factory=dict)
    label: str = ""
    condition: Condition | None = None
    optional: bool = False


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping: its blocks in file order and where it came from."""

    source: str
    blocks: tuple[Block, ...]

    def files(self) -> list[str]:
        """The export files the mapping reads, in the order they first appear."""
        return list(dict.fromkeys(block.file for block in self.blocks))


_TOP_KEYS = {"name", "description", "translations", "nodes", "relationships", "interactions"}
_CELL_KEYS = {
    "column", "columns", "join", "value", "prefix", "translate", "default", "optional", "split", "lookup",
}  # fmt: skip
_BLOCK_KEYS = {
    "nodes": {"file", "label", "id", "name", "properties", "where", "optional"},
    "relationships": {"file", "type", "source", "target", "properties", "where", "optional"},
    "interactions": {"file", "id", "employee", "party", "at", "channel", "properties", "where", "optional"},
}
_TESTS = ("in", "not_in", "contains", "not_contains")
_REFERENCES = {"relationships": ("source", "target"), "interactions": ("employee", "party")}
_REQUIRED_CELLS = {
    "nodes": ("id", "name"),
    "relationships": ("type",),
    "interactions": ("id", "at", "channel"),
}
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\.\"' ]+?)\s*=")


def load(spec: str | Path) -> Mapping:
    """The mapping named `spec`: a built-in (hubspot, salesforce) or a TOML file's path."""
    name = str(spec).lower()
    if name in BUILT_IN:
        text = resources.files("graphcrm.mappings").joinpath(f"{name}.toml").read_text("utf-8")
        return parse(text, f"{name}.toml")
    path = Path(spec)
    if not path.is_file():
        names = ", ".join(BUILT_IN)
        raise MappingError(f"There is no mapping {str(spec)!r}: give one of {names}, or a TOML file's path.")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise MappingError(f"The mapping {path} cannot be read: {err}.") from None
    return parse(text, path.name)


def parse(text: str, source: str) -> Mapping:
    """Parse and check a mapping's TOML text; `source` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise MappingError(f"{source}: not valid TOML: {err}.") from None
    locate = _Locator(text, source)
    _only(data, _TOP_KEYS, (), locate)
    translations = _translations(data.get("translations", {}), locate)
    blocks: list[Block] = []
    for kind in ("nodes", "relationships", "interactions"):
        tables = data.get(kind, [])
        if not isinstance(tables, list):
            raise MappingError(f"{locate((kind,))}: must be an array of tables ([[{kind}]]).")
        blocks += [_block(kind, i, table, translations, locate) for i, table in enumerate(tables)]
    if not any(b.kind == "nodes" for b in blocks):
        raise MappingError(f"{source}: the mapping has no [[nodes]] block.")
    return Mapping(source, tuple(blocks))


class _Locator:
    """Finds the line of a key path in TOML text (tomllib keeps no positions): table headers
    `[[nodes]]` are counted per array, `[nodes.properties]` and `key = ...` lines extend the path."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines: dict[tuple, int] = {}
        counts: dict[str, int] = {}
        table: tuple = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                keys = tuple(_keys(header.group(1)))
                if line.lstrip().startswith("[["):
                    counts[keys[0]] = counts.get(keys[0], -1) + 1
                    table = (keys[0], counts[keys[0]], *keys[1:])
                elif keys[0] in counts:
                    table = (keys[0], counts[keys[0]], *keys[1:])
                else:
                    table = keys
                self.lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self.lines.setdefault((*table, *_keys(key.group(1))), number)

    def __call__(self, path: tuple) -> Where:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return Where(self.source, self.lines[path[:end]], _dotted(path))
        return Where(self.source, 0, _dotted(path))


def _keys(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in text.split(".")]


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _only(table: dict, allowed: set[str], path: tuple, locate: _Locator) -> None:
    for key in table:
        if key not in allowed:
            raise MappingError(
                f"{locate((*path, key))}: unknown key {key!r}; allowed: {', '.join(sorted(allowed))}."
            )


def _translations(tables: Any, locate: _Locator) -> dict[str, Translation]:
    if not isinstance(tables, dict):
        raise MappingError(f"{locate(('translations',))}: must be a table of tables.")
    out: dict[str, Translation] = {}
    for name, values in tables.items():
        path = ("translations", name)
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise MappingError(f"{locate(path)}: a translation maps export values to strings.")
        folded = {str(k).strip().casefold(): v for k, v in values.items()}
        out[name] = Translation(name, folded, locate(path))
    return out


def _block(
    kind: str, index: int, table: Any, translations: dict[str, Translation], locate: _Locator
) -> Block:
    path = (kind, index)
    if not isinstance(table, dict):
        raise MappingError(f"{locate(path)}: must be a table.")
    _only(table, _BLOCK_KEYS[kind], path, locate)
    file = table.get("file")
    if not isinstance(file, str) or not file or Path(file).name != file:
        raise MappingError(f"{locate((*path, 'file'))}: `file` must be the name of a file in the export.")
    label = _label(kind, table, path, locate)
    props = contract_properties(kind, label)
    cells = {
        key: _cell(table[key], (*path, key), translations, locate)
        for key in ("id", "name", "type", "at", "channel")
        if key in table
    }
    for key in _REQUIRED_CELLS[kind]:
        if key not in cells:
            raise MappingError(f"{locate(path)}: [[{kind}]] needs `{key}`.")
    references = {
        key: _reference(table.get(key), (*path, key), translations, locate)
        for key in _REFERENCES.get(kind, ())
    }
    properties = _properties(table.get("properties", {}), props, cells, path, translations, locate)
    block = Block(
        kind,
        file,
        locate(path),
        cells,
        references,
        properties,
        label,
        _condition(table.get("where"), (*path, "where"), locate),
        bool(table.get("optional", False)),
    )
    _check_translations(block, props)
    return block


def _properties(
    given: Any,
    props: dict[str, model.Prop],
    cells: dict[str, Cell],
    path: tuple,
    translations: dict[str, Translation],
    locate: _Locator,
) -> dict[str, Cell]:
    """A block's `properties` table: contract property -> cell (not those set as `at`/`channel`)."""
    if not isinstance(given, dict):
        raise MappingError(f"{locate((*path, 'properties'))}: must be a table of property = cell.")
    out = {}
    for name, spec in given.items():
        if name not in props or name in cells:
            known = ", ".join(p for p in props if p not in cells)
            raise MappingError(
                f"{locate((*path, 'properties', name))}: {name!r} is not a property here; known: {known}."
            )
        out[name] = _cell(spec, (*path, "properties", name), translations, locate)
    return out


def _label(kind: str, table: dict, path: tuple, locate: _Locator) -> str:
    if kind != "nodes":
        return ""
    label = table.get("label")
    if label not in model.NODE_TYPES:
        raise MappingError(f"{locate((*path, 'label'))}: label must be one of {', '.join(model.LABELS)}.")
    return label


def contract_properties(kind: str, label: str = "") -> dict[str, model.Prop]:
    """The contract properties a block of `kind` may set (its cells `at`/`channel` included)."""
    if kind == "nodes":
        return model.NODE_TYPES[label].props
    if kind == "interactions":
        return model.REL_TYPES[model.INTERACTED].props
    return model.RELATIONSHIP_PROPS


def _cell(spec: Any, path: tuple, translations: dict[str, Translation], locate: _Locator) -> Cell:
    where = locate(path)
    if isinstance(spec, str):
        return Cell(((spec,),), where)
    if not isinstance(spec, dict):
        raise MappingError(f'{where}: must be a column name or a table like {{ column = "..." }}.')
    _only(spec, _CELL_KEYS, path, locate)
    chosen = [key for key in ("column", "columns", "value") if key in spec]
    if len(chosen) != 1:
        raise MappingError(f"{where}: give exactly one of `column`, `columns` or `value`.")
    parts: tuple[tuple[str, ...], ...] = ()
    if "column" in spec:
        parts = (_names(spec["column"], where),)
    elif "columns" in spec:
        if not isinstance(spec["columns"], list) or not spec["columns"]:
            raise MappingError(f"{where}: `columns` must be a non-empty list.")
        parts = tuple(_names(c, where) for c in spec["columns"])
    elif not isinstance(spec["value"], str):
        raise MappingError(f"{where}: `value` must be a string.")
    translation = None
    if "translate" in spec:
        translation = translations.get(spec["translate"])
        if translation is None:
            known = ", ".join(translations) or "none"
            raise MappingError(f"{where}: no translation named {spec['translate']!r} (known: {known}).")
    for key in ("join", "prefix", "default", "split"):
        if key in spec and not isinstance(spec[key], str):
            raise MappingError(f"{where}: `{key}` must be a string.")
    return Cell(
        parts,
        where,
        spec.get("join", " "),
        spec.get("value"),
        spec.get("prefix", ""),
        translation,
        spec.get("default"),
        bool(spec.get("optional", False)),
        spec.get("split", ""),
        _lookup(spec, path, where),
    )


def _lookup(spec: dict, path: tuple, where: Where) -> str:
    """A reference's `lookup` label (the cell holds that node's name or email)."""
    label = spec.get("lookup", "")
    if label and path[2] not in ("source", "target", "employee", "party"):
        raise MappingError(f"{where}: only a reference (source, target, employee, party) can `lookup`.")
    if label and label not in model.NODE_TYPES:
        raise MappingError(f"{where}: `lookup` must be one of {', '.join(model.LABELS)}.")
    return label


def _names(spec: Any, where: Where) -> tuple[str, ...]:
    names = [spec] if isinstance(spec, str) else spec
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise MappingError(f"{where}: a column is a header name or a list of alternative names.")
    return tuple(names)


def _reference(
    spec: Any, path: tuple, translations: dict[str, Translation], locate: _Locator
) -> tuple[Cell, ...]:
    if spec is None:
        raise MappingError(f"{locate(path[:-1])}: needs `{path[-1]}`.")
    specs = spec if isinstance(spec, list) else [spec]
    return tuple(_cell(s, (*path, i), translations, locate) for i, s in enumerate(specs))


def _condition(spec: Any, path: tuple, locate: _Locator) -> Condition | None:
    if spec is None:
        return None
    where = locate(path)
    tests = [key for key in _TESTS if isinstance(spec, dict) and key in spec]
    if not isinstance(spec, dict) or "column" not in spec or len(tests) != 1:
        raise MappingError(
            f'{where}: `where` is {{ column = "...", in = [...] }}, or with not_in, contains or not_contains.'
        )
    _only(spec, {"column", "optional", *_TESTS}, path, locate)
    values = spec[tests[0]]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise MappingError(f"{where}: the values of `where` must be a list of strings.")
    if tests[0].endswith("contains") and not all(v.strip() for v in values):
        raise MappingError(f"{where}: `{tests[0]}` needs non-blank strings.")
    return Condition(
        _names(spec["column"], where),
        frozenset(v.strip().casefold() for v in values),
        tests[0].startswith("not_"),
        where,
        bool(spec.get("optional", False)),
        tests[0].endswith("contains"),
    )


def _check_translations(block: Block, props: dict[str, model.Prop]) -> None:
    """A translation's values must be values the contract accepts where the mapping uses it."""
    targets: list[tuple[Cell, tuple[str, ...]]] = []
    if "type" in block.cells:
        targets.append((block.cells["type"], model.CSV_REL_TYPES))
    for name, cell in {**block.properties, **block.cells}.items():
        prop = props.get(name)
        if prop is not None and prop.choices:
            targets.append((cell, prop.choices))
        elif prop is not None and prop.kind == model.Kind.BOOLEAN:
            targets.append((cell, ("true", "false")))
    for cell, allowed in targets:
        constants = [cell.value] if cell.value is not None else []
        constants += [cell.default] if cell.default else []
        constants += list(cell.translate.values.values()) if cell.translate else []
        for value in constants:
            if value and value not in allowed:
                source = cell.translate.where if cell.translate and value != cell.value else cell.where
                raise MappingError(
                    f"{source}: {value!r} is not one of {', '.join(allowed)} (used at {cell.where})."
                )
