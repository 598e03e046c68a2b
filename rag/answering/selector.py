"""The learned answer selector: which sentence answers, and how sure, as a probability.

Every candidate sentence of the top passages is described by the features below, all computed
from what the build stored (vectors, token ids, marked spans) and the sentence's own text by
regular expressions: no model call and no tokenizer at answer time. A logistic regression,
trained on labelled (question, sentence) pairs of the seeds' train split and of a public set
(`eval/train_selector.py`), ranks them; a second one reads the top sentence's features and
gives the calibrated probability that the passages hold the answer at all, and the answer is
"not found" below a threshold chosen on the dev split. The fitted model is a small JSON file
shipped in the package (`rag/data/selector.json`): numbers, not code, so loading it executes
nothing.

The features transfer to other corpora: they say how a sentence relates to its question and
to the other candidates (cosine margins, term coverage, kind, numbers, years, roles, plans),
never which words or which articles.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rag.answering.short import CLAUSE, EDGE, UNIT, aligned_span
from rag.errors import ConfigError

FEATURES = (
    "cosine",  # raw cosine of question and sentence
    "margin",  # cosine over the question's baseline, in units of the language's scale
    "meaning",  # the margin clipped to 0..1
    "best_weighted",  # the best hand-weighted score of any candidate (0.5 meaning + 0.4 words
    # + 0.1 kind): how well the passages answer at all, whichever sentence is picked
    "cosine_gap",  # cosine minus the best candidate's
    "cosine_top",  # 1 for the candidate of highest cosine
    "words",  # IDF-weighted share of the question's words held (headline half credit)
    "words_gap",  # words minus the best candidate's
    "words_top",
    "words_union",  # share of the question's words held by any candidate: absent ones say
    # the answer may not be here at all
    "rarest_held",  # holds the question's rarest word (or one of its terms)
    "rarest_missing",  # the question's rarest word, counting those no passage holds (GDP,
    # 电话号码), is in no candidate: the passages are about the subject, not the fact asked
    "bm25",  # BM25 of the sentence alone over the question's words, over its maximum
    "bm25_gap",
    "kind",  # holds a span of the kind asked that the question does not name
    "kind_spans",  # how many such spans (0..3)/3
    "asks_kind",  # the question asks for a kind (number, date, person, place)
    "passage_rank",  # 1 / (1 + rank of its passage)
    "passage_dense_gap",  # its passage's cosine minus the best passage's
    "passage_bm25",  # its passage's BM25 over the best passage's
    "numbers_asked",  # the question names numbers
    "numbers_share",  # share of the question's numbers the sentence holds
    "year_conflict",  # the question names a year; the sentence names years, none of them
    "role_conflict",  # a role asked (院长) stands in the sentence only as its deputy (副院长)
    "plan_asked",  # the question asks about a plan (将, 计划, 目标, will, plan…)
    "plan_sentence",  # the sentence states a plan
    "plan_mismatch",  # one of the two is about a plan and the other not
    "position",  # the sentence's place in its passage, 0 first … 1 last
    "length",  # log of its length in characters, over 5
    "english",  # the question is in English
    "unread",  # share of the question's weight no passage word can match
    "anchored",  # the question's words either side of its question word stand in the
    # sentence around a span (`short.aligned_span`: 局长是谁 → 局长杨家慧): the sentence has
    # the shape of the answer, not only its words
    "unit_asked",  # the question asks for a count in a unit (几名, 多少张)
    "unit_held",  # the sentence holds a number in that unit (30余张): a count of beds asked,
    # a count of beds said; absent, the sentence is about the subject, not the figure
)

YEARS = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
NUMBERS = re.compile(r"\d+(?:\.\d+)?")
PLAN_ZH = re.compile(r"将|计划|力争|目标|预计|拟|规划|明年|下一步|谋划|加快|争取")
PLAN_EN = re.compile(r"\b(?:will|plan|plans|planned|target|aim|aims|goal|expected|by 20\d\d)\b")
DEPUTY = ("副", "常务副")
# a number and the character after it (its unit): 30余张, 10名, 1.25亿元; 两批, 十二年
COUNTED = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)(?:万|亿|余|多)?([^\s\d，。、；,.%])"
)


def plan_question(text: str) -> bool:
    return bool(PLAN_ZH.search(text) or PLAN_EN.search(text.lower()))


def role_conflict(words: frozenset[str], sentence: str) -> bool:
    """A word of the question (院长) that the sentence holds only as its deputy (副院长)."""
    if "副" not in sentence:  # most sentences: no deputy at all
        return False
    for word in words:
        if len(word) < 2 or word.startswith("副") or word not in sentence:
            continue
        starts = [m.start() for m in re.finditer(re.escape(word), sentence)]
        if all(sentence[max(0, s - 1) : s] == "副" for s in starts):
            return True
    return False


@dataclass(frozen=True)
class QuestionFacts:
    """What the features need of the question, read once per question."""

    years: frozenset[str]
    numbers: frozenset[str]
    plan: bool
    english: bool
    unread: float


def question_facts(text: str, english: bool, unread: float) -> QuestionFacts:
    years = frozenset(YEARS.findall(text))
    numbers = frozenset(n for n in NUMBERS.findall(text) if n not in years)
    return QuestionFacts(years, numbers, plan_question(text), english, unread)


def slot_facts(question: str, english: bool, sentence: str) -> tuple[float, float, float]:
    """anchored, unit_asked, unit_held (see `FEATURES`): string matching over one sentence.
    An English question's word order is not the sentence's: all three read 0 for it."""
    if english:
        return 0.0, 0.0, 0.0
    clauses = (c.strip(EDGE) for c in CLAUSE.findall(sentence))
    anchored = any(aligned_span(question, c) for c in clauses if c and c not in question)
    unit = asked_unit(question)
    held = bool(unit) and any(m.group(1) == unit for m in COUNTED.finditer(sentence))
    return float(anchored), float(bool(unit)), float(held)


@lru_cache(maxsize=256)
def asked_unit(question: str) -> str:
    """The measure word a count is asked in (几张 → 张), or ""; read once per question."""
    unit = UNIT.search(question)
    return unit.group(1) if unit else ""


def sentence_facts(
    facts: QuestionFacts, words: frozenset[str], sentence: str
) -> tuple[float, float, float, float, float]:
    """numbers_share, year_conflict, role_conflict, plan_sentence, plan_mismatch."""
    asked = facts.numbers | facts.years
    share = sum(n in sentence for n in asked) / len(asked) if asked else 0.0
    said = set(YEARS.findall(sentence))
    year_conflict = float(bool(facts.years and said and not facts.years & said))
    plan = bool(PLAN_ZH.search(sentence))
    return (
        share,
        year_conflict,
        float(role_conflict(words, sentence)),
        float(plan),
        float(plan != facts.plan),
    )


def relative(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fill the columns that compare each candidate with the best (gaps and tops) in place."""
    col = {name: i for i, name in enumerate(FEATURES)}
    for name in ("cosine", "words", "bm25"):
        values = rows[:, col[name]]
        best = values.max() if len(values) else 0.0
        rows[:, col[f"{name}_gap"]] = values - best
        if f"{name}_top" in col:
            rows[:, col[f"{name}_top"]] = (values >= best).astype(np.float64)
    return rows


