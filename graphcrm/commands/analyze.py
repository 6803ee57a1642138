"""`graphcrm analyze NAME [options] [--format table|csv|json] [--write] [--quiet]`: relationship
analytics (influencers, referral cascades, communities, warm introductions, account coverage,
partnerships, referral rings, lifecycle funnel), and `analyze all` to store every node score."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date, datetime
from typing import Any

import pandas as pd

from graphcrm.analytics import run as analytics
from graphcrm.db import Graph
from graphcrm.errors import InputError

FORMATS = ("table", "csv", "json")
HELP = {
    "influencers": "customers and partners ranked by how much of the network they move",
    "referrals": "referral cascades per root, k-factor, conversion by channel and month",
    "communities": "Louvain communities of customers, with top influencer, stage, city, value",
    "intro": "warm introduction paths from one node to another",
    "coverage": "unmanaged and double-managed accounts, manager load, stale and at-risk accounts",
    "partners": "partner reach, referral results, overlap and candidate company links",
    "rings": "referral circles and referral bursts inside a company or household",
    "funnel": "counts and value per lifecycle stage",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "analyze", help="relationship analytics (influencers, intro paths, coverage, ...)"
    )
    names = parser.add_subparsers(dest="analysis", required=True, metavar="ANALYSIS")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    common.add_argument(
        "--table", help="with several tables: print only this one (csv prints the first by default)"
    )
    common.add_argument("--quiet", action="store_true", help="print no timing line")
    parsers = {name: names.add_parser(name, help=text, parents=[common]) for name, text in HELP.items()}
    for name in analytics.SCORE_PROPERTIES:
        props = ", ".join(analytics.SCORE_PROPERTIES[name])
        parsers[name].add_argument("--write", action="store_true", help=f"store node properties: {props}")

    p = parsers["influencers"]
    p.add_argument("--top", type=_positive, default=20, help="rows to show (default 20)")
    p.add_argument("--partner", help="only people and accounts in this partner's reach")
    p.add_argument(
        "--samples", type=_positive, help="betweenness sample size for large graphs (default: by graph size)"
    )
    p.add_argument("--seed", type=int, default=7, help="seed for sampled betweenness (default 7)")
    p = parsers["referrals"]
    p.add_argument("--root", help="also show the cascade tree below this id")
    p.add_argument("--top", type=_positive, default=20, help="cascades to show (default 20)")
    p = parsers["communities"]
    p.add_argument("--seed", type=int, default=7, help="Louvain seed (default 7)")
    p.add_argument("--resolution", type=float, default=1.0, help="above 1: smaller communities (default 1)")
    p.add_argument("--min-size", type=_positive, default=2, help="smallest community listed (default 2)")
    p = parsers["intro"]
    p.add_argument("--from", dest="source", required=True, metavar="ID", help="who makes the approach")
    p.add_argument("--to", dest="target", required=True, metavar="ID", help="who to reach")
    p.add_argument("--k", type=_positive, default=3, help="number of paths (default 3)")
    p.add_argument("--as-of", type=_moment, help="judge tie recency as of this date (default: latest touch)")
    p = parsers["coverage"]
    p.add_argument("--as-of", type=_moment, help="judge staleness as of this date (default: latest touch)")
    p.add_argument("--stale-days", type=_positive, default=90, help="no touch point for this long is stale")
    p.add_argument("--top-influencers", type=_positive, default=50, help="influencers checked for coverage")
    p = parsers["partners"]
    p.add_argument("--top", type=_positive, default=20, help="candidate links to show (default 20)")
    p = parsers["rings"]
    p.add_argument("--window-days", type=_positive, default=30, help="burst window in days (default 30)")
    p.add_argument(
        "--min-burst", type=_positive, default=3, help="referrals in a window that flag it (default 3)"
    )
    p = parsers["funnel"]
    p.add_argument("--by", dest="segment", help="split by this node property, e.g. size, industry, city")
    everything = names.add_parser("all", help="compute and store every node score", parents=[common])
    everything.add_argument("--write", action="store_true", help="accepted for clarity: `all` always writes")
    everything.add_argument("--seed", type=int, default=7, help="seed for Louvain and sampling (default 7)")
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _moment(text: str) -> datetime | date:
    try:
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date such as 2026-10-01") from None


def _params(args: argparse.Namespace) -> dict[str, Any]:
    name = args.analysis
    if name == "influencers":
        params = {"top": args.top, "partner": args.partner, "seed": args.seed}
        if args.samples:
            params["betweenness_samples"] = args.samples
        return params
    keys = {
        "referrals": ("root", "top"),
        "communities": ("seed", "resolution", "min_size"),
        "intro": ("source", "target", "k", "as_of"),
        "coverage": ("as_of", "stale_days", "top_influencers"),
        "partners": (),
        "rings": ("window_days", "min_burst"),
        "funnel": ("segment",),
    }[name]
    params = {key: getattr(args, key) for key in keys}
    if name == "partners":
        params["top_candidates"] = args.top
    return params


def run(args: argparse.Namespace) -> int:
    graph = Graph()
    if args.analysis == "all":
        results = analytics.write_all(graph, seed=args.seed)
    else:
        result = analytics.run_analysis(
            graph, args.analysis, write=getattr(args, "write", False), **_params(args)
        )
        results = {args.analysis: result}
    if args.analysis == "all":
        if not args.quiet:
            for name, result in results.items():
                props = ", ".join(analytics.SCORE_PROPERTIES[name])
                print(f"{name}: wrote {props} on {result.written:,} nodes ({_timing(result)})")
        return 0
    result = results[args.analysis]
    tables = _chosen(result, args.table)
    if args.format == "json":
        payload = {k: _records(v) for k, v in tables.items()}
        json.dump(payload if args.table is None else payload[args.table], sys.stdout, indent=2, default=str)
        print()
    elif args.format == "csv":
        next(iter(tables.values())).to_csv(sys.stdout, index=False)
    elif args.analysis == "intro" and args.table is None:
        print(_intro_text(result))
    else:
        _print_tables(tables)
    if not args.quiet:
        written = f"; wrote {result.written:,} nodes" if result.written else ""
        print(f"{args.analysis}: {_timing(result)}{written}", file=sys.stderr)
    return 0


def _chosen(result: analytics.AnalysisResult, table: str | None) -> dict[str, pd.DataFrame]:
    if table is None:
        return result.tables
    if table not in result.tables:
        raise InputError(
            f"The {result.name} analysis has no table {table!r}; it has {', '.join(result.tables)}."
        )
    return {table: result.tables[table]}


def _timing(result: analytics.AnalysisResult) -> str:
    text = (
        f"{result.nodes:,} nodes, {result.edges:,} relationships; "
        f"projection {result.projection_seconds:.2f}s, computation {result.compute_seconds:.2f}s"
    )
    return text + (f", write-back {result.write_seconds:.2f}s" if result.written else "")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (date, datetime)):
        value = item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is pd.NaT:
        return None
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


def _intro_text(result: analytics.AnalysisResult) -> str:
    lines = []
    for number, path in enumerate(result.value, start=1):
        lines.append(f"Path {number}: strength {path.strength:.3f}, {len(path.hops)} hops")
        lines.extend(
            f"  {step}. [{hop.kind} {hop.strength:.2f}] {hop.reason}" for step, hop in enumerate(path.hops, 1)
        )
    return "\n".join(lines)
