"""`graphcrm generate`: deterministic, valid under the import contract, and CRM-shaped."""

from __future__ import annotations

import filecmp
import statistics
import subprocess
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest

from graphcrm import model
from graphcrm.ingest.generate import DEFAULT_AS_OF, generate
from graphcrm.ingest.validate import read_directory

from .conftest import SAMPLE_DATA
from .test_load import csv_rows

FILES = [nt.file for nt in model.NODE_TYPES.values()] + [model.RELATIONSHIPS_FILE, model.INTERACTIONS_FILE]


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 customers (100 companies): big enough for the shape to show, small enough to be quick."""
    directory = tmp_path_factory.mktemp("medium")
    generate(directory, customers=5000, seed=11)
    return directory


def relationships(directory: Path, rel_type: str) -> list[dict[str, str]]:
    return [r for r in csv_rows(directory / model.RELATIONSHIPS_FILE) if r["type"] == rel_type]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", customers=300, seed=3)
    generate(tmp_path / "b", customers=300, seed=3)
    generate(tmp_path / "c", customers=300, seed=4)
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", FILES, shallow=False)
    assert mismatch == [] and errors == []
    _, mismatch, _ = filecmp.cmpfiles(tmp_path / "a", tmp_path / "c", FILES, shallow=False)
    assert model.RELATIONSHIPS_FILE in mismatch


def test_committed_sample_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    """sample_data/ is `graphcrm generate sample_data --customers 400 --seed 7` (make sample-data)."""
    generate(tmp_path, customers=400, seed=7)
    _, mismatch, errors = filecmp.cmpfiles(SAMPLE_DATA, tmp_path, FILES, shallow=False)
    assert mismatch == [] and errors == []


@pytest.mark.parametrize("customers", [1, 7, 5000])
def test_output_passes_validation(tmp_path: Path, customers: int, medium: Path) -> None:
    directory = medium if customers == 5000 else tmp_path
    if customers != 5000:
        generate(directory, customers=customers, seed=1)
    dataset = read_directory(directory)
    assert dataset.counts_by_label()[model.CUSTOMER] == customers


def test_referrals_are_heavy_tailed_and_come_from_every_kind_of_source(medium: Path) -> None:
    referred = relationships(medium, model.REFERRED)
    per_customer_referrer = Counter(r["source"] for r in referred if r["source"].startswith("C"))
    counts = sorted(per_customer_referrer.values())
    # A few customers refer many: the top referrer brings far more than the typical one.
    assert counts[-1] >= 10 * statistics.median(counts)
    assert sum(counts[-len(counts) // 10 :]) >= 0.4 * sum(counts), "top 10 % of referrers bring 40 % or more"
    sources = Counter(r["source"][:1] for r in referred)
    assert sources["P"] > 0 and sources["E"] > 0 and sources["C"] > sources["P"]
    assert {r["converted"] for r in referred} == {"true", "false"}


def test_referral_rings_exist(medium: Path) -> None:
    graph = nx.DiGraph((r["source"], r["target"]) for r in relationships(medium, model.REFERRED))
    cycles = [c for c in nx.simple_cycles(graph) if len(c) >= 3]
    assert cycles, "a few referral rings stand in for referral-reward fraud"


def test_account_management_is_uneven(medium: Path) -> None:
    companies = [row["id"] for row in csv_rows(medium / "companies.csv")]
    managers = Counter(
        r["target"] for r in relationships(medium, model.MANAGES) if r["target"] in set(companies)
    )
    unmanaged = [c for c in companies if managers[c] == 0]
    doubled = [c for c in companies if managers[c] >= 2]
    assert 0.03 * len(companies) <= len(unmanaged) <= 0.25 * len(companies)
    assert doubled
    loads = Counter(r["source"] for r in relationships(medium, model.MANAGES) if r["target"].startswith("CO"))
    assert max(loads.values()) >= 3 * min(loads.values())


def test_social_ties_and_business_contacts(medium: Path) -> None:
    knows = relationships(medium, model.KNOWS)
    assert {r["relation"] for r in knows} == {"family", "friend", "colleague"}
    assert all(0 <= float(r["strength"]) <= 1 for r in knows)
    contacts = {r["source"] for r in relationships(medium, model.WORKS_AT)}
    assert 0.2 * 5000 <= len(contacts) <= 0.4 * 5000
    assert relationships(medium, model.PARTNERS_WITH) and relationships(medium, model.SUPPLIES)


def test_customers_have_plausible_stages_and_consent(medium: Path) -> None:
    customers = csv_rows(medium / "customers.csv")
    stages = Counter(c["stage"] for c in customers)
    assert set(stages) == set(model.STAGES)
    assert stages["commitment"] > stages["dissolution"] and stages["dissolution"] > 0
    consent = sum(c["marketing_consent"] == "true" for c in customers) / len(customers)
    assert 0.4 <= consent <= 0.8


def test_interactions_span_two_years_across_channels(medium: Path) -> None:
    rows = csv_rows(medium / "interactions.csv")
    times = [datetime.fromisoformat(r["at"]) for r in rows]
    assert max(times) <= DEFAULT_AS_OF
    assert min(times) >= DEFAULT_AS_OF - timedelta(days=731)
    assert max(times) - min(times) >= timedelta(days=600)
    assert {r["channel"] for r in rows} == set(model.CHANNELS)
    sentiments = [float(r["sentiment"]) for r in rows]
    assert min(sentiments) < 0 < max(sentiments)


def test_dissolving_relationships_feel_worse(medium: Path) -> None:
    stage = {c["id"]: c["stage"] for c in csv_rows(medium / "customers.csv")}
    stage |= {c["id"]: c["stage"] for c in csv_rows(medium / "companies.csv")}
    by_stage: dict[str, list[float]] = {}
    for row in csv_rows(medium / "interactions.csv"):
        if row["party"] in stage:
            by_stage.setdefault(stage[row["party"]], []).append(float(row["sentiment"]))
    assert statistics.mean(by_stage["dissolution"]) < statistics.mean(by_stage["commitment"]) - 0.2


def test_cli_writes_files_and_rejects_a_bad_size(tmp_path: Path) -> None:
    done = subprocess.run(
        ["graphcrm", "generate", str(tmp_path / "out"), "--customers", "50", "--seed", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert all((tmp_path / "out" / name).exists() for name in FILES)
    bad = subprocess.run(
        ["graphcrm", "generate", str(tmp_path / "bad"), "--customers", "0"], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert bad.stderr.strip() == "graphcrm: --customers must be at least 1."
