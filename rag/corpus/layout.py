"""Find the articles, headlines and sections of a repaired page, and assemble its clean text.

A newspaper page holds several articles, and its text comes out of the layout in reading order
only roughly: a brief or a sidebar can sit between two sections of a longer article. The rules,
from what the seed pages show:

- a run of headings: the last is a headline, the one before it its kicker (``江门市人民医院``
  above ``赓续前行护佑人民健康``), earlier ones are page decoration (column logos);
- the first heading of a page is a headline;
- a single heading is a headline when a byline or author line follows it or comes within a
  few paragraphs, when it is long (section subheadings are short), when the text under it
  opens with a dateline (``江门日报讯``), or when it is a level-1 markdown heading; otherwise
  a section;
- a heading standing alone between wide gaps, above a caption, is decoration;
- a section is given to the article on the page whose words it shares most, which puts a
  section printed after a brief back into the article the brief interrupted.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from rag.corpus.cleaning import Para, heading_like
from rag.corpus.textmap import MappedText
from rag.records import Article, Paragraph, Role
from rag.text import is_cjk

LONG_HEADLINE = 24  # characters; the seeds' section subheadings are at most 18
BYLINE_LOOKAHEAD = 4  # paragraphs after a headline within which its byline is printed
DATELINE = re.compile(r"^[\u4e00-\u9fff]{2,8}讯")
WIDE_GAP = 3  # blank lines around a photo or a decoration
# A section moves to another article only on clearly stronger evidence than staying put.
REATTACH_RATIO = 1.5
REATTACH_MARGIN = 0.02

Kind = Literal["headline", "kicker", "section", "body", "byline", "author", "decoration"]


def classify(paras: list[Para]) -> list[Kind]:
    """The layout role of each paragraph."""
    heading = [p.kind == "mdheading" or (p.kind == "text" and heading_like(p.text)) for p in paras]
    kinds: list[Kind] = []
    for i, para in enumerate(paras):
        if para.kind in ("byline", "author"):
            kinds.append(para.kind)
        elif para.kind == "mdheading":
            kinds.append("headline" if para.level == 1 else "section")
        elif not heading[i]:
            kinds.append("body")
        elif i + 1 < len(paras) and heading[i + 1] and paras[i + 1].kind == "text":
            after = i + 2 < len(paras) and heading[i + 2] and paras[i + 2].kind == "text"
            kinds.append("decoration" if after else "kicker")
        elif (i > 0 and kinds[-1] == "kicker") or "headline" not in kinds:
            kinds.append("headline")  # after a kicker, or the page's first heading
        else:
            kinds.append(_single_heading(paras, i, heading))
    return kinds


def _single_heading(paras: list[Para], i: int, heading: list[bool]) -> Kind:
    para = paras[i]
    following = paras[i + 1 : i + 1 + BYLINE_LOOKAHEAD]
    for j, later in enumerate(following):
        if later.kind in ("byline", "author"):
            return "headline"
        if heading[i + 1 + j]:
            break
    if len(para.text) >= LONG_HEADLINE:
        return "headline"
    nxt = paras[i + 1] if i + 1 < len(paras) else None
    if nxt is not None and DATELINE.match(nxt.text):
        return "headline"
    if nxt is not None and para.gap_before >= WIDE_GAP and nxt.gap_before >= WIDE_GAP:
        return "decoration"
    return "section"


@dataclass
class _Draft:
    headline: str
    kicker: str = ""
    byline: str = ""
    words: Counter[str] = field(default_factory=Counter)


def _bigrams(text: str) -> Counter[str]:
    return Counter(a + b for a, b in itertools.pairwise(text) if is_cjk(a) and is_cjk(b))


def _closest(drafts: list[_Draft], current: int, words: Counter[str]) -> int:
    """The article a section belongs to: the current one unless another shares far more."""
    if len(drafts) < 2 or not words:
        return current
    df = Counter(w for d in drafts for w in d.words)
    n = len(drafts)

    def score(d: _Draft) -> float:
        idf = {w: math.log((n + 1) / df[w]) for w in words if w in d.words}
        dot = sum(words[w] * d.words[w] * idf[w] ** 2 for w in idf)
        norm_a = math.sqrt(
            sum((c * math.log((n + 1) / max(df[w], 1))) ** 2 for w, c in words.items())
        )
        norm_b = math.sqrt(sum((c * math.log((n + 1) / df[w])) ** 2 for w, c in d.words.items()))
        return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0

    scores = [score(d) for d in drafts]
    best = max(range(n), key=scores.__getitem__)
    if best != current and scores[best] > REATTACH_RATIO * scores[current] + REATTACH_MARGIN:
        return best
    return current


def assemble(paras: list[Para]) -> tuple[MappedText, list[Article], list[Paragraph]]:
    """Lay out the page: the cleaned text, its articles and its paragraphs.

    Headings stay in the text as their own paragraphs; bylines and decoration leave it (the
    byline is kept on the article).
    """
    kinds = classify(paras)
    drafts: list[_Draft] = []
    placed: list[tuple[int, int, str, Kind]] = []  # (para index, article, section, kind)
    current, section, kicker = -1, "", ""
    for i, (para, kind) in enumerate(zip(paras, kinds, strict=True)):
        if kind == "decoration":
            continue
        if kind == "kicker":
            kicker = para.text
            placed.append((i, len(drafts), "", kind))
            continue
        if kind == "headline":
            drafts.append(_Draft(para.text, kicker, words=_bigrams(kicker + para.text)))
            current, section, kicker = len(drafts) - 1, "", ""
        elif current < 0:  # text before any headline: an untitled article
            drafts.append(_Draft(""))
            current = 0
        if kind in ("byline", "author"):
            drafts[current].byline = drafts[current].byline or para.text
            if kind == "byline":  # a reporter credit leaves the text; an author line stays
                continue
            kind = "body"
        if kind == "section":
            block = [para.text]
            for nxt, nxt_kind in zip(paras[i + 1 :], kinds[i + 1 :], strict=False):
                if nxt_kind != "body":
                    break
                block.append(nxt.text)
            current = _closest(drafts, current, _bigrams("".join(block)))
            section = para.text
        drafts[current].words.update(_bigrams(para.text) if kind == "body" else Counter())
        placed.append((i, current, section, kind))

    pieces: list[MappedText] = []
    paragraphs: list[Paragraph] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    offset = 0
    for i, article, sec, kind in placed:
        if pieces:
            pieces.append(MappedText("\n\n", (pieces[-1].pos[-1] + 1,) * 2))
            offset += 2
        body = paras[i].body
        pieces.append(body)
        role: Role = "body" if kind == "body" else "heading"
        paragraphs.append(Paragraph(offset, offset + len(body), article, sec, role))
        parts = spans.setdefault(article, [])
        if parts and parts[-1][1] + 2 >= offset:  # contiguous with the article's last part
            parts[-1] = (parts[-1][0], offset + len(body))
        else:
            parts.append((offset, offset + len(body)))
        offset += len(body)
    text = MappedText.join(pieces)
    articles = []
    for k, d in enumerate(drafts):
        where = tuple(spans.get(k, []))
        headline = d.headline or series_name("".join(text.text[s:e] for s, e in where))
        articles.append(Article(headline, d.kicker, d.byline, where))
    return text, articles, paragraphs


# A series or column the text announces: 推出“健康江门 向‘新’而行”系列报道
SERIES = re.compile(r"[“\"「]([^”\"」\n]{2,30})[”\"」](?:系列|专栏|专题)")


def series_name(text: str) -> str:
    """A title for an untitled article (text before the page's first headline): the series it
    introduces, as its prose writes it, else nothing."""
    match = SERIES.search(text)
    return match.group(1) if match else ""
