"""The year a sentence speaks of when it names none: its article's time frame.

A yearly review opens 回首2024年，… and then gives its figures without a year
(全区居民健康素养水平达39.1%。); its plan opens 展望2025年，… . Such a figure does not answer a
question about 2023, though nothing in its sentence says so. The frame is the year of the
last sentence or clause before it, in its article, that opens with a year (2024年， /
回首2024年， / 2023年以来，); a year named inside a sentence (获评“2024年江门市基层特色专科”)
sets none: read that way, it made a 2024 figure a 2023 one on the train split.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from functools import lru_cache

from rag.answering.selector import YEARS
from rag.records import Document

# a year opening a sentence or clause, or after a verb of looking back or ahead
FRAME = re.compile(
    r"(?:^|(?<=[。；！？\n])|回首|回望|展望|步入|迈入|进入)\s*((?:19|20)\d\d)年"
    r"(?:以来|全年|上半年|下半年)?[，,]",
    re.M,
)
DOCUMENTS_CACHED = 4096  # documents whose frames are kept (a few dozen numbers each)


class Timeframes:
    """The time frames of a corpus's documents, read once per document when first asked."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._documents = documents
        # lru_cache is thread-safe: the server answers several questions at once
        self._frames = lru_cache(maxsize=DOCUMENTS_CACHED)(self._read)

    def _read(self, doc: str) -> tuple[list[int], list[str]]:
        found = [(m.start(1), m.group(1)) for m in FRAME.finditer(self._documents[doc].text)]
        return [at for at, _ in found], [year for _, year in found]

    def year(self, doc: str, start: int) -> str | None:
        """The year framing the sentence at `start` of `doc`, or None (no frame before it in
        its article)."""
        positions, years = self._frames(doc)
        i = bisect_left(positions, start) - 1
        if i < 0:
            return None
        article = self._documents[doc].article_at(start)
        if article is not None and positions[i] < article.start:
            return None  # the frame is another article's
        return years[i]

    def conflicts(self, asked: frozenset[str], doc: str, start: int, sentence: str) -> bool:
        """The question names years (`asked`), the sentence none, and its frame is another."""
        if not asked or YEARS.search(sentence):
            return False
        framed = self.year(doc, start)
        return framed is not None and framed not in asked
