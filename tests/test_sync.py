"""`load --sync` over a sequence of exports (copies of sample_data/ edited as a CRM would change):
the graph ends equal to a fresh load of the last export, scores and stored results survive, the
counts are those of the edits, and a sync cut off by a killed server leaves the graph as it was."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from graphcrm import model, results, server
from graphcrm.db import Graph
from graphcrm.errors import LoadInterrupted
from graphcrm.ingest.loader import load_directory
from graphcrm.ingest.sync import SyncReport, sync_directory

from .conftest import SAMPLE_DATA, TEST_DATA, kill_at_first_batch

SCORE_KEYS = {*model.SCORES, "scores_computed_at"}
CONTRACT = "|".join(model.LABELS)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def edit(directory: Path, file: str, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    header, rows = read_csv(directory / file)
    write_csv(directory / file, header, change(rows))


def records(graph: Graph) -> tuple[list, list]:
    """The CRM's records (contract labels, every relationship among them), without analytics'
    scores: what a fresh load of the same export must also hold."""
    nodes = graph.read(
        f"MATCH (n:{CONTRACT}) RETURN labels(n) AS l, n.id AS id, properties(n) AS p ORDER BY id"
    )
    rels = graph.read(
        f"MATCH (a:{CONTRACT})-[r]->(b:{CONTRACT}) RETURN a.id AS a, type(r) AS t, b.id AS b, "
        "properties(r) AS p ORDER BY a, t, b, r.id"
    )
    for row in nodes + rels:
        row["p"] = sorted((k, repr(v)) for k, v in row["p"].items() if k not in SCORE_KEYS)
    return nodes, rels


def touching(directory: Path, ids: set[str]) -> Counter:
    """Relationship rows per type in an export that start or end at one of `ids`."""
    _, rels = read_csv(directory / "relationships.csv")
    _, touches = read_csv(directory / "interactions.csv")
    found = Counter(r["type"] for r in rels if r["source"] in ids or r["target"] in ids)
    found["INTERACTED"] = sum(1 for r in touches if r["employee"] in ids or r["party"] in ids)
    return found


def counts(report: SyncReport, name: str) -> tuple[int, int, int]:
    changes = report.nodes.get(name) or report.relationships[name]
    return changes.added, changes.changed, changes.removed


class Exports:
    """Three exports of one CRM a week apart, and what changed between them (from the edits)."""

    def __init__(self, root: Path) -> None:
        self.first, self.second, self.third = root / "week1", root / "week2", root / "week3"
        shutil.copytree(SAMPLE_DATA, self.first)
        shutil.copytree(self.first, self.second)
        _, customers = read_csv(self.first / "customers.csv")
        _, rels = read_csv(self.first / "relationships.csv")
        self.leavers = {row["id"] for row in customers[:3]}
        self.gone = touching(self.first, self.leavers)
        stays = [r for r in rels if not {r["source"], r["target"]} & self.leavers]
        managed = next(r for r in stays if r["type"] == "MANAGES" and r["target"].startswith("CO"))
        self.account = managed["target"]
        managers = {r["source"] for r in rels if r["type"] == "MANAGES" and r["target"] == self.account}
        _, employees = read_csv(self.first / "employees.csv")
        self.old_owner = managed["source"]
        self.new_owner = next(e["id"] for e in employees if e["id"] not in managers)
        referrals = [r for r in stays if r["type"] == "REFERRED" and r["source"].startswith("C0")]
        self.wrong, self.flipped = referrals[0], referrals[1]
        referred = {(r["source"], r["target"]) for r in rels if r["type"] == "REFERRED"}
        self.right_referrer = next(
            c["id"]
            for c in customers[3:]
            if c["id"] not in (self.wrong["target"], self.wrong["source"])
            and (c["id"], self.wrong["target"]) not in referred
        )
        self.blanked = next(c["id"] for c in customers[3:] if c["email"])
        self._write_second()
        shutil.copytree(self.second, self.third)
        self._write_third()

    def _write_second(self) -> None:
        """People leave, an account changes owner, a referral gets its right referrer, another
        its conversion, and a customer's e-mail is blanked."""
        leavers = self.leavers
        edit(self.second, "customers.csv", lambda rows: [r for r in rows if r["id"] not in leavers])

        def relationships(rows: list[dict[str, str]]) -> list[dict[str, str]]:
            kept = [r for r in rows if not {r["source"], r["target"]} & leavers]
            for row in kept:
                if row["type"] == "MANAGES" and (row["source"], row["target"]) == (
                    self.old_owner,
                    self.account,
                ):
                    row["source"] = self.new_owner
                if row == self.wrong:
                    row["source"] = self.right_referrer
                elif row == self.flipped:
                    row["converted"] = "false" if row["converted"] == "true" else "true"
            return kept

        edit(self.second, "relationships.csv", relationships)
        edit(
            self.second,
            "interactions.csv",
            lambda rows: [r for r in rows if r["employee"] not in leavers and r["party"] not in leavers],
        )
        edit(self.second, "customers.csv", lambda rows: [_blank_email(r, self.blanked) for r in rows])

    def _write_third(self) -> None:
        """A new customer arrives, with a social tie to someone already there."""
        header, customers = read_csv(self.third / "customers.csv")
        self.newcomer, self.friend = "C-NEW-1", customers[10]["id"]
        customers.append({**dict.fromkeys(header, ""), "id": self.newcomer, "name": "Nora Newcomer"})
        write_csv(self.third / "customers.csv", header, customers)
        header, rels = read_csv(self.third / "relationships.csv")
        rels.append(
            {**dict.fromkeys(header, ""), "source": self.newcomer, "target": self.friend, "type": "KNOWS"}
        )
        write_csv(self.third / "relationships.csv", header, rels)


