"""`graphcrm load DIR [--wipe | --sync] [--mapping M]` and `graphcrm generate OUT_DIR --customers N
--seed S [--format F]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from graphcrm import settings
from graphcrm.db import Graph
from graphcrm.errors import InputError
from graphcrm.ingest import mapping
from graphcrm.ingest.crm_exports import FORMATS, generate_export
from graphcrm.ingest.loader import load_directory, terminal_progress
from graphcrm.ingest.mapped import load_export, sync_export
from graphcrm.ingest.sync import SyncReport, sync_directory
from graphcrm.ingest.validate import ValidationFailed


def register(sub: argparse._SubParsersAction) -> None:
    load = sub.add_parser("load", help="validate a data directory and import it into Neo4j")
    load.add_argument("directory", type=Path)
    mode = load.add_mutually_exclusive_group()
    mode.add_argument(
        "--wipe",
        action="store_true",
        help="replace the whole graph (managed server only; the old graph comes back if the load fails)",
    )
    mode.add_argument(
        "--sync",
        action="store_true",
        help="make the graph equal to the export: add, update and remove records (scores, stored "
        "results and the suppression list are kept); all or nothing",
    )
    load.add_argument(
        "--transactional",
        action="store_true",
        help="write through Cypher transactions even into the managed server's empty database "
        "(which otherwise gets neo4j-admin's faster offline import, restarting the server)",
    )
    batch = settings.value("load_batch_size")
    load.add_argument(
        "--batch-size",
        type=int,
        default=batch,
        help=f"rows per transaction (default {batch}, GRAPHCRM_LOAD_BATCH_SIZE)",
    )
    load.add_argument(
        "--mapping",
        metavar="hubspot|salesforce|FILE",
        help="read DIR as a CRM export through a mapping (built-in, or a TOML mapping file)",
    )
    load.set_defaults(handler=run_load)
    gen = sub.add_parser("generate", help="write a realistic synthetic data set in the import format")
    gen.add_argument("out_dir", type=Path)
    gen.add_argument("--customers", type=int, required=True, help="number of customers")
    gen.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    gen.add_argument(
        "--format",
        choices=FORMATS,
        default="native",
        help="native import files (default), or the same graph as a HubSpot or Salesforce export",
    )
    gen.set_defaults(handler=run_generate)


def run_load(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1.")
    options = {"wipe_first": args.wipe, "batch_size": args.batch_size, "progress": terminal_progress}
    try:
        if args.sync:
            sync_options = {"batch_size": args.batch_size, "progress": terminal_progress}
            if args.mapping:
                report = sync_export(
                    Graph(), mapping.load(args.mapping), args.directory, warn=_warn, **sync_options
                )
            else:
                report = sync_directory(Graph(), args.directory, **sync_options)
            print_sync_report(args.directory, report)
            return 0
        if args.mapping:
            summary = load_export(Graph(), mapping.load(args.mapping), args.directory, warn=_warn, **options)
        else:
            summary = load_directory(Graph(), args.directory, transactional=args.transactional, **options)
    except ValidationFailed as failed:
        for issue in failed.issues:
            print(issue, file=sys.stderr)
        if failed.total > len(failed.issues):
            print(f"... and {failed.total - len(failed.issues)} more", file=sys.stderr)
        raise InputError(f"{failed.total} error(s) in {args.directory}; nothing was loaded.") from None
    if summary.withheld:
        print(summary.withheld.sentence(), file=sys.stderr)
    how = " by offline import" if summary.offline else ""
    print(
        f"Loaded {args.directory}{how}: {summary.rows:,} rows in {summary.write_seconds:.1f}s "
        f"({summary.rows_per_second:,.0f} rows/s; validation {summary.validate_seconds:.1f}s)."
    )
    for label, count in summary.nodes.items():
        print(f"  {label:<14} {count:>10,}")
    for rel_type, count in sorted(summary.relationships.items()):
        print(f"  {rel_type:<14} {count:>10,}")
    return 0


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def print_sync_report(directory: Path, report: SyncReport) -> None:
    """What the sync changed, per label and per relationship type (a line for each)."""
    if report.withheld:
        print(report.withheld.sentence(), file=sys.stderr)
    if report.unchanged:
        print(f"Synced {directory}: the graph already equals it; nothing changed.")
        return
    print(
        f"Synced {directory} in {report.write_seconds:.1f}s (validation and comparison "
        f"{report.validate_seconds:.1f}s)."
    )
    print(f"  {'':<14} {'added':>10} {'changed':>10} {'removed':>10}")
    for name, changes in [*report.nodes.items(), *report.relationships.items()]:
        print(f"  {name:<14} {changes.added:>10,} {changes.changed:>10,} {changes.removed:>10,}")


def run_generate(args: argparse.Namespace) -> int:
    if args.customers < 1:
        raise InputError("--customers must be at least 1.")
    started = time.perf_counter()
    counts = generate_export(args.out_dir, args.format, customers=args.customers, seed=args.seed)
    print(f"Wrote {args.out_dir} in {time.perf_counter() - started:.1f}s:")
    for name, count in counts.items():
        print(f"  {name:<20} {count:>10,}")
    return 0
