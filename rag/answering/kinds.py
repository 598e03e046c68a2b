"""Whether a sentence holds the kind of answer a question asks for, not already named by it.

The sentence's marked spans come from the build (`rag.indexing.marks`); the question's kind and
words from its analysis (`rag.query`). 唐聪说 does not answer 唐聪的妻子是谁, and 2023年 does
not answer 2023年…多少: a span the question itself names does not count. Nor is a year a count:
2026年 does not answer 多少例患者 (a year is marked a number and a date; 多少年 asks a span of
years, 32年, which is no year).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.indexing.marks import MARKED, marks
from rag.query.analysis import question_words
from rag.records import Kind

YEAR = re.compile(r"(?:19|20)\d\d年?")


def free_spans(
    kind: Kind, sentence: str, spans: Iterable[tuple[int, int, int]], words: Iterable[str]
) -> list[tuple[int, int]]:
    """The sentence's `spans` (from `marks`) of the wanted kind that are free of the
    question's own `words`, in reading order."""
    if kind == "any":
        return []
    code = MARKED.index(kind)
    wanted = sorted((s, e) for c, s, e in spans if c == code)
    if kind == "number":
        wanted = [(s, e) for s, e in wanted if not YEAR.fullmatch(sentence, s, e)]
    if not wanted:
        return []
    named = bytearray(len(sentence))  # 1 where a question word stands
    for word in words:
        at = sentence.find(word)
        while at >= 0:
            named[at : at + len(word)] = b"\x01" * len(word)
            at = sentence.find(word, at + 1)
    return [(s, e) for s, e in wanted if not any(named[s:e])]


def holds_marked(
    kind: Kind, sentence: str, spans: Iterable[tuple[int, int, int]], words: Iterable[str]
) -> bool:
    """Whether one of the sentence's `spans` (from `marks`) of the wanted kind is free of the
    question's own `words` (any sentence holds the kind ``any``)."""
    return kind == "any" or bool(free_spans(kind, sentence, spans, words))


def holds(kind: Kind, sentence: str, question: str = "") -> bool:
    """Whether the sentence holds something of the wanted kind that the question does not
    already name (`marks` and `holds_marked` in one call, for tests and notebooks: answering
    reads the marks stored at build time)."""
    if kind == "any":
        return True
    return holds_marked(kind, sentence, marks(sentence, (kind,)), question_words(question))
