"""Typed records passed between the stages (documents → chunks → hits → answers).

Every offset is into `Document.text`, the cleaned text, so `doc.text[start:end]` is always the
quoted text; `Document.raw_span` maps an offset range back into the raw file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rag.text import OffsetMap, Sentence, split_sentences

Role = Literal["body", "heading"]
Lang = Literal["zh", "en"]
# What a question asks for, and what a sentence is marked as holding (see `rag.query`)
Kind = Literal["number", "date", "person", "place", "any"]


@dataclass(frozen=True)
class Article:
    """One article of a newspaper page.

    `kicker` is the line set above the headline (``江门市人民医院`` above ``赓续前行护佑人民健康``);
    `parts` are the offset ranges the article covers: usually one, more when another item was
    printed in the middle of it (a brief or a sidebar between two of its sections).
    """

    headline: str
    kicker: str
    byline: str
    parts: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    @property
    def title(self) -> str:
        return self.headline


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the cleaned text, with the article (index) and section it belongs to."""

    start: int
    end: int
    article: int
    section: str
    role: Role


@dataclass(frozen=True)
class Document:
    """A loaded, cleaned source file.

    Attributes:
        id: the file name relative to the corpus folder (``001_8ed587983628aeb3.txt``).
        raw: the file's text as decoded.
        text: the cleaned text; every `Chunk`, `Hit` and `Citation` offset points into it.
        articles: the articles found on the page, in page order.
        paragraphs: every paragraph of `text` (headings and body), in order.
        raw_map: each character of `text` mapped to its offset in `raw`, as runs (a Python
            int per character of a large corpus would not fit in memory).
    """

    id: str
    raw: str
    text: str
    articles: tuple[Article, ...]
    paragraphs: tuple[Paragraph, ...]
    raw_map: OffsetMap = field(repr=False, compare=False)
    path: Path | None = field(default=None, compare=False)
    encoding: str = "utf-8"

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the cleaned range `text[start:end]` to the raw range it was made from.

        Raises:
            ValueError: when the range is not inside `text`.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(
                f"range {start}:{end} is outside {self.id} (cleaned length {len(self.text)})"
            )
        return self.raw_map[start], self.raw_map[end - 1] + 1

    def raw_offset(self, offset: int) -> int:
        """The raw offset of the cleaned character at `offset`."""
        return self.raw_map[offset]

    @cached_property
    def raw_pos(self) -> NDArray[np.int32]:
        """For each character of `text`, its offset in `raw` (expanded once, when asked)."""
        return self.raw_map.expand()

    def article_at(self, offset: int) -> Article | None:
        """The article whose text covers `offset`, if any."""
        for article in self.articles:
            if any(start <= offset < end for start, end in article.parts):
                return article
        return None


@dataclass(frozen=True)
class Term:
    """A Chinese word of the index standing for words of an English question
    (`rag.query.english`): "Tang Cong" → 唐聪 by pinyin, "family doctor" → 家庭医生 by
    dictionary. `weight` is its IDF over the passages, as for a Chinese token."""

    text: str
    english: str
    source: Literal["dictionary", "pinyin"]
    weight: float = 0.0


@dataclass(frozen=True)
class DescribedSubject:
    """A subject a question describes instead of naming (`rag.query.hops`): in
    唐聪担任副院长的那家医院牵头成立了…, `clause` 唐聪担任副院长 describes a `head` 医院 (a
    ``place``: an organisation or place; or a ``person``), whose name may end in one of
    `endings` (医院, 分院, 院 …); `before` and `after` are the question around the description,
    so that the name found (the bridge) can stand in its place."""

    clause: str
    head: str
    kind: Kind
    endings: tuple[str, ...]
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    """A question that compares two named things on a figure each is given
    (`rag.query.comparison`): 2024年新会区和鹤山市…哪一地新增数量更多？ names `entities`
    新会区 and 鹤山市 (`names`: as the question writes them, Xinhui for an English one), asks
    for the `larger` figure (False: the smaller, 更少/fewer) of a `kind` (a number, or a date
    for 更早/earlier), and `lookups` ask the question of each entity alone."""

    entities: tuple[str, str]
    names: tuple[str, str]
    larger: bool
    kind: Kind
    lookups: tuple[str, str]


@dataclass(frozen=True)
class Question:
    """A question as the query stage read it, once (`rag.query.analyse`): retrieval and
    answering read these facts and never derive them again.

    Attributes:
        text: the question as asked, stripped (what is embedded, and what a generator sees).
        normalized: `text` as matched: full-width forms folded, Traditional script Simplified.
        lang: ``zh`` when it holds Chinese characters, else ``en``.
        kind: the kind of answer it asks for (``any`` when it does not say).
        tokens: its BM25 tokens, in order, repeats kept.
        idf: each distinct token's inverse document frequency over the index's passages (a
            token no passage holds gets the highest value: it cannot be matched); tokens that
            ask rather than name (哪一年, 几项, 那家) are left out.
        words: the words that name what is asked: tokens of two or more characters, and
            numbers (a sentence does not answer with what the question already says);
            Chinese terms of its English words included.
        terms: Chinese words for its English words, in the order asked (empty for a question
            in Chinese alone); BM25 searches them and answers weigh them as tokens.
        subject: the subject it describes instead of naming (a two-hop question), else None.
        comparison: the two things it compares on a figure (a two-hop question too), else None.
    """

    text: str
    normalized: str
    lang: Lang
    kind: Kind
    tokens: tuple[str, ...]
    idf: dict[str, float]
    words: frozenset[str]
    terms: tuple[Term, ...] = ()
    subject: DescribedSubject | None = None
    comparison: Comparison | None = None

    @property
    def search_tokens(self) -> tuple[str, ...]:
        """What BM25 searches: the tokens as asked, then the Chinese terms."""
        return self.tokens + tuple(t.text for t in self.terms)


