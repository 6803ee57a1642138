"""The dashboard under Streamlit's AppTest over sample_data/ in Neo4j: every page renders without
exceptions, its key widgets do what they say, bad links and bad input get clear messages, and an
unreachable database is a message with how to start it, not a traceback. Expected answers come from
the CSV files, never from the code under test."""

from __future__ import annotations

import re
from collections import Counter

import networkx as nx
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graphcrm import compact, model, projection, server
from graphcrm.db import Graph
from graphcrm.ingest.loader import load_directory

from .conftest import ROOT, SAMPLE_DATA
from .test_load import csv_rows
from .test_validate import fingerprint

PAGES = {
    "overview": "graphcrm/ui/pages/overview.py",
    "explore": "graphcrm/ui/pages/explore.py",
    "influencers": "graphcrm/ui/pages/influencers.py",
    "intro": "graphcrm/ui/pages/intro.py",
    "accounts": "graphcrm/ui/pages/accounts.py",
    "partners": "graphcrm/ui/pages/partners.py",
    "cypher": "graphcrm/ui/pages/cypher.py",
}
RELATIONSHIPS = csv_rows(SAMPLE_DATA / "relationships.csv")
CUSTOMERS = csv_rows(SAMPLE_DATA / "customers.csv")
COMPANIES = csv_rows(SAMPLE_DATA / "companies.csv")
NAMES = {row["id"]: row["name"] for f in model.NODE_TYPES.values() for row in csv_rows(SAMPLE_DATA / f.file)}


def of_type(rel_type: str) -> list[dict[str, str]]:
    return [r for r in RELATIONSHIPS if r["type"] == rel_type]


def top_referrer() -> tuple[str, int]:
    return Counter(r["source"] for r in of_type(model.REFERRED)).most_common(1)[0]


def open_page(page: str, **query: str | list[str]) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page != "overview":
        app.switch_page(PAGES[page])
        app.run()
    assert not app.exception, app.exception
    return app


def shown(markdown: str) -> str:
    """What Markdown displays for `markdown`'s backslash escapes (CommonMark: a backslash before
    ASCII punctuation shows the punctuation), without invisible word joiners (U+2060)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def texts(elements: object) -> list[str]:
    return [shown(str(e.value)) for e in elements]  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_over_the_sample_graph(page: str, scored_graph: Graph, app_env: None) -> None:
    app = open_page(page)
    assert texts(app.error) == []
    assert app.title[0].value


def largest_cascade() -> tuple[str, int]:
    """The referral root (referred by nobody) with the most people downstream, and that number,
    from sample_data's CSV (ties: the smaller id; sample_data has no tie in size and value)."""
    R = nx.DiGraph((r["source"], r["target"]) for r in of_type(model.REFERRED))
    roots = [n for n in R if not R.in_degree(n)]
    return max(((n, len(nx.descendants(R, n))) for n in roots), key=lambda pair: (pair[1], pair[0]))


def test_overview_counts_funnel_and_referral_health(scored_graph: Graph, app_env: None) -> None:
    app = open_page("overview")
    metrics = {m.label: m.value for m in app.metric}
    for node_type in model.NODE_TYPES.values():
        assert metrics[f"{node_type.label} nodes"] == f"{len(csv_rows(SAMPLE_DATA / node_type.file)):,}"
    referred = of_type(model.REFERRED)
    converted = sum(r["converted"] == "true" for r in referred)
    assert metrics["Referral conversion"] == f"{converted / len(referred):.0%}"
    by_customers = Counter(r["source"] for r in referred if r["source"].startswith("C"))
    assert metrics["k-factor"] == f"{sum(by_customers.values()) / len(by_customers):.2f}"
    funnel = app.dataframe[0].value
    customers = funnel[funnel["label"] == model.CUSTOMER]
    assert dict(zip(customers["stage"], customers["count"], strict=True)) == {
        stage: sum(c["stage"] == stage for c in CUSTOMERS) for stage in model.STAGES
    }
    root, size = largest_cascade()
    assert f"Largest referral cascade: {NAMES[root]} ({size:,} people and accounts)" in texts(app.subheader)


def test_overview_without_a_batch_shows_counts_and_says_what_to_run(
    sample_graph: Graph, app_env: None
) -> None:
    app = open_page("overview")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Customer nodes"] == f"{len(CUSTOMERS):,}" and metrics["k-factor"] == "—"
    assert any("No stored funnel yet" in m for m in texts(app.info))


