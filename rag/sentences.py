"""Split Chinese (and English) text into sentences, keeping offsets.

A sentence ends at 。！？；!?; or an ellipsis (a run of them counts once), together with the
closing quotes and brackets that follow (``……一起做！”`` ends at the ``”``); an English full stop
ends one only before whitespace, so ``1.25亿元`` stays whole. A line break always ends one.
"""

from __future__ import annotations

from rag.records import Sentence

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
