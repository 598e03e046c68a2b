"""The short answer: the span of the chosen sentence that answers, not the whole sentence.

1. A question that asks for a kind (a number, a date, a person, an organisation or place)
   gets the first span of that kind the build marked in the sentence and the question does
   not name itself (2家, 2023年6月, 罗超华, 江门市中心医院); of several numbers or persons, the
   one whose neighbours the question repeats on the same sides (市级立项多少项 → 112项).
2. A question asking why or for what purpose gets the cause or purpose the sentence gives
   (由于…, 因…而, 为了…, the clause before 所以 / 因此 / 故), the one leading to what the
   question repeats when there are several (`rag.answering.causes`).
3. Otherwise the question is aligned with the sentence around its question word: 唐聪的妻子是
   做什么工作的 → what stands in the sentence between the text before 什么 (…的妻子是) and the
   text after it (工作): a reading-comprehension reader's span, found by string matching.
   Clauses (cut at ，；：) are tried from the one sharing most with the question.
4. Failing all, the clause of the sentence (cut at ，；：) that shares the most with the
   question, less what it shares: its longest stretch no run of the question's characters
   (of an English question's Chinese terms) covers (眼科专科联盟由江门市中心医院牵头成立,
   asked 江门市中心医院牵头成立了什么联盟 → 眼科专科联盟), else the clause whole (`residual`).

A question asking which organisation or place takes step 3 first (`named_place`): the build
marks the category of a name (医院), not the name.

Regular expressions and string matching over one sentence: no model, no tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rag.answering.english import pick_span
from rag.answering.kinds import free_spans
from rag.records import Kind
from rag.text import bigrams, is_cjk, simplified

# the question words a reader's span stands in for, longest first, in both scripts (a
# Traditional page answers in its own characters)
WH = re.compile(
    r"什么时候|什么样|什么|什麼時候|什麼樣|什麼|"
    # 哪 with its measure word (哪一个, 哪個, 哪家): the words after it are the question's own
    r"哪一?[年天些个個家位里裡裏儿兒种種部本条條所国國项項次座首份名支届屆场場类類件款]?|"
    r"多少|几|幾|谁|誰|何时|何時|何年|何地|何人|怎样|怎樣|怎么样|怎麼樣|怎么|怎麼|如何|"
    r"为何|為何|为什么|為什麼"
)
CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")
EDGE = "，,；;：:。！？!?、“”‘’\"' 　（）()《》"
NEAR = 6  # characters either side of a span whose bigrams the question may repeat
CONTEXT = 4  # characters of the question on each side of its question word that anchor the span
# a copula or particle next to the question word, which the sentence seldom repeats (局长是谁
# → 局长杨家慧)
LEFT_GLUE = "是为叫有在的了于"
RIGHT_GLUE = "的是了"
# the sentence's side of LEFT_GLUE: the copula or preposition it keeps between the question's
# left words and the answer (分布在哪个地区 → 分布于西北太平洋: the span is 西北太平洋, not
# 于西北太平洋); only those that link a verb to what follows, in both scripts (a page keeps
# its own), not 有 or 的, which may begin an answer
SPAN_LEAD = "于为是在於為"
# dates the build's marks (four-digit years, months, days) miss, read from the one sentence
# when a date is asked and none is marked: 316年, 18世纪, 1930年代, 康熙七年, 同治年间
MORE_DATES = re.compile(
    r"(?:公元前?|西元前?)?\d{1,4}(?:年代|年|世纪|世紀)(?:初|末|中期|后期|後期|前)?"
    r"|[\u4e00-\u9fff]{2}[一二三四五六七八九十元]{1,3}年|[\u4e00-\u9fff]{2}年[间間]"
)
MONEY = re.compile(r"(?:万|亿)?元")
DATE_PART = re.compile(r"初|底|末|上旬|中旬|下旬")
# the measure word after 几 / 多少 (几项, 多少名): a number in that unit answers
UNIT = re.compile(r"(?:几|幾|多少)([^\s\d，。？?！!、“”]{1})")


def _anchor_left(left: str, clause: str) -> int | None:
    """The end, in `clause`, of the longest tail of `left` (2+ characters) it holds."""
    for size in range(min(CONTEXT, len(left)), 1, -1):
        at = clause.find(left[-size:])
        if at >= 0:
            return at + size
    return None


def _anchor_right(right: str, clause: str, start: int) -> int | None:
    """The start, in `clause` after `start`, of the longest head of `right` it holds; the
    noun the question word governs (什么人来执业 → 来执业) may be skipped: the answer names
    it in its own words (港澳医生)."""
    for skip in range(0, 3):
        rest = right[skip:]
        for size in range(min(CONTEXT, len(rest)), 1, -1):
            at = clause.find(rest[:size], start)
            if at > start:
                return at
    return None


@lru_cache(maxsize=256)
def question_sides(question: str) -> tuple[str, str] | None:
    """The question's text before and after its question word, glue trimmed; None without
    one. Read once per question: the answerer tries it against every candidate's clauses."""
    match = WH.search(question)
    if match is None:
        return None
    left = question[: match.start()].strip(EDGE).rstrip(LEFT_GLUE)
    right = question[match.end() :].strip(EDGE).lstrip(RIGHT_GLUE)
    return left, right