def _blank_email(row: dict[str, str], customer: str) -> dict[str, str]:
    if row["id"] == customer:
        row["email"] = ""
    return row


@pytest.fixture()
def exports(tmp_path: Path) -> Exports:
    return Exports(tmp_path)


def test_a_sequence_of_syncs_ends_equal_to_a_fresh_load(empty_graph: Graph, exports: Exports) -> None:
    first = sync_directory(empty_graph, exports.first)
    customers = len(read_csv(exports.first / "customers.csv")[1])
    assert counts(first, "Customer") == (customers, 0, 0)
    empty_graph.write("MATCH (c:Customer) SET c.influence = 0.25, c.community = 4")
    run_id = results.begin_run(empty_graph, "influencers", {}, started_by="test")
    changed_before = empty_graph.read("MATCH (g:GraphState) RETURN g.changed_at AS at")[0]["at"]

    second = sync_directory(empty_graph, exports.second)
    assert counts(second, "Customer") == (0, 1, 3)
    assert counts(second, "MANAGES") == (1, 0, 1 + exports.gone["MANAGES"])
    assert counts(second, "REFERRED") == (1, 1, 1 + exports.gone["REFERRED"])
    for rel_type in ("KNOWS", "WORKS_AT", "INTERACTED"):
        assert counts(second, rel_type) == (0, 0, exports.gone[rel_type]), rel_type
    assert counts(second, "Company") == counts(second, "Employee") == (0, 0, 0)

    third = sync_directory(empty_graph, exports.third)
    assert counts(third, "Customer") == (1, 0, 0) and counts(third, "KNOWS") == (1, 0, 0)
    assert sync_directory(empty_graph, exports.third).unchanged, (
        "syncing the same export again changes nothing"
    )

    synced = records(empty_graph)
    scores = empty_graph.read(
        "MATCH (c:Customer) RETURN c.id AS id, c.influence AS influence, c.community AS community"
    )
    assert {r["id"] for r in scores if r["influence"] == 0.25 and r["community"] == 4} == {
        r["id"] for r in scores
    } - {exports.newcomer}, "every surviving customer keeps its scores"
    assert empty_graph.read("MATCH (r:AnalyticsRun {id: $id}) RETURN count(r) AS n", {"id": run_id}) == [
        {"n": 1}
    ]
    changed_after = empty_graph.read("MATCH (g:GraphState) RETURN g.changed_at AS at")[0]["at"]
    assert changed_after > changed_before, "a sync marks the graph changed"
    empty_graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    load_directory(empty_graph, exports.third)
    assert records(empty_graph) == synced


def test_an_owner_change_and_a_corrected_referral_are_in_the_graph(
    empty_graph: Graph, exports: Exports
) -> None:
    sync_directory(empty_graph, exports.first)
    sync_directory(empty_graph, exports.second)
    owners = empty_graph.read(
        "MATCH (e:Employee)-[:MANAGES]->(:Company {id: $id}) RETURN collect(e.id) AS ids",
        {"id": exports.account},
    )[0]["ids"]
    assert exports.new_owner in owners and exports.old_owner not in owners
    referrer = empty_graph.read(
        "MATCH (s)-[:REFERRED]->(t) WHERE t.id = $id RETURN collect(s.id) AS ids",
        {"id": exports.wrong["target"]},
    )[0]["ids"]
    assert exports.right_referrer in referrer and exports.wrong["source"] not in referrer
    left = empty_graph.read(
        "MATCH (c:Customer) WHERE c.id IN $ids RETURN count(c) AS n", {"ids": list(exports.leavers)}
    )
    assert left == [{"n": 0}]
    email = empty_graph.read("MATCH (c:Customer {id: $id}) RETURN c.email AS e", {"id": exports.blanked})
    assert email == [{"e": None}], "a blank cell clears the value"


