"""What a sentence holds: the spans of its numbers, dates, places and persons.

Computed once per sentence at build time and stored with the index (`SentenceFeatures`):
persons need jieba's part-of-speech tagger, far too slow to run per query. The answerer asks
whether a sentence holds something of the kind a question wants (`rag.answering.kinds`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rag.records import Kind

CN_NUMERALS = "一二两三四五六七八九十百千万亿零"
MEASURE_WORDS = "个家名人支项次台张例位所间届批座条床倍成种场篇岁"
HOLDS: dict[Kind, re.Pattern[str]] = {
    "number": re.compile(
        rf"\d+(?:\.\d+)?\s*[余多近]?[{MEASURE_WORDS}年%万亿元]"
        rf"|[{CN_NUMERALS}]+[余多]?[{MEASURE_WORDS}年%]|百分之"
    ),
    "date": re.compile(
        r"\d{4}年|\d{1,2}月|\d{1,2}日|\d{4}[—-]\d{4}|今年|去年|明年|前年|年初|年底|年末|"
        r"上半年|下半年|近年|近日|目前"
    ),
    "place": re.compile(
        r"医院|卫生院|中心|学校|小学|中学|大学|社区|街道|[镇村区市县省]|局|机构|联盟|协会|基地"
    ),
}
# the words a name stands after (局长刘斌云) or before (甄沛林表示) in news prose
TITLES = "书记|局长|院长|主任|医生|护士|专家|记者|委员|负责人"
SPEAKS = "表示|说|介绍|认为|坦言"
TITLE_BEFORE_NAME = re.compile(
    rf"(?:{TITLES})[\u4e00-\u9fff]{{2,3}}|[\u4e00-\u9fff]{{2,3}}(?:{SPEAKS})"
)
# The kinds a sentence is marked with; a mark's code is its kind's position here.
MARKED: tuple[Kind, ...] = ("number", "date", "place", "person")


@lru_cache(maxsize=1)
def _posseg() -> Any:
    import jieba.posseg

    return jieba.posseg


def marks(sentence: str, kinds: tuple[Kind, ...] = MARKED) -> list[tuple[int, int, int]]:
    """Spans ``(kind code, start, end)`` of the numbers, dates, places and persons the
    sentence holds."""
    out: list[tuple[int, int, int]] = []
    for kind in kinds:
        code = MARKED.index(kind)
        if kind != "person":
            out.extend((code, m.start(), m.end()) for m in HOLDS[kind].finditer(sentence))
            continue
        out.extend((code, m.start(), m.end()) for m in TITLE_BEFORE_NAME.finditer(sentence))
        pos = 0
        for pair in _posseg().cut(sentence):
            if pair.flag == "nr" and len(pair.word) >= 2:
                out.append((code, pos, pos + len(pair.word)))
            pos += len(pair.word)
    return out
