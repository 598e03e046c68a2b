"""Chinese terms for an English question, from the index's lookup (`rag.indexing.bilingual`).

The question's words are read left to right; at each place the longest match wins, up to four
words: a dictionary phrase ("family doctor", "health bureau"; each word also tried in its base
form: cataracts → cataract), or a name by pinyin (capitalised words run together: "Tang Cong"
→ tangcong → 唐聪, "Heshan" → 鹤山). English stopwords alone are skipped. Numbers need nothing:
the BM25 tokens of the question already hold them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.indexing.bilingual import MAX_WORDS, TermLookup
from rag.indexing.lexical import stopwords

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@dataclass(frozen=True)
class Term:
    """A Chinese word standing for part of an English question."""

    text: str  # a word of the index's BM25 vocabulary
    english: str  # the words it stands for, as asked
    source: str  # "dictionary" or "pinyin"


def _phrase(words: list[str], lookup: TermLookup) -> list[str]:
    key = " ".join(w.lower() for w in words)
    if key in lookup.phrases:
        return lookup.phrases[key]
    base = " ".join(lookup.inflections.get(w.lower(), w.lower()) for w in words)
    return lookup.phrases.get(base, [])


def _name(words: list[str], lookup: TermLookup) -> list[str]:
    if not all(w[0].isupper() for w in words):
        return []
    return lookup.pinyin.get("".join(w.lower() for w in words).replace("'", ""), [])


def english_terms(question: str, lookup: TermLookup) -> tuple[Term, ...]:
    """The Chinese terms of `question`, in the order their English words were asked."""
    words = WORD.findall(question)
    stop = stopwords()
    out: dict[str, Term] = {}
    i = 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            gram = words[i : i + n]
            if n == 1 and gram[0].lower() in stop:
                continue
            found = [(w, "pinyin") for w in _name(gram, lookup)]
            found += [(w, "dictionary") for w in _phrase(gram, lookup)]
            if found:
                for text, source in found:
                    out.setdefault(text, Term(text, " ".join(gram), source))
                i += n
                break
        else:
            i += 1
    return tuple(out.values())