def test_a_sync_cut_off_by_a_killed_server_leaves_the_graph_as_it_was(
    managed_graph: Graph, exports: Exports
) -> None:
    managed_graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    sync_directory(managed_graph, exports.first)
    managed_graph.write("MATCH (c:Customer) SET c.influence = 0.5")
    before = records(managed_graph), managed_graph.read("MATCH (c:Customer) RETURN sum(c.influence) AS s")
    home = server.ServerHome(managed_graph.settings.home)
    killed: list[int] = []

    with pytest.raises(LoadInterrupted) as interrupted:
        sync_directory(managed_graph, exports.third, batch_size=1, progress=kill_at_first_batch(home, killed))
    assert killed, "the sync never reported progress"
    assert "stopped in the middle of the work" in str(interrupted.value)
    assert "nothing of the sync was committed" in str(interrupted.value)
    assert server.running_pid(home) not in (None, killed[0]), "the managed server is started again"
    after = records(managed_graph), managed_graph.read("MATCH (c:Customer) RETURN sum(c.influence) AS s")
    assert after == before
    report = sync_directory(managed_graph, exports.third)
    assert counts(report, "Customer") == (1, 1, 3), "run again, the sync does all of it"


def test_cli_sync_prints_counts_per_label_and_type(
    empty_graph: Graph, exports: Exports, neo4j_env: dict[str, str]
) -> None:
    load_directory(empty_graph, exports.first)
    done = subprocess.run(
        ["graphcrm", "load", str(exports.second), "--sync"],
        env=neo4j_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    table = {
        line.split()[0]: tuple(int(n.replace(",", "")) for n in line.split()[1:])
        for line in done.stdout.splitlines()[2:]
    }
    assert table["Customer"] == (0, 1, 3)
    assert table["MANAGES"] == (1, 0, 1 + exports.gone["MANAGES"])
    assert set(table) == {*model.LABELS, *model.REL_TYPES}
    refused = subprocess.run(
        ["graphcrm", "load", str(exports.second), "--sync", "--wipe"],
        env=neo4j_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "not allowed with argument" in refused.stderr


def test_an_id_that_changes_label_and_a_touch_point_that_moves(empty_graph: Graph, tmp_path: Path) -> None:
    """tests/data/tiny, then C3 turns out to be a company (its WORKS_AT goes, C1's referral of it
    stays) and touch point I3 was E1's, not E2's; then an export without interactions.csv."""
    tiny = TEST_DATA / "tiny"
    sync_directory(empty_graph, tiny)
    edited = tmp_path / "edited"
    shutil.copytree(tiny, edited)
    edit(edited, "customers.csv", lambda rows: [r for r in rows if r["id"] != "C3"])
    header, companies = read_csv(edited / "companies.csv")
    write_csv(
        edited / "companies.csv",
        header,
        [*companies, {**dict.fromkeys(header, ""), "id": "C3", "name": "Chidi Ltd"}],
    )
    edit(edited, "relationships.csv", lambda rows: [r for r in rows if r["type"] != "WORKS_AT"])
    edit(
        edited,
        "interactions.csv",
        lambda rows: [{**r, "employee": "E1"} if r["id"] == "I3" else r for r in rows],
    )

    report = sync_directory(empty_graph, edited)
    assert counts(report, "Customer") == (0, 0, 1) and counts(report, "Company") == (1, 0, 0)
    assert counts(report, "REFERRED") == (0, 1, 0) and counts(report, "WORKS_AT") == (0, 0, 1)
    assert counts(report, "INTERACTED") == (0, 1, 0)
    synced = records(empty_graph)
    (edited / "interactions.csv").unlink()
    assert counts(sync_directory(empty_graph, edited), "INTERACTED") == (
        0,
        0,
        len(read_csv(tiny / "interactions.csv")[1]),
    )
    assert empty_graph.read("MATCH ()-[r:INTERACTED]->() RETURN count(r) AS n") == [{"n": 0}]

    empty_graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    shutil.copy(tiny / "interactions.csv", edited / "interactions.csv")
    edit(
        edited,
        "interactions.csv",
        lambda rows: [{**r, "employee": "E1"} if r["id"] == "I3" else r for r in rows],
    )
    load_directory(empty_graph, edited)
    assert records(empty_graph) == synced
