"""The short answer, learned: which run of words of the chosen sentence answers.

The rules of `rag.answering.short` find the span of the asked kind, a cause, or what the
sentence says where the question has its question word; on untyped questions from other text
their span is often a fragment (而已, 该处) or a whole clause. Here every run of one to six
words (jieba's cut of the one chosen sentence) within a clause, and the rules' span itself,
is a candidate, described by `SPAN_FEATURES`: how much of it the question repeats, whether
the question's words stand right beside it, its clause's share of the question, the kind
marks it covers, its overlap with the rules' span, whether it ends with the category the
question names after 哪/什么 (哪一座山 → …山), its length and edges (a function character, a
bracket, a digit, a list). Gradient-boosted trees (LightGBM, fitted by `eval/train_spans.py`
on a public set and the seeds' train split, each candidate labelled with its CMRC F1 with the
gold) score them; the best is the short answer.

The trees are shipped as numbers (`rag/data/spans.json`) and scored with arrays
(`rag.answering.trees`): loading executes nothing and answering needs no LightGBM. Off by
default (`RAG_SHORT_ANSWER=learned` turns it on): held out, it gains about as much F1 as it
loses, for a millisecond per answer (eval/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rag.answering.causes import why_span
from rag.answering.selector import fitted_json, same_features
from rag.answering.short import WH, kind_span, named_place, repeated, short_answer
from rag.answering.trees import Trees
from rag.errors import ConfigError
from rag.indexing.lexical import words_of
from rag.records import Kind, Question

SPAN_FEATURES = (
    "repeated",  # share of the span the question repeats (a run of 2+ of its characters)
    "left_run",  # repeated characters right before the span, up to 4, over 4
    "right_run",  # and right after it
    "near_left",  # a repeated character within 3 before it
    "near_right",  # within 3 after it
    "best_clause",  # its clause repeats the most of the question
    "clause_repeated",  # share of its clause the question repeats
    "kind_share",  # share of it a mark of the asked kind covers
    "kind_exact",  # it is such a mark
    "rule_f1",  # overlap with the rules' span (F1 of positions)
    "rule_exact",  # it is the rules' span
    "category_end",  # it ends with the character the question names after 哪/什么
    "log_length",
    "one_char",
    "long",  # over 8 characters
    "words",  # how many words, over 6
    "function_start",  # begins with a function character (的, 是, 在…)
    "function_end",
    "clause_start",  # begins a clause
    "clause_end",  # ends one
    "bracketed",  # stands between brackets or quotes (《…》, “…”)
    "digit",  # holds a digit
    "digit_asked",  # holds one, and a number is asked
    "position",  # where it begins in the sentence, 0 … 1
    "distance",  # characters to the nearest repeated one, up to 20, over 20
    "asks_kind",  # the question asks for a kind
    "both_sides",  # repeated characters right before and right after it
    "inside_rule",  # it lies within the rules' span
    "holds_rule",  # it holds the rules' span
    "one_word",
    "list_asked",  # it is a list (holds 、) and the question asks for several (哪些, 哪几)
)
MAX_WORDS = 6
PUNCTUATION = frozenset("，,；;：:。！？!?、“”‘’\"' 　（）()《》「」『』〈〉【】—…")
CLAUSE_ENDS = frozenset("，,；;：:。！？!?")
FUNCTION = frozenset("的是在于於为為和与與及了等也都而并並将將被把对對从從向以")
OPENING, CLOSING = frozenset("“‘「『《〈（(【"), frozenset("”’」』》〉）)】")
KIND_CODES: dict[str, int] = {"number": 0, "date": 1, "place": 2, "person": 3}


def rule_short(
    question: Question, sentence: str, marked: list[tuple[int, int, int]], readings: dict[str, str]
) -> tuple[str, str]:
    """The rules' answer from `sentence` (`rag.answering.short`): the span of the asked kind
    (an English answer's lead, "" without one), and the short answer: that span, else the
    cause a why-question asks, else what the sentence says where the question has its
    question word."""
    span = kind_span(question.kind, question.words, sentence, marked, readings, question.text)
    if question.kind == "place":  # the name the question's words stand around first
        span = named_place(question.text, question.words, sentence) or span
    short = (
        span
        or why_span(question.text, sentence)
        or short_answer(question.text, question.words, sentence)
    )
    return span, short


LIST_MARK = "、"
SEVERAL = re.compile(r"哪些|哪几|哪幾|有什么|有什麼|几个方面|幾個方面|哪两|哪兩|哪三")


def candidates(sentence: str) -> list[tuple[int, int, int]]:
    """Runs ``(start, end, words)`` of one to `MAX_WORDS` words within a clause: no run
    crosses punctuation (but a list's 、) or begins with it."""
    return list(_candidates(sentence))


@lru_cache(maxsize=1024)
def _candidates(sentence: str) -> tuple[tuple[int, int, int], ...]:
    cut = words_of(sentence)
    starts = [0]
    for word in cut:
        starts.append(starts[-1] + len(word))
    stops = [all(ch in PUNCTUATION or ch.isspace() for ch in word) for word in cut]
    out = []
    for i in range(len(cut)):
        if stops[i]:
            continue
        words = 0
        for j in range(i, len(cut)):
            if cut[j] == LIST_MARK:  # a list goes on past its 、 (灸针、艾灸、拔罐), not ends there
                continue
            if stops[j] or words == MAX_WORDS:
                break
            words += 1
            out.append((starts[i], starts[j + 1], words))
    return tuple(out)


def category(question: str) -> str:
    """The character the question names right after its question word (哪一座山 → 山), or ""."""
    match = WH.search(question)
    if match is None:
        return ""
    rest = question[match.end() :].lstrip("的是")
    return rest[:1] if rest[:1] and rest[:1] not in PUNCTUATION else ""


def _runs(flags: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each position: the length of the run of True ending there, and starting there."""
    n = len(flags)
    ending, starting = np.zeros(n + 1, np.int64), np.zeros(n + 1, np.int64)
    for i in range(n):
        ending[i + 1] = ending[i] + 1 if flags[i] else 0
    for i in range(n - 1, -1, -1):
        starting[i] = starting[i + 1] + 1 if flags[i] else 0
    return ending, starting


@dataclass(frozen=True)
class _Sentence:
    """What the features read of a sentence whatever the question: its candidates as arrays
    and its characters' classes (read once per sentence, `_sentence`)."""

    start: NDArray[np.int64]
    end: NDArray[np.int64]
    words: NDArray[np.int64]
    codes: NDArray[np.int64]  # code points
    clause: NDArray[np.int64]  # each character's clause
    plain: NDArray[np.bool_]  # not punctuation
    boundary: NDArray[np.bool_]  # n + 2: whether a clause or a run of punctuation ends before
    digits: NDArray[np.int64]  # running counts, n + 1
    lists: NDArray[np.int64]
    function: NDArray[np.bool_]
    opening: NDArray[np.bool_]  # n + 1
    closing: NDArray[np.bool_]  # n + 1


@lru_cache(maxsize=1024)
def _sentence(sentence: str) -> _Sentence:
    found = np.asarray(_candidates(sentence), dtype=np.int64).reshape(-1, 3)
    ends = np.asarray([ch in CLAUSE_ENDS for ch in sentence], dtype=bool)
    plain = ~np.asarray([ch in PUNCTUATION for ch in sentence], dtype=bool)

    def running(flags: list[bool]) -> NDArray[np.int64]:
        return np.concatenate([[0], np.cumsum(np.asarray(flags, dtype=np.int64))])

    return _Sentence(
        found[:, 0],
        found[:, 1],
        found[:, 2],
        np.asarray([ord(ch) for ch in sentence], dtype=np.int64),
        np.concatenate([[0], np.cumsum(ends)[:-1]]).astype(np.int64),
        plain,
        np.concatenate([[True], ends | ~plain, [True]]),
        running([ch.isdigit() for ch in sentence]),
        running([ch == LIST_MARK for ch in sentence]),
        np.asarray([ch in FUNCTION for ch in sentence], dtype=bool),
        np.asarray([ch in OPENING for ch in sentence] + [False], dtype=bool),
        np.asarray([ch in CLOSING for ch in sentence] + [False], dtype=bool),
    )


def span_features(
    question: str,
    sentence: str,
    kind: Kind,
    marks: list[tuple[int, int, int]],
    rule: str,
) -> tuple[list[tuple[int, int]], NDArray[np.float64]]:
    """The candidate spans of `sentence` and their `SPAN_FEATURES`, for `question` asking
    for `kind`; `marks` are the sentence's marked spans, `rule` the rules' short answer."""
    if not sentence:
        return [], np.zeros((0, len(SPAN_FEATURES)))
    known = _sentence(sentence)
    n = len(sentence)
    rep = np.asarray(repeated(question, sentence), dtype=bool)
    rep_sum = np.concatenate([[0], np.cumsum(rep)])
    # a span the question says whole is never its answer: not scored (a fifth of the work)
    keep = rep_sum[known.end] - rep_sum[known.start] < known.end - known.start
    start, end, words = known.start[keep], known.end[keep], known.words[keep]
    at = sentence.find(rule) if rule else -1
    if at >= 0 and not np.any((start == at) & (end == at + len(rule))):
        start = np.append(start, at)
        end = np.append(end, at + len(rule))
        words = np.append(words, MAX_WORDS)
    if not len(start):
        return [], np.zeros((0, len(SPAN_FEATURES)))
    size = end - start
    ending, starting = _runs(rep)
    # the nearest repeated character before each position and after it
    positions = np.flatnonzero(rep)
    if len(positions):
        before = np.searchsorted(positions, start) - 1
        after = np.minimum(np.searchsorted(positions, end), len(positions) - 1)
        gap_left = np.where(before >= 0, start - positions[np.maximum(before, 0)] - 1, 99)
        gap_right = np.where(positions[after] >= end, positions[after] - end, 99)
    else:
        gap_left = gap_right = np.full(len(start), 99)
    # the share of each clause the question repeats
    clause, plain = known.clause, known.plain
    clauses = int(clause[-1]) + 1
    held = np.bincount(clause, weights=rep & plain, minlength=clauses)
    total = np.bincount(clause, weights=plain, minlength=clauses)
    share = np.divide(held, total, out=np.zeros(clauses), where=total > 0)
    span_clause = clause[start]
    code = KIND_CODES.get(kind)
    in_kind = np.zeros(n, dtype=bool)
    exact = np.zeros(len(start), dtype=bool)
    for mark_code, s, e in marks:
        if mark_code == code:
            in_kind[s:e] = True
            exact |= (start == s) & (end == e)
    kind_sum = np.concatenate([[0], np.cumsum(in_kind)])
    rule_start, rule_end = (at, at + len(rule)) if at >= 0 else (0, 0)
    overlap = np.clip(np.minimum(end, rule_end) - np.maximum(start, rule_start), 0, None)
    rule_f1 = 2 * overlap / (size + (rule_end - rule_start)) if at >= 0 else 0 * size
    named = category(question)
    x = np.zeros((len(start), len(SPAN_FEATURES)))
    col = {name: i for i, name in enumerate(SPAN_FEATURES)}
    x[:, col["repeated"]] = (rep_sum[end] - rep_sum[start]) / size
    left = np.minimum(ending[start], 4)
    right = np.minimum(starting[np.minimum(end, n)], 4)
    x[:, col["left_run"]], x[:, col["right_run"]] = left / 4, right / 4
    x[:, col["near_left"]] = rep_sum[start] - rep_sum[np.maximum(start - 3, 0)] > 0
    x[:, col["near_right"]] = rep_sum[np.minimum(end + 3, n)] - rep_sum[end] > 0
    x[:, col["best_clause"]] = span_clause == int(np.argmax(share))
    x[:, col["clause_repeated"]] = share[span_clause]
    x[:, col["kind_share"]] = (kind_sum[end] - kind_sum[start]) / size
    x[:, col["kind_exact"]] = exact
    x[:, col["rule_f1"]] = rule_f1
    x[:, col["rule_exact"]] = (start == rule_start) & (end == rule_end) & (at >= 0)
    x[:, col["category_end"]] = (size > 1) & (known.codes[end - 1] == (ord(named) if named else -1))
    x[:, col["log_length"]] = np.log(size)
    x[:, col["one_char"]] = size == 1
    x[:, col["long"]] = size > 8
    x[:, col["words"]] = words / MAX_WORDS
    x[:, col["function_start"]] = known.function[start]
    x[:, col["function_end"]] = known.function[end - 1]
    x[:, col["clause_start"]] = known.boundary[start]
    x[:, col["clause_end"]] = known.boundary[end + 1] | (end == n)
    x[:, col["bracketed"]] = (
        (start > 0) & known.opening[np.maximum(start - 1, 0)] & known.closing[end]
    )
    has_digit = known.digits[end] - known.digits[start] > 0
    x[:, col["digit"]] = has_digit
    x[:, col["digit_asked"]] = has_digit & (kind == "number")
    x[:, col["position"]] = start / max(1, n)
    x[:, col["distance"]] = np.minimum(np.minimum(gap_left, gap_right), 20) / 20
    x[:, col["asks_kind"]] = kind != "any"
    x[:, col["both_sides"]] = (left > 0) & (right > 0)
    x[:, col["inside_rule"]] = (at >= 0) & (start >= rule_start) & (end <= rule_end)
    x[:, col["holds_rule"]] = (at >= 0) & (start <= rule_start) & (end >= rule_end)
    x[:, col["one_word"]] = words == 1
    several = SEVERAL.search(question) is not None
    x[:, col["list_asked"]] = several & (known.lists[end] - known.lists[start] > 0)
    return list(zip(start.tolist(), end.tolist(), strict=True)), x


@dataclass(frozen=True)
class SpanModel:
    """The fitted trees and what they were fitted on (`info`)."""

    trees: Trees
    kinds: tuple[str, ...]  # the kinds of question it answers (chosen on dev); else the rules
    info: dict[str, object]

    def pick(
        self,
        question: str,
        sentence: str,
        kind: Kind,
        marks: list[tuple[int, int, int]],
        rule: str,
    ) -> str:
        """The candidate span of `sentence` the trees score highest; `rule` when none."""
        spans, x = span_features(question, sentence, kind, marks, rule)
        if not spans:
            return rule
        start, end = spans[int(np.argmax(self.trees.raw(x)))]
        return sentence[start:end]

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(SPAN_FEATURES),
            "kinds": list(self.kinds),
            "trees": self.trees.to_json(),
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, object], where: str) -> SpanModel:
        same_features(data, SPAN_FEATURES, f"the span model at {where}", "eval/train_spans.py")
        try:
            kinds = tuple(str(k) for k in data["kinds"])  # type: ignore[attr-defined]
            trees = Trees.from_json(data["trees"])  # type: ignore[arg-type]
            if trees.feature.size and trees.feature.max() >= len(SPAN_FEATURES):
                raise ValueError("a node tests a feature the model does not have")
            return cls(trees, kinds, dict(data.get("info") or {}))  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"the span model at {where} is not a fitted model ({exc})") from exc

    @classmethod
    def load(cls, path: str | Path | None = None) -> SpanModel:
        """The model at `path`, or the one shipped in the package."""
        return cls.from_json(*fitted_json(path, "spans.json", "a span model"))