def test_explore_search_finds_a_known_customer(sample_graph: Graph, app_env: None) -> None:
    customer = CUSTOMERS[41]
    app = open_page("explore")
    app.text_input(key="explore-search").input(customer["name"]).run()
    hits = app.selectbox(key="explore-hit").options
    assert any(customer["id"] in option for option in hits)


def test_explore_opens_a_node_from_the_link_with_its_details(sample_graph: Graph, app_env: None) -> None:
    managed = of_type(model.MANAGES)
    company = next(c["id"] for c in COMPANIES if any(m["target"] == c["id"] for m in managed))
    managers = {NAMES[m["source"]] for m in managed if m["target"] == company}
    app = open_page("explore", node=company, depth="2")
    assert f"{NAMES[company]} — Company {company}" in texts(app.subheader)
    managed_line = next(m for m in texts(app.markdown) if m.startswith("Managed by:"))
    assert all(name in managed_line for name in managers)
    neighbours = {r["target"] for r in RELATIONSHIPS if r["source"] == company} | {
        r["source"] for r in RELATIONSHIPS if r["target"] == company
    }
    caption = texts(app.caption)[0]
    assert int(caption.split()[0]) >= min(len(neighbours), 25) + 1


def test_explore_masks_personal_data_unless_turned_on(sample_graph: Graph, app_env: None) -> None:
    customer = next(c for c in CUSTOMERS if c["email"])
    app = open_page("explore", node=customer["id"])
    details = app.dataframe[0].value
    shown = dict(zip(details["property"], details["value"], strict=True))
    assert shown["email"] == "•••" and customer["email"] not in details.to_string()
    app.toggle(key="show_personal").set_value(True).run()
    details = app.dataframe[0].value
    assert dict(zip(details["property"], details["value"], strict=True))["email"] == customer["email"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"node": "NOPE-404"}, "There is no customer, company, employee or partner with id 'NOPE-404'."),
        (
            {"node": "X" * 5000},
            f"There is no customer, company, employee or partner with id '{'X' * 80}... (5,000 characters)'.",
        ),
        ({"node": "C000001", "depth": "9"}, "Ignored depth '9' from the link: it must be 1, 2 or 3."),
        ({"node": "C000001", "label": "Robot"}, "Ignored label 'Robot' from the link"),
        ({"node": "C000001", "strength": "strong"}, "Ignored strength 'strong' from the link"),
        ({"page": "accounts", "stale_days": "-3"}, "Ignored stale_days '-3' from the link"),
        ({"page": "influencers", "partner": "P404"}, "There is no partner 'P404'; showing everyone."),
        ({"page": "influencers", "community": "many"}, "'many' is not a community number"),
    ],
)
def test_bad_links_get_clear_messages(
    sample_graph: Graph, app_env: None, query: dict[str, str], message: str
) -> None:
    query = dict(query)
    app = open_page(query.pop("page", "explore"), **query)
    assert any(message in m for m in texts(app.error) + texts(app.warning))


def test_influencers_rank_the_top_referrer(scored_graph: Graph, app_env: None) -> None:
    source, count = top_referrer()
    app = open_page("influencers")
    table = app.dataframe[0].value
    assert source in list(table["id"][:5])
    why = table.loc[table["id"] == source, "influence_why"].iloc[0]
    assert f"referred {count}" in why


def test_influencers_filter_by_stage(scored_graph: Graph, app_env: None) -> None:
    app = open_page("influencers", stage="commitment")
    table = app.dataframe[0].value
    assert len(table) > 0 and set(table["stage"]) == {"commitment"}


def test_warm_intro_from_a_manager_to_the_account(sample_graph: Graph, app_env: None) -> None:
    pair = next(m for m in of_type(model.MANAGES) if m["target"].startswith("CO"))
    app = open_page("intro", **{"from": pair["source"], "to": pair["target"]})
    first_hop = next(m for m in texts(app.markdown) if m.startswith("1. "))
    assert f"{NAMES[pair['source']]} ({pair['source']}) manages {NAMES[pair['target']]}" in first_hop


