"""Many users at once: N concurrent browser sessions browse and query the running dashboard, and
one user's long query must not stall another user.

Usage: python -m bench.concurrent_users --url http://127.0.0.1:8501 --users 20
(`make demo` serves the dashboard; the sample graph is enough.) A visit, in its own browser
context: Overview, Explore for a customer, then a canned Cypher query run from its link. A step
ends when the server has delivered the page's content (and the network view's frame; drawing it
is each browser's own work). Three runs: one visit alone; one visit while another user's long
query runs; N visits at once. Prints per-step latency (median, p95, max) and errors, and appends
the table to bench/RESULTS.md. Only loopback addresses are contacted; every step is bounded
(`--timeout`). Note that on a 2-core machine the N browsers share the CPU with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from playwright.async_api import Browser, Page, async_playwright

from bench.common import record

CHROMIUM = "/usr/bin/chromium"
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
NETWORK_FRAME = "iframe[title*='graphcrm_network']"
RESULT_LINE = re.compile(r"^\d+ rows? in [\d.]+ s")
LONG_QUERY = "UNWIND range(1, 80000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS n"


@dataclass
class Outcome:
    """What one user saw: seconds per step, and errors (exceptions shown, timeouts, outside requests)."""

    steps: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


async def _guard(page: Page, outcome: Outcome) -> None:
    async def only_loopback(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(LOOPBACK):
            await route.continue_()
        else:
            outcome.errors.append(f"outside request {route.request.url}")
            await route.abort()

    await page.route("**/*", only_loopback)


async def _check_page(page: Page, outcome: Outcome, step: str) -> None:
    if await page.locator("[data-testid='stException']").count():
        outcome.errors.append(f"{step}: the page shows an exception")


async def _timed(outcome: Outcome, step: str, action) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        await action()
        outcome.steps[step] = time.perf_counter() - started
    except Exception as err:  # noqa: BLE001 - a load test reports every failure, whatever it is
        outcome.errors.append(f"{step}: {type(err).__name__}: {str(err).splitlines()[0]}")


async def browse(browser: Browser, url: str, customer: str, query: str, timeout_ms: int) -> Outcome:
    """One user's visit: Overview, Explore for `customer`, a canned query run from its link."""
    outcome = Outcome()
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    await _guard(page, outcome)

    async def page_served(address: str, text: str) -> None:
        await page.goto(address)
        await page.get_by_text(text).first.wait_for()
        await page.locator(NETWORK_FRAME).first.wait_for()

    async def canned_query() -> None:
        await page.goto(f"{url}/cypher?query={quote(query)}")
        await page.get_by_role("button", name="Run").click()
        await page.get_by_text(RESULT_LINE).first.wait_for()

    for step, action in (
        ("overview", lambda: page_served(url, "Referral network of")),
        (
            "explore",
            lambda: page_served(f"{url}/explore?node={quote(customer)}&depth=2", f"Customer {customer}"),
        ),
        ("cypher", canned_query),
    ):
        await _timed(outcome, step, action)
        await _check_page(page, outcome, step)
    await context.close()
    return outcome


async def long_query(browser: Browser, url: str, timeout_ms: int) -> Outcome:
    """A user running a slow ad-hoc query (bounded by the console's time limit)."""
    outcome = Outcome()
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    await _guard(page, outcome)

    async def run() -> None:
        await page.goto(f"{url}/cypher?mode=own&q={quote(LONG_QUERY)}")
        await page.get_by_label("Time limit (s)").fill("60")
        await page.get_by_role("button", name="Run").click()
        await page.get_by_text(RESULT_LINE).first.wait_for()

    await _timed(outcome, "long query", run)
    await context.close()
    return outcome


def _summary(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.2f} / {p95:.2f} / {ordered[-1]:.2f}"


async def main_async(args: argparse.Namespace) -> int:
    customers = [f"C{i:06d}" for i in range(1, args.users + 1)]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        timeout_ms = int(args.timeout * 1000)
        alone = await browse(browser, args.url, customers[0], args.query, timeout_ms)
        slow = asyncio.create_task(long_query(browser, args.url, timeout_ms))
        await asyncio.sleep(4.0)
        beside_slow = await browse(browser, args.url, customers[1 % len(customers)], args.query, timeout_ms)
        slow_outcome = await slow
        started = time.perf_counter()
        crowd = await asyncio.gather(
            *(browse(browser, args.url, c, args.query, timeout_ms) for c in customers)
        )
        crowd_seconds = time.perf_counter() - started
        await browser.close()
    errors = [e for o in (alone, beside_slow, slow_outcome, *crowd) for e in o.errors]
    rows = [
        [
            step,
            f"{alone.steps.get(step, float('nan')):.2f}",
            f"{beside_slow.steps.get(step, float('nan')):.2f}",
            _summary([o.steps[step] for o in crowd if step in o.steps]),
            str(sum(step in o.steps for o in crowd)),
        ]
        for step in ("overview", "explore", "cypher")
    ]
    long_seconds = slow_outcome.steps.get("long query", float("nan"))
    notes = (
        f"The other user's long query ({LONG_QUERY!r}) took {long_seconds:.1f} s. "
        f"{args.users} visits at once took {crowd_seconds:.1f} s in all; {len(errors)} error(s)"
        f"{': ' + '; '.join(errors[:10]) if errors else ''}. Server: `graphcrm serve` over sample_data/."
    )
    record(
        f"Dashboard, {args.users} concurrent users",
        ["step", "alone (s)", "beside a long query (s)", f"{args.users} at once: median/p95/max (s)", "done"],
        rows,
        notes,
    )
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--query", default="top_referrers", help="canned query each user runs")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds allowed per step")
    args = parser.parse_args()
    if not args.url.startswith("http://127.0.0.1"):
        parser.error("the load test only drives a dashboard on 127.0.0.1")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
