"""Warm intro benchmark: `around.intro_paths` (what the page and `graphcrm analyze intro` run) for
pairs picked as bench/pages.py picks its Warm intro pair, on the bench server of one size.

Usage: python -m bench.intro --size 1000000 [--pairs 12] [--tree DIR ...]

Pair i is an employee and a customer drawn from the first 500 of each by `random.Random(7 + i)`
after one partner draw, so pair 0 is the page benchmark's pair. Each `--tree` (default: this one)
is timed in its own process on the same running server, after one warm-up query; the figure is
the median and p95 of the pairs' wall-clock seconds, with each answer's proof and strengths
(or its error, e.g. NoPath).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, loaded_graph
from graphcrm.db import Graph
from graphcrm.errors import GraphCRMError


def pairs(graph: Graph, count: int) -> list[tuple[str, str]]:
    """`count` (employee, customer) pairs, the first one bench/pages.py's."""

    def first(label: str) -> list[str]:
        return [r["id"] for r in graph.read(f"MATCH (n:{label}) RETURN n.id AS id ORDER BY id LIMIT 500")]

    employees, customers, partners = first("Employee"), first("Customer"), first("Partner")
    chosen = []
    for seed in range(7, 7 + count):
        chooser = random.Random(seed)
        chooser.choice(partners)
        chosen.append((chooser.choice(employees), chooser.choice(customers)))
    return chosen


def time_pairs(graph: Graph, count: int) -> dict:
    """Each pair's seconds and answer with the `around` module this process imports."""
    from graphcrm import around

    chosen = pairs(graph, count)
    around.intro_paths(graph, *chosen[0])
    seconds, answers = [], []
    for source, target in chosen:
        started = time.perf_counter()
        try:
            found = around.intro_paths(graph, source, target)
            answers.append([found.proven, found.searched, [round(p.strength, 6) for p in found.result.value]])
        except GraphCRMError as err:
            answers.append(type(err).__name__)
        seconds.append(time.perf_counter() - started)
    ranked = sorted(seconds)
    return {
        "median_s": round(statistics.median(ranked), 3),
        "p95_s": round(ranked[round(0.95 * (len(ranked) - 1))], 3),
        "seconds": [round(s, 3) for s in seconds],
        "answers": answers,
        "pairs": chosen,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--pairs", type=int, default=12)
    parser.add_argument("--tree", type=Path, action="append", help="source tree to time (default: this)")
    parser.add_argument("--worker", action="store_true", help="time on the server NEO4J_URI names")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(time_pairs(Graph(), args.pairs)))
        return
    with loaded_graph(args.size) as bench:
        connection = bench.settings
        for tree in args.tree or [ROOT]:
            env = {
                **os.environ,
                "PYTHONPATH": f"{tree}{os.pathsep}{ROOT}",
                "NEO4J_URI": connection.uri,
                "NEO4J_USERNAME": connection.username,
                "NEO4J_PASSWORD": connection.password,
            }
            argv = [sys.executable, __file__, "--worker", "--size", str(args.size), "--pairs"]
            done = subprocess.run([*argv, str(args.pairs)], env=env, capture_output=True, text=True)
            if done.returncode:
                sys.exit(done.stderr)
            print(json.dumps({"tree": str(tree), "size": args.size, **json.loads(done.stdout)}), flush=True)


if __name__ == "__main__":
    main()
