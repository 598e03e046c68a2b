"""The naive baseline: what a framework's defaults give, for side-by-side runs.

The raw files cut into fixed 500-character windows with 50 characters of overlap (a plain
character window, the shape of LangChain's RecursiveCharacterTextSplitter defaults without its
separator preference), embedded with the same embedder, searched by cosine alone: no cleaning,
no sentence boundaries, no BM25. It retrieves; it does not answer. Window vectors are cached in
one file beside the index, each keyed by the embedder and the window's text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.indexing.dense import DenseIndex
from rag.indexing.embedders.base import Embedder, Vectors
from rag.records import Document, Hit

WINDOW, OVERLAP = 500, 50


@dataclass(frozen=True)
class Window:
    doc: str
    start: int  # offsets into the document's raw text
    end: int
    text: str


def char_windows(text: str, size: int = WINDOW, overlap: int = OVERLAP) -> list[tuple[int, int]]:
    """``(start, end)`` of fixed windows of `size` characters, each `overlap` into the last."""
    if not text:
        return []
    spans, start = [], 0
    while True:
        end = min(start + size, len(text))
        spans.append((start, end))
        if end == len(text):
            return spans
        start = end - overlap


def windows_of(documents: dict[str, Document]) -> list[Window]:
    return [
        Window(doc.id, s, e, doc.raw[s:e])
        for doc in sorted(documents.values(), key=lambda d: d.id)
        for s, e in char_windows(doc.raw)
    ]


class NaiveRetriever:
    """Dense search over raw 500-character windows."""

    def __init__(self, windows: list[Window], vectors: Vectors) -> None:
        self.windows = windows
        self.dense = DenseIndex.build(vectors)

    @classmethod
    def build(
        cls,
        documents: dict[str, Document],
        embedder: Embedder,
        cache: Path,
        donors: tuple[Path, ...] = (),
        progress: bool = False,
    ) -> NaiveRetriever:
        """Windows of `documents`, embedded; vectors of windows already in `cache` (or in a
        `donors` cache: another corpus that shares most windows) are reused."""
        windows = windows_of(documents)
        keys = [hashlib.sha1(f"{embedder.name}\0{w.text}".encode()).hexdigest() for w in windows]
        known: dict[str, Vectors] = {}
        for path in (*donors, cache):
            if path.is_file():
                with np.load(path) as stored:
                    if "keys" in stored.files:  # else from another version: embed again
                        known.update(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        if todo:
            text = {k: w.text for k, w in zip(keys, windows, strict=True)}
            fresh = embedder.encode_passages([text[k] for k in todo], progress=progress)
            known.update(zip(todo, fresh, strict=True))
        vectors = np.stack([known[k] for k in keys]) if keys else np.zeros((0, embedder.dim))
        if todo or not cache.is_file():
            partial = cache.with_name(cache.name + ".partial.npz")
            np.savez(partial, keys=np.asarray(keys), vectors=vectors)
            partial.replace(cache)
        return cls(windows, vectors.astype(np.float32))

    def search(self, qvec: Vectors, k: int) -> list[Hit]:
        hits = []
        for row, cosine in self.dense.search(qvec, k):
            w = self.windows[row]
            hits.append(Hit(f"w{row}", w.doc, "", "", w.text, w.start, w.end, cosine, cosine, 0.0))
        return hits
