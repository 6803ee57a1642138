"""The `graphcrm` command line: one sub-command module per command in `graphcrm.commands`.

Errors a user can act on (bad input, an unreachable database, a refused query) are printed as one
sentence on stderr with a non-zero exit; a traceback would be a bug.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from graphcrm import __version__
from graphcrm.commands import COMMANDS
from graphcrm.errors import GraphCRMError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="graphcrm",
        description="Relationship graph and referral explorer for CRM, on Neo4j.",
    )
    parser.add_argument("--version", action="version", version=f"graphcrm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    # The driver logs each retry as a warning; the user gets one sentence from the error instead.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args) or 0)
    except GraphCRMError as err:
        print(f"graphcrm: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("graphcrm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
