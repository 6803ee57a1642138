"""Referral rings from the compact projection: the columns find the few nodes and referrals a
ring can involve, and `rings.referral_rings` (the NetworkX form) runs on that small graph only.

A circle is a strongly connected set of referrers (scipy on the whole referral graph); its
referrals are its members' out-edges. A burst needs referrals between two people with a common
employer or in one household (a component of family ties), dated. Every other node and tie is
left out: no circle or burst can need it, and the NetworkX form then walks the same edges in
the same order as on the whole graph.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from graphcrm import model
from graphcrm.analytics.rings import referral_rings, ring_membership
from graphcrm.analytics.spec import AnalysisResult
from graphcrm.compact import CompactGraph


def rings_of(C: CompactGraph, *, window_days: int = 30, min_burst: int = 3) -> pd.DataFrame:
    """`rings.referral_rings` (same parameters, same table) from a compact projection.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": list("abc"), "label": ["Customer"] * 3, "name": list("ABC")})
    >>> referred = pd.DataFrame({"source": [0, 1, 2], "target": [1, 2, 0], "converted": [True, False, None]})
    >>> rings_of(CompactGraph(nodes, {"REFERRED": referred}))[["kind", "members", "size"]].values.tolist()
    [['circle', 'a, b, c', 3]]
    """
    referred = C.of_type(model.REFERRED)
    sources, targets = referred["source"].to_numpy(), referred["target"].to_numpy()
    circle = _in_circle(C.n, sources, targets)
    by_circle = circle[sources]
    employers, colleagues = _colleagues(C, referred)
    family, households = _households(C)
    dated = (
        referred["since"].notna().to_numpy() if "since" in referred else np.zeros(len(referred), dtype=bool)
    )
    in_household = (households[sources] >= 0) & (households[sources] == households[targets])
    by_burst = dated & (colleagues | in_household)
    chosen = by_circle | by_burst
    people = np.union1d(sources[chosen], targets[chosen])
    works = C.of_type(model.WORKS_AT)
    at_work = np.isin(works["source"].to_numpy(), people[employers[people]])
    touched = np.unique(households[people][households[people] >= 0])
    knows = C.of_type(model.KNOWS)
    in_touched = np.isin(households[knows["source"].to_numpy()], touched)
    family_rows = family & in_touched
    nodes = np.unique(
        np.concatenate(
            (
                people,
                works["target"].to_numpy()[at_work],
                knows["source"].to_numpy()[family_rows],
                knows["target"].to_numpy()[family_rows],
            )
        )
    )
    rows = {model.REFERRED: chosen, model.WORKS_AT: at_work, model.KNOWS: family_rows}
    small = C.to_networkx(nodes=nodes, rows=rows)
    return referral_rings(small, window_days=window_days, min_burst=min_burst)


def _in_circle(n: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per node: whether it lies on a referral circle (a strongly connected set of two or more)."""
    if not n:
        return np.zeros(0, dtype=bool)
    graph = sparse.csr_array((np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(n, n))
    _, labels = csgraph.connected_components(graph, directed=True, connection="strong")
    return np.bincount(labels)[labels] > 1


def _colleagues(C: CompactGraph, referred: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per node whether it works somewhere, and per referral whether both ends share an employer."""
    works = C.of_type(model.WORKS_AT)
    employed = np.zeros(C.n, dtype=bool)
    employed[works["source"].to_numpy()] = True
    pairs = referred[["source", "target"]].reset_index(names="row")
    jobs = works[["source", "target"]].rename(columns={"source": "person", "target": "company"})
    left = pairs.merge(jobs, left_on="source", right_on="person")[["row", "target", "company"]]
    both = left.merge(jobs, left_on=["target", "company"], right_on=["person", "company"])
    shared = np.zeros(len(referred), dtype=bool)
    shared[both["row"].to_numpy()] = True
    return employed, shared


def _households(C: CompactGraph) -> tuple[np.ndarray, np.ndarray]:
    """The family KNOWS rows, and per node its household (a component of family ties; -1 when it
    has none)."""
    knows = C.of_type(model.KNOWS)
    family = (knows["relation"].astype(object) == "family").to_numpy() if "relation" in knows else None
    if family is None or not C.n:
        return np.zeros(len(knows), dtype=bool), np.full(C.n, -1)
    ends = (knows["source"].to_numpy()[family], knows["target"].to_numpy()[family])
    graph = sparse.csr_array((np.ones(int(family.sum()), dtype=np.int8), ends), shape=(C.n, C.n))
    _, labels = csgraph.connected_components(graph, directed=False)
    in_family = np.zeros(C.n, dtype=bool)
    in_family[np.concatenate(ends)] = True
    return family, np.where(in_family, labels, -1)


def run(C: CompactGraph, **params: int) -> AnalysisResult:
    """The rings analysis (`rings.SPEC`) from a compact projection; its scores as a table."""
    found = rings_of(C, **params)
    membership = ring_membership(found)
    labels = C.nodes["label"].isin([model.CUSTOMER, model.PARTNER]).to_numpy()
    ids = np.sort(C.nodes["id"].to_numpy(dtype=object)[labels])
    rings = pd.Series([membership.get(node) for node in ids.tolist()], dtype=object)
    return AnalysisResult(
        "rings", {"rings": found}, found, score_rows=pd.DataFrame({"id": ids, "referral_ring": rings})
    )
