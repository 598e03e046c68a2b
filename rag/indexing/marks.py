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
    rf"(?:{TITLES})([\u4e00-\u9fff]{{2,3}})|([\u4e00-\u9fff]{{2,3}})(?:{SPEAKS})"
)
# The commonest surnames (Guangdong's among them: 区, 甄, 冼): two or three characters after a
# title are a name only when jieba's tagger reads a name there or they begin with one of
# these (专家温力生, which it cuts 温力/生); after a title stand verbs far more often
# (专家出诊, 医生团队, 院长研究基金).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤区甄冼伍关麦温欧容植赖岑邝司梅"
)
# jieba's tags for a person's name (its nrt, a transliteration, is mostly places and words
# here: 顺德, 林芝, 科普)
NAME_TAGS = ("nr", "nrfg")
# what may close a two-character name jieba cut short (杨家/慧, 李鹏/飞): one character it tags
# a noun, not one that makes a word of the two (康复/医, 卫健/人)
NAME_TAIL_TAGS = ("n", "ng", "nr")
NOT_NAME_TAIL = "医院科局化省市区县镇村人者员家队站所部会"
# Marks change when these rules do: an index records the version its marks were made by, and
# a rebuild reuses marks only from an index of the same (`rag.indexing.reuse`).
MARKS = "2"  # 2: names without their titles, three-character names jieba cuts in two
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
        out.extend((code, start, end) for start, end in persons(sentence))
    return out


def persons(sentence: str) -> list[tuple[int, int]]:
    """Spans of the persons `sentence` names, the name alone (局长杨家慧 → 杨家慧: 局长是谁
    names 局长, and a span holding it would not answer): the names jieba's tagger reads, a
    two-character one with the one character after it that it tags a noun (杨家/慧), and two
    or three characters after a title or before 表示/说 that begin with a surname."""
    cut = [(pair.word, pair.flag) for pair in _posseg().cut(sentence)]
    starts = [0]
    for word, _ in cut:
        starts.append(starts[-1] + len(word))
    found: dict[int, int] = {}  # start → end
    for i, (word, flag) in enumerate(cut):
        if flag not in NAME_TAGS or len(word) < 2:
            continue
        end = starts[i + 1]
        if len(word) == 2 and i + 1 < len(cut):
            tail, tail_flag = cut[i + 1]
            if (
                len(tail) == 1
                and tail_flag in NAME_TAIL_TAGS
                and word[0] in SURNAMES
                and tail not in NOT_NAME_TAIL
            ):
                end += 1
        found[starts[i]] = end
    begins = dict(zip(starts, cut, strict=False))  # start → the token there
    for m in TITLE_BEFORE_NAME.finditer(sentence):
        start, end = m.span(1) if m.group(1) else m.span(2)
        if start in found or sentence[start] not in SURNAMES:
            continue
        token = begins.get(start)
        if m.group(1) and token is not None and len(token[0]) > 2:
            continue  # a word of its own there (江门市, 区属医疗): no name
        if m.group(1) and end - start == 3 and token is not None and len(token[0]) == 2:
            end = start + 2 if token[1] not in ("n", "ng") else end
        found[start] = end
    return sorted(found.items())
