"""The canned query library: complete headers, declared parameters only, and every query's answer
on sample_data/ checked against an expectation computed here from the CSV files themselves."""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections import Counter, defaultdict, deque
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import networkx as nx
import pytest

from graphcrm import console, queries
from graphcrm.db import Graph
from graphcrm.explore import MASK

from .conftest import SAMPLE_DATA

STAGES = ("exploration", "awareness", "expansion", "commitment", "dissolution")


# --- the sample data, read straight from the CSV files ------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def nodes() -> dict[str, dict[str, str]]:
    """id -> CSV row, with a `_label` key."""
    found: dict[str, dict[str, str]] = {}
    for label, file in (
        ("Customer", "customers.csv"),
        ("Company", "companies.csv"),
        ("Employee", "employees.csv"),
        ("Partner", "partners.csv"),
    ):
        for row in _rows(file):
            found[row["id"]] = {**row, "_label": label}
    return found


@cache
def rels() -> list[dict[str, str]]:
    return _rows("relationships.csv")


@cache
def touches() -> list[dict[str, str]]:
    return _rows("interactions.csv")


def of_type(rel_type: str) -> list[dict[str, str]]:
    return [r for r in rels() if r["type"] == rel_type]


def label(node_id: str) -> str:
    return nodes()[node_id]["_label"]


def money(node_id: str) -> float:
    row = nodes()[node_id]
    return float(row.get("lifetime_value") or row.get("annual_value") or 0)


def touched_at(row: dict[str, str]) -> datetime:
    return datetime.fromisoformat(row["at"].replace("Z", "+00:00"))


