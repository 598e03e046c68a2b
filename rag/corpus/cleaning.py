"""Repair newspaper layout damage, keeping a map back to the raw file.

The seed pages are text extracted from printed newspaper pages. The damage this module undoes:

- hard wraps inside a paragraph (narrow columns: ``全市卫\\n生健康系统``), joined with no space
  between CJK characters;
- a paragraph broken across blank lines mid-word (``虎岭村卫\\n\\n生站``), rejoined, while a real
  heading after an unfinished sentence is left alone;
- captions printed twice, run by run (``江门市中心医院将不断江门市中心医院将不断``), kept once;
- page furniture (``专题``, editor credits, ``策划 …``, arrow photo captions, contributor lists),
  dropped; bylines (``文/图 梁爽 陈舒畅``) are set aside for the article record.

The result is a list of `Para` in page order; `rag.corpus.layout` decides which are headlines,
sections and body text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rag.corpus.textmap import MappedText
from rag.text import is_cjk

SENTENCE_END = "。！？!?；;…"
CLOSERS = "”’」』）)》〉】\"'"
SPACES = " \t\r\f\v\u3000\xa0\ufeff"
# A line that can be a heading carries no sentence punctuation (a colon may sit inside:
# ``江门五邑爱尔新希望眼科医院：党建兴院 支部先行``).
HEADING_FORBIDDEN = "，。！？；,!?;、"
HEADING_MAX_CHARS = 40
# Markers that open a photo caption; arrow captions describe photos that are not in the text.
ARROW_CAPTION = re.compile(r"^[↑↓←→↖↗↘↙⇧⇩⇦⇨⬆⬇⬅➡]")
CAPTION_MARKER = re.compile(r"^[▲△■□●◆◇★☆]+\s*")
BYLINE = re.compile(
    r"^(?:文\s*[/／]\s*图|图\s*[/／]\s*文|文图|图文|文|图|记者|通讯员)[\s/／:：]+\S"
)
AUTHOR_LINE = re.compile(r"(?:局长|书记|院长|主任|总编辑|总编|记者|通讯员)\s*[\u4e00-\u9fff]{2,4}$")
FURNITURE = (
    re.compile(r"^专题$"),
    re.compile(r"新闻编辑中心|责编\s*[/／]|美编\s*[/／]|校对\s*[/／]"),
    re.compile(r"^(?:策划|统筹|编辑)\s+\S"),
    re.compile(r"系列报道$"),
    re.compile(r"^第?[A-Z]?\d{1,3}版$"),
)
MD_HEADING = re.compile(r"^(#{1,6})\s+")

# byline: a reporter credit (文/图 梁爽), kept on the article only; author: a signed
# article's writer with their post (蓬江区卫生健康局党组书记、局长李勇晋), kept in the text too,
# since who holds which post is news a reader asks about.
Kind = Literal["text", "byline", "author", "mdheading"]


@dataclass(frozen=True)
class Para:
    """One repaired paragraph, in page order.

    `gap_before` is the number of blank lines before it in the raw file (0 when a column block
    was split into paragraphs); `level` is the markdown heading level for ``mdheading``.
    """

    body: MappedText
    kind: Kind = "text"
    gap_before: int = 1
    level: int = 0

    @property
    def text(self) -> str:
        return self.body.text


def display_width(text: str) -> int:
    """Columns the text takes in print: CJK and full-width forms count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def ends_sentence(text: str) -> bool:
    """True when the text ends a sentence (closing quotes and brackets looked through)."""
    core = text.rstrip(SPACES).rstrip(CLOSERS)
    return bool(core) and core[-1] in SENTENCE_END + "：:"


def heading_like(text: str) -> bool:
    """Short, unpunctuated, not ending mid-phrase: the shape of a headline or subheading."""
    text = text.strip(SPACES)
    if not text or len(text) > HEADING_MAX_CHARS or any(ch in HEADING_FORBIDDEN for ch in text):
        return False
    return text[-1] not in "：:" and not ends_sentence(text)


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def splits_word(left: str, right: str) -> bool:
    """True when a dictionary word runs across the junction (``意识到眼`` | ``科知识``).

    Used where shape alone cannot tell a heading from a paragraph cut mid-word.
    """
    left, right = left.rstrip(SPACES)[-4:], right.lstrip(SPACES)[:4]
    if not (left and right and is_cjk(left[-1]) and is_cjk(right[0])):
        return False
    start = 0
    for token in _jieba().cut(left + right, HMM=False):
        end = start + len(token)
        if start < len(left) < end:
            return True
        start = end
    return False


def glue(a: MappedText, b: MappedText) -> MappedText:
    """Join two pieces of one paragraph: no space between CJK, one between Latin words."""
    if a.text and b.text and a.text[-1].isascii() and a.text[-1].isalnum() and b.text[0].isascii():
        return a + MappedText(" ", (a.pos[-1] + 1,)) + b
    return a + b