def _sigmoid(x: NDArray[np.float64] | float) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64))))


@lru_cache(maxsize=8)
def _columns(names: tuple[str, ...]) -> NDArray[np.intp]:
    return np.asarray([FEATURES.index(n) for n in names], dtype=np.intp)


def model_inputs(
    rows: NDArray[np.float64], reads: tuple[str, ...], by_language: bool
) -> NDArray[np.float64]:
    """The columns of `rows` a model reads, then, `by_language`, each again times `english`:
    a weight of its own for English questions, whose scale differs (cross-lingual cosines
    run lower, their words count through dictionary terms), in one model for both."""
    x = rows[:, _columns(reads)]
    if not by_language:
        return x
    english = rows[:, [FEATURES.index("english")]]
    return np.concatenate([x, rows[:, _columns(english_copies(reads))] * english], axis=1)


def english_copies(reads: tuple[str, ...]) -> tuple[str, ...]:
    """The features a model split by language weighs again for English questions."""
    return tuple(n for n in reads if n != "english")


@dataclass(frozen=True)
class Linear:
    """A logistic regression over the standardised features it `reads` (a subset of
    `FEATURES`) and, `by_language`, their English copies (`model_inputs`)."""

    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    coef: NDArray[np.float64]
    intercept: float
    by_language: bool = False
    reads: tuple[str, ...] = FEATURES

    def logits(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        x = model_inputs(rows, self.reads, self.by_language)
        return np.asarray(((x - self.mean) / self.scale) @ self.coef + self.intercept)

    def to_json(self) -> dict[str, object]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "by_language": self.by_language,
            "reads": list(self.reads),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Linear:
        mean, scale, coef = (
            np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef")
        )
        split = bool(data.get("by_language", False))
        listed = data.get("reads", FEATURES)
        if not isinstance(listed, list | tuple):
            raise ValueError("reads: a list of feature names expected")
        reads = tuple(str(name) for name in listed)
        unknown = set(reads) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}")
        width = len(reads) + (len(english_copies(reads)) if split else 0)
        if not mean.shape == scale.shape == coef.shape == (width,):
            raise ValueError(f"{width} weights expected")
        intercept = float(data["intercept"])  # type: ignore[arg-type]
        return cls(mean, scale, coef, intercept, split, reads)


