"""`graphcrm load DIR [--wipe]` and `graphcrm generate OUT_DIR --customers N --seed S`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from graphcrm import settings
from graphcrm.db import Graph
from graphcrm.errors import InputError
from graphcrm.ingest.loader import load_directory, terminal_progress
from graphcrm.ingest.validate import ValidationFailed


def register(sub: argparse._SubParsersAction) -> None:
    load = sub.add_parser("load", help="validate a data directory and import it into Neo4j")
    load.add_argument("directory", type=Path)
    load.add_argument(
        "--wipe",
        action="store_true",
        help="replace the whole graph (managed server only; the old graph comes back if the load fails)",
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
    load.set_defaults(handler=run_load)
    gen = sub.add_parser("generate", help="write a realistic synthetic data set in the import format")
    gen.add_argument("out_dir", type=Path)
    gen.add_argument("--customers", type=int, required=True, help="number of customers")
    gen.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    gen.set_defaults(handler=run_generate)


def run_load(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1.")
    try:
        summary = load_directory(
            Graph(),
            args.directory,
            wipe_first=args.wipe,
            transactional=args.transactional,
            batch_size=args.batch_size,
            progress=terminal_progress,
        )
    except ValidationFailed as failed:
        for issue in failed.issues:
            print(issue, file=sys.stderr)
        if failed.total > len(failed.issues):
            print(f"... and {failed.total - len(failed.issues)} more", file=sys.stderr)
        raise InputError(f"{failed.total} error(s) in {args.directory}; nothing was loaded.") from None
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


def run_generate(args: argparse.Namespace) -> int:
    from graphcrm.ingest.generate import generate

    if args.customers < 1:
        raise InputError("--customers must be at least 1.")
    started = time.perf_counter()
    counts = generate(args.out_dir, customers=args.customers, seed=args.seed)
    print(f"Wrote {args.out_dir} in {time.perf_counter() - started:.1f}s:")
    for name, count in counts.items():
        print(f"  {name:<20} {count:>10,}")
    return 0
