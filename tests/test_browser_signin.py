"""Sign-in in a real headless Chromium (loopback only) against `graphcrm serve --auth`, started
from a folder without `.streamlit/`, so the shipped settings must come through serve's flags.

Signed out, no page shows data and none of it travels over the websocket (frames captured with
playwright); a viewer is refused their own queries with the role it needs and an audit record; a
wrong password is refused and the next try for that name is held back."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphcrm.db import Graph
from graphcrm.users import UsersFile

from .conftest import CHROMIUM, LOOPBACK, start_dashboard
from .test_app import CUSTOMERS, NAMES, largest_cascade

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
USERS = {"vera": ("viewer", "viewer-pass-1"), "wanda": ("viewer", "wanda-pass-1")}
SECRETS = sorted({*NAMES.values(), *(c["email"] for c in CUSTOMERS if c["email"])})


@pytest.fixture(scope="session")
def signin_dashboard(
    neo4j_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`graphcrm serve --auth users.json` on a free loopback port; yields its URL and audit file."""
    folder = tmp_path_factory.mktemp("served")
    for name, (role, password) in USERS.items():
        UsersFile(folder / "users.json").add(name, role, password)
    env = {**neo4j_env, "GRAPHCRM_HOME": str(folder / "state")}
    command = [sys.executable, "-m", "graphcrm.cli", "serve", "--auth", "users.json"]
    proc, url = start_dashboard(command, env, folder, folder / "serve.log")
    yield url, folder / "state" / "audit.jsonl"
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture()
def watched_page() -> Iterator[tuple[playwright.Page, list[str], list[bytes]]]:
    """A loopback-only Chromium page; yields it, the requests it tried elsewhere, and every
    websocket frame the server sent it."""
    blocked: list[str] = []
    frames: list[bytes] = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})

        def only_loopback(route: playwright.Route) -> None:
            if route.request.url.startswith(LOOPBACK):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        def capture(socket: playwright.WebSocket) -> None:
            socket.on("framereceived", lambda p: frames.append(p.encode() if isinstance(p, str) else p))

        page.route("**/*", only_loopback)
        page.on("websocket", capture)
        yield page, blocked, frames
        browser.close()


def sign_in(page: playwright.Page, name: str, password: str) -> None:
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def leaked(text: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in text]


def audit_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_signed_out_no_page_shows_or_sends_data(
    scored_graph: Graph,
    signin_dashboard: tuple[str, Path],
    watched_page: tuple[playwright.Page, list[str], list[bytes]],
) -> None:
    url, _ = signin_dashboard
    page, blocked, frames = watched_page
    customer = next(c for c in CUSTOMERS if c["email"])
    # The server is fresh: a page's own URL comes first, before any session ran the app's navigation.
    for path in (f"cypher?query=customer_360&p.id={customer['id']}", f"explore?node={customer['id']}",
                 "influencers", "intro", "accounts", "partners", ""):  # fmt: skip
        page.goto(f"{url}/{path}")
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert leaked(page.content().encode()) == [], path
    assert frames and leaked(b"".join(frames)) == []
    assert page.get_by_text("Deploy", exact=True).count() == 0, "toolbarMode viewer hides Deploy"

    referrer = NAMES[largest_cascade()[0]]
    page.goto(url)
    sign_in(page, "vera", USERS["vera"][1])
    page.get_by_text(f"Largest referral cascade: {referrer}").wait_for(timeout=60_000)
    assert referrer in leaked(b"".join(frames)), "signed in, the same capture does see the data"
    assert page.get_by_text("Deploy", exact=True).count() == 0
    assert blocked == [], f"the dashboard asked the internet for {blocked}"


def test_viewer_runs_and_exports_canned_queries_but_is_refused_their_own(
    sample_graph: Graph,
    signin_dashboard: tuple[str, Path],
    watched_page: tuple[playwright.Page, list[str], list[bytes]],
) -> None:
    url, trail = signin_dashboard
    page, blocked, _ = watched_page
    page.goto(f"{url}/cypher?query=lifecycle_funnel")
    sign_in(page, "vera", USERS["vera"][1])
    page.get_by_text("Signed in as").wait_for(timeout=60_000)
    assert page.url.startswith(f"{url}/cypher"), "signing in keeps the page the link asked for"
    assert page.get_by_text("Show personal data").count() == 0
    page.get_by_role("button", name="Run").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "graphcrm-query.csv"

    page.get_by_text("Your own query").click()
    page.get_by_text("Running your own Cypher query needs the analyst role").wait_for(timeout=60_000)
    records = [r for r in audit_records(trail) if r["user"] == "vera"]
    assert [r["event"] for r in records][-4:] == ["sign-in", "query", "export", "denied"]
    assert records[-3]["query"] == "lifecycle_funnel" and records[-2]["file"] == "graphcrm-query.csv"
    assert records[-1]["action"] == "own_query"
    assert blocked == []


def test_wrong_password_is_refused_and_the_next_try_held_back(
    sample_graph: Graph,
    signin_dashboard: tuple[str, Path],
    watched_page: tuple[playwright.Page, list[str], list[bytes]],
) -> None:
    url, trail = signin_dashboard
    page, _, frames = watched_page
    page.goto(url)
    sign_in(page, "wanda", "not-wandas-password")
    page.get_by_text("Wrong user name or password").wait_for(timeout=60_000)
    sign_in(page, "wanda", USERS["wanda"][1])
    page.get_by_text("Too many failed sign-ins for 'wanda'").wait_for(timeout=60_000)
    assert leaked(b"".join(frames)) == []
    events = [r["event"] for r in audit_records(trail) if r["user"] == "wanda"]
    assert events == ["sign-in failed", "sign-in refused"]
