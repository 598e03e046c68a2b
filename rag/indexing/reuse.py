"""What a rebuild takes from the index it replaces: vectors by embed key (an
`EmbeddingCache`), sentences' marked spans, and the English lookup."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import IndexCorruptError
from rag.indexing.bilingual import TermLookup
from rag.indexing.dense import DenseIndex
from rag.indexing.marks import MARKS
from rag.indexing.sentence_table import SENTENCE_ROWS, SentenceFeatures, load_keys
from rag.indexing.store import (
    LOOKUP,
    MANIFEST,
    SENTENCE_RANGES,
    SENTENCE_VECTORS,
    open_sentence_vectors,
    read_jsonl,
    verify_files,
)
from rag.indexing.vector_files import EmbeddingCache


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
    sentence vectors' precision), so a format change re-embeds nothing; marks from an index
    whose manifest records today's `MARKS`. Empty when absent, unreadable or built with
    another embedder."""
    path, nothing = Path(path), Reusable()
    try:
        manifest = json.loads((path / MANIFEST).read_text("utf-8"))
        if manifest["embedder"]["name"] != embedder_name or manifest["format_version"] < 2:
            return nothing
        rows = SENTENCE_ROWS if SENTENCE_ROWS in manifest["files"] else "sentences.jsonl"
        names = ["chunks.jsonl", "vectors.faiss", rows, SENTENCE_VECTORS]
        names += [SENTENCE_RANGES] if SENTENCE_RANGES in manifest["files"] else []
        # marks made by today's rules (`MARKS`) only; older ones are made again
        has_marks = "sentence_features.npz" in manifest["files"] and manifest.get("marks") == MARKS
        names += ["sentence_features.npz"] if has_marks else []
        verify_files(path, {"files": {n: manifest["files"][n] for n in names}})
        chunk_keys = [row["embed_key"] for row in read_jsonl(path / "chunks.jsonl")]
        sentence_keys = (
            load_keys(path / rows)
            if rows == SENTENCE_ROWS
            else [row["embed_key"] for row in read_jsonl(path / rows)]
        )
        chunk_vectors = DenseIndex.load(path / "vectors.faiss").vectors()
        sentence_vectors = open_sentence_vectors(path)  # rows read as used
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
