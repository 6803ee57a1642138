"""A first load into the managed server's empty database with neo4j-admin's offline importer.

`neo4j-admin database import full` writes the store files directly, several times faster than
any Cypher path (bench/RESULTS.md), but only into a stopped server's database. So, for the local
server graphcrm manages and a database with no node yet (`loader` decides):

1. the validated tables are written as CSV files with neo4j-admin's typed headers (`id:ID`,
   `:START_ID`, `:date`, `:datetime`, `:double`, `:boolean`, ...) in the private state folder;
2. the server is stopped and its empty database set aside (`restore_point`, its own folder);
3. the importer, from the `neo4j-import-tool` jar already on the server's Maven classpath, builds
   the new store; the server is started again;
4. `finish` completes the load as the transactional path does (schema of cypher/schema.cypher,
   the GraphState marker).

If any step fails (the importer refuses a row, crashes, the server does not come back), the
half-built store is deleted, the empty database is put back, the server is started again, and
LoadInterrupted says so. Other clients of the server lose their connections during the import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graphcrm import model, server, settings
from graphcrm.db import Graph
from graphcrm.errors import GraphCRMError, LoadInterrupted, ServerError
from graphcrm.ingest import restore_point
from graphcrm.ingest.column_values import ARROW_TYPES
from graphcrm.ingest.records import Records
from graphcrm.ingest.validate import Dataset

# Folders in the state folder: the empty database set aside, the CSV files for the importer.
ASIDE = "import-aside"
FILES = "import-files"
LOG = "import.log"
_HEADER_TYPES = {
    model.Kind.STRING: "",
    model.Kind.INTEGER: ":long",
    model.Kind.FLOAT: ":double",
    model.Kind.BOOLEAN: ":boolean",
    model.Kind.DATE: ":date",
    model.Kind.DATETIME: ":datetime",
}
_NAME = model.Prop()


def import_dataset(graph: Graph, dataset: Dataset, finish: Callable[[Graph], None]) -> None:
    """Import `dataset` offline into the managed server's empty database, then run `finish`."""
    home = restore_point.require(graph.settings)
    files = home.root / FILES
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir(mode=0o700)
    try:
        arguments = write_files(dataset, files)
        point = _stop_and_set_aside(graph, home)
        try:
            _run_importer(home, graph.settings.database, arguments)
            server.restart(home)
            graph.reconnect()
            finish(graph)
        except BaseException as failure:
            point.restore(graph)
            if isinstance(failure, GraphCRMError | OSError):
                raise LoadInterrupted(
                    f"The offline import did not complete: {failure} The database is empty again and "
                    "the server runs; nothing of this load remains (run the load again, or with "
                    "--transactional)."
                ) from failure
            raise
        point.discard()
    finally:
        shutil.rmtree(files, ignore_errors=True)


def _stop_and_set_aside(graph: Graph, home: server.ServerHome) -> restore_point.RestorePoint:
    """Stop the server cleanly and move its (empty) database aside."""
    point = restore_point.RestorePoint(home, graph.settings.database, ASIDE)
    if point.folder.exists():
        raise ServerError(
            f"{point.folder} holds the database of an offline import that did not finish; move it "
            "back to data/databases (or delete it if it is empty) and run the load again."
        )
    if not server.stop(home):
        raise ServerError(
            f"The server at {graph.settings.uri} answers but is not the one running from "
            f"{home.root}, so it cannot be stopped for an offline import; nothing was changed."
        )
    try:
        point.set_aside()
    except OSError:
        server.restart(home)
        graph.reconnect()
        raise
    return point


def write_files(dataset: Dataset, folder: Path) -> list[str]:
    """The importer's CSV files for every group of records, and its arguments naming them."""
    arguments: list[str] = []
    multiline = False
    for label, rows in dataset.nodes.items():
        props = {"id": _NAME, **model.NODE_TYPES[label].props, "name": _NAME}
        table = _table(rows, ("id",), props)
        header = {"id": "id:ID", **{p: p + _HEADER_TYPES[props[p].kind] for p in props if p != "id"}}
        multiline |= _write(table, header, folder / label)
        arguments.append(f"--nodes={label}={folder / label}.header.csv,{folder / label}.csv")
    for number, ((rel_type, _, _), rows) in enumerate(sorted(dataset.relationships.items())):
        keys = ("s", "t", "id") if rel_type == model.INTERACTED else ("s", "t")
        props = {key: _NAME for key in keys} | model.REL_TYPES[rel_type].props
        table = _table(rows, keys, props)
        header = {"s": ":START_ID", "t": ":END_ID"}
        header |= {p: p + _HEADER_TYPES[props[p].kind] for p in props if p not in ("s", "t")}
        name = folder / f"rel{number}"
        multiline |= _write(table, header, name)
        arguments.append(f"--relationships={rel_type}={name}.header.csv,{name}.csv")
    return [f"--multiline-fields={str(multiline).lower()}", *arguments]


def _table(rows: Sequence[dict[str, Any]], keys: tuple[str, ...], props: dict[str, model.Prop]) -> pa.Table:
    """The typed table of a group: the vectorised validator's own, or built from row maps."""
    if isinstance(rows, Records):
        return rows.table
    columns = {
        column: pa.array(
            [row[column] if column in keys else row["props"].get(column) for row in rows],
            ARROW_TYPES[prop.kind],
        )
        for column, prop in props.items()
    }
    return pa.table(columns)


def _write(table: pa.Table, header: dict[str, str], name: Path) -> bool:
    """`name.header.csv` and `name.csv` for the importer; True if a text cell spans lines."""
    columns, multiline = [], False
    for column in header:
        values = table[column]
        if pa.types.is_timestamp(values.type):
            values = pc.strftime(values, format="%Y-%m-%dT%H:%M:%SZ")
        elif pa.types.is_string(values.type) and len(values):
            multiline |= bool(pc.any(pc.match_substring_regex(values, "[\r\n]")).as_py())
        columns.append(values)
    Path(f"{name}.header.csv").write_text(",".join(header.values()) + "\n", encoding="utf-8")
    body = pa.table(columns, names=list(header))
    pa_csv.write_csv(body, f"{name}.csv", write_options=pa_csv.WriteOptions(include_header=False))
    return multiline


def _run_importer(home: server.ServerHome, database: str, arguments: list[str]) -> None:
    """`neo4j-admin database import full` into the stopped server's database; ServerError with
    the end of its output if it fails."""
    conf = home.root / "import-conf"
    conf.mkdir(mode=0o700, exist_ok=True)
    (conf / "neo4j.conf").write_text("")
    heap = str(settings.value("neo4j_heap"))
    cmd = [
        server.java_executable(),
        f"-Xmx{heap}",
        *server.JVM_FLAGS,
        "-cp",
        os.pathsep.join(server.build(home)),
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        database,
        "--id-type=string",
        "--ignore-empty-strings=true",
        f"--report-file={home.root / FILES / 'import.report'}",
        *arguments,
    ]
    env = {**os.environ, "NEO4J_HOME": str(home.dbms), "NEO4J_CONF": str(conf)}
    with open(os.open(home.root / LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as log:
        done = subprocess.run(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, umask=server.PRIVATE_UMASK, check=False
        )
    if done.returncode != 0:
        lines = (home.root / LOG).read_text(errors="replace").strip().splitlines()
        reason = next((line for line in reversed(lines) if line.strip()), "no output")
        raise ServerError(
            f"neo4j-admin import exited with code {done.returncode} ({reason.strip()[:300]}; the whole "
            f"output is in {home.root / LOG})."
        )
