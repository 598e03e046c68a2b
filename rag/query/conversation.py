"""Follow-up questions in a chat: make the last question stand on its own for retrieval.

``那江海区呢？`` after ``蓬江区有多少支家庭医生团队？`` means ``江海区有多少支家庭医生团队？``.
A short follow-up naming a place or organisation takes the place of the one of the same kind
in the previous question; any other short follow-up is read together with the previous
question. A question that stands on its own is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.query.analysis import language

# 那江海区呢 / 那么江海区的呢 / 江海区呢 / what about Jianghai? / and Jianghai?
FOLLOW_ZH = re.compile(
    r"^(?:那么?|还有|再问一下)?\s*(?P<x>[^，。？?！!]{1,20}?)(?:的情况)?呢[？?]?$"
)
FOLLOW_EN = re.compile(r"^(?:and|what about|how about)\s+(?P<x>.{1,60}?)\s*\??$", re.I)
# the suffixes that say what kind of name a word is
KINDS = (
    "医院",
    "卫生院",
    "中心",
    "学校",
    "小学",
    "大学",
    "社区",
    "街道",
    "区",
    "市",
    "县",
    "镇",
    "村",
    "局",
)
SHORT = 12  # characters: a question this short probably leans on the one before


@dataclass(frozen=True)
class Turn:
    role: str
    content: str


def _kind(name: str) -> str | None:
    return next((k for k in KINDS if name.endswith(k)), None)


def standalone_question(turns: Sequence[Turn]) -> str:
    """The last user question, rewritten to stand on its own when it is a follow-up."""
    users = [t.content.strip() for t in turns if t.role == "user" and t.content.strip()]
    if not users:
        return ""
    question = users[-1]
    if len(users) < 2:
        return question
    previous = users[-2]
    match = FOLLOW_ZH.match(question) or FOLLOW_EN.match(question)
    if match:
        new = match.group("x").strip()
        kind = _kind(new)
        if kind and language(question) == "zh":
            # the previous question's name of the same kind: the longest CJK run ending in it
            old = re.findall(rf"[\u4e00-\u9fff]{{1,12}}?{kind}", previous)
            if old:
                return previous.replace(old[0], new, 1)
        return f"{previous} {new}"
    if len(question) <= SHORT:
        return f"{previous} {question}"
    return question
