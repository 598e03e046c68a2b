"""Putting rankings together: the top of a score array, and two ways to fuse dense and BM25.

Hybrid takes the top `depth` of each side and scores each candidate either

- ``cosine + weight · BM25 / the best BM25`` (`score_fusion`, the default): the cosine keeps
  its own scale, so where every passage is about the same thing (the seeds: one city's health
  system) its differences are small and the words decide, while over varied text (XQuAD's
  Wikipedia) one passage's meaning stands out and wins; or
- ``sum(1 / (rrf_k + rank))`` over the lists it appears in (`reciprocal_rank_fusion`), which
  weighs both sides alike whatever their scores say.

Chosen on the train and dev splits and XQuAD's English questions (eval/README.md "Fusion by
scores"): by score, evidence at rank 1 went 0.632 → 0.737 for English gold questions and
0.815 → 0.873 for Chinese ones, and on XQuAD 0.799 → 0.812 (English) and 0.907 → 0.926;
at rank 5 English gold 0.860 → 0.947, XQuAD English 0.964 → 0.975 (Chinese: equal or 0.002 less).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Ranking = list[tuple[int, float]]  # (row, score), best first


def top(scores: NDArray[np.float32], k: int) -> Ranking:
    """Indexes of the `k` best positive scores, best first (ties by index, for determinism)."""
    positive = np.flatnonzero(scores > 0)
    if not len(positive):
        return []
    if len(positive) > k:
        # select before sorting: at 10^5 chunks, sorting every positive score was 80% of BM25's
        # query time. Ties with the k-th best all stay, so the order below is still by index.
        kth = -np.partition(-scores[positive], k - 1)[k - 1]
        positive = positive[scores[positive] >= kth]
    order = positive[np.lexsort((positive, -scores[positive]))][:k]
    return [(int(i), float(scores[i])) for i in order]


def reciprocal_rank_fusion(rankings: Sequence[Ranking], rrf_k: int) -> Ranking:
    """Rows scored ``sum(1 / (rrf_k + rank))`` over the `rankings` they appear in, best first
    (ties keep the order of first appearance)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (i, _) in enumerate(ranking, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(fused.items(), key=lambda item: -item[1])


def score_fusion(
    dense: Ranking, bm25: NDArray[np.float32], bm25_top: Ranking, weight: float
) -> Ranking:
    """Rows of either list scored ``cosine + weight · bm25 / max(bm25)``, best first (ties
    keep the order of first appearance, dense first). A row only BM25 found takes the lowest
    cosine of the dense list: its own is no higher, and reading it would cost a vector fetch
    (a Milvus round trip) for a row that rarely wins."""
    floor = dense[-1][1] if dense else 0.0
    best = bm25_top[0][1] if bm25_top else 0.0
    scale = weight / best if best > 0 else 0.0
    cosine = dict(dense)
    rows = dict.fromkeys([i for i, _ in dense] + [i for i, _ in bm25_top])
    fused = [(i, cosine.get(i, floor) + scale * float(bm25[i])) for i in rows]
    return sorted(fused, key=lambda item: -item[1])
