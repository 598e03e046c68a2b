"""Turn a generator's ``[n]`` markers into checked, renumbered, sentence-level citations.

A generator cites passages; a reader wants the sentence. For each marker the claim before it
(back to the previous marker or sentence end) is matched against the sentences of the cited
passage by shared character bigrams, and that sentence becomes the citation's quote. Markers
are renumbered by first use, so ``citations[n - 1]`` is marker ``[n]``, as in template answers;
a marker pointing at no passage is removed and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rag.records import Citation, Document, Hit
from rag.text import Sentence, bigrams, split_sentences

MARKER = re.compile(r"\[(\d{1,3})\]")
PARTIAL = re.compile(r"\[\d{0,3}$")  # a marker that may still be arriving


@dataclass
class MarkerRewriter:
    """Rewrites markers in a stream of text pieces (a marker may arrive split, ``[`` + ``2]``)."""

    passages: int
    order: dict[int, int] = field(default_factory=dict)  # passage n → citation n
    dropped: list[str] = field(default_factory=list)
    claims: dict[int, list[str]] = field(default_factory=dict)  # passage n → claim texts
    _pending: str = ""
    _text: str = ""

    def _rewrite(self, text: str) -> str:
        out: list[str] = []
        last = 0
        for match in MARKER.finditer(text):
            out.append(text[last : match.start()])
            last = match.end()
            passage = int(match.group(1))
            if not 1 <= passage <= self.passages:
                self.dropped.append(match.group(0))
                continue
            number = self.order.setdefault(passage, len(self.order) + 1)
            claim = re.split(r"[。！？!?]|\[\d+\]", self._text + "".join(out))[-1]
            self.claims.setdefault(passage, []).append(claim or self._text[-80:])
            out.append(f"[{number}]")
        out.append(text[last:])
        rewritten = "".join(out)
        self._text += rewritten
        return rewritten

    def feed(self, piece: str) -> str:
        """The rewritable part of what has arrived so far (a partial marker waits)."""
        text = self._pending + piece
        partial = PARTIAL.search(text)
        cut = partial.start() if partial else len(text)
        self._pending = text[cut:]
        return self._rewrite(text[:cut])

    def close(self) -> str:
        rest, self._pending = self._pending, ""
        return self._rewrite(rest)

    @property
    def text(self) -> str:
        return self._text


def best_sentence(claims: Sequence[str], hit: Hit) -> Sentence:
    """The sentence of `hit` that shares most character bigrams with the claims."""
    sentences = split_sentences(hit.text, hit.start) or [Sentence(hit.start, hit.end, hit.text)]
    wanted = set().union(*(bigrams(c) for c in claims)) if claims else set()
    return max(sentences, key=lambda s: (len(wanted & bigrams(s.text)), -s.start))


def citations_for(
    rewriter: MarkerRewriter, hits: Sequence[Hit], documents: dict[str, Document]
) -> tuple[Citation, ...]:
    """One citation per cited passage, numbered as in the rewritten text."""
    out = []
    for passage, number in sorted(rewriter.order.items(), key=lambda item: item[1]):
        hit = hits[passage - 1]
        sentence = best_sentence(rewriter.claims.get(passage, []), hit)
        quote = documents[hit.doc].text[sentence.start : sentence.end]
        out.append(
            Citation(number, hit.doc, hit.title, quote, sentence.start, sentence.end, hit.chunk_id)
        )
    return tuple(out)


def rewrite_stream(pieces: Iterator[str], rewriter: MarkerRewriter) -> Iterator[str]:
    for piece in pieces:
        if out := rewriter.feed(piece):
            yield out
    if out := rewriter.close():
        yield out
