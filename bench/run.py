"""Run the benchmark suite: `make bench SIZE=1000000` (python -m bench.run --size N).

At `--size` all benchmarks run, then at the growth sizes (default 10,000 and 100,000 customers)
the load and analytics benchmarks, so the results show how cost grows. At `--size`: load (graphcrm
vs LOAD CSV vs neo4j-admin import), projection (with and without the Rust extension), analytics
(with the igraph reference), the batch (before and after), dashboard latency and the pages (before
and after, one user and concurrent sessions); `--only spark` runs the batch on Spark vs the local
engine. Each benchmark appends its table to bench/RESULTS.md as it finishes, so a run that is cut
short keeps what it measured; a benchmark that fails is reported and the suite goes on (the exit
status is then 1).
"""

from __future__ import annotations

import argparse
import time
import traceback
from collections.abc import Callable

from bench import analyze, batch, dashboard, load, pages, project, spark
from bench.common import RESULTS, record

BENCHMARKS: tuple[str, ...] = ("load", "project", "analyze", "batch", "dashboard", "pages")
# Run only when named (`--only spark`): a Spark batch on 2 cores takes minutes even on tiny graphs.
OPTIONAL_BENCHMARKS: tuple[str, ...] = ("spark",)
GROWTH_BENCHMARKS: tuple[str, ...] = ("load", "analyze")


def plan(size: int, growth: list[int], only: list[str]) -> list[tuple[str, int]]:
    """(benchmark, size) pairs in run order: `size` first (the figures that matter most, kept
    even if a long run is cut short), then the growth sizes, smallest first."""
    steps = [(name, size) for name in (*BENCHMARKS, *OPTIONAL_BENCHMARKS) if name in only]
    return steps + [
        (name, g) for g in sorted(set(growth) - {size}) for name in GROWTH_BENCHMARKS if name in only
    ]


def run_step(name: str, size: int, seed: int, options: argparse.Namespace) -> None:
    """One benchmark at one size."""
    steps: dict[str, Callable[[], object]] = {
        "load": lambda: load.run(size, seed, import_tool=not options.skip_import_tool),
        "project": lambda: project.run(size, seed),
        "analyze": lambda: analyze.run(size, seed, timeout=options.timeout),
        "dashboard": lambda: dashboard.run(size, seed, repeats=options.repeats),
        "batch": lambda: batch.run(size, options.batch_before or None, timeout=options.timeout),
        "pages": lambda: pages.run(size, options.before or None, sessions=options.sessions),
        "spark": lambda: spark.run(size, seed, timeout=options.timeout),
    }
    steps[name]()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="customers at the main size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--growth",
        default="10000,100000",
        help="comma-separated extra sizes for load and analytics ('' for none)",
    )
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks to run")
    parser.add_argument("--repeats", type=int, default=15, help="runs per dashboard query")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions of the pages benchmark")
    parser.add_argument(
        "--before",
        default=pages.DEFAULT_BEFORE,
        help="earlier commit the pages benchmark compares ('' for none)",
    )
    parser.add_argument(
        "--batch-before",
        default=batch.DEFAULT_BEFORE,
        help="earlier commit the batch benchmark compares ('' for none)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per analysis")
    parser.add_argument("--skip-import-tool", action="store_true", help="leave out neo4j-admin import")
    args = parser.parse_args(argv)
    only = [x for x in args.only.split(",") if x]
    known = (*BENCHMARKS, *OPTIONAL_BENCHMARKS)
    unknown = sorted(set(only) - set(known))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    growth = [int(x) for x in args.growth.split(",") if x.strip()]

    failures: list[list[str]] = []
    timings: list[list[str]] = []
    for name, size in plan(args.size, growth, only):
        print(f"== {name} at {size:,} customers", flush=True)
        started = time.perf_counter()
        try:
            run_step(name, size, args.seed, args)
        except Exception as err:  # one failing benchmark must not stop the others
            traceback.print_exc()
            failures.append([name, f"{size:,}", f"{type(err).__name__}: {err}".replace("|", "/")[:300]])
        timings.append([name, f"{size:,}", f"{time.perf_counter() - started:.0f}"])
    record(
        f"Suite run, main size {args.size:,}",
        ["benchmark", "customers", "wall seconds (incl. data generation, server starts)"],
        timings,
        "Failures: " + "; ".join(" ".join(f) for f in failures) if failures else "All benchmarks completed.",
    )
    print(f"results appended to {RESULTS}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
