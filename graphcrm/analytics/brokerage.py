"""Brokerage: betweenness centrality of an undirected, unweighted graph, fast enough for 100,000
customers.

`networkx.betweenness_centrality` runs Brandes' algorithm one source at a time in Python, about
1.5 s per source on a 100,000-customer social graph. This module runs the same algorithm on
blocks of sources with sparse matrix products (the algebraic form of Brandes' algorithm, as in
Kepner & Gilbert 2011, ch. 6): breadth-first search counts shortest paths level by level with
``A @ frontier``, and dependencies are accumulated backwards with one more product per level.
It returns what `networkx.betweenness_centrality(G, k=k, seed=seed, normalized=True)` returns
(same sampled sources for the same seed, same scaling), which the tests check.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np

BLOCK = 64


def betweenness(S: nx.Graph, *, k: int | None = None, seed: int = 7, block: int = BLOCK) -> dict[str, float]:
    """Normalised betweenness of every node of the undirected graph `S`, in [0, 1].

    Parameters
    ----------
    S
        An undirected graph; edge weights are ignored (a hop is a hop) and self-loops too.
    k
        Estimate from `k` source nodes sampled with `seed` (Brandes & Pich 2007); None: exact,
        every node is a source.
    block
        Sources processed together (memory grows as ``len(S) * block``).

    Returns
    -------
    dict
        node -> betweenness. Exact values are divided by the ``(n-1)(n-2)`` ordered pairs of other
        nodes (so the centre of a star scores 1). With sampling, a node's sum over the sources is
        divided by ``k (n-2)``, or ``(k-1)(n-2)`` for a sampled node, like NetworkX 3.6. Graphs of
        fewer than three nodes score 0 everywhere.

    References
    ----------
    Brandes (2001), A faster algorithm for betweenness centrality, J. Math. Sociol. 25(2).
    Brandes & Pich (2007), Centrality estimation in large networks, Int. J. Bifurcation and Chaos.
    Kepner & Gilbert (eds., 2011), Graph Algorithms in the Language of Linear Algebra, SIAM.
    """
    nodes = list(S.nodes())
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    index = {node: i for i, node in enumerate(nodes)}
    sources = nodes if k is None else random.Random(seed).sample(nodes, k)
    plain = nx.Graph()
    plain.add_nodes_from(nodes)
    plain.add_edges_from(S.edges())
    plain.remove_edges_from(nx.selfloop_edges(plain))
    A = nx.to_scipy_sparse_array(plain, nodelist=nodes, weight=None, format="csr", dtype=np.float64)
    total = np.zeros(n)
    for start in range(0, len(sources), block):
        total += _dependencies(A, np.array([index[s] for s in sources[start : start + block]]))
    if k is None:
        total /= (n - 1) * (n - 2)
    else:
        sampled = np.zeros(n, dtype=bool)
        sampled[[index[s] for s in sources]] = True
        scale_source = 1 / ((k - 1) * (n - 2)) if k > 1 else float("nan")
        total *= np.where(sampled, scale_source, 1 / (k * (n - 2)))
    return {node: float(total[i]) for i, node in enumerate(nodes)}


def _dependencies(A: object, sources: np.ndarray) -> np.ndarray:
    """Sum over `sources` of each node's dependency delta_s(v) (Brandes 2001), sources excluded."""
    n, b = A.shape[0], len(sources)
    columns = np.arange(b)
    sigma = np.zeros((n, b))
    sigma[sources, columns] = 1.0
    seen = sigma > 0
    levels = [seen.copy()]
    frontier = sigma.copy()
    while True:
        reached = A @ frontier
        reached[seen] = 0.0
        new = reached > 0
        if not new.any():
            break
        sigma += reached
        seen |= new
        levels.append(new)
        frontier = reached
    delta = np.zeros((n, b))
    for depth in range(len(levels) - 1, 0, -1):
        share = np.where(levels[depth], (1.0 + delta) / np.where(sigma > 0, sigma, 1.0), 0.0)
        delta += np.where(levels[depth - 1], sigma * (A @ share), 0.0)
    delta[sources, columns] = 0.0
    return delta.sum(axis=1)
