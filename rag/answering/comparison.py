"""Comparison questions (`Question.comparison`): each entity's figure looked up, then compared.

2024年新会区和鹤山市…哪一地新增数量更多？ is asked twice, once of each entity alone (one query
embedding each, the question as asked is not embedded). Of each look-up's candidate sentences,
in the answerer's order, the first that is about the entity (it names the entity, or its
article's headline, kicker or byline does: 鹤山市卫生健康局 above a page that says only 新增2家)
and holds a figure of the kind asked gives the entity's figure; when one sentence names both
entities (与8家…组建儿童保健专科联盟，与4家…组建疼痛专科联盟), the clause naming the entity does.

The answer names the winner, each entity's figure, and cites both sentences::

    新会区（新会区：4所；鹤山市：2家）—— …新增4所…[1]新增2家…[2]

Both figures must hold: the product of the selector's probabilities that each sentence answers
its look-up must clear the threshold a single answer clears (蓬江区's 116支 family-doctor teams
do not answer a question about signing rates), and the figures must be alike: a share
(66.67%, 三成) is not compared with a count (4所). When they are not, when either figure is
not found, or when they are equal, the answer is "not found" with both look-ups' passages:
answered in one hop instead, such questions got a sentence that compares nothing
(展望2025年，新会区卫生健康局将… for which of two places plans more new hospitals).
`Answer.meta["hops"]` records each look-up (its question, entity and figure).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.answering.english import QUOTED
from rag.answering.template import NOT_FOUND, Scored, TemplateAnswerer
from rag.indexing.bilingual import name_suffix
from rag.indexing.embedders.base import Vectors
from rag.records import Answer, Comparison, Hit, Question
from rag.retrieval.retriever import Retriever
from rag.timing import Clock

CANDIDATES = 5  # a look-up's sentences, best first, that may give the entity's figure
CLAUSES = re.compile(r"[^，,；;。！？!?]+")
DIGITS = "零一二三四五六七八九"
NUMBER = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)(?P<scale>万|亿)?(?:余|多)?"
    r"(?P<unit>%|[^\s\d，。、；,.%（）()“”])?"
)
YEAR = re.compile(r"(?P<y>(?:19|20)\d\d)年(?:(?P<m>\d{1,2})月)?")


def chinese_number(text: str) -> float | None:
    """一百二十 → 120, 两 → 2, 十二 → 12; None for what is no numeral."""
    section, digit = 0, 0
    for char in text:
        if char in DIGITS or char == "两":
            digit = 2 if char == "两" else DIGITS.index(char)
        elif char in "十百千":
            section += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[char]
            digit = 0
        else:
            return None
    return float(section + digit) if text else None


def share(span: str) -> bool:
    """Whether a figure is a share (66.67%, 三成), which no count (4所, 116支) compares with."""
    return span.endswith(("%", "％", "成")) or "百分之" in span


def figure(text: str, kind: str) -> tuple[float, str] | None:
    """The first figure of `kind` in `text` and its span: a date as year.month (2023年6月 →
    2023.06), a number with its scale (1.25亿 → 125000000), not a year (2016年 is when)."""
    if kind == "date":
        year = YEAR.search(text)
        if year is None:
            return None
        month = int(year.group("m") or 0)
        return int(year.group("y")) + month / 100, year.group(0)
    for match in NUMBER.finditer(text):
        if YEAR.match(text, match.start()) or not match.group("unit"):
            continue
        if text[match.start() - 1 : match.start()] == "第":  # 第二人民医院 counts nothing
            continue
        raw = match.group("n")
        value = float(raw) if raw[0].isdigit() else chinese_number(raw)
        if value is None:
            continue
        scale = {"万": 1e4, "亿": 1e8}.get(match.group("scale") or "", 1.0)
        return value * scale, match.group(0)
    return None


@dataclass
class Lookup:
    """One entity's look-up: its question, vector and passages, and the figure found."""

    entity: str
    question: Question
    qvec: Vectors
    hits: list[Hit]
    found: Scored | None = None
    value: float = 0.0
    span: str = ""
    probability: float = 0.0  # the selector's, that the sentence answers the look-up


