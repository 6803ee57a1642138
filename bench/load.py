"""Load benchmark: `graphcrm load` vs Neo4j's own LOAD CSV and the offline importer, on the same
files and an empty database each.

Usage: python -m bench.load --size 100000 [--skip-import-tool]
- graphcrm: `graphcrm.ingest.loader.load_directory` as `graphcrm load --transactional` runs it
  (validation, schema, fresh-database CREATE path); nodes and relationships timed apart from its
  progress ticks. Its store is kept as the data set's graph for the other benchmarks
  (`common.loaded_graph`).
- graphcrm offline: `load_directory` as `graphcrm load` runs it into the managed server's empty
  database (validation, neo4j-admin offline import, restart, schema), end to end.
- LOAD CSV: the statements of `bench/load_csv_*.cypher`, run by the server itself, after the same
  constraints and indexes (`cypher/schema.cypher`).
- neo4j-admin database import full: the offline importer from the `neo4j-import-tool` artifact the
  server's Maven module already resolves, run on copies of the files with typed import headers;
  then the same constraints and indexes are created (timed apart: it builds no schema itself).
Figures are rows per second of wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from dataclasses import replace
from itertools import product
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH,
    LOADED_MARK,
    OUT,
    ROOT,
    dataset,
    dedicated_server,
    rate,
    record,
    timed,
)
from graphcrm import model, queries, server
from graphcrm.db import Graph
from graphcrm.ingest.loader import apply_schema, load_directory

TARGET_SPEEDUP = 1.5
TARGET_OFFLINE_SPEEDUP = 3.0
_IMPORT_TYPES = {
    model.Kind.STRING: "",
    model.Kind.INTEGER: ":long",
    model.Kind.FLOAT: ":float",
    model.Kind.BOOLEAN: ":boolean",
    model.Kind.DATE: ":date",
    model.Kind.DATETIME: ":datetime",
}


def counts(graph: Graph) -> tuple[int, int]:
    """The model's nodes and all relationships in the database (count store; graphcrm's own
    bookkeeping nodes, such as the GraphState marker, are not the data)."""
    template = queries.internal("label_count")
    nodes = sum(graph.read(template.render(label=label))[0]["count"] for label in model.LABELS)
    rels = graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return nodes, rels


def graphcrm_load(size: int, seed: int, batch_size: int) -> dict[str, Any]:
    """`load_directory` into an empty database; the store is kept for the other benchmarks."""
    directory = dataset(size, seed)
    name = f"graph-{size}-{seed}"
    shutil.rmtree(OUT / f"neo4j-{name}", ignore_errors=True)
    ticks: list[tuple[int, float]] = []

    def progress(total: int) -> Any:
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            ticks.append((done, time.perf_counter()))

        return tick

    with dedicated_server(name, keep_store=True) as bench:
        started = time.perf_counter()
        summary = load_directory(
            bench.graph, directory, transactional=True, batch_size=batch_size, progress=progress
        )
        ended = time.perf_counter()
        got = counts(bench.graph)
        (bench.home.root / LOADED_MARK).write_text(
            json.dumps({"rows": summary.rows, "seconds": summary.write_seconds})
        )
    node_rows = sum(summary.nodes.values())
    write_began = ended - summary.write_seconds
    nodes_done = next((t for done, t in ticks if done >= node_rows), write_began)
    return {
        "validate": summary.validate_seconds,
        "nodes": nodes_done - write_began,
        "relationships": ended - nodes_done,
        "total": ended - started,
        "node_rows": node_rows,
        "rel_rows": sum(summary.relationships.values()),
        "counts": got,
    }


def graphcrm_offline(size: int, seed: int) -> dict[str, Any]:
    """`load_directory` into a managed server's empty database: the offline import path."""
    directory = dataset(size, seed)
    with dedicated_server(f"offline-{size}") as bench:
        graph = Graph(replace(bench.graph.settings, managed=True, home=bench.home.root))
        started = time.perf_counter()
        summary = load_directory(graph, directory)
        ended = time.perf_counter()
        got = counts(graph)
    if not summary.offline:
        raise RuntimeError("the load did not take the offline import path")
    return {
        "validate": summary.validate_seconds,
        "import": summary.write_seconds,
        "total": ended - started,
        "counts": got,
    }


