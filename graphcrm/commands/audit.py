"""`graphcrm audit [--since DATE] [--user NAME] [--format table|csv|json]`: read the dashboard's
audit trail (sign-ins, revealed personal data, queries, exports, recomputes, denied actions)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from graphcrm import audit
from graphcrm.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("audit", help="show the dashboard's audit trail")
    parser.add_argument("--since", type=_moment, help="only records from this ISO date or time (UTC) on")
    parser.add_argument("--user", help="only this user's records")
    parser.add_argument("--format", choices=audit.FORMATS, default="table", help="output format")
    parser.add_argument(
        "--file",
        type=Path,
        help="the audit file (default: GRAPHCRM_AUDIT_FILE or audit.jsonl in the state folder)",
    )
    parser.set_defaults(handler=run)


def _moment(text: str) -> datetime | date:
    try:
        return datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date such as 2026-11-26") from err


def run(args: argparse.Namespace) -> int:
    path = args.file or audit.default_path()
    if not path.exists():
        raise InputError(
            f"There is no audit trail at {path} yet: the dashboard writes it when run with --auth."
        )
    print(audit.render(audit.read(path, since=args.since, user=args.user), args.format), end="")
    return 0