@dataclass
class Comparisons:
    """Retrieval and answering of comparison questions (see the module docstring)."""

    analyse: Callable[[str], Question]
    retriever: Retriever
    answerer: TemplateAnswerer

    def retrieve(
        self, read: Question, k: int, mode: str, clock: Clock | None = None
    ) -> list[Lookup]:
        """Both look-ups, each with its entity's figure when one is found; `clock` laps
        ``embed`` (both embeddings) and the searches."""
        compared = read.comparison
        assert compared is not None, "a comparison question names what it compares"
        lap = clock.lap if clock else lambda stage: None
        lookups = []
        for entity, text in zip(compared.entities, compared.lookups, strict=True):
            question = replace(
                self.analyse(text),
                kind=compared.kind,
                comparison=None,
                subject=None,
                lang=read.lang,
            )
            qvec = self.retriever.embed_query(question)
            lap("embed")
            hits = self.retriever.search(question, k, mode, qvec=qvec, clock=clock)
            lookup = Lookup(entity, question, qvec, hits)
            self._read_figure(lookup, compared)
            lookups.append(lookup)
        return lookups

    def _about(self, s: Scored, entity: str) -> bool:
        """Whether sentence `s` is about `entity`: it names it, or its article's heads do."""
        stem = entity[: len(entity) - len(name_suffix(entity))]
        doc = self.answerer.documents[s.hit.doc]
        article = doc.article_at(s.start)
        heads = (article.headline + article.kicker + article.byline) if article else ""
        return stem in doc.text[s.start : s.end] or stem in heads + s.hit.title

    def _read_figure(self, lookup: Lookup, compared: Comparison) -> None:
        other = next(e for e in compared.entities if e != lookup.entity)
        scored = self.answerer.score(lookup.question, lookup.qvec, lookup.hits)
        # a figure of another year's review or plan (the question asks about 2024; the
        # sentence plans 2025) only when no sentence of the year asked holds one
        for s in sorted(scored[:CANDIDATES], key=lambda c: c.framed):
            if not self._about(s, lookup.entity):
                continue
            sentence = self.answerer.documents[s.hit.doc].text[s.start : s.end]
            text = sentence
            if other in sentence:  # both named: the clause naming this one
                text = next((c for c in CLAUSES.findall(sentence) if lookup.entity in c), "")
            got = figure(text, compared.kind)
            if got is not None:
                lookup.found, (lookup.value, lookup.span) = s, got
                lookup.probability = self.answerer.confidence([s])
                return

    def hits(self, lookups: list[Lookup], k: int) -> list[Hit]:
        """The passages the figures were read from, then both look-ups' passages taken in
        turn, each once: the figures' passages first at any `k` (taken in turn, one stood
        sixth of 10 where a reader asking for 5 missed it: dev cmp-02)."""
        merged: dict[str, Hit] = {}
        for lookup in lookups:
            if lookup.found is not None:
                merged.setdefault(lookup.found.hit.chunk_id, lookup.found.hit)
        for pair in zip(*(lk.hits for lk in lookups), strict=False):
            for hit in pair:
                merged.setdefault(hit.chunk_id, hit)
        return list(merged.values())[:k]

    def answer(self, read: Question, lookups: list[Lookup], k: int) -> Answer:
        compared = read.comparison
        assert compared is not None
        hops: list[dict[str, object]] = [
            {
                "question": lk.question.text,
                "entity": lk.entity,
                "figure": lk.span or None,
                "probability": round(lk.probability, 4),
            }
            for lk in lookups
        ]
        hits = self.hits(lookups, k)
        a, b = lookups
        # both figures must hold: the chance that both sentences answer, under the threshold
        # one answer must clear, is no comparison (蓬江区's 116支 teams is no signing rate)
        both, threshold = a.probability * b.probability, self.answerer.threshold(read)
        sure = both >= threshold
        # and alike: a share (66.67%) is no match for a count (4所)
        alike = share(a.span) == share(b.span) and a.value != b.value
        meta: dict[str, object] = {  # as a one-hop answer's, the confidence that of both
            "answerer": "template",
            "kind": compared.kind,
            "best_score": round(both, 4),
            "min_score": threshold,
            "hops": hops,
        }
        if a.found is None or b.found is None or not sure or not alike:
            # no quote of one sentence says which is more: the articles don't say
            return Answer(NOT_FOUND[read.lang], False, (), tuple(hits), read.lang, meta)
        winner = a if (a.value > b.value) == compared.larger else b
        found = {(lk.found.hit.doc, lk.found.start): lk.found for lk in lookups if lk.found}
        chosen = sorted(found.values(), key=lambda s: (s.hit.doc, s.start))  # one sentence once
        citations = tuple(self.answerer.cite(n, s) for n, s in enumerate(chosen, start=1))
        quotes = "".join(f"{c.quote}[{c.n}]" for c in citations)
        figures = "；".join(f"{lk.entity}：{lk.span}" for lk in lookups)
        if read.lang == "en":
            names = dict(zip(compared.entities, compared.names, strict=True))
            named = names[winner.entity]  # as the reader wrote it: Xinhui, Pan Yuefan
            lead = winner.entity if named == winner.entity else f"{winner.entity} ({named})"
            spans = ", ".join(f"{names[lk.entity]} {lk.span}" for lk in lookups)
            text = f"{lead}: {spans} — {QUOTED}{quotes}"
        else:
            text = f"{winner.entity}（{figures}）—— {quotes}"
        meta["comparison"] = {"winner": winner.entity, "larger": compared.larger}
        return Answer(text, True, citations, tuple(hits), read.lang, meta, winner.entity)
