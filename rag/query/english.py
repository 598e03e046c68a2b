"""Chinese terms for an English question, from the index's lookup (`rag.indexing.bilingual`).

The question's words are read left to right; at each place the longest match wins, up to five
words: a glossary or dictionary phrase ("family doctor", "hospital of traditional Chinese
medicine"; each word also tried in its base form, cataracts → cataract, and in American
spelling, tumour → tumor), or a name by pinyin (capitalised words run together: "Tang Cong"
→ tangcong → 唐聪, "Heshan" → 鹤山). English stopwords alone are skipped. Numbers need nothing:
the BM25 tokens of the question already hold them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Literal

from rag.indexing.bilingual import TermLookup
from rag.indexing.lexical import stopwords
from rag.records import Term

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
POSSESSIVE = re.compile(r"'s?$")
PER_PHRASE = 3  # Chinese words searched per English phrase, the dictionaries' first
PHRASE_WORDS = 5  # the longest phrase looked up (the glossary's; the dictionaries' hold 4)
# British spellings the dictionaries lack, tried when a word is not found as written
BRITISH = (
    (re.compile(r"(?<=..)our(s?)$"), r"or\1"),
    (re.compile(r"(?<=..)tre(s?)$"), r"ter\1"),
    (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ae"), "e"),
    (re.compile(r"^oe"), "e"),
    (re.compile(r"ogue$"), "og"),
    (re.compile(r"mme$"), "m"),
)


@lru_cache(maxsize=4096)  # tried at each place a phrase of up to five words is looked up
def american(word: str) -> str:
    """`word` in American spelling (tumour → tumor, centre → center, hospitalisation →
    hospitalization, paediatric → pediatric); other words as they are."""
    for pattern, replacement in BRITISH:
        word = pattern.sub(replacement, word)
    return word


def _phrase(words: list[str], lookup: TermLookup) -> list[str]:
    """The Chinese words of a phrase, its base form's first ("beds" → bed's 床位 before the
    odd gloss of "beds" itself), at most `PER_PHRASE`."""
    lowered = [w.lower() for w in words]
    spelled = [american(w) for w in lowered]
    found: list[str] = []
    for spelling in (lowered, spelled) if spelled != lowered else (lowered,):
        forms = (" ".join(lookup.inflections.get(w, w) for w in spelling), " ".join(spelling))
        found = [w for form in dict.fromkeys(forms) for w in lookup.phrases.get(form, [])]
        if found:  # as written first; American spelling only for a phrase not found so
            break
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
        for n in range(min(PHRASE_WORDS, len(words) - i), 0, -1):
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
