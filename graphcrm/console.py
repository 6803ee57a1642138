"""The analysts' Cypher console: canned queries from `cypher/` and ad-hoc queries, run read-only.

Safety is a property of how a query is executed, not of a keyword filter:

1. the query runs once, in an explicit transaction of a session opened in read access mode, so
   the server itself refuses writes and nothing is retried (a query that ran the server out of
   memory fails once, with one sentence naming the limit);
2. before it runs, the server plans it (`EXPLAIN`, in the same transaction) and anything but a
   read query is refused: the plan's query type must be `r` (`rw`, `w` and schema/admin `s` are
   refused), and the plan may not contain `LOAD CSV` (it reads the server's files), procedure
   calls outside `ALLOWED_PROCEDURES`, or administration commands such as `SHOW SETTINGS` or
   `TERMINATE TRANSACTIONS`;
3. personal data is decided by the caller (`personal`), not by the query: without it every
   returned value is masked by key, and an ad-hoc query that reads a personal property in a way
   masking cannot catch is refused (`graphcrm.privacy`); a canned query's `include_personal`
   switch is refused too;
4. the transaction has a timeout (`DEFAULT_TIMEOUT` seconds unless asked otherwise, at most
   `MAX_TIMEOUT`), and the client gives up by itself shortly after it, since the server stops a
   query only between rows (a huge `reduce` or a catastrophic regular expression runs on);
5. at most `max_rows` rows are fetched (at most `MAX_ROWS`), and the result says when it was cut.

Parameters always travel as Cypher parameters (`$name`), typed from the command line's strings
by the type a canned query declares (or, for ad-hoc queries, by what the text looks like).

The dashboard calls `run_query`/`run_canned` and reads `QueryResult`; the CLI adds `render`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import neo4j
import neo4j.time
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point

from graphcrm import privacy, queries, settings
from graphcrm.db import Graph
from graphcrm.errors import (
    InputError,
    ParameterError,
    QueryError,
    QueryRefused,
    QueryTimedOut,
    QueryTooLarge,
    UnknownQuery,
)
from graphcrm.explore import mask_personal
from graphcrm.export import rows_csv, text_of

# Defaults and bounds from the settings table (GRAPHCRM_QUERY_TIMEOUT, GRAPHCRM_QUERY_MAX_ROWS).
DEFAULT_TIMEOUT = float(settings.setting("query_timeout").default)
MAX_TIMEOUT = float(settings.setting("query_timeout").maximum or 300)
DEFAULT_MAX_ROWS = int(settings.setting("query_max_rows").default)
MAX_ROWS = int(settings.setting("query_max_rows").maximum or 100_000)
PERSONAL_PARAM = "include_personal"  # canned queries' switch for email and phone
FORMATS = ("table", "csv", "json")

# Read-only procedures an analyst may call; everything else (dbms.listConfig, db.createLabel,
# tx.setMetaData, db.clearQueryCaches ...) is refused.
ALLOWED_PROCEDURES: frozenset[str] = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.fulltext.listAvailableAnalyzers",
        "db.ping",
        "dbms.components",
    }
)
# `SHOW ...` commands that only describe the schema and the callable procedures and functions.
# SHOW SETTINGS, SHOW TRANSACTIONS, TERMINATE TRANSACTIONS and the like are refused.
ALLOWED_COMMANDS: frozenset[str] = frozenset(
    {"ShowIndexes", "ShowConstraints", "ShowProcedures", "ShowFunctions"}
)
_PROCEDURE_NAME = re.compile(r"^\s*`?([A-Za-z_][\w.`]*?)`?\s*\(")
_QUERY_TYPES = {
    "w": "writes to the database",
    "rw": "writes to the database",
    "s": "changes the schema or runs an administration command",
}


@dataclass(frozen=True)
class ResultNode:
    """A node found in a result: its element id, labels and properties (personal data removed
    unless asked for)."""

    element_id: str
    labels: tuple[str, ...]
    properties: dict[str, Any]

    @property
    def id(self) -> str:
        """The model's `id` property, or the element id for nodes without one."""
        return str(self.properties.get("id", self.element_id))


@dataclass(frozen=True)
class ResultRelationship:
    """A relationship found in a result; `start`/`end` are element ids of its nodes."""

    element_id: str
    type: str
    start: str
    end: str
    properties: dict[str, Any]


