"""Data and links that turn against their readers: names and URL values written as Markdown/HTML,
spreadsheet formulas and script-breaking text. They must come out as plain text everywhere: in
the dashboard (AppTest and a real Chromium), in every CSV export (CLI and page downloads) and in
the downloadable HTML view."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from graphcrm.analytics.run import write_all
from graphcrm.db import Graph
from graphcrm.export import frame_csv, rows_csv
from graphcrm.ingest.loader import load_directory

from .test_app import open_page, shown
from .test_console import graphcrm

IMAGE = "![x](http://example.invalid/p.png)"
LINK = "[click](http://example.invalid/phish)"
TAG = "<img src=x onerror=window.pwned=1>"
MARKUP = "**bold** $x$ :red[x]"
SCRIPT = "<!--<script>window.pwned=2</script>"
CLOSER = "</script><script>window.pwned=3</script>"
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1:A2)"]
# Customer id -> name: every hostile kind, and one ordinary neighbour.
NAMES = {
    "H1": IMAGE,
    "H2": LINK,
    "H3": TAG,
    "H4": MARKUP,
    "H5": SCRIPT,
    "H6": CLOSER,
    **{f"F{i}": name for i, name in enumerate(FORMULAS, 1)},
}
MARKDOWN_HOSTILE = [IMAGE, LINK, TAG, MARKUP]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture()
def hostile_graph(empty_graph: Graph, tmp_path: Path) -> Graph:
    """A small graph whose names are hostile: H1 referred everyone, E1 manages H1, the company
    (called like a formula) is unmanaged; scores written back as `make demo` does."""
    write_csv(
        tmp_path / "customers.csv",
        ["id", "name", "stage", "lifetime_value"],
        [[i, n, "commitment", "100"] for i, n in NAMES.items()],
    )
    write_csv(tmp_path / "companies.csv", ["id", "name", "stage"], [["CO1", FORMULAS[0], "expansion"]])
    write_csv(tmp_path / "employees.csv", ["id", "name"], [["E1", "-Eve =Manager"]])
    write_csv(tmp_path / "partners.csv", ["id", "name"], [["P1", LINK]])
    rels = [["H1", i, "REFERRED", "true"] for i in NAMES if i != "H1"]
    rels += [["E1", "H1", "MANAGES", ""], ["H2", "CO1", "WORKS_AT", ""]]
    rels += [["P1", "CO1", "PARTNERS_WITH", ""], ["P1", "H3", "REFERRED", "false"]]
    write_csv(tmp_path / "relationships.csv", ["source", "target", "type", "converted"], rels)
    load_directory(empty_graph, tmp_path)
    write_all(empty_graph)
    return empty_graph


def markdown_sources(app: AppTest) -> list[str]:
    """The source text of every element Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "subheader", "header", "title", "error", "warning", "info", "success")
    sources = [str(e.value) for kind in kinds for e in getattr(app, kind)]
    sources += [str(m.label) for m in app.metric] + [str(b.label) for b in app.get("download_button")]
    return sources


def assert_shown_as_text(app: AppTest, *expected: str) -> None:
    assert not app.exception, app.exception
    sources = markdown_sources(app)
    for name in [*MARKDOWN_HOSTILE, SCRIPT, CLOSER]:
        assert not any(name in source for source in sources), f"{name!r} reached Markdown as it is"
    for name in expected:
        assert any(name in shown(source) for source in sources), f"{name!r} is not shown as text"


@pytest.mark.parametrize("hostile", ["H1", "H2", "H3", "H4"])
def test_explore_shows_hostile_names_as_text(hostile_graph: Graph, app_env: None, hostile: str) -> None:
    app = open_page("explore", node=hostile, depth="2")
    assert_shown_as_text(app, f"{NAMES[hostile]} — Customer {hostile}")


@pytest.mark.parametrize(
    ("page", "query", "expected"),
    [
        ("accounts", {"stale_days": IMAGE}, IMAGE),
        ("cypher", {"query": LINK}, LINK),
        ("explore", {"node": "H1", "depth": MARKUP}, MARKUP),
        ("explore", {"node": TAG}, TAG),
        ("influencers", {"partner": IMAGE}, IMAGE),
        ("influencers", {"community": LINK}, LINK),
        ("intro", {"to": MARKUP}, MARKUP),
    ],
)
def test_link_values_are_shown_as_text(
    hostile_graph: Graph, app_env: None, page: str, query: dict[str, str], expected: str
) -> None:
    assert_shown_as_text(open_page(page, **query), expected)


