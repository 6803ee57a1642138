"""`graphcrm analyze NAME [options] [--format table|csv|json] [--write] [--quiet]`: relationship
analytics (influencers, referral cascades, communities, warm introductions, account coverage,
partnerships, referral rings, lifecycle funnel), and `analyze all` to store every node score."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from graphcrm.analytics import run as analytics
from graphcrm.analytics.registry import ANALYSES
from graphcrm.analytics.spec import AnalysisResult, Param
from graphcrm.db import Graph
from graphcrm.errors import AnalysisInputError, EngineUnavailable, InputError
from graphcrm.export import frame_csv

FORMATS = ("table", "csv", "json")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "analyze", help="relationship analytics (influencers, intro paths, coverage, ...)"
    )
    names = parser.add_subparsers(dest="analysis", required=True, metavar="ANALYSIS")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    common.add_argument(
        "--table", help="print only this table (csv of a result with several tables needs it)"
    )
    common.add_argument("--out", type=Path, metavar="DIR", help="write every table as DIR/TABLE.csv instead")
    common.add_argument("--quiet", action="store_true", help="print no timing or as-of line")
    common.add_argument("--fresh", action="store_true", help="recompute even when the batch stored a result")
    for spec in ANALYSES.values():
        tables = ", ".join(t.name for t in spec.tables)
        p = names.add_parser(
            spec.name, help=spec.help, description=f"{spec.help}. Tables: {tables}.", parents=[common]
        )
        for param in spec.params:
            p.add_argument(
                param.option,
                dest=param.name,
                type=_parser(param),
                default=param.default,
                required=param.required,
                metavar=param.name.upper() if param.kind != "moment" else "DATE",
                help=param.doc + ("" if param.default is None else f" (default {param.default})"),
            )
        if spec.scores:
            p.add_argument(
                "--write", action="store_true", help=f"store node properties: {', '.join(spec.scores)}"
            )
    everything = names.add_parser(
        "all", help="the batch: compute and store every node score", parents=[common]
    )
    everything.add_argument("--write", action="store_true", help="accepted for clarity: `all` always writes")
    everything.add_argument("--seed", type=int, default=7, help="seed for Louvain and sampling (default 7)")
    everything.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local: NetworkX/igraph on a projection of Neo4j; spark: influencers, communities and "
        "rings on Apache Spark from --input (default local)",
    )
    everything.add_argument(
        "--input",
        type=Path,
        metavar="DIR",
        help="import directory the Spark engine reads (required with spark)",
    )
    everything.add_argument(
        "--master",
        default="local[2]",
        help="Spark master: local[N], spark://HOST:PORT, yarn (default local[2])",
    )
    parser.set_defaults(handler=run)


def _parser(param: Param) -> Callable[[str], Any]:
    """An argparse type for `param`: its own parsing, with the message argparse prints."""

    def parse(text: str) -> Any:
        try:
            return param.parse(text)
        except AnalysisInputError as err:
            raise argparse.ArgumentTypeError(str(err).removeprefix(f"{param.option}: ")) from None

    return parse


def _params(args: argparse.Namespace) -> dict[str, Any]:
    return {p.name: getattr(args, p.name) for p in ANALYSES[args.analysis].params}


def run(args: argparse.Namespace) -> int:
    graph = Graph()
    if args.analysis == "all":
        if args.table or args.out or args.format != "table":
            raise InputError("analyze all stores its results and prints none; read them with analyze NAME.")
        if args.engine == "spark":
            return _run_spark(graph, args)
        if args.input is not None:
            raise InputError("--input is read by the Spark engine only; add --engine spark.")
        for name, result in analytics.write_all(
            graph, seed=args.seed, started_by="graphcrm analyze all"
        ).items():
            if not args.quiet:
                props = ", ".join(ANALYSES[name].scores) or "its tables"
                print(f"{name}: stored {props} ({result.written:,} nodes; {_timing(result)})")
        return 0
    spec = ANALYSES[args.analysis]
    if args.table is not None:
        spec.table(args.table)
    stored = None
    if not (args.fresh or getattr(args, "write", False)):
        stored = analytics.stored_result(graph, spec.name, **_params(args))
    if stored is not None:
        result = AnalysisResult(spec.name, stored.tables, stored)
        if not args.quiet:
            print(f"{stored.run.as_of()} (--fresh recomputes)", file=sys.stderr)
    else:
        write = getattr(args, "write", False)
        result = analytics.run_analysis(
            graph, spec.name, write=write, started_by="graphcrm analyze", **_params(args)
        )
    if result.caveat:
        print(result.caveat, file=sys.stderr)
    tables = _chosen(result, args.table)
    if args.out is not None:
        _write_files(tables, args.out)
    elif args.format == "json":
        payload = {k: _records(v) for k, v in tables.items()}
        json.dump(payload if args.table is None else payload[args.table], sys.stdout, indent=2, default=str)
        print()
    elif args.format == "csv":
        if len(tables) > 1:
            raise InputError(
                f"The {spec.name} analysis has {len(tables)} tables ({', '.join(tables)}); "
                "choose one with --table NAME, or write them all with --out DIR."
            )
        sys.stdout.write(frame_csv(next(iter(tables.values()))))
    elif args.analysis == "intro" and args.table is None:
        print(_intro_text(result))
    else:
        _print_tables(tables)
    if not args.quiet and stored is None:
        written = f"; wrote {result.written:,} nodes" if result.written else ""
        print(f"{args.analysis}: {_timing(result)}{written}", file=sys.stderr)
    return 0


def _run_spark(graph: Graph, args: argparse.Namespace) -> int:
    """`analyze all --engine spark`: the Spark batch from the import directory `--input`."""
    if args.input is None:
        raise InputError("--engine spark reads the import directory itself: add --input DIR.")
    from graphcrm.spark.session import check_master

    check_master(args.master)
    try:
        from graphcrm.spark import engine
    except ImportError:
        needs = "The Spark engine needs pyspark 3.5: pip install 'graphcrm[spark]'."
        raise EngineUnavailable(needs) from None

    found = engine.write_all(
        graph, args.input, master=args.master, seed=args.seed, started_by="graphcrm analyze all"
    )
    if not args.quiet:
        for name, result in found.items():
            props = ", ".join(ANALYSES[name].scores)
            print(f"{name}: stored {props} ({result.written:,} nodes; Spark {result.seconds:.2f}s)")
    return 0


def _chosen(result: AnalysisResult, table: str | None) -> dict[str, pd.DataFrame]:
    if table is None:
        return result.tables
    if table not in result.tables:
        raise InputError(
            f"The {result.name} analysis has no table {table!r} for these options; "
            f"it has {', '.join(result.tables)}."
        )
    return {table: result.tables[table]}


def _write_files(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """Each table as `folder/NAME.csv`; the folder is created, existing files are replaced."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            (folder / f"{name}.csv").write_text(frame_csv(frame), encoding="utf-8", newline="")
    except OSError as err:
        raise InputError(f"Cannot write the tables to {folder}: {err.strerror}.") from None
    print(f"Wrote {', '.join(f'{name}.csv' for name in tables)} to {folder}.", file=sys.stderr)