@dataclass(frozen=True)
class Selector:
    """Two fitted logistic regressions over `FEATURES`: `ranker` orders a question's candidate
    sentences (trained on every candidate: is it the answer sentence?); `confidence` reads the
    top one's features and gives the probability that the candidates hold the answer at all
    (trained on one row per question, unanswerable ones included, so its output is calibrated
    on train by construction: Platt's method with the features as input). Refusing an
    answerable question is wrong whichever sentence was picked, so presence, not the pick, is
    what the refusal weighs. The answer is "not found" under `threshold`, chosen on dev."""

    ranker: Linear
    confidence: Linear
    threshold: float
    info: dict[str, object]

    def rank_scores(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each candidate's probability of being the answer sentence."""
        return _sigmoid(self.ranker.logits(rows))

    def probability(self, row: NDArray[np.float64]) -> float:
        """The calibrated probability that the answer is among the candidates, read from the
        top one's features."""
        return float(_sigmoid(self.confidence.logits(row.reshape(1, -1))[0]))

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "ranker": self.ranker.to_json(),
            "confidence": self.confidence.to_json(),
            "threshold": self.threshold,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, data: dict[str, object], where: str) -> Selector:
        same_features(data, FEATURES, f"the selector at {where}", "eval/train_selector.py")
        try:
            return cls(
                Linear.from_json(data["ranker"]),  # type: ignore[arg-type]
                Linear.from_json(data["confidence"]),  # type: ignore[arg-type]
                float(data["threshold"]),  # type: ignore[arg-type]
                dict(data.get("info") or {}),  # type: ignore[call-overload]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"the selector at {where} is not a fitted selector ({exc})") from exc

    @classmethod
    def load(cls, path: str | Path | None = None) -> Selector:
        """The selector at `path`, or the one shipped in the package."""
        return cls.from_json(*fitted_json(path, "selector.json", "a selector"))


def same_features(
    data: dict[str, object], features: tuple[str, ...], what: str, script: str
) -> None:
    """`ConfigError` unless the fitted model `data` names `features`, in order: a model
    fitted on other features would read the wrong columns."""
    if data.get("features") != list(features):
        raise ConfigError(
            f"{what} was fitted on other features: run `python {script}` to fit it again"
        )


def fitted_json(path: str | Path | None, shipped: str, what: str) -> tuple[dict[str, object], str]:
    """A fitted model's JSON, read from `path` or, without one, the file `shipped` in the
    package, and where it was read (for errors); `ConfigError` naming `what` and the path when
    it cannot be read."""
    if path is None:
        text = resources.files("rag.data").joinpath(shipped).read_text("utf-8")
        return json.loads(text), f"rag/data/{shipped}"
    try:
        return json.loads(Path(path).read_text("utf-8")), str(path)
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {what} at {path} ({exc})") from exc


def length_feature(chars: int) -> float:
    return math.log(max(chars, 1)) / 5