def test_warm_intro_and_influencers_show_hostile_names_as_text(hostile_graph: Graph, app_env: None) -> None:
    assert_shown_as_text(open_page("intro", **{"from": "E1", "to": "H4"}), MARKUP)
    assert_shown_as_text(open_page("influencers"), "people, from stored scores")


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def neutralised(text: str) -> list[list[str]]:
    """The CSV's rows, after checking that no cell but a number starts like a formula."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    formulas = [c for row in rows for c in row if c.startswith(FORMULA_START) and not is_number(c)]
    assert formulas == [], f"cells a spreadsheet would run: {formulas}"
    return rows


def test_page_downloads_neutralise_formulas(
    hostile_graph: Graph, app_env: None, downloads: list[str]
) -> None:
    open_page("explore", node="H1", depth="2")
    open_page("influencers")
    open_page("accounts")
    open_page("partners")
    csvs = [text for text in downloads if not text.lstrip().startswith("<")]
    assert len(csvs) >= 4
    cells = {cell for text in csvs for row in neutralised(text) for cell in row}
    assert {"'" + name for name in FORMULAS} <= cells


def test_cli_csv_exports_neutralise_formulas(hostile_graph: Graph, neo4j_env: dict[str, str]) -> None:
    query = graphcrm(neo4j_env, "query", "unmanaged_accounts", "--format", "csv")
    cypher = subprocess.run(
        [
            "graphcrm",
            "cypher",
            "MATCH (c:Customer) RETURN c.name AS name, -5 AS negative, $tab AS tab, $cr AS cr",
        ]
        + ["-p", "tab=\tTAB", "-p", "cr=\rCR", "--format", "csv"],
        env=neo4j_env,
        capture_output=True,
        timeout=120,
    )  # bytes, so that the carriage return survives
    analyze = graphcrm(neo4j_env, "analyze", "influencers", "--format", "csv", "--quiet")
    for done in (query, cypher, analyze):
        assert done.returncode == 0, done.stderr
    query_rows = neutralised(query.stdout)
    cypher_rows = neutralised(cypher.stdout.decode())
    analyze_rows = neutralised(analyze.stdout)
    assert [row[1] for row in query_rows if row[0] == "CO1"] == ["'" + FORMULAS[0]]
    names = {row[0] for row in cypher_rows[1:]}
    assert {"'" + name for name in FORMULAS} <= names
    assert {row[1] for row in cypher_rows[1:]} == {"-5"}
    assert {(row[2], row[3]) for row in cypher_rows[1:]} == {("'\tTAB", "'\rCR")}
    header = analyze_rows[0]
    analyzed = {row[header.index("name")] for row in analyze_rows[1:]}
    assert "'" + FORMULAS[1] in analyzed


@pytest.fixture()
def html_download(hostile_graph: Graph, app_env: None, downloads: list[str], tmp_path: Path) -> Path:
    """Explore's HTML download of H1's neighbourhood (every hostile name is in it), as a file."""
    open_page("explore", node="H1", depth="1")
    (page,) = [text for text in downloads if text.lstrip().startswith("<!doctype html>")]
    path = tmp_path / "view.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_downloaded_html_view_runs_no_script_from_names(
    html_download: Path, browser_page: tuple[object, list[str]]
) -> None:
    page, blocked = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(html_download.as_uri())
    page.locator("body[data-stable=true]").wait_for(timeout=60_000)
    assert page.evaluate("() => window.pwned") is None
    assert dialogs == []
    labels = page.evaluate(
        "() => Object.fromEntries(window.graphcrmNetwork.body.data.nodes.get().map(n => [n.id, n.label]))"
    )
    assert labels == {**NAMES, "E1": "-Eve =Manager"}
    assert [url for url in blocked if "example.invalid" in url] == []


def test_browser_shows_hostile_names_and_links_as_text(
    hostile_graph: Graph, dashboard_url: str, browser_page: tuple[object, list[str]]
) -> None:
    page, blocked = browser_page
    hostile_links = "a[href*='example.invalid'], img[src*='example.invalid'], img[src='x']"
    for path, query, expected in [
        ("explore", {"node": "H1"}, f"{IMAGE} — Customer H1"),
        ("explore", {"node": "H4"}, f"{MARKUP} — Customer H4"),
        ("explore", {"node": "H2"}, f"{LINK} — Customer H2"),
        ("accounts", {"stale_days": LINK}, LINK),
        ("cypher", {"query": IMAGE}, IMAGE),
    ]:
        page.goto(f"{dashboard_url}/{path}?{urlencode(query)}")
        page.get_by_text(expected.split("(")[0], exact=False).first.wait_for(timeout=60_000)
        # U+2060 (word joiner) is invisible: the text reads as the name.
        assert expected in page.evaluate("() => document.body.innerText.replaceAll('\u2060', '')")
        found = page.locator(hostile_links)
        assert found.count() == 0, [found.nth(i).evaluate("e => e.outerHTML") for i in range(found.count())]
        assert page.locator("strong:text-is('bold'), .katex, [style*='color'] :text-is('x')").count() == 0
    assert page.evaluate("() => window.pwned") is None
    assert [url for url in blocked if "example.invalid" in url] == []


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+1", "@A1", "\tx", "\rx", "-5"])
def test_every_formula_start_is_neutralised_in_both_writers(cell: str) -> None:
    frame = pd.DataFrame({"text": [cell], "number": [-5]})
    for text in (frame_csv(frame), rows_csv(["text", "number"], [[cell, -5]])):
        assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["'" + cell, "-5"]


def test_ordinary_text_and_numbers_are_left_alone() -> None:
    frame = pd.DataFrame({"name": ["Ada", "O'Neil", ""], "value": [1.5, -2.25, 0]})
    assert list(csv.reader(io.StringIO(frame_csv(frame)))) == [
        ["name", "value"],
        ["Ada", "1.5"],
        ["O'Neil", "-2.25"],
        ["", "0.0"],
    ]
