"""The keyword side: jieba tokens with stopwords dropped, indexed by bm25s.

Queries and passages are normalised alike (`rag.text.normalize`: full-width forms, Traditional →
Simplified) and segmented alike (jieba search mode, which adds the short words inside long
ones: 医疗卫生 → 医疗, 卫生, 医疗卫生). Numbers stay searchable with their unit as well as
bare: ``2023年`` gives ``2023`` and ``2023年``; ``66.67%`` gives ``66.67`` and ``66.67%``.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rag.text import normalize

NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Units and measure words that make a number mean something (年份, 数量, 比例).
UNITS = frozenset("年月日号时岁支个家名人位次项张例元万亿届期批所间台场篇倍天周座条床%")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for name in ("stopwords_zh.txt", "stopwords_en.txt"):
        text = resources.files("rag.data").joinpath(name).read_text(encoding="utf-8")
        words.update(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))
    return frozenset(words)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _is_word(token: str) -> bool:
    """False for punctuation, symbols and whitespace."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def tokenize(text: str) -> list[str]:
    """The BM25 tokens of `text` (query or passage), in order, repeats kept."""
    return list(_tokens(text))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """`tokenize`, cached: a question is tokenised by retrieval and again by the answerer,
    and a headline or section is the context of every sentence under it."""
    norm = normalize(text).lower()
    stop = stopwords()
    tokens = [
        token
        for raw in _jieba().cut_for_search(norm)
        if (token := raw.strip()) and _is_word(token) and token not in stop
    ]
    have = set(tokens)
    for match in NUMBER.finditer(norm):
        number = match.group()
        unit = norm[match.end() : match.end() + 1]
        for token in (number, number + unit if unit in UNITS else ""):
            if token and token not in have:
                tokens.append(token)
                have.add(token)
    return tuple(tokens)


class LexicalIndex:
    """bm25s over `tokenize`d passages; scores are BM25 (higher is better)."""

    def __init__(self, bm25: Any) -> None:
        self._bm25 = bm25

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25()
        # Token ids, not strings: a million chunks' token lists as Python strings would take
        # several gigabytes; as int arrays, 4 bytes a token. An empty document would have no
        # tokens at all; bm25s needs one per document.
        vocab: dict[str, int] = {}
        ids = [
            array("i", [vocab.setdefault(token, len(vocab)) for token in tokenize(t) or ["\u2205"]])
            for t in texts
        ]
        bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(bm25)

    @property
    def size(self) -> int:
        return int(self._bm25.scores["num_docs"])

    def vocabulary(self) -> list[str]:
        """Every token some passage holds."""
        return list(self._bm25.vocab_dict)

    def has(self, token: str) -> bool:
        return token in self._bm25.vocab_dict

    def token_ids(self, tokens: list[str]) -> list[int]:
        """The vocabulary ids of `tokens`, in order; tokens no passage holds are left out."""
        vocab = self._bm25.vocab_dict
        return [vocab[t] for t in tokens if t in vocab]

    def idf(self, tokens: set[str]) -> dict[str, float]:
        """Inverse document frequency of each token over the indexed passages (BM25's
        formula); a token no passage holds gets the highest value."""
        n = self.size
        indptr = self._bm25.scores["indptr"]
        vocab = self._bm25.vocab_dict
        out = {}
        for token in tokens:
            col = vocab.get(token)
            df = 0 if col is None else int(indptr[col + 1] - indptr[col])
            out[token] = float(np.log((n - df + 0.5) / (df + 0.5) + 1))
        return out

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False))

    def scores(self, tokens: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """BM25 score of every passage for a query's `tokens` (from `tokenize`; zeros when
        nothing matches)."""
        tokens = [t for t in tokens if t in self._bm25.vocab_dict]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
