"""`graphcrm query NAME [-p key=value ...]`, `graphcrm query --list` and `graphcrm cypher "QUERY"`:
the analysts' canned and ad-hoc Cypher, run read-only with a time limit and a row cap."""

from __future__ import annotations

import argparse
import sys

from graphcrm import console, queries, settings
from graphcrm.db import Graph
from graphcrm.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    query = sub.add_parser(
        "query",
        help="run a canned query from the library in cypher/ (--list shows them)",
        description="Run a canned, documented query read-only. `graphcrm query --list` shows every query "
        "with its parameters.",
    )
    query.add_argument("name", nargs="?", help="the query's name (see --list)")
    query.add_argument("--list", action="store_true", help="list the canned queries and their parameters")
    query.add_argument("--show", action="store_true", help="print the query's Cypher instead of running it")
    _common(query)
    query.set_defaults(handler=run_query)
    cypher = sub.add_parser(
        "cypher",
        help="run an ad-hoc read-only Cypher query",
        description="Run one read-only Cypher query. Writes, schema and admin commands, LOAD CSV and "
        "procedures outside a short allow-list are refused.",
    )
    cypher.add_argument("text", metavar="QUERY", help="the Cypher text, or - to read it from stdin")
    _common(cypher)
    cypher.set_defaults(handler=run_cypher)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help='a query parameter, e.g. -p limit=10, -p name=Ada, -p \'ids=["C1","C2"]\' (repeatable)',
    )
    parser.add_argument(
        "--format", choices=console.FORMATS, default="table", help="output format (default table)"
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=int(settings.value("query_max_rows")),
        help=f"row cap, 1 to {console.MAX_ROWS} (default {console.DEFAULT_MAX_ROWS})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(settings.value("query_timeout")),
        help=f"time limit in seconds, more than 0 and at most {console.MAX_TIMEOUT:g} (default %(default)s)",
    )
    parser.add_argument(
        "--personal",
        action="store_true",
        help="turn personal data on: email and phone unmasked, and queries that read them allowed "
        "(if your policy allows)",
    )


def run_query(args: argparse.Namespace) -> int:
    if args.list:
        print(library_listing())
        return 0
    if not args.name:
        raise InputError("Name a canned query (graphcrm query NAME) or list them with graphcrm query --list.")
    if args.show:
        print(console.canned(args.name).text)
        return 0
    console.check_limits(args.timeout, args.limit)
    raw = console.parse_assignments(args.param)
    console.bind(console.canned(args.name), raw)
    result = console.run_canned(
        _connected(), args.name, raw, timeout=args.timeout, max_rows=args.limit, personal=args.personal
    )
    return _print(result, args.format)


def run_cypher(args: argparse.Namespace) -> int:
    console.check_limits(args.timeout, args.limit)
    text = sys.stdin.read() if args.text == "-" else args.text
    params = {k: console.infer_value(v) for k, v in console.parse_assignments(args.param).items()}
    result = console.run_query(
        _connected(), text, params, timeout=args.timeout, max_rows=args.limit, personal=args.personal
    )
    return _print(result, args.format)


def _connected() -> Graph:
    """The database, checked up front so that an unreachable server fails in one sentence at once."""
    graph = Graph()
    graph.verify()
    return graph


def _print(result: console.QueryResult, fmt: str) -> int:
    print(console.render(result, fmt))
    if fmt == "table":
        print(console.summary_line(result))
    elif result.truncated:
        print(f"graphcrm: {console.summary_line(result)}", file=sys.stderr)
    return 0


def library_listing() -> str:
    """Every canned query: name, description, the question it answers, and its parameters."""
    blocks = []
    for query in queries.library().values():
        lines = [query.name, f"    {query.description}"]
        if query.question:
            lines.append(f"    Answers: {query.question}")
        for param in query.params:
            default = "required" if param.required else f"default {param.default}"
            doc = f" -- {param.doc}" if param.doc else ""
            lines.append(f"    -p {param.name}=<{param.type}>  ({default}){doc}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
