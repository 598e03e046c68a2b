"""English answers read as English: what answers first, names with their pinyin, then the
Chinese quote with its marker::

    罗超华 (Luo Chaohua) — according to the articles (quoted in Chinese):
    鹤山市卫生健康局党组书记、局长罗超华…[1]

The lead is the first span of the asked kind (a number, a date, a person, a place) in the best
sentence that the question does not name itself; a question of no particular kind is answered
by the quote alone. Readings come from the index's lookup (`TermLookup.readings`), so answering
loads no pinyin data.
"""

from __future__ import annotations

import re

from rag.indexing.bilingual import name_suffix
from rag.records import Kind

QUOTED = "according to the articles (quoted in Chinese): "
LONGEST_NAME = 4  # syllables: a longer organisation name in pinyin helps nobody


def romanized(word: str, kind: Kind, readings: dict[str, str]) -> str:
    """`word` in pinyin the way English writes names ("Luo Chaohua", "Heshan"), or "" when
    it is no person or place, or its reading is unknown."""
    syllables = readings.get(word, "").split()
    if len(syllables) != len(word):
        return ""
    if kind == "person" and 2 <= len(word) <= 3:
        return f"{syllables[0].capitalize()} {''.join(syllables[1:]).capitalize()}"
    if kind == "place":
        name = syllables[: len(syllables) - len(name_suffix(word))]
        if len(name) <= LONGEST_NAME:
            return "".join(name).capitalize()
    return ""


YEAR = re.compile(r"(?:19|20)\d\d年?")


def pick_span(kind: Kind, spans: list[str], readings: dict[str, str]) -> str:
    """The span that answers, of those marked in the best sentence, in reading order: for a
    number, one that is no year (2010年 is when, 6000多台 how many); for a person, the name
    alone (罗超华, not 局长罗超华) when the index knows it as a word."""
    if kind in ("person", "place"):
        spans = [s for s in spans if len(s) >= 2]  # 市, 局: a fragment names nothing
    if kind == "number":
        spans = [s for s in spans if not YEAR.fullmatch(s)] or spans
    if kind == "person":
        spans = [s for s in spans if s in readings and len(s) <= 3] or spans
    return spans[0] if spans else ""


def english_lead(span: str, kind: Kind, readings: dict[str, str]) -> str:
    """The start of an English answer: the answering span, a name with its pinyin."""
    if not span:
        return QUOTED[0].upper() + QUOTED[1:]
    reading = romanized(span, kind, readings)
    return f"{span} ({reading}) — {QUOTED}" if reading else f"{span} — {QUOTED}"
