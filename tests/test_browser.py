"""The running dashboard in a real headless Chromium with every non-loopback request blocked:
pages load with no internet, the network canvas is drawn, and clicking a node selects it."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from graphcrm import model
from graphcrm.db import Graph

from .conftest import SAMPLE_DATA
from .test_load import csv_rows

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
NETWORK_FRAME = "iframe[title*='graphcrm_network']"


def drawn_fraction(png: bytes) -> float:
    """Share of pixels that are not (near) white: how much of the canvas was drawn."""
    histogram = Image.open(io.BytesIO(png)).convert("L").histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def test_overview_network_is_drawn_without_internet(
    scored_graph: Graph, dashboard_url: str, browser_page: tuple[playwright.Page, list[str]], output_dir: Path
) -> None:
    page, blocked = browser_page
    page.goto(dashboard_url)
    frame = page.frame_locator(NETWORK_FRAME).first
    frame.locator("body[data-stable=true]").wait_for(timeout=60_000)
    assert drawn_fraction(frame.locator("canvas").screenshot()) > 0.01
    page.screenshot(path=str(output_dir / "overview.png"), full_page=True)
    assert blocked == [], f"the dashboard asked the internet for {blocked}"


def test_explore_draws_a_customer_and_a_click_selects_a_neighbour(
    sample_graph: Graph, dashboard_url: str, browser_page: tuple[playwright.Page, list[str]], output_dir: Path
) -> None:
    page, blocked = browser_page
    referrals = [r for r in csv_rows(SAMPLE_DATA / "relationships.csv") if r["type"] == model.REFERRED]
    customer = Counter(r["source"] for r in referrals if r["source"].startswith("C")).most_common(1)[0][0]
    names = {row["id"]: row["name"] for row in csv_rows(SAMPLE_DATA / "customers.csv")}
    page.goto(f"{dashboard_url}/explore?node={customer}&depth=2")
    frame_element = page.locator(NETWORK_FRAME).first
    frame = page.frame_locator(NETWORK_FRAME).first
    frame.locator("body[data-stable=true]").wait_for(timeout=60_000)
    canvas = frame.locator("canvas")
    assert drawn_fraction(canvas.screenshot()) > 0.01
    page.get_by_text(f"{names[customer]} — Customer {customer}").wait_for()

    network_frame = frame_element.element_handle().content_frame()
    assert network_frame is not None
    drawn = network_frame.evaluate("() => window.graphcrmNetwork.body.data.nodes.getIds()")
    referee = next(r["target"] for r in referrals if r["source"] == customer and r["target"] in drawn)
    position = network_frame.evaluate(
        "(id) => { const n = window.graphcrmNetwork; n.focus(id, {scale: 1.5, animation: false}); "
        "return n.canvasToDOM(n.getPositions([id])[id]); }",
        referee,
    )
    canvas.click(position={"x": position["x"], "y": position["y"]})
    page.get_by_role("button", name="Explore from here").wait_for(timeout=30_000)
    assert page.get_by_text(f"{names[referee]}", exact=True).count() >= 1
    page.screenshot(path=str(output_dir / "explore.png"), full_page=True)
    assert blocked == [], f"the dashboard asked the internet for {blocked}"
