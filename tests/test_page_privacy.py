"""Personal data on the dashboard: with "Show personal data" off, no page shows an email or phone
of sample_data/ anywhere a user can see or take it (text, tables, network tooltips, downloads);
with it on, they appear where they belong. Expected values are read from the CSV files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from graphcrm import model
from graphcrm.analytics.run import write_all
from graphcrm.db import Graph, Settings
from graphcrm.ingest.loader import load_directory, wipe

from .conftest import SAMPLE_DATA, DatabaseState
from .test_app import PAGES, of_type, open_page
from .test_load import csv_rows

CUSTOMERS = csv_rows(SAMPLE_DATA / "customers.csv")
EMPLOYEES = csv_rows(SAMPLE_DATA / "employees.csv")
PERSONAL = sorted(
    {row[key] for row in CUSTOMERS for key in ("email", "phone") if row[key]}
    | {row["email"] for row in EMPLOYEES if row["email"]}
)


@pytest.fixture(scope="module")
def scored_sample(settings: Settings, db_state: DatabaseState) -> Graph:
    """sample_data/ with scores written back, once for this module (its tests only read)."""
    graph = Graph(settings)
    wipe(graph)
    load_directory(graph, SAMPLE_DATA)
    write_all(graph)
    db_state.content = "dirty"  # scores added: not the plain sample any more
    return graph


def everything_shown(app: AppTest, downloads: list[str]) -> str:
    """All a user can read or take from the page: every element's text and values, the tables,
    the network components' data (tooltips) and the downloads."""
    parts: list[str] = list(downloads)
    for node in _walk(app._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        value = getattr(node, "value", None)
        if hasattr(value, "to_csv"):
            parts.append(value.to_csv())
    return "\n".join(parts)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def leaked(text: str) -> list[str]:
    # Protos escape non-ASCII and quotes; personal values are plain ASCII, so a substring test holds.
    return [value for value in PERSONAL if value in text]


def customer_with_personal_neighbours() -> str:
    emails = {c["id"] for c in CUSTOMERS if c["email"] and c["phone"]}
    referred = of_type(model.REFERRED)
    return next(r["source"] for r in referred if r["source"] in emails and r["target"] in emails)


def run_cypher(app: AppTest, text: str) -> AppTest:
    app.text_area(key="cypher-text").input(text)
    app.button[0].click().run()
    return app


def visit(page: str) -> Callable[[], AppTest]:
    """How each page is opened so that it draws, tabulates and exports people."""
    manager = next(m for m in of_type(model.MANAGES) if m["target"].startswith("C0"))
    customer = customer_with_personal_neighbours()
    return {
        "overview": lambda: open_page("overview"),
        "explore": lambda: open_page("explore", node=customer, depth="2"),
        "influencers": lambda: open_page("influencers"),
        "intro": lambda: open_page("intro", **{"from": manager["source"], "to": manager["target"]}),
        "accounts": lambda: open_page("accounts"),
        "partners": lambda: open_page("partners"),
        "cypher": lambda: run_cypher(
            open_page("cypher", mode="own"),
            "MATCH (c:Customer)-[r]-(d) WHERE c.email IS NOT NULL "
            "RETURN c, r, d, c.email AS email, d.phone AS phone LIMIT 40",
        ),
    }[page]


@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_shows_personal_data_while_the_toggle_is_off(
    page: str, scored_sample: Graph, app_env: None, downloads: list[str]
) -> None:
    app = visit(page)()
    assert not app.exception, app.exception
    assert leaked(everything_shown(app, downloads)) == []


@pytest.mark.parametrize("page", ["overview", "explore", "intro", "cypher"])
def test_personal_data_appears_once_the_toggle_is_on(
    page: str, scored_sample: Graph, app_env: None, downloads: list[str]
) -> None:
    app = visit(page)()
    app.toggle(key="show_personal").set_value(True).run()
    if page == "cypher":
        app.button[0].click().run()
    assert not app.exception, app.exception
    assert leaked(everything_shown(app, downloads)) != []


def test_network_tooltips_are_masked_on_the_overview(
    scored_sample: Graph, app_env: None, downloads: list[str]
) -> None:
    app = open_page("overview")
    (component,) = app.get("component_instance")
    nodes = json.loads(component.proto.json_args)["data"]["nodes"]
    people = {c["id"]: c for c in CUSTOMERS + EMPLOYEES}
    with_email = [n for n in nodes if people.get(n["id"], {}).get("email")]
    assert with_email, "the drawn neighbourhood holds people with an email"
    assert all("email: •••" in n["title"] and people[n["id"]]["email"] not in n["title"] for n in with_email)