def _timing(result: AnalysisResult) -> str:
    text = (
        f"{result.nodes:,} nodes, {result.edges:,} relationships; "
        f"projection {result.projection_seconds:.2f}s, computation {result.compute_seconds:.2f}s"
    )
    return text + (f", write-back {result.write_seconds:.2f}s" if result.written else "")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if value is pd.NaT:
        return None
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (date, datetime)):
        value = item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _print_tables(tables: dict[str, pd.DataFrame]) -> None:
    several = len(tables) > 1
    with pd.option_context("display.width", 200, "display.max_colwidth", 120, "display.max_rows", None):
        for number, (name, frame) in enumerate(tables.items()):
            if several:
                print(("\n" if number else "") + f"== {name} ({len(frame)} rows) ==")
            print(frame.to_string(index=False, float_format=_number) if len(frame) else "(none)")


def _number(value: float) -> str:
    """Money-sized numbers with thousands separators and cents; scores with four decimals."""
    return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4f}"


def _intro_text(result: AnalysisResult) -> str:
    lines = []
    for number, path in enumerate(result.value, start=1):
        lines.append(f"Path {number}: strength {path.strength:.3f}, {len(path.hops)} hops")
        lines.extend(
            f"  {step}. [{hop.kind} {hop.strength:.2f}] {hop.reason}" for step, hop in enumerate(path.hops, 1)
        )
    return "\n".join(lines)
