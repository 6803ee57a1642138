"""Shared fixtures: one throwaway Neo4j server for the session, on a free port in a temp folder.

Neo4j Community has one user database, so tests share it. `sample_graph` guarantees the database
holds exactly `sample_data/` (reloading only after a test changed it); `empty_graph` hands a test a
wiped database and marks it changed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from graphcrm import server
from graphcrm.analytics.run import write_all
from graphcrm.db import Graph, Settings
from graphcrm.ingest.loader import load_directory, wipe

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
TEST_DATA = Path(__file__).resolve().parent / "data"
OUTPUT = ROOT / "test-output"
# Subprocess tests call the `graphcrm` console script of the interpreter running the tests.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


class DatabaseState:
    """What the shared database holds now: 'sample', 'empty' or 'dirty'."""

    def __init__(self) -> None:
        self.content = "dirty"


@pytest.fixture(scope="session")
def neo4j_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.ServerHome]:
    """A running throwaway server; Maven's build is shared with the user's managed server."""
    home = server.ServerHome(tmp_path_factory.mktemp("neo4j"))
    shared_build = server.ServerHome.resolve(ROOT / ".graphcrm" / "neo4j").build
    server.build(server.ServerHome(shared_build.parent))
    shutil.copytree(shared_build, home.build)
    server.start(home, port=server.free_port(), heap="768m", pagecache_mb=256)
    yield home
    server.stop(home)


@pytest.fixture(scope="session")
def settings(neo4j_home: server.ServerHome) -> Settings:
    details = server.info(neo4j_home)
    return Settings(details.uri, details.username, details.password, managed=True)


@pytest.fixture(scope="session")
def neo4j_env(settings: Settings) -> dict[str, str]:
    """Environment for a `graphcrm` subprocess pointed at the test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(NEO4J_URI=settings.uri, NEO4J_USERNAME=settings.username, NEO4J_PASSWORD=settings.password)
    return env


@pytest.fixture(scope="session")
def db_state() -> DatabaseState:
    return DatabaseState()


@pytest.fixture()
def empty_graph(settings: Settings, db_state: DatabaseState) -> Graph:
    """The shared database, wiped; the test may write to it."""
    graph = Graph(settings)
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    db_state.content = "dirty"
    return graph


@pytest.fixture()
def sample_graph(settings: Settings, db_state: DatabaseState) -> Graph:
    """The shared database holding exactly sample_data/ (tests must not change it)."""
    graph = Graph(settings)
    if db_state.content != "sample":
        wipe(graph)
        load_directory(graph, SAMPLE_DATA)
        db_state.content = "sample"
    return graph


@pytest.fixture(scope="module")
def managed_graph(neo4j_home: server.ServerHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    """A graph on a server of its own that graphcrm manages (stops, copies, restarts, may lose)."""
    home = server.ServerHome(tmp_path_factory.mktemp("managed"))
    shutil.copytree(neo4j_home.build, home.build)
    details = server.start(home, port=server.free_port(), heap="512m", pagecache_mb=64)
    yield Graph(Settings(details.uri, details.username, details.password, managed=True, home=home.root))
    server.stop(home)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests save artefacts a person may want to look at (screenshots)."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture()
def writable_sample_graph(sample_graph: Graph, db_state: DatabaseState) -> Iterator[Graph]:
    """sample_data/ loaded, for a test that writes (e.g. scores); it is reloaded afterwards."""
    yield sample_graph
    db_state.content = "dirty"


def start_dashboard(
    command: list[str], env: dict[str, str], cwd: Path, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Run `command --port P` (a `graphcrm serve`) on a free loopback port and wait for Streamlit's
    health endpoint (readiness, not a fixed sleep); fail with the end of its log if it never comes."""
    port = server.free_port()
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=cwd
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the dashboard did not come up:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def dashboard_url(neo4j_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real dashboard (`graphcrm serve`) on a free loopback port, over the test server.

    Waits for Streamlit's health endpoint (readiness, not a fixed sleep); stopped afterwards.
    """
    log = tmp_path_factory.mktemp("dashboard") / "streamlit.log"
    proc, url = start_dashboard(["graphcrm", "serve"], neo4j_env, ROOT, log)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture()
def app_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[None]:
    """Point the in-process app (AppTest) at the test server, with nothing cached from an earlier test."""
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NEO4J_URI", settings.uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.username)
    monkeypatch.setenv("NEO4J_PASSWORD", settings.password)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture()
def scored_graph(writable_sample_graph: Graph) -> Graph:
    """sample_data/ with the analytics scores written back (as `make demo` does)."""
    write_all(writable_sample_graph)
    return writable_sample_graph


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The content of every file an AppTest page offers for download during the test."""
    saved: list[str] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, data: Any, *args: Any, **kwargs: Any) -> str:
        saved.append(data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return saved


CHROMIUM = Path("/usr/bin/chromium")
# What the browser may reach: the dashboard on loopback and local content (no internet).
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:", "file:")


@pytest.fixture()
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    """A headless Chromium page that may only talk to 127.0.0.1 (and open local files); the list
    collects what it tried to reach elsewhere."""
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
    assert CHROMIUM.exists(), "make install puts Debian's chromium at /usr/bin/chromium"
    blocked: list[str] = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})

        def only_loopback(route: Any) -> None:
            if route.request.url.startswith(LOOPBACK):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        yield page, blocked
        browser.close()


def kill_at_first_batch(home: server.ServerHome, killed: list[int]) -> Callable[[int], Callable[[int], None]]:
    """A load's progress factory that SIGKILLs the managed server in `home` when the first batch
    is reported written, and records the killed pid in `killed`: a server dying mid-load."""

    def factory(total: int) -> Callable[[int], None]:
        def tick(sent: int) -> None:
            if not killed:
                pid = server.running_pid(home)
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        return tick

    return factory