@dataclass
class QueryResult:
    """What a query returned.

    `rows` hold plain values (nodes and relationships as readable maps, dates as ISO strings),
    ready for a table, CSV or JSON. `truncated` says that more than `max_rows` rows existed and
    only the first `max_rows` are here. `nodes`/`relationships` are every graph element found
    in the rows (also inside paths and lists), for a network view.
    """

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    elapsed: float = 0.0
    max_rows: int = DEFAULT_MAX_ROWS
    nodes: list[ResultNode] = field(default_factory=list)
    relationships: list[ResultRelationship] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        """One column's values."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def run_query(
    graph: Graph,
    text: str,
    params: Mapping[str, Any] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    personal: bool = False,
) -> QueryResult:
    """Run one ad-hoc Cypher query read-only, within `timeout` seconds, returning at most
    `max_rows` rows.

    Raises InputError for limits out of range, QueryRefused for anything but a plain read (and,
    unless `personal`, for queries that read personal data), QueryTimedOut past the time limit,
    QueryTooLarge past the server's memory limit, and `graphcrm.db.DatabaseError` (one sentence
    with the server's message) for syntax errors, missing parameters and connection problems.
    Unless `personal`, personal values are masked wherever they are returned.
    """
    return _run(graph, text, params, timeout, max_rows, personal, screen=not personal)


def check_limits(timeout: Any, max_rows: Any) -> None:
    """Raise InputError (one sentence) unless 0 < timeout <= MAX_TIMEOUT seconds and
    1 <= max_rows <= MAX_ROWS."""
    number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
    if not (number and math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise InputError(
            f"The time limit must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {timeout}."
        )
    whole = isinstance(max_rows, int) and not isinstance(max_rows, bool)
    if not (whole and 1 <= max_rows <= MAX_ROWS):
        raise InputError(f"The row limit must be a whole number from 1 to {MAX_ROWS}, not {max_rows}.")


def _run(
    graph: Graph,
    text: str,
    params: Mapping[str, Any] | None,
    timeout: float,
    max_rows: int,
    personal: bool,
    *,
    screen: bool,
) -> QueryResult:
    """The runner behind `run_query` and `run_canned`; `screen` refuses queries that read
    personal data beyond what masking removes (canned queries are reviewed, not screened)."""
    check_limits(timeout, max_rows)
    text = text.strip().rstrip(";").strip()
    if not text:
        raise QueryError("The query is empty.")
    parameters = dict(params or {})
    if screen:
        privacy.screen_text(text, parameters)

    def work(tx: neo4j.Transaction) -> tuple[list[str], list[neo4j.Record], bool]:
        plan = tx.run(f"EXPLAIN {text}", parameters).consume()
        check_plan(plan.query_type, plan.plan)
        if screen and plan.plan:
            privacy.screen_plan(plan.plan, parameters)
        result = tx.run(text, parameters)
        fetched: list[neo4j.Record] = []
        for record in result:
            if len(fetched) == max_rows:
                result.consume()
                return list(result.keys()), fetched, True
            fetched.append(record)
        return list(result.keys()), fetched, False

    started = time.perf_counter()
    columns, fetched, truncated = graph.read_once(work, timeout=timeout, fetch_size=min(max_rows + 1, 1000))
    elapsed = time.perf_counter() - started
    return _result(columns, fetched, truncated, elapsed, max_rows, personal)


def check_plan(query_type: str | None, plan: Mapping[str, Any] | None) -> None:
    """Raise QueryRefused unless an EXPLAIN summary describes a plain read.

    A schema-type (`s`) plan is accepted only when it is explained by allow-listed procedure
    calls (`dbms.components` is a DBMS-mode procedure, so its queries plan as `s`).
    """
    operators = list(_operators(plan)) if plan else []
    procedures: list[str] = []
    for operator, details in operators:
        if operator == "LoadCSV":
            raise QueryRefused("LOAD CSV is not allowed: it reads files and URLs from the database server.")
        if operator == "ProcedureCall":
            name = _procedure_name(details)
            if name not in ALLOWED_PROCEDURES:
                allowed = ", ".join(sorted(ALLOWED_PROCEDURES))
                raise QueryRefused(
                    f"The procedure {name or details!r} is not allowed here; allowed procedures: {allowed}."
                )
            procedures.append(name)
        elif (operator.startswith(("Show", "Terminate")) and operator not in ALLOWED_COMMANDS) or (
            operator == "AdministrationCommand"
        ):
            raise QueryRefused(
                f"Administration commands ({operator}) are not allowed; only read queries run here."
            )
    if query_type == "r" or (query_type == "s" and procedures):
        return
    reason = _QUERY_TYPES.get(query_type or "", f"is of query type {query_type!r}, not a read")
    raise QueryRefused(f"Only read queries run here, and this query {reason}.")


def _operators(plan: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    name = str(plan.get("operatorType", "")).split("@")[0]
    details = str((plan.get("args") or {}).get("Details") or "")
    yield name, details
    for child in plan.get("children") or ():
        yield from _operators(child)


def _procedure_name(details: str) -> str:
    match = _PROCEDURE_NAME.match(details)
    return match.group(1).replace("`", "") if match else ""


def run_canned(
    graph: Graph,
    name: str,
    raw_params: Mapping[str, Any] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    personal: bool = False,
) -> QueryResult:
    """Run the canned query `name` from `cypher/` with its declared parameters.

    `raw_params` values may be strings (typed by the declared type, as on the command line) or
    already typed values; missing parameters take their declared defaults. Asking a query for
    personal data (`include_personal=true`) without `personal` is refused.
    """
    query = canned(name)
    bound = bind(query, raw_params or {})
    if bound.get(PERSONAL_PARAM) and not personal:
        raise QueryRefused(
            f"The query {name} was asked for personal data ({PERSONAL_PARAM}=true), which needs personal "
            "data turned on (--personal on the command line, 'Show personal data' in the dashboard)."
        )
    return _run(graph, query.text, bound, timeout, max_rows, personal, screen=False)


def canned(name: str) -> queries.CypherFile:
    """The canned query called `name`; UnknownQuery names the close matches."""
    library = queries.library()
    if name in library:
        return library[name]
    close = [n for n in library if name.lower() in n or n in name.lower()]
    hint = f" Did you mean {', '.join(close)}?" if close else " `graphcrm query --list` shows them all."
    raise UnknownQuery(f"There is no canned query called {name!r}.{hint}")


def bind(query: queries.CypherFile, raw_params: Mapping[str, Any]) -> dict[str, Any]:
    """Typed Cypher parameters for a canned query: given values parsed by declared type, the
    rest from defaults. ParameterError for unknown names, missing required values, bad values."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(raw_params) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise ParameterError(
            f"The query {query.name} has no parameter {', '.join(unknown)}; its parameters are: {known}."
        )
    bound: dict[str, Any] = {}
    for param in query.params:
        if param.name in raw_params:
            raw = raw_params[param.name]
            bound[param.name] = typed_value(raw, param.type, param.name) if isinstance(raw, str) else raw
        elif param.required:
            doc = f" ({param.doc})" if param.doc else ""
            raise ParameterError(
                f"The query {query.name} needs the parameter {param.name}{doc}: add -p {param.name}=VALUE."
            )
        else:
            default = param.default or "null"
            bound[param.name] = None if default == "null" else typed_value(default, param.type, param.name)
    return bound


