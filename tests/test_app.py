"""The dashboard under Streamlit's AppTest: every page renders over sample_data/ without exceptions,
and an unreachable database is a clear message, not a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from graphcrm import model, server
from graphcrm.db import Graph, Settings

from .conftest import ROOT, SAMPLE_DATA
from .test_load import csv_rows


@pytest.fixture()
def app_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[None]:
    """Point the in-process app at the test server."""
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NEO4J_URI", settings.uri)
    monkeypatch.setenv("NEO4J_USERNAME", settings.username)
    monkeypatch.setenv("NEO4J_PASSWORD", settings.password)
    yield


def run_page(page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    if page:
        app.switch_page(page)
        app.run()
    return app


def test_overview_shows_the_counts_of_the_loaded_graph(sample_graph: Graph, app_env: None) -> None:
    app = run_page()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    for node_type in model.NODE_TYPES.values():
        assert metrics[f"{node_type.label} nodes"] == f"{len(csv_rows(SAMPLE_DATA / node_type.file)):,}"
    referrals = [r for r in csv_rows(SAMPLE_DATA / "relationships.csv") if r["type"] == model.REFERRED]
    top_count = max(sum(1 for r in referrals if r["source"] == s) for s in {r["source"] for r in referrals})
    assert any(f"({top_count} referrals)" in h.value for h in app.subheader)


def test_unreachable_database_is_one_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{server.free_port()}")
    monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong")
    app = run_page()
    assert not app.exception
    assert "not reachable" in app.error[0].value
    assert "graphcrm neo4j start" in app.info[0].value