def undouble(line: MappedText) -> MappedText | None:
    """The line with every run kept once, if it is a caption printed twice run by run.

    ``将赓续前行将赓续前行，，护佑人民护佑人民`` is the pairs (将赓续前行)(，)(护佑人民), each
    twice. Returns None when the line is not such a doubling.
    """
    text = line.text
    n = len(text)
    if n < 6 or any(count % 2 for count in Counter(text).values()):
        return None
    # step[i] = length of the run starting at i in a partition of text[i:] into doubled runs.
    step: list[int] = [0] * (n + 1)
    ok = [False] * (n + 1)
    ok[n] = True
    for i in range(n - 2, -1, -1):
        for size in range(1, (n - i) // 2 + 1):
            if ok[i + 2 * size] and text[i : i + size] == text[i + size : i + 2 * size]:
                ok[i], step[i] = True, size
                break
    if not ok[0]:
        return None
    keep: list[int] = []
    i, longest = 0, 0
    while i < n:
        keep.extend(range(i, i + step[i]))
        longest = max(longest, step[i])
        i += 2 * step[i]
    # A real line made only of doubled characters (``哈哈哈哈``) is not a caption artefact.
    return line.keep(keep) if longest >= 2 else None


def _reflow(lines: list[MappedText], doubled: bool) -> list[MappedText]:
    """Split one block of consecutive lines into paragraphs and join each paragraph's lines.

    In a narrow column every wrapped line fills the column; a line clearly shorter than the
    widest ends its paragraph (when it ends a sentence) or is a heading set above the text.
    """
    if doubled:  # a doubled caption is one caption whatever its line lengths
        return [_join_lines(lines)]
    width = max(display_width(line.text) for line in lines)
    paras: list[MappedText] = []
    current: list[MappedText] = []
    for line in lines:
        # Credits and bylines are set line by line (``文图 …`` / ``策划 …``): never joined.
        alone = _classify(line.text) != "text"
        if alone and current:
            paras.append(_join_lines(current))
            current = []
        current.append(line)
        short = display_width(line.text) < 0.8 * width
        if alone or (short and (ends_sentence(line.text) or heading_like(line.text))):
            paras.append(_join_lines(current))
            current = []
    if current:
        paras.append(_join_lines(current))
    return paras


def _join_lines(lines: list[MappedText]) -> MappedText:
    out = lines[0]
    for line in lines[1:]:
        out = glue(out, line)
    return out


def _classify(text: str) -> Kind | None:
    """None for page furniture, else the kind of paragraph."""
    if ARROW_CAPTION.match(text) or any(p.search(text) for p in FURNITURE):
        return None
    names = text.split()
    if len(names) >= 3 and all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) for n in names):
        return None  # a contributor list: 李淑玲 何意意 梁均成 …
    short_plain = len(text) <= 40 and not any(ch in "，。！？" for ch in text)
    if short_plain and BYLINE.match(text):
        return "byline"
    if short_plain and AUTHOR_LINE.search(text):
        return "author"
    return "text"


def repair(raw: str) -> list[Para]:
    """Turn a raw page into repaired paragraphs (furniture dropped), each mapped to `raw`."""
    blocks: list[tuple[int, list[MappedText], bool]] = []  # (blank lines before, lines, doubled)
    lines: list[MappedText] = []
    doubled = False
    blank = 0
    offset = 0
    for line_text in raw.split("\n"):
        line = MappedText.from_raw(raw, offset, offset + len(line_text)).strip(SPACES)
        offset += len(line_text) + 1
        if not line.text:
            if lines:
                blocks.append((blank, lines, doubled))
                lines, doubled, blank = [], False, 0
            blank += 1
            continue
        if MD_HEADING.match(line.text):  # a markdown heading is a block of its own
            if lines:
                blocks.append((blank, lines, doubled))
                lines, doubled, blank = [], False, 0
            blocks.append((blank, [line], False))
            blank = 0
            continue
        single = undouble(line)
        doubled |= single is not None
        lines.append(single or line)
    if lines:
        blocks.append((blank, lines, doubled))

    paras: list[Para] = []
    for gap, block, was_doubled in blocks:
        heading = MD_HEADING.match(block[0].text)
        if heading:
            body = block[0][heading.end() :].strip(SPACES + "#")
            if body.text:  # a bare ``# #`` has no heading to keep
                paras.append(Para(body, "mdheading", gap, len(heading.group(1))))
            continue
        for i, piece in enumerate(_reflow(block, was_doubled)):
            marker = CAPTION_MARKER.match(piece.text)
            if marker:
                piece = piece[marker.end() :]
            kind = _classify(piece.text)
            if kind is not None and piece.text:
                paras.append(Para(piece, kind, gap if i == 0 else 0))
    return _rejoin(paras)


def _rejoin(paras: list[Para]) -> list[Para]:
    """Rejoin paragraphs that a blank line cut in the middle of a sentence."""
    out: list[Para] = []
    for para in paras:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == para.kind == "text"
            and not ends_sentence(prev.text)
            and _continues(prev.text, para.text)
        ):
            out[-1] = Para(glue(prev.body, para.body), "text", prev.gap_before)
        else:
            out.append(para)
    return out


def _continues(before: str, after: str) -> bool:
    """Whether `after` carries on the unfinished `before` rather than starting a heading."""
    if not heading_like(before) and not heading_like(after):
        return True
    # A heading after an unfinished sentence stays a heading, unless a word runs across.
    return splits_word(before, after)
