"""Retrieval: dense (FAISS), BM25 (bm25s), and hybrid by reciprocal rank fusion.

Hybrid takes the top `depth` of each side and scores each candidate
``sum(1 / (rrf_k + rank))`` over the lists it appears in. Fusion by rank needs no score
calibration between cosines and BM25, which is why it is the default; the evaluation runner
decides `rrf_k` and `depth`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import get_args

import numpy as np
from numpy.typing import NDArray

from rag.dense import DenseIndex
from rag.embedders import Embedder, Vectors
from rag.errors import QueryError
from rag.lexical import LexicalIndex
from rag.records import Chunk, Hit
from rag.settings import Mode
from rag.timing import Clock

MODES: tuple[str, ...] = get_args(Mode)


def check_query(query: object) -> str:
    """The query, stripped; `QueryError` when it is not text or holds nothing."""
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    stripped = query.strip()
    if not stripped:
        raise QueryError("the query is empty: type a question or some keywords")
    return stripped


class Retriever:
    """Searches one index's chunks by meaning, by keywords, or both."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        dense: DenseIndex,
        lexical: LexicalIndex,
        embedder: Embedder,
        *,
        rrf_k: int = 60,
        depth: int = 50,
        max_k: int = 100,
        query_cache: int = 1024,
    ) -> None:
        self.chunks = chunks
        self.dense = dense
        self.lexical = lexical
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.depth = depth
        self.max_k = max_k
        # Popular questions repeat; the model call is most of a query's cost (≈1 ms a token).
        self.query_cache = query_cache
        self._cached: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def embed_query(self, query: str) -> Vectors:
        """The query's vector (answers reuse it to score sentences); the last `query_cache`
        distinct queries are remembered."""
        query = check_query(query)
        with self._lock:
            if query in self._cached:
                self._cached.move_to_end(query)
                return self._cached[query]
        vector: Vectors = self.embedder.encode_queries([query])[0]
        vector.setflags(write=False)  # shared between requests
        if self.query_cache:
            with self._lock:
                self._cached[query] = vector
                while len(self._cached) > self.query_cache:
                    self._cached.popitem(last=False)
        return vector

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str = "hybrid",
        qvec: Vectors | None = None,
        clock: Clock | None = None,
    ) -> list[Hit]:
        """The best `k` chunks for `query`, best first (fewer when the corpus is smaller).

        Args:
            qvec: the query's vector when the caller already has it (`embed_query`).
            clock: laps ``embed``, ``dense``, ``bm25`` and ``fuse`` on it when given.

        Raises:
            QueryError: empty query, `k` outside 1..max_k, or an unknown mode.
        """
        query = check_query(query)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= self.max_k:
            raise QueryError(
                f"k of {k!r} is out of range: use a whole number from 1 to {self.max_k}"
            )
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        lap = clock.lap if clock else lambda stage: None
        if qvec is None:
            qvec = self.embed_query(query)
            lap("embed")
        depth = max(k, self.depth)
        dense_list = self.dense.search(qvec, depth) if mode != "bm25" else []
        lap("dense")
        bm25 = self.lexical.scores(query)  # every hit reports its BM25 score, in every mode
        bm25_list = _top(bm25, depth) if mode != "dense" else []
        lap("bm25")

        if mode == "dense":
            ranked = [(i, s) for i, s in dense_list]
        elif mode == "bm25":
            ranked = bm25_list
        else:
            fused: dict[int, float] = {}
            for ranking in (dense_list, bm25_list):
                for rank, (i, _) in enumerate(ranking, start=1):
                    fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + rank)
            ranked = sorted(fused.items(), key=lambda item: -item[1])
        ranked = ranked[:k]
        rows = [i for i, _ in ranked]
        cosines = self.dense.vectors(rows) @ qvec if rows else np.zeros(0)
        hits = [
            Hit.of(self.chunks[i], float(score), float(cos), float(bm25[i]))
            for (i, score), cos in zip(ranked, cosines, strict=True)
        ]
        lap("fuse")
        return hits


def _top(scores: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
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
