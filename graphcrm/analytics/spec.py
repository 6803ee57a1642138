"""How an analysis is declared: once, in its own module, as an `Analysis`.

The declaration names the analysis, the part of the graph it reads (a `Projection`, or a canned
query for one that the server aggregates), its typed parameters with defaults and docs, the tables
it returns and the node properties it writes back (registered in `graphcrm.model.SCORES`). The
command line, the dashboard, write-back and the README's analytics table are all built from these
declarations (`graphcrm.analytics.registry`), so adding an analysis means one module and its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from graphcrm import model
from graphcrm.errors import AnalysisInputError

PROJECTED_NODE_PROPS: tuple[str, ...] = (
    "name",
    "stage",
    "city",
    "lifetime_value",
    "annual_value",
    "marketing_consent",
    "joined_on",
    "industry",
    "size",
    "role",
    "region",
    "kind",
    "email",
    "phone",
)


@dataclass(frozen=True)
class Projection:
    """Which labels, types and properties an analysis reads from Neo4j (`rel_props`: the same
    keys for every type; None means `graphcrm.projection`'s defaults)."""

    labels: tuple[str, ...] = model.LABELS
    types: tuple[str, ...] = tuple(model.REL_TYPES)
    node_props: tuple[str, ...] = PROJECTED_NODE_PROPS
    rel_props: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        unknown = [
            x for x in (*self.labels, *self.types) if x not in model.LABELS and x not in model.REL_TYPES
        ]
        if unknown:
            raise ValueError(f"not part of the graph model: {', '.join(unknown)}")


# The node properties most analyses read (names for tables, stage, value, segment fields).
NODE_PROPS: tuple[str, ...] = (
    "name",
    "stage",
    "city",
    "lifetime_value",
    "annual_value",
    "industry",
    "size",
    "role",
    "kind",
    "income_band",
)
SOCIAL_LABELS: tuple[str, ...] = (model.CUSTOMER, model.PARTNER, model.COMPANY)

KINDS: dict[str, str] = {
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "moment": "an ISO date such as 2026-10-01 (or a date-time)",
}


@dataclass(frozen=True)
class Param:
    """One typed parameter of an analysis.

    `kind` is one of `KINDS`; `minimum`/`maximum` bound numbers and `choices` text; `flag` is
    the command-line option when it is not `--name-with-dashes`; `required` parameters have no
    default.
    """

    name: str
    kind: str
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    flag: str | None = None
    required: bool = False
    choices: tuple[str, ...] | None = None

    @property
    def option(self) -> str:
        """The command-line option, e.g. `--stale-days`."""
        return self.flag or "--" + self.name.replace("_", "-")

    def parse(self, text: str) -> Any:
        """The value of `text` as this parameter's kind; AnalysisInputError says what is wrong."""
        try:
            value: Any = {
                "int": int,
                "float": float,
                "str": str,
                "moment": _moment,
            }[self.kind](text.strip())
        except ValueError:
            raise AnalysisInputError(f"{self.option}: {text!r} is not {KINDS[self.kind]}.") from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """`value` if it lies within the bounds (NaN and infinities never do) or choices."""
        if self.choices is not None and value is not None and value not in self.choices:
            raise AnalysisInputError(
                f"{self.option}: must be one of {', '.join(self.choices)}, not {value!r}."
            )
        if self.kind in ("int", "float") and value is not None:
            low = -float("inf") if self.minimum is None else self.minimum
            high = float("inf") if self.maximum is None else self.maximum
            if not (low <= value <= high) or value != value:
                raise AnalysisInputError(f"{self.option}: must be {self.bounds()}, not {value!r}.")
        return value

    def bounds(self) -> str:
        """The allowed range in words."""
        if self.minimum is not None and self.maximum is not None:
            return f"from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"at least {self.minimum:g}"
        return f"at most {self.maximum:g}" if self.maximum is not None else "any value"


def _moment(text: str) -> date | datetime:
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


@dataclass(frozen=True)
class Table:
    """One output table: its name, columns in order, and what a row is."""

    name: str
    columns: tuple[str, ...]
    doc: str


@dataclass
class AnalysisResult:
    """What one analysis produced, and how long each step took (seconds)."""

    name: str
    tables: dict[str, pd.DataFrame]
    value: Any = field(repr=False)
    nodes: int = 0
    edges: int = 0
    projection_seconds: float = 0.0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0
    written: int = 0
    score_rows: list[dict[str, Any]] | pd.DataFrame = field(default_factory=list, repr=False)
    labels: dict[str, str] = field(default_factory=dict, repr=False)
    # What a reader must be told with the result, e.g. that a bounded search proved nothing.
    caveat: str = ""

    @property
    def main(self) -> pd.DataFrame:
        """The headline table (the first one)."""
        return next(iter(self.tables.values()))

    def score_frame(self) -> pd.DataFrame:
        """The node scores as one table (`id` and a column per score), whichever form the
        analysis gave them in (rows, or a table from a compact form). Rows keep their Python
        values (object columns), so a whole number with gaps stays a whole number in Neo4j."""
        if isinstance(self.score_rows, pd.DataFrame):
            return self.score_rows
        return pd.DataFrame(self.score_rows, dtype=object)


@dataclass(frozen=True)
class Analysis:
    """One analysis, declared once.

    `compute(G, **params)` is the pure function over the projected graph; for an analysis the server
    aggregates (`query`, a canned query's name), `compute(rows, **params)` shapes that query's rows
    instead. `compact(C, **params)`, where given, computes the same result from the compact projection
    (`graphcrm.compact.CompactGraph`, columns instead of NetworkX objects): the batch uses it at
    scale, and the tests hold it equal to `compute`. `scores` are the node properties it writes back,
    each one of `graphcrm.model.SCORES`. `internal` names keyword arguments the batch passes between
    analyses (they are not user parameters). With `stores_tables`, the batch also stores the tables
    (as `Finding` nodes) computed with `batch_params`; `narrowing` maps a parameter to the (table,
    column) it filters on read, so one stored run answers every value of it at or above the stored one
    (rows whose column is missing or above the value); such a table lists the rows missing that
    column first, then by it descending, so that every value keeps a prefix of the stored rows and
    a page reads only the rows it shows. `display` parameters only pick what is shown (a
    row count, a filter), never what is stored.
    """

    name: str
    help: str
    params: tuple[Param, ...]
    tables: tuple[Table, ...]
    compute: Callable[..., AnalysisResult]
    projection: Projection | None = None
    query: str | None = None
    scores: tuple[str, ...] = ()
    internal: tuple[str, ...] = ()
    stores_tables: bool = False
    batch_params: Mapping[str, Any] = field(default_factory=dict)
    narrowing: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    display: tuple[str, ...] = ()
    compact: Callable[..., AnalysisResult] | None = None

    def shaping(self) -> list[Param]:
        """The parameters that shape what is stored (not display, not narrowing)."""
        return [p for p in self.params if p.name not in self.display and p.name not in self.narrowing]

    def narrow(
        self, tables: dict[str, pd.DataFrame], arguments: Mapping[str, Any]
    ) -> dict[str, pd.DataFrame]:
        """`tables` with each narrowing parameter applied, as a stored run is read back."""
        narrowed = dict(tables)
        for name, (table, column) in self.narrowing.items():
            if table in narrowed and arguments.get(name) is not None:
                frame = narrowed[table]
                keep = frame[column].isna() | (frame[column] > arguments[name])
                narrowed[table] = frame[keep].reset_index(drop=True)
        return narrowed

    def __post_init__(self) -> None:
        if (self.projection is None) == (self.query is None):
            raise ValueError(f"{self.name}: declare either a projection or a query")
        unknown = [s for s in self.scores if s not in model.SCORES]
        if unknown:
            raise ValueError(f"{self.name}: scores not registered in model.SCORES: {', '.join(unknown)}")

    def arguments(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value: `given` (checked against its bounds) or the default.

        Raises AnalysisInputError for an unknown parameter or a missing required one.
        """
        names = {p.name for p in self.params}
        unknown = sorted(set(given) - names - set(self.internal))
        if unknown:
            raise AnalysisInputError(
                f"The {self.name} analysis has no parameter {unknown[0]!r}; "
                f"it takes {', '.join(sorted(names))}."
            )
        values = {k: v for k, v in given.items() if k in self.internal}
        for p in self.params:
            value = given.get(p.name, p.default)
            if value is None and p.required:
                raise AnalysisInputError(f"The {self.name} analysis needs {p.option} ({p.doc}).")
            values[p.name] = p.check(value)
        return values

    def param(self, name: str) -> Param:
        """The declared parameter `name` (a KeyError is a bug in the caller)."""
        return next(p for p in self.params if p.name == name)

    def table(self, name: str) -> Table:
        """The declared table `name`; AnalysisInputError names the tables there are."""
        for table in self.tables:
            if table.name == name:
                return table
        names = ", ".join(t.name for t in self.tables)
        raise AnalysisInputError(f"The {self.name} analysis has no table {name!r}; it has {names}.")
