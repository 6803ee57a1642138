"""The running dashboard in a real headless Chromium with every non-loopback request blocked:
the page loads with no internet and the network canvas is drawn."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from graphcrm.db import Graph

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def drawn_fraction(png: bytes) -> float:
    """Share of pixels that are not (near) white: how much of the canvas was drawn."""
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)


def test_overview_network_is_drawn_without_internet(
    sample_graph: Graph, dashboard_url: str, output_dir: Path
) -> None:
    assert CHROMIUM.exists(), "make install puts Debian's chromium at /usr/bin/chromium"
    blocked: list[str] = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})

        def only_loopback(route: playwright.Route) -> None:
            if route.request.url.startswith(LOOPBACK):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        page.goto(dashboard_url)
        frame = page.frame_locator("iframe[title*='graphcrm_network']").first
        frame.locator("body[data-stable=true]").wait_for(timeout=60_000)
        canvas = frame.locator("canvas")
        assert drawn_fraction(canvas.screenshot()) > 0.01
        page.screenshot(path=str(output_dir / "overview.png"), full_page=True)
        browser.close()
    assert blocked == [], f"the dashboard asked the internet for {blocked}"
