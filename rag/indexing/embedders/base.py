"""The small Protocol every embedding backend implements, and the vector type they return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors; queries and passages by separate calls."""

    @property
    def name(self) -> str:
        """The registry name that recreates this embedder (stored in the index manifest)."""
        ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Shape ``(len(texts), dim)``; adds the model's query prompt."""
        ...

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> Vectors:
        """Shape ``(len(texts), dim)``, in batches, with a progress bar when asked."""
        ...


def as_vectors(array: NDArray[np.floating] | Sequence[Sequence[float]], dim: int) -> Vectors:
    """A C-contiguous float32 ``(n, dim)`` array with unit rows (zero rows stay zero)."""
    out = np.ascontiguousarray(np.asarray(array, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