@lru_cache(maxsize=256)
def question_forms(question: str) -> tuple[str, ...]:
    """The question as asked and, when it is in Traditional script, in Simplified: its words
    are found in a page printed in either."""
    other = simplified(question)
    return (question,) if other == question else (question, other)


def aligned_span(question: str, clause: str) -> str:
    """What `clause` says where the question (in either script, `question_forms`) has its
    question word, or "" when the question's words around it cannot be found."""
    for form in question_forms(question):
        span = _aligned(form, clause)
        if span:
            return span
    return ""


def _aligned(question: str, clause: str) -> str:
    sides = question_sides(question)
    if sides is None:
        return ""
    left, right = sides
    start = _anchor_left(left, clause) if left else None
    end = _anchor_right(right, clause, start or 0) if right else None
    if start is None and end is None:
        return ""
    span = clause[start or 0 : end if end is not None else len(clause)].strip(EDGE)
    # a one-character anchor is too weak to find, but still not the answer (以什么为 → 以…为)
    if start is None and left and span[:1] == left[-1]:
        span = span[1:]
    if end is None and right and span[-1:] == right[0]:
        span = span[:-1]
    if start is not None and len(span) > 2 and span[0] in SPAN_LEAD:
        span = span[1:]
    return span if span and span not in question else ""


def ranked_clauses(question: str, sentence: str, words: Iterable[str]) -> list[str]:
    """The clauses of `sentence` that say something the question does not, those sharing
    the most with it (its words, then its character bigrams) first, shortest on ties."""
    clauses = [c.strip(EDGE) for c in CLAUSE.findall(sentence)]
    clauses = [c for c in clauses if c and c not in question]
    asked = [w for w in words if len(w) >= 2]
    grams = bigrams(question)

    def shares(clause: str) -> tuple[int, int, int]:
        return (sum(w in clause for w in asked), len(bigrams(clause) & grams), -len(clause))

    return sorted(clauses, key=shares, reverse=True)


def best_clause(question: str, sentence: str, words: Iterable[str]) -> str:
    """The clause sharing the most with the question (`ranked_clauses`), else the sentence."""
    return next(iter(ranked_clauses(question, sentence, words)), sentence)