def load_csv(size: int, seed: int) -> dict[str, Any]:
    """The reference: LOAD CSV statements of bench/*.cypher, run by the server itself."""
    directory = dataset(size, seed)
    with dedicated_server(f"loadcsv-{size}", import_dir=directory) as bench:
        graph = bench.graph
        with timed() as schema:
            apply_schema(graph)
        nodes_file = queries.parse(BENCH / "load_csv_reference.cypher")
        with timed() as nodes:
            for statement in nodes_file.statements():
                graph.run_autocommit(statement)
        relationship = queries.parse(BENCH / "load_csv_relationship.cypher")
        interaction = queries.parse(BENCH / "load_csv_interaction.cypher")
        with timed() as rels:
            for rel_type in model.CSV_REL_TYPES:
                spec = model.REL_TYPES[rel_type]
                for source, target in product(spec.sources, spec.targets):
                    cypher = relationship.render(source=source, target=target, type=rel_type)
                    graph.run_autocommit(cypher, {"type": rel_type})
            for target in model.REL_TYPES[model.INTERACTED].targets:
                graph.run_autocommit(interaction.render(target=target))
        got = counts(graph)
    return {
        "schema": schema["seconds"],
        "nodes": nodes["seconds"],
        "relationships": rels["seconds"],
        "total": schema["seconds"] + nodes["seconds"] + rels["seconds"],
        "counts": got,
    }


def _import_header(columns: list[str], props: dict[str, model.Prop], special: dict[str, str]) -> str:
    typed = []
    for column in columns:
        if column in special:
            typed.append(special[column])
        elif column in props:
            typed.append(column + _IMPORT_TYPES[props[column].kind])
        else:
            typed.append(column)
    return ",".join(typed)