def run(graph: Graph, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a canned query; asking it for personal data runs it with personal data on."""
    personal = params.get(console.PERSONAL_PARAM) == "true"
    return console.run_canned(graph, name, params, max_rows=10_000, personal=personal).records()


def bfs(adjacency: dict[str, set[str]], start: str, limit: int) -> dict[str, int]:
    """Hop distance from `start` to every node within `limit` hops (start excluded)."""
    seen = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if seen[here] == limit:
            continue
        for there in sorted(adjacency.get(here, ())):
            if there not in seen:
                seen[there] = seen[here] + 1
                queue.append(there)
    seen.pop(start)
    return seen


def adjacency(rel_types: tuple[str, ...] | None = None, *, reverse: bool = False) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for r in rels():
        if rel_types is None or r["type"] in rel_types:
            a, b = (r["target"], r["source"]) if reverse else (r["source"], r["target"])
            out[a].add(b)
    return out


# --- the library itself -------------------------------------------------------------------------

TESTED = {
    "customer_360",
    "referral_chain",
    "top_referrers",
    "unmanaged_accounts",
    "manager_load",
    "account_contacts",
    "partner_referrals",
    "partner_reach",
    "shared_customers",
    "stale_relationships",
    "dissolving_high_value",
    "shortest_path",
    "lifecycle_funnel",
    "campaign_audience",
    "influencers",
    "referral_rings",
    "supply_chain",
    "team_portfolio",
    "account_timeline",
    "search",
    "referral_channels",
}


def test_property_reads_are_model_keys_only_with_dates_as_text() -> None:
    assert str(queries.PropertyReads("r", ("since", "strength", "at"))) == (
        "[toString(r.since), r.strength, toString(r.at)]"
    )
    for variable, keys in (("n", ("name} RETURN 1 //",)), ("n", ("password",)), ("n) DETACH DELETE (n", ())):
        with pytest.raises(ValueError):
            queries.PropertyReads(variable, keys)
    template = queries.internal("project_nodes")
    with pytest.raises(ValueError, match="not a label or type"):
        template.render(label="Customer", values="[n.password]")


def test_library_is_large_and_every_query_has_a_test() -> None:
    library = queries.library()
    assert len(library) >= 15
    assert set(library) == TESTED


@pytest.mark.parametrize("name", sorted(TESTED))
def test_query_header_is_complete_and_uses_only_declared_parameters(name: str) -> None:
    query = queries.library()[name]
    assert query.path.stem == name
    assert len(query.description) > 20 and query.question.endswith("?")
    for param in query.params:
        assert param.type in queries.PARAM_TYPES and param.doc, param
        if not param.required and param.default != "null":
            console.typed_value(param.default, param.type, param.name)
    body = re.sub(r"//.*", "", query.text)
    used = set(re.findall(r"\$([A-Za-z_]\w*)", body))
    assert used == {p.name for p in query.params}, "every $parameter is declared, every declaration used"
    assert not re.search(r"%s|\{\}|\{\d+\}|\{[a-z_]+\}", body), "no string formatting placeholders"


# --- each query against sample_data/ ------------------------------------------------------------


def test_customer_360(sample_graph: Graph) -> None:
    degree = Counter(r["source"] for r in rels()) + Counter(r["target"] for r in rels())
    degree += Counter(t["party"] for t in touches())
    centre = max((n for n in nodes() if label(n) == "Customer"), key=lambda n: (degree[n], n))
    expected = sorted(
        [(r["type"], "out", r["target"]) for r in rels() if r["source"] == centre]
        + [(r["type"], "in", r["source"]) for r in rels() if r["target"] == centre]
        + [("INTERACTED", "in", t["employee"]) for t in touches() if t["party"] == centre]
    )
    rows = run(sample_graph, "customer_360", id=centre)
    assert sorted((r["relationship"], r["direction"], r["neighbour_id"]) for r in rows) == expected
    assert all(r["neighbour_email"] is None and r["neighbour_phone"] is None for r in rows), (
        "personal data hidden"
    )
    personal = run(sample_graph, "customer_360", id=centre, include_personal="true")
    for row in personal:
        assert row["neighbour_email"] == (nodes()[row["neighbour_id"]].get("email") or None)
    assert run(sample_graph, "customer_360", id="NO-SUCH-ID") == []


def test_referral_chain(sample_graph: Graph) -> None:
    referred = adjacency(("REFERRED",))
    start = max(sorted(referred), key=lambda n: len(bfs(referred, n, 3)))
    for hops in (1, 3):
        expected = bfs(referred, start, hops)
        rows = run(sample_graph, "referral_chain", id=start, hops=str(hops))
        assert {r["id"]: r["hops"] for r in rows} == expected
        for row in rows:
            chain = row["chain"]
            assert chain[0] == start and chain[-1] == row["id"] and len(chain) == row["hops"] + 1
            assert all(b in referred[a] for a, b in itertools.pairwise(chain))
    assert len(bfs(referred, start, 3)) > len(bfs(referred, start, 1)), "the sample has multi-step chains"


def _referral_value(rows: list[dict[str, str]]) -> dict[str, tuple[int, int, float]]:
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for r in rows:
        total = totals[r["source"]]
        total[0] += 1
        if r["converted"] == "true":
            total[1] += 1
            total[2] += float(r["value"]) if r["value"] else money(r["target"])
    return {k: (int(v[0]), int(v[1]), v[2]) for k, v in totals.items()}


def test_top_referrers(sample_graph: Graph) -> None:
    totals = _referral_value(of_type("REFERRED"))
    expected = sorted(totals.items(), key=lambda kv: (-round(kv[1][2], 2), kv[0]))[:7]
    rows = run(sample_graph, "top_referrers", limit="7")
    assert [r["id"] for r in rows] == [k for k, _ in expected]
    for row, (_, (count, converted, value)) in zip(rows, expected, strict=True):
        assert (row["referrals"], row["converted"]) == (count, converted)
        assert row["converted_value"] == pytest.approx(value, abs=0.01)


def test_unmanaged_accounts(sample_graph: Graph) -> None:
    managed = {r["target"] for r in of_type("MANAGES")}
    unmanaged = [n for n in nodes() if label(n) == "Company" and n not in managed]
    touch_count = Counter(t["party"] for t in touches())
    rows = run(sample_graph, "unmanaged_accounts")
    assert [r["id"] for r in rows] == sorted(unmanaged, key=lambda n: (-money(n), n))
    assert {r["id"]: r["touch_points"] for r in rows} == {n: touch_count[n] for n in unmanaged}
    stage = nodes()[unmanaged[0]]["stage"]
    staged = run(sample_graph, "unmanaged_accounts", stage=stage)
    assert {r["id"] for r in staged} == {n for n in unmanaged if nodes()[n]["stage"] == stage}


def test_manager_load(sample_graph: Graph) -> None:
    load: dict[str, Counter] = {n: Counter() for n in nodes() if label(n) == "Employee"}
    for r in of_type("MANAGES"):
        load[r["source"]][label(r["target"])] += 1
    rows = run(sample_graph, "manager_load")
    assert {r["id"]: (r["companies"], r["customers"], r["partners"], r["total"]) for r in rows} == {
        e: (c["Company"], c["Customer"], c["Partner"], c.total()) for e, c in load.items()
    }
    assert [r["total"] for r in rows] == sorted((r["total"] for r in rows), reverse=True)
    kams = run(sample_graph, "manager_load", role="key_account_manager")
    assert {r["id"] for r in kams} == {e for e in load if nodes()[e]["role"] == "key_account_manager"}


def test_account_contacts(sample_graph: Graph) -> None:
    staff = Counter(r["target"] for r in of_type("WORKS_AT"))
    company = max(sorted(staff), key=lambda c: staff[c])
    contacts = {r["source"] for r in of_type("WORKS_AT") if r["target"] == company}
    knows = defaultdict(set)
    for r in of_type("KNOWS"):
        knows[r["source"]].add(r["target"])
        knows[r["target"]].add(r["source"])
    rows = run(sample_graph, "account_contacts", id=company)
    assert {r["id"] for r in rows} == contacts
    for row in rows:
        c = row["id"]
        assert row["known_by"] == sorted(knows[c])
        assert row["touched_by"] == sorted({t["employee"] for t in touches() if t["party"] == c})
        assert row["managed_by"] == sorted(r["source"] for r in of_type("MANAGES") if r["target"] == c)
        assert row["email"] is None


def test_partner_referrals(sample_graph: Graph) -> None:
    totals = _referral_value([r for r in of_type("REFERRED") if label(r["source"]) == "Partner"])
    rows = run(sample_graph, "partner_referrals")
    assert {r["id"] for r in rows} == {n for n in nodes() if label(n) == "Partner"}
    for row in rows:
        count, converted, value = totals.get(row["id"], (0, 0, 0.0))
        assert (row["referrals"], row["converted"]) == (count, converted)
        assert row["converted_value"] == pytest.approx(value, abs=0.01)
        assert row["conversion_rate"] == (None if count == 0 else pytest.approx(converted / count, abs=1e-3))


def _partner_reach(partner: str) -> dict[str, set[str]]:
    """What a partner reaches: id -> routes (referral, partnered account, contact at one)."""
    reach: dict[str, set[str]] = defaultdict(set)
    accounts = {
        r["target"]
        for r in of_type("PARTNERS_WITH")
        if r["source"] == partner and label(r["target"]) == "Company"
    }
    for r in of_type("REFERRED"):
        if r["source"] == partner:
            reach[r["target"]].add("referral")
    for account in accounts:
        reach[account].add("account")
    for r in of_type("WORKS_AT"):
        if r["target"] in accounts:
            reach[r["source"]].add("account_contact")
    return reach


def test_partner_reach(sample_graph: Graph) -> None:
    partners = sorted(n for n in nodes() if label(n) == "Partner")
    for partner in partners:
        expected = {k: v for k, v in _partner_reach(partner).items() if label(k) == "Customer"}
        rows = run(sample_graph, "partner_reach", id=partner)
        assert {r["id"]: set(r["routes"]) for r in rows} == expected, partner
    assert any(run(sample_graph, "partner_reach", id=p) for p in partners)


def test_shared_customers(sample_graph: Graph) -> None:
    partners = sorted(n for n in nodes() if label(n) == "Partner")
    overlaps = 0
    for a, b in itertools.combinations(partners, 2):
        expected = set(_partner_reach(a)) & set(_partner_reach(b))
        rows = run(sample_graph, "shared_customers", partner_a=a, partner_b=b)
        assert {r["id"] for r in rows} == expected, (a, b)
        overlaps += bool(expected)
    assert overlaps, "some partners share customers in the sample"


@pytest.mark.parametrize(("as_of", "days"), [("2026-11-01", 90), ("2026-03-01", 30)])
def test_stale_relationships(sample_graph: Graph, as_of: str, days: int) -> None:
    today = date.fromisoformat(as_of)
    managers: dict[str, list[str]] = defaultdict(list)
    for r in of_type("MANAGES"):
        managers[r["target"]].append(r["source"])
    last: dict[str, date] = {}
    for t in touches():
        day = touched_at(t).date()
        if day <= today and (t["party"] not in last or day > last[t["party"]]):
            last[t["party"]] = day
    expected = {
        n: (last[n].isoformat() if n in last else None, (today - last[n]).days if n in last else None)
        for n in managers
        if n not in last or last[n] <= today - timedelta(days=days)
    }
    rows = run(sample_graph, "stale_relationships", as_of=as_of, days=str(days))
    assert {r["id"]: (r["last_touch"], r["days_since"]) for r in rows} == expected
    assert all(sorted(r["managers"]) == sorted(managers[r["id"]]) for r in rows)
    assert expected and any(v[0] for v in expected.values())


def test_dissolving_high_value(sample_graph: Graph) -> None:
    wanted = [
        n
        for n, row in nodes().items()
        if row["_label"] == "Customer"
        and row["stage"] == "dissolution"
        and float(row["lifetime_value"]) >= 3000
    ]
    rows = run(sample_graph, "dissolving_high_value", min_value="3000", limit="1000")
    assert [r["id"] for r in rows] == sorted(wanted, key=lambda n: (-money(n), n))
    for row in rows:
        c = row["id"]
        assert row["referrals_made"] == sum(1 for r in of_type("REFERRED") if r["source"] == c)
        days = [touched_at(t).date().isoformat() for t in touches() if t["party"] == c]
        assert row["last_touch"] == (max(days) if days else None)
        assert row["managers"] == sorted(r["source"] for r in of_type("MANAGES") if r["target"] == c)
    assert len(run(sample_graph, "dissolving_high_value", min_value="3000", limit="2")) == min(2, len(wanted))


def _undirected(rel_types: tuple[str, ...] | None) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    edges = [(r["source"], r["target"], r["type"]) for r in rels()]
    edges += [(t["employee"], t["party"], "INTERACTED") for t in touches()]
    for a, b, rel_type in edges:
        if rel_types is None or rel_type in rel_types:
            graph[a].add(b)
            graph[b].add(a)
    return graph


@pytest.mark.parametrize("rel_types", [None, ("KNOWS", "WORKS_AT", "REFERRED")])
def test_shortest_path(sample_graph: Graph, rel_types: tuple[str, ...] | None) -> None:
    graph = _undirected(rel_types)
    rng = random.Random(4)
    ids = sorted(nodes())
    pairs = [(rng.choice(ids), rng.choice(ids)) for _ in range(12)]
    found = 0
    for source, target in pairs:
        if source == target:
            continue
        distance = bfs(graph, source, 6).get(target)
        params = {"source": source, "target": target}
        if rel_types:
            params["types"] = list(rel_types)
        rows = run(sample_graph, "shortest_path", **params)
        if distance is None:
            assert rows == [], (source, target)
            continue
        found += 1
        (row,) = rows
        assert row["hops"] == distance and row["ids"][0] == source and row["ids"][-1] == target
        assert all(b in graph[a] for a, b in itertools.pairwise(row["ids"]))
        assert rel_types is None or set(row["relationships"]) <= set(rel_types)
        assert len(row["path"]) == 2 * distance + 1, "the path itself, node/relationship maps alternating"
        assert all(step.get("email", MASK) == MASK for step in row["path"]), "personal data is masked"
    assert found >= 4


def test_shortest_path_respects_max_hops(sample_graph: Graph) -> None:
    graph = _undirected(None)
    source = "C000001"
    far = max(sorted(bfs(graph, source, 6).items()), key=lambda kv: kv[1])
    assert run(sample_graph, "shortest_path", source=source, target=far[0], max_hops=str(far[1] - 1)) == []
    assert run(sample_graph, "shortest_path", source=source, target=far[0])[0]["hops"] == far[1]


def test_lifecycle_funnel(sample_graph: Graph) -> None:
    expected: dict[tuple[str, str, str], list[float]] = {}
    for node_id, row in nodes().items():
        if row["_label"] in ("Customer", "Company"):
            for segment in ("all", row.get("city") or "(none)"):
                key = (row["_label"], segment, row["stage"] or "(none)")
                expected.setdefault(key, [0, 0.0])
                expected[key][0] += 1
                expected[key][1] += money(node_id)
    for segment, split in ((None, lambda s: s == "all"), ("city", lambda s: s != "all")):
        rows = run(sample_graph, "lifecycle_funnel", segment=segment)
        wanted = {k: v for k, v in expected.items() if split(k[1])}
        assert {(r["label"], r["segment"], r["stage"]): r["count"] for r in rows} == {
            k: v[0] for k, v in wanted.items()
        }
        for r in rows:
            assert r["value"] == pytest.approx(wanted[(r["label"], r["segment"], r["stage"])][1], abs=0.01)


def test_referral_rings(sample_graph: Graph) -> None:
    graph = nx.DiGraph()
    graph.add_edges_from(
        (r["source"], r["target"])
        for r in of_type("REFERRED")
        if label(r["source"]) == "Customer" and label(r["target"]) == "Customer"
    )
    for max_size in (6, 3):
        expected = []
        for cycle in nx.simple_cycles(graph, length_bound=max_size):
            if len(cycle) >= 2:
                start = cycle.index(min(cycle))
                expected.append(cycle[start:] + cycle[:start])
        rows = run(sample_graph, "referral_rings", max_size=str(max_size))
        assert sorted(r["members"] for r in rows) == sorted(expected)
        assert all(r["size"] == len(r["members"]) for r in rows)
    assert run(sample_graph, "referral_rings"), "the sample data has referral rings"


def test_supply_chain(sample_graph: Graph) -> None:
    upstream = adjacency(("SUPPLIES",), reverse=True)
    company = max(sorted(upstream), key=lambda c: (len(bfs(upstream, c, 3)), c))
    for tiers in (1, 3):
        rows = run(sample_graph, "supply_chain", id=company, tiers=str(tiers))
        assert {r["id"]: r["tier"] for r in rows} == bfs(upstream, company, tiers)


def test_team_portfolio(sample_graph: Graph) -> None:
    reports = adjacency(("REPORTS_TO",), reverse=True)
    lead = max(sorted(reports), key=lambda e: len(bfs(reports, e, 10)))
    team = set(bfs(reports, lead, 10)) | {lead}
    expected: dict[str, list[str]] = defaultdict(list)
    for r in of_type("MANAGES"):
        if r["source"] in team:
            expected[r["target"]].append(r["source"])
    rows = run(sample_graph, "team_portfolio", id=lead)
    assert {r["id"]: sorted(r["managers"]) for r in rows} == {k: sorted(v) for k, v in expected.items()}
    assert len(team) > 2


def test_account_timeline(sample_graph: Graph) -> None:
    counts = Counter(t["party"] for t in touches())
    account = max(sorted(counts), key=lambda a: counts[a])
    mine = sorted((t for t in touches() if t["party"] == account), key=lambda t: t["id"])
    mine.sort(key=touched_at, reverse=True)
    rows = run(sample_graph, "account_timeline", id=account, limit="5")
    assert [r["interaction"] for r in rows] == [t["id"] for t in mine[:5]]
    assert rows[0]["at"] == touched_at(mine[0]).isoformat()
    assert len(run(sample_graph, "account_timeline", id=account)) == min(50, len(mine))


def test_search(sample_graph: Graph) -> None:
    words = Counter(w for row in nodes().values() for w in re.findall(r"\w+", row["name"].lower()))
    word = max(sorted(w for w in words if len(w) > 3), key=lambda w: words[w])
    expected = {n for n, row in nodes().items() if word in re.findall(r"\w+", row["name"].lower())}
    rows = run(sample_graph, "search", text=word.title(), limit="1000")
    assert {r["id"] for r in rows} == expected
    assert len(expected) > 3


def test_referral_channels(sample_graph: Graph) -> None:
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in of_type("REFERRED"):
        expected[r["channel"] or "unknown"][0] += 1
        expected[r["channel"] or "unknown"][1] += r["converted"] == "true"
    rows = run(sample_graph, "referral_channels")
    assert {r["channel"]: [r["referrals"], r["converted"]] for r in rows} == dict(expected)


def test_community_queries_are_empty_before_analytics_ran(sample_graph: Graph) -> None:
    assert run(sample_graph, "campaign_audience", community="0") == []
    assert run(sample_graph, "influencers") == []


def _community(node_id: str) -> int:
    return int(re.sub(r"\D", "", node_id)) % 4


def _influence(node_id: str) -> float:
    return round((int(re.sub(r"\D", "", node_id)) * 7919 % 1000) / 1000, 3)


def test_community_and_influence_queries(writable_sample_graph: Graph) -> None:
    """Scores the analytics would write back are written here by a rule the test can recompute."""
    graph = writable_sample_graph
    scored = [n for n in nodes() if label(n) in ("Customer", "Partner")]
    graph.write(
        "UNWIND $rows AS row MATCH (n {id: row.id}) SET n += row.scores",
        {
            "rows": [
                {"id": n, "scores": {"community": _community(n), "influence": _influence(n)}} for n in scored
            ]
        },
    )
    consenting = [
        n for n, r in nodes().items() if r["_label"] == "Customer" and r["marketing_consent"] == "true"
    ]
    rows = run(graph, "campaign_audience", community="2")
    assert {r["id"] for r in rows} == {n for n in consenting if _community(n) == 2}
    assert all(r["email"] is None for r in rows)
    by_email = run(graph, "campaign_audience", community="2", channel="email", include_personal="true")
    assert {r["id"] for r in by_email} == {
        n for n in consenting if _community(n) == 2 and nodes()[n]["preferred_channel"] == "email"
    }
    assert {r["id"]: r["email"] for r in by_email} == {
        r["id"]: nodes()[r["id"]]["email"] or None for r in by_email
    }

    top = run(graph, "influencers", limit="8")
    assert [r["id"] for r in top] == sorted(scored, key=lambda n: (-_influence(n), n))[:8]
    for row in top:
        assert row["referrals"] == sum(1 for r in of_type("REFERRED") if r["source"] == row["id"])
        assert row["converted_referrals"] == sum(
            1 for r in of_type("REFERRED") if r["source"] == row["id"] and r["converted"] == "true"
        )
    partners = run(graph, "influencers", label="Partner", limit="100")
    assert {r["id"] for r in partners} == {n for n in scored if label(n) == "Partner"}
