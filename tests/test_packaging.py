"""graphcrm as a user installs it: a non-editable `pip install .` into a fresh virtualenv, run
from a folder that is not the checkout, serves every page of the dashboard."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphcrm.db import Graph

from .conftest import ROOT, start_dashboard

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
PAGES = {
    "": "Overview",
    "explore": "Explore",
    "influencers": "Influencers",
    "intro": "Warm introductions",
    "accounts": "Accounts",
    "partners": "Partnerships",
    "cypher": "Cypher",
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with graphcrm installed from the checkout (not editable). Its
    dependencies come from the test environment through a path file, so nothing is downloaded."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(target, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    where = subprocess.run(
        [str(python), "-c", "import graphcrm; print(graphcrm.__file__)"],
        capture_output=True, text=True, check=True, cwd=venv,
    ).stdout  # fmt: skip
    assert where.startswith(target), f"graphcrm imported from {where}, not the installed copy"
    return venv


@pytest.fixture()
def served(installed: Path, neo4j_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`graphcrm serve` of the installed copy, started from an empty folder, ready to answer."""
    env = {**neo4j_env, "PATH": f"{installed / 'bin'}{os.pathsep}{neo4j_env['PATH']}"}
    proc, url = start_dashboard(
        [str(installed / "bin" / "graphcrm"), "serve"], env, tmp_path, tmp_path / "serve.log"
    )
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_installed_package_serves_every_page(sample_graph: Graph, served: str) -> None:
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith(LOOPBACK) else route.abort(),
        )
        for path, title in PAGES.items():
            page.goto(f"{served}/{path}")
            page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0, f"/{path} raised"
        browser.close()
