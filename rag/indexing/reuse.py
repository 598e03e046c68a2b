"""What a rebuild takes from the index it replaces: vectors by embed key, held as a few
large arrays, and sentences' marked spans.

A dict of one small array per text costs ~150 bytes of overhead a vector and a full copy when
the rows are stacked for FAISS; at a million chunks (≈4.5 M distinct texts) that was most of a
build's memory. Here each batch of vectors stays one array, and a key names its row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from rag.errors import IndexCorruptError
from rag.indexing.bilingual import TermLookup
from rag.indexing.dense import DenseIndex
from rag.indexing.sentence_table import SentenceFeatures
from rag.indexing.store import LOOKUP, MANIFEST, read_jsonl, verify_files

SENTENCE_DTYPE = np.float16  # sentence vectors on disk and in memory: cosines move < 1e-3


class EmbeddingCache:
    """Vectors by embed key: `add` a batch, `take` the rows of some keys as one array."""

    def __init__(self) -> None:
        self._arrays: list[np.ndarray] = []
        self._where: dict[str, tuple[int, int]] = {}  # key → (array, row)

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def __len__(self) -> int:
        return len(self._where)

    def keys(self) -> Iterator[str]:
        return iter(self._where)

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Keep `vectors` (row i is `keys[i]`'s) as they are: no copy."""
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        if not len(keys):
            return
        n = len(self._arrays)
        self._arrays.append(vectors)
        self._where.update((key, (n, row)) for row, key in enumerate(keys))

    def take(self, keys: Sequence[str], dim: int, dtype: DTypeLike = np.float32) -> NDArray[Any]:
        """The vectors of `keys`, in order, as one `dtype` array (every key must be held).
        When the keys are exactly one added array, in order, that array is returned."""
        if not keys:
            return np.zeros((0, dim), dtype=dtype)
        codes = np.fromiter(
            (n for key in keys for n in self._where[key]), dtype=np.int64, count=2 * len(keys)
        ).reshape(-1, 2)
        first = self._arrays[int(codes[0, 0])]
        if (
            len(first) == len(keys)
            and first.dtype == np.dtype(dtype)
            and (codes[:, 0] == codes[0, 0]).all()
            and (codes[:, 1] == np.arange(len(keys))).all()
        ):
            return first
        out = np.empty((len(keys), dim), dtype=dtype)
        for n in np.unique(codes[:, 0]):
            mask = codes[:, 0] == n
            out[mask] = self._arrays[int(n)][codes[mask, 1]]
        return out


@dataclass(frozen=True)
class Reusable:
    """What a rebuild takes from the index it replaces, by embed key (the embedder and the
    exact text): vectors of chunks and sentences, and the marked spans of sentences."""

    vectors: EmbeddingCache = field(default_factory=EmbeddingCache)
    mark_rows: dict[str, int] = field(default_factory=dict)  # sentence key → features row
    features: SentenceFeatures | None = None
    lookup: TermLookup | None = None  # reused when its versions and vocabulary still hold

    def marks_of(self, key: str) -> list[tuple[int, int, int]] | None:
        """The marked spans of the sentence `key` names, if the previous index held it."""
        row = self.mark_rows.get(key)
        if row is None or self.features is None:
            return None
        return [(int(c), int(s), int(e)) for c, s, e in self.features.marks_of(row).tolist()]


def read_reusable(path: Path, embedder_name: str) -> Reusable:
    """Vectors and sentence marks of the index at `path`, each file read and verified once.
    Vectors are read from any format since 2 (those files have not changed but for the
    sentence vectors' precision), so a format change re-embeds nothing; marks from format 3
    on. Empty when absent, unreadable or built with another embedder."""
    path, nothing = Path(path), Reusable()
    try:
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
        if manifest["embedder"]["name"] != embedder_name or manifest["format_version"] < 2:
            return nothing
        names = ["chunks.jsonl", "vectors.faiss", "sentences.jsonl", "sentence_vectors.npy"]
        has_marks = "sentence_features.npz" in manifest["files"]
        names += ["sentence_features.npz"] if has_marks else []
        verify_files(path, {"files": {n: manifest["files"][n] for n in names}})
        chunk_keys = [row["embed_key"] for row in read_jsonl(path / "chunks.jsonl")]
        sentence_keys = [row["embed_key"] for row in read_jsonl(path / "sentences.jsonl")]
        chunk_vectors = DenseIndex.load(path / "vectors.faiss").vectors()
        sentence_vectors = np.load(path / "sentence_vectors.npy")
        features = SentenceFeatures.load(path / "sentence_features.npz") if has_marks else None
    except (OSError, ValueError, KeyError, TypeError, IndexCorruptError):
        return nothing
    if len(chunk_keys) != len(chunk_vectors) or len(sentence_keys) != len(sentence_vectors):
        return nothing
    cache = EmbeddingCache()
    cache.add(chunk_keys, chunk_vectors)
    cache.add(sentence_keys, sentence_vectors)
    marks_known = features is not None and len(features) == len(sentence_keys)
    return Reusable(
        cache,
        {key: row for row, key in enumerate(sentence_keys)} if marks_known else {},
        features if marks_known else None,
        _reusable_lookup(path, manifest),
    )


def _reusable_lookup(path: Path, manifest: dict[str, Any]) -> TermLookup | None:
    """The English lookup of the index at `path`, or None: one that cannot be read (an older
    recipe, a damaged file) is made anew, and costs the rest of the index nothing."""
    try:
        verify_files(path, {"files": {LOOKUP: manifest["files"][LOOKUP]}})
        return TermLookup.load(path / LOOKUP)
    except (OSError, ValueError, KeyError, TypeError, IndexCorruptError):
        return None