def joined(kind: Kind, sentence: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that touch made one (2023年 + 6月 → 2023年6月); a date keeps its part of the
    month or year (2023年初, 11月底), a sum its currency (1.25亿元)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    if kind == "number":  # 1.25亿 is marked, its 元 not
        out = [(s, e + len(m.group()) if (m := MONEY.match(sentence, e)) else e) for s, e in out]
    if kind == "date":
        out = [
            (s, e + len(m.group()) if (m := DATE_PART.match(sentence, e)) else e) for s, e in out
        ]
    return out


def kind_span(
    kind: Kind,
    words: Iterable[str],
    sentence: str,
    marked: Iterable[tuple[int, int, int]],
    readings: dict[str, str],
    question: str = "",
) -> str:
    """The first span of the asked kind the sentence holds and the question does not name;
    for a number, one in the unit the question asks for (几项 → 8项, not 166.7%) if any; for
    a number or a person, the one the question's words stand around first."""
    placed = joined(kind, sentence, free_spans(kind, sentence, marked, words))
    if kind == "date" and not placed:  # a date the build's marks do not know (`MORE_DATES`)
        placed = [m.span() for m in MORE_DATES.finditer(sentence) if m.group() not in question]
    unit = UNIT.search(question) if kind == "number" else None
    if unit:
        placed = [(s, e) for s, e in placed if sentence[s:e].endswith(unit.group(1))] or placed
    if kind in ("number", "person") and question and len(placed) > 1:
        # the span whose neighbours the question repeats on their sides: 市级立项多少项 → 市级立项
        # 112项, not the 省级立项16项 before it (reading order on ties). Not for dates: the
        # first is most often the one asked (train and DRCD: 2 in 3 of the changed answers
        # were worse)
        sides = question_sides(question) or (question, question)
        before, after = bigrams(sides[0]), bigrams(sides[1])
        near = [
            len(bigrams(sentence[max(0, s - NEAR) : s]) & before)
            + len(bigrams(sentence[e : e + NEAR]) & after)
            for s, e in placed
        ]
        placed = [placed[i] for i in sorted(range(len(placed)), key=lambda i: -near[i])]
    return pick_span(kind, [sentence[s:e] for s, e in placed], readings)


def _first_aligned(question: str, clauses: list[str]) -> tuple[str, str]:
    """The first of `clauses` that anchors the question's words around its question word,
    and the span there (`aligned_span`); ("", "") when none does."""
    for clause in clauses:
        span = aligned_span(question, clause)
        if span:
            return clause, span
    return "", ""


def named_place(question: str, words: Iterable[str], sentence: str) -> str:
    """For a question asking which organisation or place: what the sentence says where the
    question has its question word (`aligned_span`), with the category the question names
    after it when the sentence repeats it (哪家医院 → 水口医院); "" when not aligned. The build
    marks only the category (医院, 中心), never the name before it."""
    clause, span = _first_aligned(question, ranked_clauses(question, sentence, words))
    wh = WH.search(question)
    if not span or wh is None:
        return span
    rest = clause[clause.find(span) + len(span) :]
    asked = question[wh.end() :]
    size = next((n for n in range(min(6, len(asked)), 1, -1) if rest.startswith(asked[:n])), 0)
    return span + asked[:size]


GLUE = "的在由是为為了于於将將被把和与與及"


def repeated(question: str, text: str) -> list[bool]:
    """For each character of `text`, whether a run of two or more of the question's
    characters (in either script, `question_forms`) covers it. A page in Traditional script
    is read in Simplified (the conversion keeps offsets), which the question's Simplified
    form matches: a question asked in Simplified finds its words on it too."""
    covered = [False] * len(text)
    plain = simplified(text)
    page = plain if len(plain) == len(text) else text
    forms, reach = question_forms(question), 0  # reach: the end of the furthest run
    for i in range(len(text) - 1):
        size = max(reach - i, 1)  # within a run already found, its tail is shared too
        while i + size < len(text) and any(page[i : i + size + 1] in f for f in forms):
            size += 1
        if size >= 2:
            covered[i : i + size] = [True] * size
            reach = max(reach, i + size)
    return covered


def residual(question: str, clause: str, words: Iterable[str] = ()) -> str:
    """What `clause` says beyond the question: its longest stretch that no run of two or
    more of the question's characters (in either script) covers, glue trimmed; "" when under
    two characters or when nothing is shared. An English question shares its Chinese terms
    (among `words`), not its characters: those cover the clause instead."""
    if any(is_cjk(ch) for ch in question):
        covered = repeated(question, clause)
    else:
        covered = [False] * len(clause)
        for term in (w for w in words if len(w) >= 2 and any(is_cjk(ch) for ch in w)):
            for at in (m.start() for m in re.finditer(re.escape(term), clause)):
                covered[at : at + len(term)] = [True] * len(term)
    if not any(covered):
        return ""
    best, run = "", ""
    for char, inside in zip(clause + " ", [*covered, True], strict=True):
        if inside:
            piece = run.strip(EDGE).strip(GLUE)
            best = piece if len(piece) > len(best) else best
            run = ""
        else:
            run += char
    return best if len(best) >= 2 else ""


def with_category(question: str, words: Iterable[str], sentence: str, span: str) -> str:
    """`span` with the category the question names after its question word, when the
    sentence repeats it right after the span (哪个中心 → 中医药转化 + 中心; 什么联盟 → 眼科专科
    + 联盟): the category is the question's longest word its text after the question word
    begins with. Not for a list (哪些, or a span ending in 等): the category closes it there
    (灸针、艾灸、拔罐等中医诊疗设备)."""
    wh = WH.search(question)
    at = sentence.find(span)
    if wh is None or wh.group().startswith("哪些") or at < 0 or span.endswith(("等", "、")):
        return span
    # the question's words are read in Simplified script, whichever the page's
    asked = simplified(question[wh.end() :])
    named = [w for w in words if len(w) >= 2 and asked.startswith(w)]
    category = max(named, key=len, default="")
    rest = sentence[at + len(span) : at + len(span) + len(category)]
    return span + rest if category and simplified(rest) == category else span


def short_answer(question: str, words: Iterable[str], sentence: str) -> str:
    """The span of `sentence` that answers `question` when no span of the asked kind does
    (`kind_span`) nor a cause (`rag.answering.causes`): steps 3 and 4 of the module
    docstring."""
    words = list(words)
    clauses = ranked_clauses(question, sentence, words)
    # the clause that anchors the question's words around its question word, closest first:
    # a list (哪些) often follows the clause that repeats the question (…，持续加强老年医学…)
    _, span = _first_aligned(question, clauses)
    if not span and clauses:
        span = residual(question, clauses[0], words)
        if not span:
            return clauses[0]
    return with_category(question, words, sentence, span) if span else sentence
