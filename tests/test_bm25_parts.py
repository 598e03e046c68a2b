"""The BM25 score matrix built a part of the corpus at a time is bm25s's own, bit for bit."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from rag import RAG
from rag.indexing import lexical
from rag.indexing.lexical import LexicalIndex


def stock_scores(texts: list[str]) -> dict[str, np.ndarray]:
    """bm25s's own construction over the same token ids as `LexicalIndex.build`."""
    vocab: dict[str, int] = {}
    ids = [
        [vocab.setdefault(t, len(vocab)) for t in lexical.tokenize(text) or ["\u2205"]]
        for text in texts
    ]
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    return bm25.scores


@pytest.mark.parametrize("part", [3, 50_000])
def test_the_seeds_matrix_is_bm25s_own(
    seed_rag: RAG, monkeypatch: pytest.MonkeyPatch, part: int
) -> None:
    monkeypatch.setattr(lexical, "PART", part)  # several parts, or one
    texts = [c.text for c in seed_rag.chunks] + ["", "。"]  # empty passages too
    built = LexicalIndex.build(texts)._bm25.scores
    stock = stock_scores(texts)
    for key in ("data", "indices", "indptr"):
        assert np.array_equal(built[key], stock[key]), key
        assert built[key].dtype == stock[key].dtype or key == "indptr", key
    assert built["num_docs"] == stock["num_docs"] == len(texts)


def test_a_random_corpus_with_repeated_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "PART", 17)
    rng = random.Random(0)
    words = [f"词{i}" for i in range(300)]
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 40))) for _ in range(200)]
    built = LexicalIndex.build(texts)._bm25.scores
    stock = stock_scores(texts)
    for key in ("data", "indices", "indptr"):
        assert np.array_equal(built[key], stock[key]), key
