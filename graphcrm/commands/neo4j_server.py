"""`graphcrm neo4j start|stop|status|env`: the local Neo4j server graphcrm manages."""

from __future__ import annotations

import argparse
import shlex

from graphcrm import server
from graphcrm.db import DatabaseError, Graph, Settings
from graphcrm.errors import ServerError

NOT_RUNNING = 3


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("neo4j", help="start, stop or inspect the local Neo4j server")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="build (first time) and start the server in the background")
    start.add_argument("--port", type=int, help="Bolt port on 127.0.0.1 (default 7687, or the last one used)")
    start.add_argument("--heap", help="JVM heap, e.g. 1g (default: GRAPHCRM_NEO4J_HEAP or 1g)")
    start.add_argument("--pagecache-mb", type=int, help="page cache in MiB (default 512)")
    for name, text in (
        ("stop", "shut the server down cleanly"),
        ("status", "say whether it runs, where, and its version (exit 3 when it does not run)"),
        ("env", "print export lines for NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD"),
    ):
        actions.add_parser(name, help=text)
    for action in actions.choices.values():
        action.add_argument("--home", help="state folder (default: GRAPHCRM_HOME or ./.graphcrm/neo4j)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    home = server.ServerHome.resolve(args.home)
    if args.action == "start":
        pid = server.running_pid(home)
        if pid is not None:
            print(f"Neo4j is already running at {server.info(home).uri} (pid {pid}).")
            return 0
        details = server.start(home, port=args.port, heap=args.heap, pagecache_mb=args.pagecache_mb)
        print(f"Neo4j {_version(details)} is running at {details.uri} (pid {details.pid}, home {home.root}).")
        return 0
    if args.action == "stop":
        print("Neo4j stopped." if server.stop(home) else "Neo4j was not running.")
        return 0
    if args.action == "status":
        details = server.info(home)
        if details.pid is None:
            print(f"Neo4j is not running (home {home.root}).")
            return NOT_RUNNING
        print(f"Neo4j {_version(details)} is running at {details.uri} (pid {details.pid}, home {home.root}).")
        return 0
    details = server.info(home)
    for key, value in (
        ("NEO4J_URI", details.uri),
        ("NEO4J_USERNAME", details.username),
        ("NEO4J_PASSWORD", details.password),
    ):
        print(f"export {key}={shlex.quote(value)}")
    return 0


def _version(details: server.ServerInfo) -> str:
    settings = Settings(details.uri, details.username, details.password, managed=True)
    try:
        rows = Graph(settings).read(
            "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition"
        )
    except DatabaseError as err:
        raise ServerError(f"The server process runs but does not answer: {err}") from err
    return f"{rows[0]['v']} {rows[0]['edition']}"