def typed_value(raw: str, kind: str, name: str = "value") -> Any:
    """Parse a command-line string as the declared parameter type.

    string: as given; integer, float; boolean: true/false/yes/no/1/0; date: YYYY-MM-DD;
    list: a JSON list, or comma-separated words. For all but strings, `null` is no value.
    """
    if kind not in _PARSERS:
        raise ParameterError(f"The parameter {name} has an unknown type {kind!r}.")
    if kind != "string" and raw.strip() == "null":
        return None
    try:
        return _PARSERS[kind](raw)
    except ValueError:
        raise ParameterError(f"The parameter {name}={raw!r} is not {_EXAMPLES[kind]}.") from None


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValueError(text)


def _parse_list(text: str) -> list[Any]:
    if text.strip().startswith("["):
        value = json.loads(text)
        if not isinstance(value, list):
            raise ValueError(text)
        return value
    return [part.strip() for part in text.split(",") if part.strip()]


_PARSERS: dict[str, Callable[[str], Any]] = {
    "string": str,
    "integer": lambda text: int(text.strip()),
    "float": _parse_float,
    "boolean": _parse_boolean,
    "date": lambda text: date.fromisoformat(text.strip()),
    "list": _parse_list,
}
_EXAMPLES = {
    "string": "a string",
    "integer": "a whole number such as 10",
    "float": "a number such as 2500.5",
    "boolean": "true or false",
    "date": "a date such as 2026-11-01",
    "list": 'a JSON list such as ["C000001","C000002"]',
}


def infer_value(raw: str) -> Any:
    """Type an ad-hoc query's parameter by its look: integer, float, true/false, null, JSON
    list/object/string, else the string itself."""
    text = raw.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if text[:1] in ("[", "{", '"'):
        try:
            return json.loads(text)
        except ValueError:
            return raw
    return raw


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """`key=value` strings (from `-p`) as a dict of raw strings; ParameterError for bad syntax."""
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise ParameterError(f"The parameter {pair!r} is not of the form name=value (e.g. -p limit=10).")
        if key in found:
            raise ParameterError(f"The parameter {key} is given twice.")
        found[key] = value
    return found


