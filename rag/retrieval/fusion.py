"""Putting rankings together: the top of a score array, and reciprocal rank fusion.

Hybrid takes the top `depth` of each side and scores each candidate
``sum(1 / (rrf_k + rank))`` over the lists it appears in. Fusion by rank needs no score
calibration between cosines and BM25, which is why it is the default; the evaluation runner
decides `rrf_k` and `depth`.
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
