"""Chinese terms for an English question, from the index's lookup (`rag.indexing.bilingual`).

The question's words are read left to right; at each place the longest match wins, up to four
words: a dictionary phrase ("family doctor", "health bureau"; each word also tried in its base
form: cataracts → cataract), or a name by pinyin (capitalised words run together: "Tang Cong"
→ tangcong → 唐聪, "Heshan" → 鹤山). English stopwords alone are skipped. Numbers need nothing:
the BM25 tokens of the question already hold them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from rag.indexing.bilingual import TermLookup
from rag.indexing.dictionaries import MAX_WORDS
from rag.indexing.lexical import stopwords
from rag.records import Term

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
POSSESSIVE = re.compile(r"'s?$")
PER_PHRASE = 3  # Chinese words searched per English phrase, the dictionaries' first


def _phrase(words: list[str], lookup: TermLookup) -> list[str]:
    """The Chinese words of a phrase, its base form's first ("beds" → bed's 床位 before the
    odd gloss of "beds" itself), at most `PER_PHRASE`."""
    key = " ".join(w.lower() for w in words)
    base = " ".join(lookup.inflections.get(w.lower(), w.lower()) for w in words)
    found = lookup.phrases.get(key, [])
    if base != key:
        found = lookup.phrases.get(base, []) + found
    return list(dict.fromkeys(found))[:PER_PHRASE]


def _name(words: list[str], lookup: TermLookup) -> list[str]:
    if not all(w[0].isupper() for w in words):
        return []
    return lookup.pinyin.get("".join(w.lower() for w in words).replace("'", ""), [])


def english_terms(
    question: str, lookup: TermLookup, idf: Callable[[set[str]], dict[str, float]] | None = None
) -> tuple[Term, ...]:
    """The Chinese terms of `question`, in the order their English words were asked, each
    weighted by `idf` when given (the index's, `LexicalIndex.idf`)."""
    words = [POSSESSIVE.sub("", w) for w in WORD.findall(question)]
    stop = stopwords()
    out: dict[str, Term] = {}
    i = 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            gram = words[i : i + n]
            if n == 1 and gram[0].lower() in stop:
                continue
            found: list[tuple[str, Literal["dictionary", "pinyin"]]]
            found = [(w, "pinyin") for w in _name(gram, lookup)]
            found += [(w, "dictionary") for w in _phrase(gram, lookup)]
            if found:
                for text, source in found:
                    out.setdefault(text, Term(text, " ".join(gram), source))
                i += n
                break
        else:
            if "-" in words[i].strip("-"):  # district-run: no phrase, so its parts
                words[i : i + 1] = [part for part in words[i].split("-") if part]
                continue
            i += 1
    if idf is None or not out:
        return tuple(out.values())
    weights = idf(set(out))
    return tuple(replace(t, weight=weights[t.text]) for t in out.values())