def test_warm_intro_says_when_its_search_stopped_at_the_cap(
    sample_graph: Graph, app_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    st.cache_data.clear()
    monkeypatch.setenv("GRAPHCRM_INTRO_MAX_NODES", "40")
    target = max(c["id"] for c in CUSTOMERS)
    app = open_page("intro", **{"from": "E0001", "to": target})
    assert any("people and accounts nearest the two ends" in c for c in texts(app.caption))
    st.cache_data.clear()


def test_warm_intro_unknown_target_is_a_message(sample_graph: Graph, app_env: None) -> None:
    app = open_page("intro", to="zzzz-nobody")
    assert any("No customer or company matches 'zzzz-nobody'" in m for m in texts(app.info))


def test_accounts_lists_the_unmanaged_companies_from_the_stored_run(
    scored_graph: Graph, app_env: None
) -> None:
    managed = {m["target"] for m in of_type(model.MANAGES)}
    unmanaged = {c["id"] for c in COMPANIES if c["id"] not in managed}
    app = open_page("accounts")
    assert texts(app.caption)[0].startswith("As of the coverage run at ")
    assert texts(app.subheader)[0] == "Unmanaged"
    assert set(app.dataframe[0].value["id"]) == unmanaged


def test_partnerships_has_one_row_per_partner(scored_graph: Graph, app_env: None) -> None:
    partners = {p["id"] for p in csv_rows(SAMPLE_DATA / "partners.csv")}
    app = open_page("partners")
    first = app.dataframe[0].value
    assert set(first[first.columns[0]]) == partners


def test_stored_pages_say_how_to_compute_before_any_run(sample_graph: Graph, app_env: None) -> None:
    for page, name in (("accounts", "coverage"), ("partners", "partners")):
        app = open_page(page)
        assert any(f"No stored {name} results yet" in m for m in texts(app.info))


def test_stored_pages_say_when_the_graph_changed_since_the_run(scored_graph: Graph, app_env: None) -> None:
    load_directory(scored_graph, SAMPLE_DATA)
    app = open_page("accounts")
    assert any("the graph has changed since" in m for m in texts(app.warning))


def test_no_page_projects_the_whole_graph(
    scored_graph: Graph, app_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    whole_graph = projection._project
    monkeypatch.setattr(projection, "_project", lambda *a: calls.append(a[1]) or whole_graph(*a))
    whole_columns = compact.project_compact
    monkeypatch.setattr(compact, "project_compact", lambda *a: calls.append(a[1]) or whole_columns(*a))
    partner = Counter(
        r["source"] for r in of_type(model.REFERRED) if r["source"].startswith("P")
    ).most_common(1)
    pair = next(m for m in of_type(model.MANAGES) if m["target"].startswith("CO"))
    visits = {
        "overview": {},
        "explore": {"node": top_referrer()[0]},
        "influencers": {"partner": partner[0][0]},
        "intro": {"from": pair["source"], "to": pair["target"]},
        "accounts": {"stale_days": "30"},
        "partners": {},
        "cypher": {"query": "top_referrers"},
    }
    for page, query in visits.items():
        open_page(page, **query)
    assert calls == [], f"pages projected the whole graph: {calls}"


def test_cypher_console_refuses_a_write_and_changes_nothing(sample_graph: Graph, app_env: None) -> None:
    before = fingerprint(sample_graph)
    app = open_page("cypher", mode="own")
    app.text_area(key="cypher-text").input("MATCH (n) DETACH DELETE n")
    app.button[0].click().run()
    assert texts(app.error) == ["Only read queries run here, and this query writes to the database."]
    assert fingerprint(sample_graph) == before


def test_cypher_console_runs_a_query_with_a_parameter(sample_graph: Graph, app_env: None) -> None:
    app = open_page("cypher", mode="own")
    app.text_area(key="cypher-text").input("MATCH (c:Customer {stage: $stage}) RETURN count(c) AS n")
    app.text_area(key="cypher-params").input("stage=dissolution")
    app.button[0].click().run()
    assert texts(app.error) == []
    assert int(app.dataframe[0].value["n"][0]) == sum(c["stage"] == "dissolution" for c in CUSTOMERS)


def test_cypher_console_injection_through_a_parameter_is_just_a_string(
    sample_graph: Graph, app_env: None
) -> None:
    before = fingerprint(sample_graph)
    app = open_page("cypher", mode="own")
    app.text_area(key="cypher-text").input("MATCH (c:Customer) WHERE c.name = $name RETURN c.id AS id")
    app.text_area(key="cypher-params").input("name=x' OR 1=1 WITH c DETACH DELETE c //")
    app.button[0].click().run()
    assert texts(app.error) == []
    assert app.dataframe[0].value.empty
    assert fingerprint(sample_graph) == before


def test_cypher_console_network_view_is_capped(sample_graph: Graph, app_env: None) -> None:
    app = open_page("cypher", mode="own")
    everything = "MATCH (n) WHERE n:Customer OR n:Company OR n:Employee OR n:Partner RETURN collect(n) AS all"
    app.text_area(key="cypher-text").input(everything)
    app.button[0].click().run()
    assert texts(app.error) == []
    assert texts(app.subheader)[-1].startswith("As a network (150 nodes")
    left_out = f"{len(NAMES) - 150:,} more nodes not drawn: the view is capped at 150 nodes."
    assert left_out in texts(app.caption)


def test_cypher_console_canned_query_from_the_link(sample_graph: Graph, app_env: None) -> None:
    app = open_page("cypher", query="unmanaged_accounts")
    app.button[0].click().run()
    assert texts(app.error) == []
    managed = {m["target"] for m in of_type(model.MANAGES)}
    ids = set(app.dataframe[0].value.iloc[:, 0])
    assert ids == {c["id"] for c in COMPANIES if c["id"] not in managed}


def test_cypher_console_unknown_canned_query_in_the_link(sample_graph: Graph, app_env: None) -> None:
    app = open_page("cypher", query="drop_everything")
    assert "There is no canned query called 'drop_everything'" in texts(app.warning)[0]


@pytest.mark.parametrize("page", list(PAGES))
def test_unreachable_database_is_one_clear_message(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{server.free_port()}")
    monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong")
    st.cache_data.clear()
    app = open_page(page)
    assert "not reachable" in app.error[0].value
    assert "graphcrm neo4j start" in app.info[0].value


def test_cypher_console_keeps_personal_data_off_unless_allowed(sample_graph: Graph, app_env: None) -> None:
    customer = next(c for c in CUSTOMERS if c["email"])
    neighbours = {r["target"] for r in RELATIONSHIPS if r["source"] == customer["id"]}
    neighbours |= {r["source"] for r in RELATIONSHIPS if r["target"] == customer["id"]}
    emails = [c["email"] for c in CUSTOMERS if c["id"] in neighbours | {customer["id"]} and c["email"]]
    link = {"query": "customer_360", "p.id": customer["id"], "p.include_personal": "true"}
    app = open_page("cypher", **link)
    assert app.text_input(key="cypher-p-customer_360-include_personal").disabled
    app.button[0].click().run()
    assert not any(email in app.dataframe[0].value.to_string() for email in emails)
    app.toggle(key="show_personal").set_value(True).run()
    app.text_input(key="cypher-p-customer_360-include_personal").input("true")
    app.button[0].click().run()
    assert any(email in app.dataframe[0].value.to_string() for email in emails)


def test_overview_recompute_writes_scores_and_records_the_runs(
    writable_sample_graph: Graph, app_env: None
) -> None:
    writable_sample_graph.write("MATCH (r:AnalyticsRun) DETACH DELETE r")
    writable_sample_graph.write("MATCH (n) REMOVE n.influence")
    app = open_page("overview")
    assert "Scores have not been computed yet." in texts(app.caption)
    next(b for b in app.button if b.label == "Recompute scores").click().run()
    assert not app.exception and texts(app.error) == []
    runs = writable_sample_graph.read("MATCH (r:AnalyticsRun) RETURN r.analysis AS a ORDER BY a")
    assert [r["a"] for r in runs] == [
        "communities", "coverage", "funnel", "influencers", "partners", "referrals", "rings"
    ]  # fmt: skip
    scored = writable_sample_graph.read(
        "MATCH (c:Customer) WHERE c.influence IS NOT NULL RETURN count(c) AS n"
    )
    assert scored[0]["n"] == len(CUSTOMERS)


def test_influencers_within_a_partners_reach_keep_the_stage_filter(
    scored_graph: Graph, app_env: None
) -> None:
    partner = Counter(
        r["source"] for r in of_type(model.REFERRED) if r["source"].startswith("P")
    ).most_common(1)[0][0]
    app = open_page("influencers", partner=partner, stage="commitment")
    assert f"{NAMES[partner]}'s reach" in texts(app.caption)[0]
    table = app.dataframe[0].value
    stages = {c["id"]: c["stage"] for c in CUSTOMERS}
    assert len(table) > 0 and {stages.get(i) for i in table["id"]} == {"commitment"}
