"""What a question asks for: its language and the kind of answer it wants.

多少/几 → a number with its unit; 哪年/什么时候/何时 → a date; 谁 → a person; 哪家/哪里 → an
organisation or place; English question words likewise. The answerer prefers sentences that
hold something of the wanted kind, and a sentence without one is weak evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal

from rag.cleaning import is_cjk

Lang = Literal["zh", "en"]
Kind = Literal["number", "date", "person", "place", "any"]

_CN_NUM = "一二两三四五六七八九十百千万亿零"
_UNIT = "个家名人支项次台张例位所间届批座条床倍成种场篇岁"
ASKS: list[tuple[Kind, re.Pattern[str]]] = [
    (
        "date",
        re.compile(
            r"哪一?年|哪一?天|哪个月|几月|几号|什么时候|何时|什么时间|哪一?时间|日期|"
            r"\bwhen\b|what year|which year|what date|what month",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            rf"多少|几[{_UNIT}年]|比例|百分之|多大|多高|多长|多久|第几|"
            r"how many|how much|what percentage|what share|what proportion|what rate|"
            r"how long|how old|what number|what was the number|how large",
            re.I,
        ),
    ),
    ("person", re.compile(r"谁|哪位|什么人|姓名|\bwho\b|\bwhom\b|\bwhose\b", re.I)),
    (
        "place",
        re.compile(
            r"哪家|哪里|哪儿|哪所|在哪|何地|什么地方|哪个(?:医院|单位|机构|学校|地方|社区|镇|村|区|市|县)|"
            r"\bwhere\b|which (?:hospital|school|institution|organi[sz]ation|county|city|"
            r"district|town|village|center|centre|unit|university)|what hospital|what school",
            re.I,
        ),
    ),
]
HOLDS: dict[Kind, re.Pattern[str]] = {
    "number": re.compile(
        rf"\d+(?:\.\d+)?\s*[余多近]?[{_UNIT}年%万亿元]|[{_CN_NUM}]+[余多]?[{_UNIT}年%]|百分之"
    ),
    "date": re.compile(
        r"\d{4}年|\d{1,2}月|\d{1,2}日|\d{4}[—-]\d{4}|今年|去年|明年|前年|年初|年底|年末|"
        r"上半年|下半年|近年|近日|目前"
    ),
    "place": re.compile(
        r"医院|卫生院|中心|学校|小学|中学|大学|社区|街道|[镇村区市县省]|局|机构|联盟|协会|基地"
    ),
}
TITLE_BEFORE_NAME = re.compile(
    r"(?:书记|局长|院长|主任|医生|护士|专家|记者|委员|负责人)[\u4e00-\u9fff]{2,3}"
    r"|[\u4e00-\u9fff]{2,3}(?:表示|说|介绍|认为|坦言)"
)


def language(question: str) -> Lang:
    """``zh`` when the question holds Chinese characters, else ``en``."""
    return "zh" if any(is_cjk(ch) for ch in question) else "en"


def asked_kind(question: str) -> Kind:
    """The kind of answer the question wants (``any`` when it does not say)."""
    for kind, pattern in ASKS:
        if pattern.search(question):
            return kind
    return "any"


@lru_cache(maxsize=1)
def _posseg() -> Any:
    import jieba.posseg

    return jieba.posseg


# The kinds a sentence is marked with at build time, by code (see `marks`).
MARKED: tuple[Kind, ...] = ("number", "date", "place", "person")


def marks(sentence: str, kinds: tuple[Kind, ...] = MARKED) -> list[tuple[int, int, int]]:
    """Spans ``(kind code, start, end)`` of the numbers, dates, places and persons the
    sentence holds. Computed once per sentence at build time (persons need jieba's
    part-of-speech tagger, far too slow to run per query)."""
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


def holds_marked(
    kind: Kind, sentence: str, spans: Iterable[tuple[int, int, int]], words: Iterable[str]
) -> bool:
    """Whether one of the sentence's `spans` (from `marks`) of the wanted kind is free of the
    question's own `words` (唐聪说 does not answer 唐聪的妻子是谁; 2023年 does not answer
    2023年…多少)."""
    if kind == "any":
        return True
    code = MARKED.index(kind)
    wanted = [(s, e) for c, s, e in spans if c == code]
    if not wanted:
        return False
    named = bytearray(len(sentence))  # 1 where a question word stands
    for word in words:
        at = sentence.find(word)
        while at >= 0:
            named[at : at + len(word)] = b"\x01" * len(word)
            at = sentence.find(word, at + 1)
    return any(not any(named[s:e]) for s, e in wanted)


def holds(kind: Kind, sentence: str, question: str = "") -> bool:
    """Whether the sentence holds something of the wanted kind that the question does not
    already name (`marks` and `holds_marked` in one call)."""
    if kind == "any":
        return True
    return holds_marked(kind, sentence, marks(sentence, (kind,)), question_words(question))


def question_words(question: str) -> set[str]:
    """The question's words of two or more characters and its numbers."""
    from rag.lexical import tokenize

    return {w for w in tokenize(question) if len(w) >= 2 or w.isdigit()}