def import_files(directory: Path, target: Path) -> list[str]:
    """Header files and header-less copies of the data set's CSVs; the importer's arguments."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    args: list[str] = []

    def split(name: str, header: str) -> str:
        head, body = target / f"{name}.header.csv", target / f"{name}.body.csv"
        head.write_text(header + "\n")
        with (directory / name).open("rb") as source, body.open("wb") as sink:
            source.readline()
            shutil.copyfileobj(source, sink, 16 * 2**20)
        return f"{head},{body}"

    def columns(name: str) -> list[str]:
        with (directory / name).open(encoding="utf-8") as handle:
            return handle.readline().strip().split(",")

    for label, spec in model.NODE_TYPES.items():
        header = _import_header(columns(spec.file), spec.props, {"id": "id:ID"})
        args.append(f"--nodes={label}={split(spec.file, header)}")
    special = {"source": ":START_ID", "target": ":END_ID", "type": ":TYPE"}
    header = _import_header(columns(model.RELATIONSHIPS_FILE), model.RELATIONSHIP_PROPS, special)
    args.append(f"--relationships={split(model.RELATIONSHIPS_FILE, header)}")
    interacted = model.REL_TYPES[model.INTERACTED].props
    special = {"employee": ":START_ID", "party": ":END_ID"}
    header = _import_header(columns(model.INTERACTIONS_FILE), interacted, special)
    args.append(f"--relationships={model.INTERACTED}={split(model.INTERACTIONS_FILE, header)}")
    return args


def admin_import(size: int, seed: int) -> dict[str, Any]:
    """`neo4j-admin database import full` into an empty store, then the schema on a started server."""
    directory = dataset(size, seed)
    name = f"import-{size}"
    home = server.ServerHome(OUT / f"neo4j-{name}")
    shutil.rmtree(home.root, ignore_errors=True)
    with timed() as prep:
        file_args = import_files(directory, OUT / f"import-files-{size}")
    conf = home.root / "conf"
    conf.mkdir(parents=True)
    home.dbms.mkdir()
    (conf / "neo4j.conf").write_text("")
    shared = server.ServerHome.resolve(ROOT / ".graphcrm" / "neo4j")
    classpath = os.pathsep.join(server.build(shared))
    java = shutil.which("java") or "java"
    cmd = [
        java,
        "-Xmx2g",
        *server.JVM_FLAGS,
        "-cp",
        classpath,
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        "--id-type=string",
        "--ignore-empty-strings=true",
        "--threads=2",
        "--max-off-heap-memory=4g",
        f"--report-file={home.root / 'import.report'}",
        *file_args,
    ]
    env = {**os.environ, "NEO4J_HOME": str(home.dbms), "NEO4J_CONF": str(conf)}
    try:
        with timed() as imported:
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        (home.root / "import.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            return {"error": f"neo4j-admin import failed: {' '.join(tail)[:300]}"}
        with dedicated_server(name, keep_store=True) as bench:
            with timed() as schema:
                apply_schema(bench.graph)
            got = counts(bench.graph)
    finally:
        shutil.rmtree(home.dbms, ignore_errors=True)
        shutil.rmtree(OUT / f"import-files-{size}", ignore_errors=True)
    return {
        "prep": prep["seconds"],
        "import": imported["seconds"],
        "schema": schema["seconds"],
        "total": imported["seconds"] + schema["seconds"],
        "counts": got,
    }


def run(
    size: int, seed: int = 7, batch_size: int = 10_000, import_tool: bool = True, reference: bool = True
) -> dict[str, Any]:
    """Run the loads at `size` customers and record the table."""
    ours = graphcrm_load(size, seed, batch_size)
    fast = graphcrm_offline(size, seed)
    ref = load_csv(size, seed) if reference else None
    offline = admin_import(size, seed) if import_tool else None
    n, r = ours["node_rows"], ours["rel_rows"]
    write = ours["nodes"] + ours["relationships"]
    rows = [
        [
            "graphcrm load (write: schema + CREATE batches)",
            rate(n, ours["nodes"]),
            rate(r, ours["relationships"]),
            f"{write:.1f}",
            rate(n + r, write),
            "",
        ],
        [
            "graphcrm load (end to end: validate + write)",
            "",
            "",
            f"{ours['total']:.1f}",
            rate(n + r, ours["total"]),
            "",
        ],
    ]
    rows.append(
        [
            "graphcrm load, offline import (end to end: validate + neo4j-admin + restart + schema)",
            "",
            "",
            f"{fast['total']:.1f}",
            rate(n + r, fast["total"]),
            f"{ref['total'] / fast['total']:.2f}x" if ref else "",
        ]
    )
    notes = [
        f"{n:,} node rows and {r:,} relationship rows; graphcrm validation {ours['validate']:.1f} s, "
        f"batches of {batch_size:,}. Offline import path: validation {fast['validate']:.1f} s, import "
        f"with restart and schema {fast['import']:.1f} s."
    ]
    if ref is not None:
        speedup = ref["total"] / write
        rows[0][-1] = f"{speedup:.2f}x"
        rows[1][-1] = f"{ref['total'] / ours['total']:.2f}x"
        rows.append(
            [
                "Neo4j LOAD CSV (reference: schema + statements)",
                rate(n, ref["nodes"]),
                rate(r, ref["relationships"]),
                f"{ref['total']:.1f}",
                rate(n + r, ref["total"]),
                "1.00x",
            ]
        )
        verdict = "met" if speedup >= TARGET_SPEEDUP else "missed"
        notes.append(
            f"Target graphcrm write >= {TARGET_SPEEDUP}x LOAD CSV throughput: {verdict} ({speedup:.2f}x; "
            f"end to end with validation {ref['total'] / ours['total']:.2f}x)."
        )
        if ref["counts"] != ours["counts"]:
            notes.append(f"COUNTS DIFFER: graphcrm {ours['counts']}, LOAD CSV {ref['counts']}.")
        offline_speedup = ref["total"] / fast["total"]
        verdict = "met" if offline_speedup >= TARGET_OFFLINE_SPEEDUP else "missed"
        notes.append(
            f"Target graphcrm load into an empty managed database, end to end, >= "
            f"{TARGET_OFFLINE_SPEEDUP}x LOAD CSV: {verdict} ({offline_speedup:.2f}x)."
        )
    if fast["counts"] != ours["counts"]:
        notes.append(f"COUNTS DIFFER: graphcrm {ours['counts']}, offline import {fast['counts']}.")
    if offline is not None and "error" in offline:
        notes.append(f"neo4j-admin import could not run: {offline['error']}")
    elif offline is not None:
        rows.append(
            [
                "neo4j-admin database import full (upper limit; + schema)",
                "",
                "",
                f"{offline['total']:.1f}",
                rate(n + r, offline["total"]),
                f"{ref['total'] / offline['total']:.2f}x" if ref else "",
            ]
        )
        notes.append(
            f"neo4j-admin: import {offline['import']:.1f} s (nodes and relationships together, "
            f"{rate(n + r, offline['import'])} rows/s), then constraints and indexes "
            f"{offline['schema']:.1f} s on the started server; header rewrite of the CSV copies "
            f"{offline['prep']:.1f} s, not counted."
        )
        if offline["counts"] != ours["counts"]:
            notes.append(f"COUNTS DIFFER: graphcrm {ours['counts']}, neo4j-admin {offline['counts']}.")
    record(
        f"Load, {size:,} customers ({n:,} nodes, {r:,} relationships)",
        ["run", "nodes/s", "relationships/s", "seconds", "rows/s", "vs LOAD CSV"],
        rows,
        " ".join(notes),
    )
    return {"graphcrm": ours, "offline": fast, "load_csv": ref, "import": offline}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000, help="customers in the generated data set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--skip-import-tool", action="store_true", help="leave out neo4j-admin import")
    parser.add_argument("--skip-load-csv", action="store_true", help="leave out the LOAD CSV reference")
    args = parser.parse_args(argv)
    run(args.size, args.seed, args.batch_size, not args.skip_import_tool, not args.skip_load_csv)


if __name__ == "__main__":
    main()
