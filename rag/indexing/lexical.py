"""The keyword side: jieba tokens with stopwords dropped, indexed by bm25s.

Queries and passages are normalised alike (`rag.text.normalize`: full-width forms, Traditional →
Simplified) and segmented alike (jieba search mode, which adds the short words inside long
ones: 医疗卫生 → 医疗, 卫生, 医疗卫生), place names jieba splits kept whole as well
(`place_names`: 棠/下/镇 → 棠下, 棠下镇). Numbers stay searchable with their unit as well as
bare: ``2023年`` gives ``2023`` and ``2023年``; ``66.67%`` gives ``66.67`` and ``66.67%``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.text import normalize, simplified

PART = 4096  # documents a pass of `_BM25InParts` reads at a time (≈40 MB of temporaries)


def _BM25InParts(*args: Any, **kwargs: Any) -> Any:
    """A bm25s BM25 whose score matrix is built a part of the corpus at a time (see
    `_build_in_parts`): the same matrix, without the ≈50 bytes a posting bm25s's own
    construction holds at once (2.7 GB of a 10^6-chunk build's peak)."""
    import bm25s

    class BM25InParts(bm25s.BM25):  # type: ignore[misc]
        def build_index_from_ids(
            self, unique_token_ids: list[int], corpus_token_ids: Sequence[Any], **_: Any
        ) -> dict[str, Any]:
            if self.method != "lucene" or self.idf_method != "lucene":
                raise ValueError(
                    f"only bm25s's 'lucene' scores are built in parts, not {self.method}"
                )
            self.nonoccurrence_array = None  # Lucene's BM25 has none
            return _build_in_parts(corpus_token_ids, len(unique_token_ids), self.k1, self.b)

    return BM25InParts(*args, **kwargs)


def _build_in_parts(docs: Sequence[Any], n_vocab: int, k1: float, b: float) -> dict[str, Any]:
    """bm25s's score matrix (Lucene's BM25, float32, compressed sparse columns, rows in
    document order), bit for bit, in two passes over `docs` (each a sequence of token ids),
    `PART` documents at a time: document frequencies first, then each posting written straight
    to its place in its column."""
    n_docs = len(docs)
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
    avg_len = lengths.mean() if n_docs else np.float64(0)

    def postings(start: int) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """(document, token, count) of each distinct token of each document in a part."""
        part = docs[start : start + PART]
        flat = np.fromiter((t for d in part for t in d), dtype=np.int64)
        rows = np.repeat(np.arange(start, start + len(part)), lengths[start : start + len(part)])
        pairs, counts = np.unique((rows << 32) | flat, return_counts=True)
        return pairs >> 32, pairs & 0xFFFFFFFF, counts

    df = np.zeros(n_vocab, dtype=np.int64)
    for start in range(0, n_docs, PART):
        df += np.bincount(postings(start)[1], minlength=n_vocab)
    # as bm25s: the idf in double precision by math.log, kept as float32
    idf = np.array(
        [math.log(1 + (n_docs - f + 0.5) / (f + 0.5)) if f else 0.0 for f in df.tolist()],
        dtype=np.float32,
    )
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    heads = indptr[:-1].copy()  # the next free place of each column
    for start in range(0, n_docs, PART):
        rows, tokens, counts = postings(start)
        tf = counts.astype(np.float32).astype(np.float64)
        tfc = tf / (k1 * ((1 - b) + b * lengths[rows] / avg_len) + tf)  # float64, as bm25s
        order = np.argsort(tokens, kind="stable")  # by column, rows still in order
        tokens, rows, scores = tokens[order], rows[order], (idf[tokens] * tfc)[order]
        columns, first, seen = np.unique(tokens, return_index=True, return_counts=True)
        places = heads[tokens] + np.arange(len(tokens)) - np.repeat(first, seen)
        data[places], indices[places] = scores, rows
        heads[columns] += seen
    return {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}


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


# Recorded in the manifest: an index whose tokens were cut another way is rebuilt, not reused,
# by `rag eval --squad` (bump on any change to `tokenize`)
TOKENIZER = "2"  # 2: place names (`place_names`)
# what follows a place's name; jieba often leaves the name before it in single characters
# (棠下镇 → 棠/下/镇, 都斛镇 → 都/斛/镇) or keeps it only with its suffix (杜阮镇, 双水镇), so
# that BM25 never matched 棠下 and the English lookup had no word to read "Tangxia" as
PLACE_SUFFIXES = ("街道", "镇", "乡", "村", "区", "市", "县")


def _single(token: str) -> bool:
    return len(token) == 1 and "\u4e00" <= token <= "\u9fff"


def place_names(cut: Sequence[str]) -> list[str]:
    """The place names jieba's `cut` splits or keeps only whole: 棠/下/镇 → 棠下 and 棠下镇
    (the two characters before the suffix); 杜阮镇 → 杜阮."""
    names = []
    for i, token in enumerate(cut):
        if token in PLACE_SUFFIXES:
            if i >= 2 and _single(cut[i - 1]) and _single(cut[i - 2]):
                name = cut[i - 2] + cut[i - 1]
                names += [name, name + token]
        elif len(token) >= 3:
            suffix = next((x for x in PLACE_SUFFIXES if token.endswith(x)), "")
            stem = token[: len(token) - len(suffix)]
            if suffix and len(stem) >= 2 and all(_single(c) for c in stem):
                names.append(stem)
    return names


def single_pairs(text: str) -> list[str]:
    """Each two neighbouring single characters of `text` as jieba cuts it, joined (棠下 from
    棠/下): a question's word that passages may hold whole (`place_names`)."""
    cut = _cut(normalize(text).lower())
    return [a + b for a, b in pairwise(cut) if _single(a) and _single(b)]


@lru_cache(maxsize=4096)
def _cut(norm: str) -> tuple[str, ...]:
    """jieba's search-mode cut of normalised text, cached: a question is cut for its tokens
    and again for its `single_pairs`."""
    return tuple(token for raw in _jieba().cut_for_search(norm) if (token := raw.strip()))


@lru_cache(maxsize=1024)
def words_of(text: str) -> tuple[str, ...]:
    """jieba's precise cut of `text`, the pieces joining back into it, cached: the short
    answer's candidate spans are runs of these words. Traditional script is cut as its
    Simplified form (jieba's dictionary is Simplified: 輔助港 is cut 輔/助/港, 辅助港 辅助/港),
    the pieces taken from `text` at the same places (the conversion keeps offsets)."""
    plain = simplified(text)
    if plain == text or len(plain) != len(text):
        return tuple(_jieba().lcut(text))
    pieces, at = [], 0
    for word in _jieba().lcut(plain):
        pieces.append(text[at : at + len(word)])
        at += len(word)
    return tuple(pieces)


def tokenize(text: str) -> list[str]:
    """The BM25 tokens of `text` (query or passage), in order, repeats kept."""
    return list(_tokens(text))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """`tokenize`, cached: a question is tokenised by retrieval and again by the answerer,
    and a headline or section is the context of every sentence under it."""
    norm = normalize(text).lower()
    stop = stopwords()
    cut = _cut(norm)
    tokens = [token for token in cut if _is_word(token) and token not in stop]
    have = set(tokens)
    for name in place_names(cut):
        if name not in have:
            tokens.append(name)
            have.add(name)
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

        bm25 = _BM25InParts()
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
