"""Exact match and F1 of a short answer, by the official rules of CMRC 2018.

Ported from the CMRC 2018 evaluation script (``cmrc2018_evaluate.py``, v5, repository
ymcui/cmrc2018, CC BY-SA 4.0): text is lower-cased and split into single CJK characters and
runs of other text; the listed punctuation is dropped; F1 is over the longest common substring
of the two segment lists, best over the gold answers; exact match compares the strings with the
punctuation removed. The script splits the runs of non-CJK text with NLTK's word tokenizer;
here a run is split into words and single symbols by a regular expression, which agrees with
NLTK on the numbers, Latin words and symbols these sets hold, without its data download.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The script's own list; "……" is two characters, so it never matches a single one (as there).
PUNCTUATION = frozenset(
    [
        "-",
        ":",
        "_",
        "*",
        "^",
        "/",
        "\\",
        "~",
        "`",
        "+",
        "=",
        "，",
        "。",
        "：",
        "？",
        "！",
        "“",
        "”",
        "；",
        "’",
        "《",
        "》",
        "……",
        "·",
        "、",
        "「",
        "」",
        "（",
        "）",
        "－",
        "～",
        "『",
        "』",
    ]
)
CJK = re.compile(r"[\u4e00-\u9fa5]")
WORD = re.compile(r"\w+(?:[.,]\d+)*|[^\w\s]", re.UNICODE)


def segments(text: str, drop_punctuation: bool = False) -> list[str]:
    """CJK characters one by one; other runs as words and symbols (the script's
    ``mixed_segmentation``)."""
    out: list[str] = []
    run = ""
    for ch in str(text).lower().strip():
        if drop_punctuation and ch in PUNCTUATION:
            continue
        if CJK.match(ch) or ch in PUNCTUATION:
            if run:
                out.extend(WORD.findall(run))
                run = ""
            out.append(ch)
        else:
            run += ch
    if run:
        out.extend(WORD.findall(run))
    return out


def _without_punctuation(text: str) -> str:
    return "".join(ch for ch in str(text).lower().strip() if ch not in PUNCTUATION)


def longest_common_run(a: list[str], b: list[str]) -> int:
    """Length of the longest common contiguous run of segments (the script's ``find_lcs``)."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                current[j + 1] = previous[j] + 1
                best = max(best, current[j + 1])
        previous = current
    return best


def f1(answers: Iterable[str], prediction: str) -> float:
    """Best F1 of `prediction` over the gold `answers` (0 when there are none)."""
    predicted = segments(prediction, drop_punctuation=True)
    scores = [0.0]
    for answer in answers:
        gold = segments(answer, drop_punctuation=True)
        common = longest_common_run(gold, predicted)
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            scores.append(2 * precision * recall / (precision + recall))
    return max(scores)


def exact_match(answers: Iterable[str], prediction: str) -> float:
    """1.0 when `prediction` equals a gold answer once punctuation is removed, else 0.0."""
    predicted = _without_punctuation(prediction)
    return float(any(_without_punctuation(a) == predicted for a in answers))
