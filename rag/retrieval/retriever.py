"""The retriever: dense (FAISS or Milvus), BM25 (bm25s), and hybrid, fused by score or by
rank (`rag.retrieval.fusion`), over one index, for a question the query stage has read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import get_args

from rag.errors import QueryError
from rag.indexing.embedders.base import Embedder, Vectors
from rag.indexing.lexical import LexicalIndex
from rag.indexing.vector_store import VectorStore
from rag.records import Chunk, Hit, Question
from rag.retrieval.fusion import reciprocal_rank_fusion, score_fusion, top
from rag.settings import Fusion, Mode
from rag.timing import Clock

MODES: tuple[str, ...] = get_args(Mode)


class Retriever:
    """Searches one index's chunks by meaning, by keywords, or both."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        dense: VectorStore,
        lexical: LexicalIndex,
        embedder: Embedder,
        *,
        fusion: Fusion = "scores",
        bm25_weight: float = 0.08,
        rrf_k: int = 60,
        depth: int = 50,
        max_k: int = 100,
        query_cache: int = 1024,
    ) -> None:
        self.chunks = chunks
        self.dense = dense
        self.lexical = lexical
        self.embedder = embedder
        self.fusion = fusion
        self.bm25_weight = bm25_weight
        self.rrf_k = rrf_k
        self.depth = depth
        self.max_k = max_k
        # Popular questions repeat; the model call is most of a query's cost (≈1 ms a token).
        self.query_cache = query_cache
        self._cached: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def embed_query(self, question: Question) -> Vectors:
        """The question's vector (answers reuse it to score sentences); the last
        `query_cache` distinct questions are remembered."""
        query = question.text
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
        question: Question,
        k: int = 5,
        mode: str = "hybrid",
        qvec: Vectors | None = None,
        clock: Clock | None = None,
    ) -> list[Hit]:
        """The best `k` chunks for `question`, best first (fewer when the corpus is smaller).

        Args:
            qvec: the question's vector when the caller already has it (`embed_query`).
            clock: laps ``embed``, ``dense``, ``bm25`` and ``fuse`` on it when given.

        Raises:
            QueryError: `k` outside 1..max_k, or an unknown mode.
        """
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= self.max_k:
            raise QueryError(
                f"k of {k!r} is out of range: use a whole number from 1 to {self.max_k}"
            )
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        lap = clock.lap if clock else lambda stage: None
        if qvec is None:
            qvec = self.embed_query(question)
            lap("embed")
        depth = max(k, self.depth)
        dense_list = self.dense.search(qvec, depth) if mode != "bm25" else []
        lap("dense")
        # every hit reports its BM25 score, in every mode
        bm25 = self.lexical.scores(question.search_tokens)
        bm25_list = top(bm25, depth) if mode != "dense" else []
        lap("bm25")

        if mode == "dense":
            ranked = [(i, s) for i, s in dense_list]
        elif mode == "bm25":
            ranked = bm25_list
        elif self.fusion == "scores":
            ranked = score_fusion(dense_list, bm25, bm25_list, self.bm25_weight)
        else:
            ranked = reciprocal_rank_fusion((dense_list, bm25_list), self.rrf_k)
        ranked = ranked[:k]
        rows = [i for i, _ in ranked]
        # the dense side's own scores are the cosines; only rows it did not rank are fetched
        # (a Milvus server is asked for few vectors, or none)
        known = dict(dense_list)
        missing = [i for i in rows if i not in known]
        if missing:
            known.update(zip(missing, (self.dense.vectors(missing) @ qvec).tolist(), strict=True))
        cosines = [known[i] for i in rows]
        hits = [
            Hit.of(self.chunks[i], float(score), float(cos), float(bm25[i]))
            for (i, score), cos in zip(ranked, cosines, strict=True)
        ]
        lap("fuse")
        return hits
