"""Text primitives every stage shares: the CJK test, the one normalisation for matching,
and sentence boundaries.

**Normalisation.** NFKC folds full-width forms (``１２３``, ``ＡＢＣ``) into their ordinary ones,
and OpenCC's Traditional-to-Simplified table maps 蓬江區 to 蓬江区: readers in Hong Kong, Macau
and overseas write Traditional, the Jiangmen papers print Simplified. Queries and passages are
normalised alike before tokenising and embedding; stored and quoted text never is.

**Sentences.** A sentence ends at 。！？；!?; or an ellipsis (a run of them counts once),
together with the closing quotes and brackets that follow (``……一起做！”`` ends at the ``”``);
an English full stop ends one only before whitespace, so ``1.25亿元`` stays whole. A line break
always ends one. `Sentence` lives here rather than in `rag.records` because `Chunk.sentences()`
needs the splitter: records import this module, never the reverse.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray


def is_cjk(ch: str) -> bool:
    """Whether `ch` is a CJK ideograph (the unified blocks and the compatibility block)."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def bigrams(text: str) -> set[str]:
    """The character bigrams of `text`: how the answerer compares Chinese strings without a
    tokenizer (clauses with a question, a claim with a sentence, a sentence with another)."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


# A lone surrogate (a JSON body may escape one: ``"\\ud800"``) cannot be encoded as UTF-8,
# which OpenCC needs; it becomes U+FFFD, the replacement character.
SURROGATE = re.compile("[\ud800-\udfff]")


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC) and Traditional to Simplified script."""
    return simplified(unicodedata.normalize("NFKC", text))


def simplified(text: str) -> str:
    """Traditional to Simplified script, nothing else (offsets and punctuation kept)."""
    text = SURROGATE.sub("\ufffd", text)
    # OpenCC's table is not closed: 薴 → 苧, itself Traditional for 苎. Convert until nothing
    # changes (once for text already Simplified, as the corpus is).
    for _ in range(3):
        converted = str(_t2s().convert(text))
        if converted == text:
            break
        text = converted
    return text


@dataclass(frozen=True)
class Sentence:
    """A sentence of the cleaned text: `doc.text[start:end] == text`."""

    start: int
    end: int
    text: str


TERMINALS = frozenset("。！？；!?;…")
CLOSERS = frozenset("”’」』）)》〉】\"'")
SPACES = frozenset(" \t\r\n\f\v\u3000\xa0")


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """The sentences of `text`; their offsets are `offset` plus the position in `text`.

    Whitespace between sentences belongs to none of them, so for each result
    ``text[s.start - offset : s.end - offset] == s.text``.
    """
    out: list[Sentence] = []
    start = 0
    i, n = 0, len(text)

    def emit(end: int) -> None:
        nonlocal start
        s, e = start, end
        while s < e and text[s] in SPACES:
            s += 1
        while e > s and text[e - 1] in SPACES:
            e -= 1
        if s < e:
            out.append(Sentence(offset + s, offset + e, text[s:e]))
        start = end

    while i < n:
        ch = text[i]
        if ch == "\n":
            emit(i)
            i += 1
            continue
        ends = ch in TERMINALS or (ch == "." and (i + 1 == n or text[i + 1] in SPACES))
        if ends:
            i += 1
            while i < n and (text[i] in TERMINALS or text[i] in CLOSERS):
                i += 1
            emit(i)
            continue
        i += 1
    emit(n)
    return out


@dataclass(frozen=True)
class OffsetMap:
    """A `MappedText`'s positions, kept as runs: cleaning mostly keeps characters in order, so
    the raw offset climbs by one from character to character, and only where it jumps (a
    deleted space, a joined line) does a run begin. 20–50× smaller than one int a character
    (seeds: 33,625 characters in 1,115 runs), which matters at millions of chunks."""

    starts: NDArray[np.int32]  # cleaned offset where each run begins (the first is 0)
    raws: NDArray[np.int32]  # the raw offset of that character
    length: int  # characters mapped

    @classmethod
    def of(cls, pos: Sequence[int] | NDArray[np.integer]) -> OffsetMap:
        at = np.asarray(pos, dtype=np.int64)
        starts = np.flatnonzero(np.diff(at) != 1) + 1 if len(at) else np.zeros(0, np.int64)
        starts = np.concatenate([[0], starts]) if len(at) else starts
        return cls(starts.astype(np.int32), at[starts].astype(np.int32), len(at))

    def __getitem__(self, offset: int) -> int:
        """The raw offset of the cleaned character at `offset`."""
        if not 0 <= offset < self.length:
            raise IndexError(f"offset {offset} is outside 0..{self.length - 1}")
        run = int(np.searchsorted(self.starts, offset, side="right")) - 1
        return int(self.raws[run]) + offset - int(self.starts[run])

    def expand(self) -> NDArray[np.int32]:
        """One raw offset per cleaned character."""
        out = np.arange(self.length, dtype=np.int32)
        lengths = np.diff(np.append(self.starts, self.length))
        return out + np.repeat(self.raws - self.starts, lengths).astype(np.int32)
