"""What `graphcrm forget` does to stored analytics: every stored row naming the person goes (by id
or name, also inside joined text), no other row does, a batch that may have read the person
cannot store them again, pages read after it stay full and show nothing from their cache."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from graphcrm import erasure, results
from graphcrm.analytics import run
from graphcrm.db import Graph
from graphcrm.errors import BatchRunning
from graphcrm.ingest.loader import load_directory

from .conftest import TEST_DATA
from .test_app import open_page


def stored_text(graph: Graph) -> list[str]:
    """Every text value of every stored row."""
    rows = graph.read("MATCH (f:Finding) RETURN properties(f) AS p")
    return [v for r in rows for v in r["p"].values() if isinstance(v, str)]


def test_forget_deletes_the_rows_naming_the_person_by_id_or_name_as_whole_words_only(
    empty_graph: Graph,
) -> None:
    load_directory(empty_graph, TEST_DATA / "tiny")  # C1 is Ada Lovelace
    run_id = results.begin_run(empty_graph, "rings", {}, started_by="test")
    rows = [
        {"ring": 1, "members": "C1, C2", "why": "C2 and C1 refer each other"},
        {"ring": 2, "members": "C10, C2", "why": "C2 -> C10 -> C2"},
        {"ring": 3, "members": "C2, C3", "why": "introduced by Ada Lovelace."},
        {"ring": 4, "members": "C2, C3", "why": "introduced by Ada Lovelaces"},
        {"ring": 5, "members": "C2, C3", "why": "a ring (C3 -> C1 -> C2)"},
        {"ring": 6, "members": "C2, C3", "why": "Ada Lovelace"},
    ]
    results.store_tables(empty_graph, run_id, {"rings": pd.DataFrame(rows)})

    done = erasure.forget(empty_graph, "C1")

    kept = empty_graph.read("MATCH (f:Finding) RETURN f.ring AS ring ORDER BY ring")
    assert [r["ring"] for r in kept] == [2, 4]
    assert done.findings_deleted == 4


@pytest.mark.parametrize("keep_structure", [False, True])
def test_forget_is_refused_while_a_batch_runs_and_erases_nothing(
    writable_sample_graph: Graph, keep_structure: bool
) -> None:
    person = "C000002"
    with results.batch_lock(writable_sample_graph, "the nightly batch"):
        with pytest.raises(BatchRunning, match="started by the nightly batch"):
            erasure.forget(writable_sample_graph, person, keep_structure=keep_structure)
        assert not writable_sample_graph.read("MATCH (s:Suppressed) RETURN s")
        names = writable_sample_graph.read("MATCH (c:Customer {id: $id}) RETURN c.name AS n", {"id": person})
        assert names and names[0]["n"] != erasure.ERASED_NAME
    assert not erasure.forget(writable_sample_graph, person, keep_structure=keep_structure).already


def test_an_erasure_tried_while_the_batch_computes_is_refused_and_works_after_it(
    writable_sample_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An erasure tried while the batch computes (it holds the person) is refused; the batch's
    stored rows are consistent with the graph it read, and the erasure after it removes them."""
    person = "C000002"
    named = writable_sample_graph.read("MATCH (c:Customer {id: $id}) RETURN c.name AS n", {"id": person})
    name = named[0]["n"]
    refused: list[str] = []
    original = run._write_scores

    def erase_meanwhile(*args: object) -> None:
        try:
            erasure.forget(writable_sample_graph, person)
        except BatchRunning as err:
            refused.append(str(err))
        original(*args)

    monkeypatch.setattr(run, "_write_scores", erase_meanwhile)
    run.write_all(writable_sample_graph, started_by="the nightly batch")
    assert refused and "started by the nightly batch" in refused[0]
    erasure.forget(writable_sample_graph, person)
    token = re.compile(rf"(?<![\w]){re.escape(person)}(?![\w])|(?<![\w]){re.escape(name)}(?![\w])")
    assert not [text for text in stored_text(writable_sample_graph) if token.search(text)]


def test_a_capped_page_of_a_stored_table_stays_full_after_an_erasure(writable_sample_graph: Graph) -> None:
    run.write_all(writable_sample_graph, started_by="the tests")
    whole = run.stored_result(writable_sample_graph, "coverage", stale_days=0).tables["stale"]
    limit = 5
    for position in (0, 1, limit - 1):
        victim = whole["id"].iloc[position]
        erasure.forget(writable_sample_graph, victim, keep_structure=True)
        whole = whole[whole["id"] != victim].reset_index(drop=True)
        for days in (0, 30):
            page = run.stored_result(writable_sample_graph, "coverage", stale_days=days, limit=limit)
            passing = whole[whole["days_since"].isna() | (whole["days_since"] > days)]
            assert page.tables["stale"]["id"].tolist() == passing["id"].head(limit).tolist(), (position, days)


def test_a_page_shows_nothing_of_a_person_erased_after_it_was_cached(
    scored_graph: Graph, app_env: None
) -> None:
    app = open_page("accounts")
    stale = next(d.value for d in app.dataframe if "days_since" in d.value.columns)
    person, name = stale["id"].iloc[0], stale["name"].iloc[0]
    erasure.forget(scored_graph, person)
    again = open_page("accounts")
    assert not any((d.value == name).any().any() or (d.value == person).any().any() for d in again.dataframe)
    assert any("the graph has changed since" in w for w in [m.value for m in again.warning])