@dataclass(frozen=True)
class Chunk:
    """A passage to index: whole sentences of one section of one article.

    `text` is exactly `doc.text[start:end]` (what is shown and quoted); `embed_text` adds the
    headline and section, which is what makes a short passage findable.
    """

    chunk_id: str
    doc: str
    title: str
    section: str
    text: str
    start: int
    end: int
    kicker: str = ""

    @property
    def embed_text(self) -> str:
        head = " ".join(part for part in (self.kicker, self.title) if part)
        return "\n".join(part for part in (head, self.section, self.text) if part)

    def sentences(self) -> list[Sentence]:
        """The chunk's sentences, with offsets into the document (what answers quote)."""
        return split_sentences(self.text, self.start)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores (see `rag.retrieval.retriever`).

    `score` is what ranked it: the fused score in hybrid mode, else the dense cosine or the BM25
    score. `dense_score` (cosine with the query) and `bm25_score` are both filled for every hit.
    """

    chunk_id: str
    doc: str
    title: str
    section: str
    text: str
    start: int
    end: int
    score: float
    dense_score: float
    bm25_score: float
    kicker: str = ""

    @classmethod
    def of(cls, chunk: Chunk, score: float, dense_score: float, bm25_score: float) -> Hit:
        return cls(
            chunk.chunk_id,
            chunk.doc,
            chunk.title,
            chunk.section,
            chunk.text,
            chunk.start,
            chunk.end,
            score,
            dense_score,
            bm25_score,
            chunk.kicker,
        )

    def _repr_html_(self) -> str:
        return hit_html(self)


@dataclass(frozen=True)
class Citation:
    """One cited sentence: `quote` is verbatim `document.text[start:end]`; `n` is its marker."""

    n: int
    doc: str
    title: str
    quote: str
    start: int
    end: int
    chunk_id: str

    def _repr_html_(self) -> str:
        return citation_html(self)


@dataclass(frozen=True)
class Answer:
    """The reply to a question.

    `text` carries inline markers ``[1]``, ``[2]``; ``citations[n - 1]`` is the sentence behind
    marker ``[n]``. When `found` is False the text says the articles don't answer, and `hits`
    still holds the closest passages. `meta` records how the answer was made (answerer,
    scores, markers a generator invented and that were removed, fallbacks).
    """

    text: str
    found: bool
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    lang: str = "zh"
    meta: dict[str, object] = field(default_factory=dict, compare=False)
    # the span of the best cited sentence that answers (a number with its unit, a date, a
    # name, else the shortest clause holding what is asked): "" when not found, or when the
    # answer came from a generator
    short: str = ""

    def _repr_html_(self) -> str:
        return answer_html(self)


# HTML for Jupyter (`_repr_html_`). Every piece of document or answer text is escaped: nothing a
# document contains ever becomes markup.
MARKER = re.compile(r"\[(\d+)\]")


def citation_html(c: Citation) -> str:
    return (
        f'<div id="rag-cite-{c.n}"><b>[{c.n}]</b> <q>{escape(c.quote)}</q> '
        f"<small>— {escape(c.title or c.doc)} · {escape(c.doc)} {c.start}–{c.end}</small></div>"
    )


def hit_html(h: Hit) -> str:
    where = escape(h.title or "(untitled)") + (f" › {escape(h.section)}" if h.section else "")
    return (
        f"<div><b>{where}</b> <small>{escape(h.doc)} {h.start}–{h.end} · score {h.score:.4f} "
        f"(dense {h.dense_score:.3f}, bm25 {h.bm25_score:.2f})</small>"
        f"<blockquote>{escape(h.text)}</blockquote></div>"
    )


def answer_html(a: Answer) -> str:
    # Escape first, then turn the (escaped-safe) markers into links to the citations below.
    numbers = {c.n for c in a.citations}
    body = MARKER.sub(
        lambda m: f'<a href="#rag-cite-{m[1]}">[{m[1]}]</a>' if int(m[1]) in numbers else m[0],
        escape(a.text),
    )
    status = "" if a.found else ' style="color:#8a6d3b"'
    parts = [f"<div><p{status}>{body}</p>"]
    parts.extend(citation_html(c) for c in a.citations)
    if not a.found and a.hits:
        parts.append("<details><summary>closest passages</summary>")
        parts.extend(hit_html(h) for h in a.hits)
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)
