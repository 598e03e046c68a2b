"""The vector side: a FAISS inner-product index over unit vectors (so scores are cosines).

Exact search (``flat``) by default, which is right for the seed corpus and fine up to some
hundred thousand chunks; ``hnsw`` for large corpora.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np

from rag.indexing.embedders.base import Vectors
from rag.indexing.vector_files import BLOCK, VectorFile


class DenseIndex:
    """A FAISS index; row i is chunk i."""

    def __init__(self, index: Any) -> None:
        self._index = index
        self._threads: int | None = None

    def set_threads(self, threads: int | None) -> None:
        """OpenMP threads per search (None: FAISS's default, every core). OpenMP keeps the
        count per thread, and a server searches from many, so each search sets it."""
        self._threads = threads

    @classmethod
    def build(
        cls,
        vectors: Vectors | VectorFile,
        kind: Literal["flat", "hnsw"] = "flat",
        *,
        hnsw_m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 512,
    ) -> DenseIndex:
        import faiss

        dim = vectors.shape[1]
        index: Any
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        else:
            index = faiss.IndexFlatIP(dim)
        for start in range(0, len(vectors), BLOCK):  # a block at a time: see VectorFile
            index.add(np.ascontiguousarray(vectors[start : start + BLOCK], dtype=np.float32))
        return cls(index)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def set_ef_search(self, ef_search: int) -> None:
        if hasattr(self._index, "hnsw"):
            self._index.hnsw.efSearch = ef_search

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """``(row, cosine)`` best first for one query vector."""
        k = min(k, self.size)
        if k <= 0:
            return []
        if self._threads is not None:
            import faiss

            faiss.omp_set_num_threads(self._threads)
        scores, ids = self._index.search(query.reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def vectors(self, rows: list[int] | None = None) -> Vectors:
        """The stored vectors (all, or the given rows)."""
        if rows is None:
            return np.asarray(self._index.reconstruct_n(0, self.size), dtype=np.float32)
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._index.reconstruct(int(r)) for r in rows]).astype(np.float32)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(path)))
