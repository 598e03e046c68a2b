"""The vector side: a FAISS inner-product index over unit vectors (so scores are cosines).

Exact search (``flat``) by default, which is right for the seed corpus and fine up to some
hundred thousand chunks; ``hnsw`` for large corpora. Vectors are kept as float32, or with
``sq8`` as 8 bits per dimension (FAISS's scalar quantizer, one range per dimension): a quarter
of the bytes, for corpora whose index would not fit on disk otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np

from rag.indexing.embedders.base import Vectors
from rag.indexing.vector_files import BLOCK, VectorFile

TRAIN_SAMPLE = 65_536  # rows the 8-bit ranges are learnt from


def _sample(vectors: Vectors | VectorFile, size: int) -> Vectors:
    """About `size` rows spread evenly over `vectors`, read a block at a time."""
    step = max(1, len(vectors) // size)
    parts = [
        np.asarray(vectors[start : start + BLOCK], dtype=np.float32)[(-start) % step :: step]
        for start in range(0, len(vectors), BLOCK)
    ]
    return np.ascontiguousarray(
        np.concatenate(parts) if parts else np.zeros((0, vectors.shape[1])), dtype=np.float32
    )


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
        codes: Literal["float32", "sq8"] = "float32",
        hnsw_m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 512,
    ) -> DenseIndex:
        import faiss

        dim = vectors.shape[1]
        index: Any
        ip, sq8 = faiss.METRIC_INNER_PRODUCT, faiss.ScalarQuantizer.QT_8bit
        if kind == "hnsw":
            index = (
                # the stub says ScalarQuantizer; FAISS takes the quantizer type, as here
                faiss.IndexHNSWSQ(dim, sq8, hnsw_m, ip)  # type: ignore[arg-type]
                if codes == "sq8"
                else faiss.IndexHNSWFlat(dim, hnsw_m, ip)
            )
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        else:
            index = (
                faiss.IndexScalarQuantizer(dim, sq8, ip)
                if codes == "sq8"
                else faiss.IndexFlatIP(dim)
            )
        if not index.is_trained:  # the ranges, from an evenly spread sample of rows
            index.train(_sample(vectors, TRAIN_SAMPLE))
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
