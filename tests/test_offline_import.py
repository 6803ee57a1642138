"""The first load into the managed server's empty database is neo4j-admin's offline import: it must
give exactly the graph the transactional path gives, and a failed import leaves the database empty
and the server running."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphcrm import model, server
from graphcrm.db import Graph, Settings
from graphcrm.errors import LoadInterrupted
from graphcrm.ingest import offline_import
from graphcrm.ingest.loader import load_directory

from .conftest import SAMPLE_DATA, TEST_DATA

MODEL_NODES = f"MATCH (n:{'|'.join(model.LABELS)}) "


def _typed(rows: list[dict]) -> list[str]:
    """Each row with its property map in key order, values by repr (which shows their types)."""
    return [
        repr({k: sorted(v.items()) if isinstance(v, dict) else v for k, v in row.items()}) for row in rows
    ]


def graph_fingerprint(graph: Graph) -> dict[str, object]:
    """The data (every model node and relationship with all properties and their types), the
    schema, and the GraphState marker."""
    return {
        "nodes": _typed(graph.read(MODEL_NODES + "RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id")),
        "relationships": _typed(
            graph.read(
                "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
                "ORDER BY a, t, b, r.id, r.since"
            )
        ),
        "schema": graph.read(
            "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, owningConstraint "
            "RETURN name, type, entityType, labelsOrTypes, properties, owningConstraint ORDER BY name"
        ),
        "constraints": graph.read("SHOW CONSTRAINTS YIELD name, type RETURN name, type ORDER BY name"),
        "other labels": graph.read(
            "MATCH (n) WHERE NOT n:Customer AND NOT n:Company AND NOT n:Employee AND NOT n:Partner "
            "RETURN labels(n) AS l, n.key AS key, n.changed_at IS NOT NULL AS stamped ORDER BY key"
        ),
    }


@pytest.fixture(scope="module")
def managed_server(
    neo4j_home: server.ServerHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Graph]:
    """A server of its own that graphcrm manages (it may stop it), for this module."""
    home = server.ServerHome(tmp_path_factory.mktemp("offline") / "managed")
    shutil.copytree(neo4j_home.build, home.build)
    details = server.start(home, port=server.free_port(), heap="512m", pagecache_mb=64)
    yield Graph(Settings(details.uri, details.username, details.password, managed=True, home=home.root))
    server.stop(home)


@pytest.fixture()
def managed_graph(managed_server: Graph) -> Graph:
    """The managed server's database with no node (what makes a load an offline import)."""
    managed_server.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    return managed_server


def test_offline_import_gives_the_transactional_graph(empty_graph: Graph, managed_graph: Graph) -> None:
    transactional = load_directory(empty_graph, SAMPLE_DATA)
    assert not transactional.offline, "the shared test server is not one graphcrm may stop"
    expected = graph_fingerprint(empty_graph)

    offline = load_directory(managed_graph, SAMPLE_DATA)
    assert offline.offline
    assert offline.nodes == transactional.nodes and offline.relationships == transactional.relationships
    got = graph_fingerprint(managed_graph)
    for part, value in expected.items():
        if isinstance(value, list) and value and isinstance(value[0], str):
            differ = [(a, b) for a, b in zip(got[part], value, strict=True) if a != b]
            assert not differ, f"{part}: {differ[:2]}"
        assert got[part] == value, part
    assert got["other labels"] == [{"l": ["GraphState"], "key": "graph", "stamped": True}]
    home = Path(managed_graph.settings.home)
    assert not (home / offline_import.FILES).exists() and not (home / offline_import.ASIDE).exists()

    again = load_directory(managed_graph, SAMPLE_DATA)
    assert not again.offline, "a database with nodes gets the transactional MERGE path"
    assert graph_fingerprint(managed_graph)["nodes"] == expected["nodes"]


def test_a_failed_import_leaves_the_database_empty_and_the_server_running(
    managed_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = server.ServerHome(Path(managed_graph.settings.home))
    pid = server.running_pid(home)
    write_files = offline_import.write_files

    def with_a_dangling_relationship(dataset, folder: Path) -> list[str]:
        arguments = write_files(dataset, folder)
        with (folder / "rel0.csv").open("a", encoding="utf-8") as body:
            body.write(
                "NOBODY,NOWHERE" + "," * (len(Path(f"{folder}/rel0.header.csv").read_text().split(",")) - 2)
            )
            body.write("\n")
        return arguments

    monkeypatch.setattr(offline_import, "write_files", with_a_dangling_relationship)
    with pytest.raises(LoadInterrupted) as failed:
        load_directory(managed_graph, TEST_DATA / "tiny")
    message = str(failed.value)
    assert "neo4j-admin import exited with code" in message, message
    assert "The database is empty again and the server runs" in message
    assert server.running_pid(home) not in (None, pid), (
        "the server was stopped for the import and started again"
    )
    assert managed_graph.read("MATCH (n) RETURN count(n) AS c") == [{"c": 0}]
    assert not (home.root / offline_import.ASIDE).exists() and not (home.root / offline_import.FILES).exists()

    monkeypatch.undo()
    assert load_directory(managed_graph, TEST_DATA / "tiny").offline, "the next load imports offline again"


def test_cli_transactional_flag_keeps_the_server_running(managed_graph: Graph) -> None:
    home = server.ServerHome(Path(managed_graph.settings.home))
    pid = server.running_pid(home)
    env = {"PATH": os.environ["PATH"], "GRAPHCRM_HOME": str(home.root)}
    done = subprocess.run(
        ["graphcrm", "load", str(TEST_DATA / "tiny"), "--transactional"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "offline" not in done.stdout
    assert server.running_pid(home) == pid
