"""The cause a why question asks for, read from the chosen sentence (step 2 of
`rag.answering.short`): 由于X, 因X而, 为了X, or the clause before 所以 / 因此 / 故.

Regular expressions over one sentence, as the rest of the short answer: no model.
"""

from __future__ import annotations

import re

from rag.answering.short import CLAUSE, EDGE
from rag.text import bigrams, simplified

# a question asking why; 为何 or 为什么 at its end asks what (官方语言为何, 被称为什么圈)
WHY = re.compile(
    r"为(?:什么|何)(?![^\s?？!！。]?[\s?？!！。]*$)|原因|目的(?=是|为|何|[?？]|$)|何故|因为什么"
)
WHY_EN = re.compile(r"\b(?:why|reason|reasons|purpose|aim)\b", re.IGNORECASE)
PURPOSE = re.compile(r"(?:为了|為了)[^，,；;。！？!?]+")
CAUSE = re.compile(
    r"(?:由于|由於|因为|因為)了?([^，,；;。！？!?]+?)(?=而|使得|导致|導致|造成|[，,；;。！？!?]|$)"
    r"|因(?![此而为為])([^，,；;。！？!?]{2,20}?)而"
)
EFFECT = re.compile(r"(?:^|[，,；;])\s*(?:所以|因此|因而|故此|故|于是|於是|从而|從而)")


def why_span(question: str, sentence: str) -> str:
    """For a question asking why or for what purpose: the cause or purpose the sentence
    gives (由于X, 因X而, 为了X, or the clause before 所以 / 因此 / 故), "" when it gives none.
    Of several, the one whose next words the question repeats (the effect it explains)."""
    asked = simplified(question)
    why = WHY.search(asked) or WHY_EN.search(question)
    if why is None:
        return ""
    found: list[tuple[int, int, bool]] = []  # start, end, a purpose
    for m in CAUSE.finditer(sentence):
        group = 1 if m.group(1) else 2
        found.append((m.start(group), m.end(group), False))
    for m in EFFECT.finditer(sentence):
        before = list(CLAUSE.finditer(sentence, 0, m.start()))
        if before and m.start() > 0:
            found.append((before[-1].start(), before[-1].end(), False))
    found += [(m.start(), m.end(), True) for m in PURPOSE.finditer(sentence)]
    grams = bigrams(asked) | bigrams(question)
    purpose_asked = why.group().lower() in ("目的", "purpose", "aim")

    def fit(where: tuple[int, int, bool]) -> tuple[bool, int, int]:
        start, end, purpose = where
        # what the cause leads to: the rest of its clause, else the next clause
        after = next((c for c in CLAUSE.findall(sentence, end) if c.strip(EDGE)), "")
        return (purpose == purpose_asked, len(bigrams(after) & grams), -start)

    for start, end, _ in sorted(found, key=fit, reverse=True):
        span = sentence[start:end].strip(EDGE)
        if span and span not in question and span not in asked:
            return span
    return ""
