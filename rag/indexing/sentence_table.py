"""Every sentence of an index's chunks, once, with what answering needs of it.

Answers quote and score sentences, not chunks: each sentence's vector and its features (BM25
token ids, marked spans of numbers, dates, places and persons) are computed at build time, so
answering a question runs no model call and no tokenizer over the candidate sentences.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rag.indexing.embedders.base import Vectors
from rag.indexing.lexical import LexicalIndex, tokenize
from rag.indexing.marks import MARKED, SPEAKS, TITLES, marks
from rag.indexing.vector_files import QuantizedVectors
from rag.indexing.vector_store import MilvusRows
from rag.records import Chunk


@dataclass(frozen=True)
class SentenceRef:
    """A sentence of a document, by offsets: ``documents[doc].text[start:end]``."""

    doc: str
    start: int
    end: int


@dataclass(frozen=True)
class SentenceFeatures:
    """What the answerer needs of every sentence, computed at build time, in compressed-row
    form (row i's items are ``items[ptr[i]:ptr[i + 1]]``): numpy arrays, because a million
    chunks hold millions of sentences and Python lists of them would not fit."""

    token_ids: NDArray[np.int32]  # BM25 vocabulary ids of the sentence's tokens
    token_ptr: NDArray[np.int64]
    marks: NDArray[np.int32]  # (n, 3): kind code, start, end (offsets in the sentence)
    mark_ptr: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.token_ptr) - 1

    def tokens_of(self, row: int) -> NDArray[np.int32]:
        return self.token_ids[self.token_ptr[row] : self.token_ptr[row + 1]]

    def marks_of(self, row: int) -> NDArray[np.int32]:
        return self.marks[self.mark_ptr[row] : self.mark_ptr[row + 1]]

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            # compressed (a third of the bytes on the seeds): the arrays are read whole on
            # opening anyway, and inflating them costs little next to that
            np.savez_compressed(fh, **{k: getattr(self, k) for k in _FEATURE_ARRAYS})

    @classmethod
    def load(cls, path: Path) -> SentenceFeatures:
        with np.load(path) as data:
            return cls(*(data[k] for k in _FEATURE_ARRAYS))


_FEATURE_ARRAYS = ("token_ids", "token_ptr", "marks", "mark_ptr")


@dataclass(frozen=True)
class SentenceTable:
    """Every sentence of the chunks, once, with its vector and features (row i ↔ `refs[i]`)."""

    refs: list[SentenceRef]
    keys: list[str]
    vectors: Vectors | QuantizedVectors | MilvusRows  # row i is refs[i]'s
    features: SentenceFeatures

    def rows_of(self, chunks: list[Chunk]) -> dict[str, list[int]]:
        """For each chunk id, the rows of its sentences, in order."""
        row = {ref: i for i, ref in enumerate(self.refs)}
        return {
            c.chunk_id: [row[SentenceRef(c.doc, s.start, s.end)] for s in c.sentences()]
            for c in chunks
        }


SENTENCE_ROWS = "sentences.npz"  # from format 6; before it, sentences.jsonl


def save_rows(path: Path, table: SentenceTable, doc_order: Sequence[str]) -> None:
    """Each sentence's document (by its place in `doc_order`), offsets and embed key, as int
    arrays: a third of the JSON rows' bytes, which were 5 % of a large index."""
    ordinal = {doc: n for n, doc in enumerate(doc_order)}
    refs = np.array([(ordinal[r.doc], r.start, r.end) for r in table.refs], dtype=np.int32)
    keys = np.frombuffer(bytes.fromhex("".join(table.keys)), dtype=np.uint8)
    with path.open("wb") as fh:
        np.savez_compressed(fh, refs=refs.reshape(-1, 3), keys=keys.reshape(len(table.keys), -1))


def load_keys(path: Path) -> list[str]:
    """The embed keys of `save_rows`'s file, in row order."""
    with np.load(path) as data:
        keys = data["keys"]
    if not len(keys):
        return []
    width = 2 * keys.shape[1]
    flat = keys.tobytes().hex()
    return [flat[i : i + width] for i in range(0, len(flat), width)]


def load_rows(path: Path, doc_order: Sequence[str]) -> tuple[list[SentenceRef], list[str]]:
    """The sentence refs and embed keys of `save_rows`'s file."""
    with np.load(path) as data:
        refs = data["refs"].tolist()
    return [SentenceRef(doc_order[d], s, e) for d, s, e in refs], load_keys(path)


def sentence_features(
    texts: Sequence[str],
    lexical: LexicalIndex,
    known_marks: Callable[[int], list[tuple[int, int, int]] | None] = lambda i: None,
) -> SentenceFeatures:
    """Token ids and marked spans of every sentence: the per-sentence work of answering,
    done once at build time. `known_marks(i)` gives sentence i's marks from the previous
    build when its text is unchanged: the part-of-speech tagger is most of a build's time
    after the model. Token ids are always recomputed (the vocabulary follows the corpus)."""
    # Flat int arrays grown row by row: lists of lists of Python ints for millions of
    # sentences would take gigabytes.
    token_ids, token_ptr = array("i"), array("q", [0])
    flat_marks, mark_ptr = array("i"), array("q", [0])
    for i, text in enumerate(texts):
        token_ids.extend(lexical.token_ids(tokenize(text)))
        token_ptr.append(len(token_ids))
        known = known_marks(i)
        for mark in marks(text) if known is None else known:
            flat_marks.extend(mark)
        mark_ptr.append(len(flat_marks) // 3)
    return SentenceFeatures(
        np.frombuffer(token_ids, dtype=np.int32),
        np.frombuffer(token_ptr, dtype=np.int64),
        np.frombuffer(flat_marks, dtype=np.int32).reshape(-1, 3),
        np.frombuffer(mark_ptr, dtype=np.int64),
    )


# what stands around a name in a marked person span (局长刘斌云, 院长的唐聪, 甄沛林表示)
TITLE = re.compile(rf"^(?:{TITLES})的?|(?:{SPEAKS})$")
PERSON = MARKED.index("person")


def persons_in(text: str, marked: Sequence[Sequence[int]]) -> list[str]:
    """The names of the persons a sentence's marks hold, titles taken off, two to four
    characters, in reading order."""
    out = []
    for code, start, end in marked:
        name = TITLE.sub("", text[start:end])
        if code == PERSON and 2 <= len(name) <= 4 and name not in out:
            out.append(name)
    return out


def person_names(texts: Sequence[str], features: SentenceFeatures) -> set[str]:
    """The persons the sentences name: what an English question may write in pinyin."""
    return {
        name
        for row, text in enumerate(texts)
        for name in persons_in(text, features.marks_of(row).tolist())
    }
