"""The managed server's start/stop/status/env cycle, unreachable servers, and a load cut off mid-way."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphcrm import server
from graphcrm.db import Graph, Settings

from .conftest import ROOT, SAMPLE_DATA, TEST_DATA


def graphcrm(
    *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess:
    return subprocess.run(["graphcrm", *args], capture_output=True, text=True, env=env, timeout=timeout)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "GRAPHCRM_"))}
    env.update(extra)
    return env


@pytest.fixture()
def home(tmp_path: Path, neo4j_home: server.ServerHome) -> Iterator[Path]:
    """A fresh state folder (the Maven build copied from the session server), stopped at the end."""
    root = tmp_path / "managed"
    shutil.copytree(neo4j_home.build, root / "build")
    yield root
    server.stop(server.ServerHome(root))


def recoveries(root: Path) -> int:
    log = root / "dbms" / "logs" / "debug.log"
    return log.read_text(errors="replace").count("Recovery required") if log.exists() else 0


def test_start_status_env_stop_cycle(home: Path) -> None:
    port = str(server.free_port())
    stopped = graphcrm("neo4j", "status", "--home", str(home))
    assert stopped.returncode == 3 and "not running" in stopped.stdout

    started = graphcrm("neo4j", "start", "--home", str(home), "--port", port)
    assert started.returncode == 0, started.stderr
    assert f"bolt://127.0.0.1:{port}" in started.stdout

    status = graphcrm("neo4j", "status", "--home", str(home))
    assert status.returncode == 0
    assert "5.26" in status.stdout and f"bolt://127.0.0.1:{port}" in status.stdout

    again = graphcrm("neo4j", "start", "--home", str(home))
    assert again.returncode == 0 and "already running" in again.stdout

    exports = graphcrm("neo4j", "env", "--home", str(home)).stdout
    shell = subprocess.run(
        ["bash", "-c", f'eval "{exports}" && graphcrm load {TEST_DATA / "tiny"}'],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=240,
    )
    assert shell.returncode == 0, shell.stderr
    assert "Loaded" in shell.stdout

    stop = graphcrm("neo4j", "stop", "--home", str(home))
    assert stop.returncode == 0 and "stopped" in stop.stdout
    assert graphcrm("neo4j", "status", "--home", str(home)).returncode == 3

    before = recoveries(home)
    assert graphcrm("neo4j", "start", "--home", str(home)).returncode == 0
    assert recoveries(home) == before, "a clean stop must not need store recovery on the next start"


def test_managed_server_is_the_default_connection(home: Path) -> None:
    details = server.start(server.ServerHome(home), port=server.free_port())
    settings = Settings.from_env(clean_env(GRAPHCRM_HOME=str(home)))
    assert settings.managed and settings.uri == details.uri
    assert Graph(settings).read("RETURN 1 AS one") == [{"one": 1}]


def test_wrong_password_is_one_sentence(settings: Settings) -> None:
    env = clean_env(NEO4J_URI=settings.uri, NEO4J_USERNAME="neo4j", NEO4J_PASSWORD="wrong")
    done = graphcrm("load", str(TEST_DATA / "tiny"), env=env)
    assert done.returncode == 1
    assert done.stderr.startswith(f"graphcrm: Neo4j at {settings.uri} refused the credentials")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["load", str(TEST_DATA / "tiny")], ["neo4j", "status"]])
def test_unreachable_server_is_one_sentence(command: list[str], tmp_path: Path) -> None:
    port = server.free_port()
    if command[0] == "neo4j":
        done = graphcrm(*command, "--home", str(tmp_path))
        assert done.returncode == 3 and "not running" in done.stdout
        return
    done = graphcrm(*command, env=clean_env(NEO4J_URI=f"bolt://127.0.0.1:{port}", NEO4J_PASSWORD="x"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"graphcrm: Cannot reach Neo4j at bolt://127.0.0.1:{port}")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_unreachable_managed_server_says_how_to_start_it(tmp_path: Path) -> None:
    stopped = server.ServerHome(tmp_path / "none")
    stopped.root.mkdir()
    stopped.port_file.write_text(f"{server.free_port()}\n")  # not 7687: a developer's server may run there
    done = graphcrm("load", str(TEST_DATA / "tiny"), env=clean_env(GRAPHCRM_HOME=str(stopped.root)))
    assert done.returncode == 1
    assert "graphcrm neo4j start" in done.stderr


def test_port_in_use_is_refused(home: Path, settings: Settings) -> None:
    taken = settings.uri.rsplit(":", 1)[1]
    done = graphcrm("neo4j", "start", "--home", str(home), "--port", taken)
    assert done.returncode == 1 and f"Port {taken} on 127.0.0.1 is already in use" in done.stderr


def test_load_cut_off_midway_then_completes_after_restart(home: Path) -> None:
    managed = server.ServerHome(home)
    details = server.start(managed, port=server.free_port())
    env = clean_env(NEO4J_URI=details.uri, NEO4J_USERNAME=details.username, NEO4J_PASSWORD=details.password)
    graph = Graph(Settings(details.uri, details.username, details.password))
    load = subprocess.Popen(
        ["graphcrm", "load", str(SAMPLE_DATA), "--batch-size", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] == 0:
        assert load.poll() is None, "the load finished before it could be cut off"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.stop(managed)
    _, stderr = load.communicate(timeout=180)
    assert load.returncode == 1
    assert "The load stopped after" in stderr and "run the same command again" in stderr
    assert "Traceback" not in stderr

    server.start(managed)
    done = graphcrm("load", str(SAMPLE_DATA), env=env)
    assert done.returncode == 0, done.stderr
    from .test_load import database_counts, expected_counts

    assert database_counts(graph) == expected_counts(SAMPLE_DATA)


def test_installed_package_carries_the_maven_module_and_cypher_files(tmp_path: Path) -> None:
    """`graphcrm neo4j start` and the query library must work from a wheel, not only a checkout."""
    import sys
    import zipfile

    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("graphcrm-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "graphcrm/neo4j_server/pom.xml" in names
    assert "graphcrm/neo4j_server/src/main/java/graphcrm/LocalNeo4j.java" in names
    assert "graphcrm/cypher/schema.cypher" in names
    shipped = {n.removeprefix("graphcrm/cypher/") for n in names if n.startswith("graphcrm/cypher/")}
    in_checkout = {str(p.relative_to(ROOT / "cypher")) for p in (ROOT / "cypher").rglob("*.cypher")}
    assert in_checkout <= shipped


def test_state_folder_store_and_password_are_private(
    neo4j_home: server.ServerHome, sample_graph: Graph, tmp_path: Path
) -> None:
    """Any local user could copy a readable store; the folder, the password and every file the
    server wrote (store, indexes, logs) are the owner's alone, whatever the caller's umask."""
    assert stat.S_IMODE(neo4j_home.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(neo4j_home.password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(neo4j_home.console_log.stat().st_mode) == 0o600
    written = [neo4j_home.dbms, *neo4j_home.dbms.rglob("*")]
    assert any(p.is_file() and "store" in p.name for p in written), "the store exists"
    shared = [str(p) for p in written if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert shared == []
    fresh = server.ServerHome(tmp_path / "fresh")
    old = os.umask(0)
    try:
        server.password(fresh)
    finally:
        os.umask(old)
    assert stat.S_IMODE(fresh.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(fresh.password_file.stat().st_mode) == 0o600