def _result(
    columns: list[str],
    fetched: list[neo4j.Record],
    truncated: bool,
    elapsed: float,
    max_rows: int,
    personal: bool,
) -> QueryResult:
    nodes: dict[str, Node] = {}
    relationships: dict[str, Relationship] = {}
    for record in fetched:
        for value in record.values():
            _collect(value, nodes, relationships)
    ids = {eid: str(node.get("id", eid)) for eid, node in nodes.items()}
    render = _Renderer(ids)
    result = QueryResult(
        columns=columns,
        rows=[[render(value) for value in record.values()] for record in fetched],
        truncated=truncated,
        elapsed=elapsed,
        max_rows=max_rows,
        nodes=[ResultNode(eid, tuple(sorted(n.labels)), render.properties(n)) for eid, n in nodes.items()],
        relationships=[
            ResultRelationship(
                eid,
                r.type,
                r.start_node.element_id if r.start_node else "",
                r.end_node.element_id if r.end_node else "",
                render.properties(r),
            )
            for eid, r in relationships.items()
        ],
    )
    return mask_result(result, show=personal)


def _collect(value: Any, nodes: dict[str, Node], relationships: dict[str, Relationship]) -> None:
    if isinstance(value, Node):
        nodes.setdefault(value.element_id, value)
    elif isinstance(value, Relationship):
        relationships.setdefault(value.element_id, value)
    elif isinstance(value, Path):
        for node in value.nodes:
            nodes.setdefault(node.element_id, node)
        for rel in value.relationships:
            relationships.setdefault(rel.element_id, rel)
    elif isinstance(value, list):
        for item in value:
            _collect(item, nodes, relationships)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, nodes, relationships)


class _Renderer:
    """Driver values to plain, JSON-ready values."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    def properties(self, entity: Node | Relationship) -> dict[str, Any]:
        return {k: self(v) for k, v in sorted(entity.items())}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, Node):
            return {"_labels": sorted(value.labels), **self.properties(value)}
        if isinstance(value, Relationship):
            start = value.start_node.element_id if value.start_node else ""
            end = value.end_node.element_id if value.end_node else ""
            return {
                "_type": value.type,
                "_start": self.ids.get(start, start),
                "_end": self.ids.get(end, end),
                **self.properties(value),
            }
        if isinstance(value, Path):
            steps: list[Any] = [self(value.start_node)]
            for rel, node in zip(value.relationships, value.nodes[1:], strict=True):
                steps += [self(rel), self(node)]
            return steps
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, Point):
            return {
                "srid": value.srid,
                **{k: getattr(value, k) for k in ("x", "y", "z") if hasattr(value, k)},
            }
        if isinstance(value, bytes):
            return value.hex()
        if isinstance(value, (neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time)):
            try:
                return value.to_native().isoformat()
            except ValueError:
                return value.iso_format()
        if hasattr(value, "iso_format"):
            return value.iso_format()
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value


def render(result: QueryResult, fmt: str = "table", *, max_width: int = 60) -> str:
    """The result as an aligned text table, CSV, or JSON (`{"columns", "rows", "truncated"}`)."""
    if fmt == "json":
        return json.dumps(
            {"columns": result.columns, "rows": result.records(), "truncated": result.truncated},
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "csv":
        return rows_csv(result.columns, result.rows).removesuffix("\r\n")
    if fmt != "table":
        raise QueryError(f"Unknown output format {fmt!r}; use one of {', '.join(FORMATS)}.")
    cells = [[_clip(text_of(v), max_width) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(result.columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def mask_result(result: QueryResult, *, show: bool) -> QueryResult:
    """`result` with personal data masked unless `show`, at any depth: personal columns (`email`,
    `phone`, `..._email`), and personal keys in nodes, relationships, maps, lists and paths.

    The runner applies it to every result; the dashboard again when personal data is turned off
    after a query ran with it.
    """
    if show:
        return result
    return replace(
        result,
        rows=[list(_masked(dict(zip(result.columns, row, strict=True))).values()) for row in result.rows],
        nodes=[replace(n, properties=_masked(n.properties)) for n in result.nodes],
        relationships=[replace(r, properties=_masked(r.properties)) for r in result.relationships],
    )


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return mask_personal({k: _masked(v) for k, v in value.items()}, show=False)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def summary_line(result: QueryResult) -> str:
    """E.g. `12 rows in 0.03 s`, or a note that the rows were cut at the limit."""
    count = len(result.rows)
    text = f"{count} row{'s' if count != 1 else ''} in {result.elapsed:.2f} s"
    if result.truncated:
        text += f" (cut at the limit of {result.max_rows} rows; more exist: raise --limit)"
    return text


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


__all__ = [
    "ALLOWED_PROCEDURES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "MAX_ROWS",
    "MAX_TIMEOUT",
    "PERSONAL_PARAM",
    "ParameterError",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryTimedOut",
    "QueryTooLarge",
    "ResultNode",
    "ResultRelationship",
    "UnknownQuery",
    "bind",
    "canned",
    "check_limits",
    "check_plan",
    "infer_value",
    "parse_assignments",
    "render",
    "run_canned",
    "run_query",
    "summary_line",
    "typed_value",
]
