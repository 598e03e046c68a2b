"""English words to the corpus's own Chinese words: a lookup built once per index.

An English question shares no token with Chinese text, so BM25 cannot see it and the answerer's
word overlap falls back to meaning alone. This lookup lets the query stage turn its words into
Chinese terms the index holds (`rag.query.english`):

- **phrases**: English words and phrases → Chinese words, from the bundled glossary of the
  health system's terms first (`rag/data/glossary_en_zh.tsv`: "campus" is 院区 on a hospital's
  page, where ECDICT says 校园), then ECDICT and CC-CEDICT read in reverse
  (`rag.indexing.dictionaries`). Only Chinese words the corpus's BM25 vocabulary holds are
  kept, a few per phrase, in that order (first senses first);
- **inflections**: an inflected English word → its base (ECDICT's word forms), for the bases
  the phrases hold (``cataracts`` → ``cataract``);
- **pinyin**: the corpus's Chinese words by toneless pinyin (``pengjiang`` → 蓬江, 蓬江区),
  heteronyms considered, and again without an administrative suffix (区 市 县 镇 街道 村 医院 …),
  so that a name written in English (Tang Cong, Heshan) finds the word.

Restricted to the corpus vocabulary, the lookup is small, and a question pays a dictionary
lookup, not a load. It is stored with the index (``english_terms.json``), and a rebuild over
the same vocabulary and dictionaries reuses it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rag.indexing.dictionaries import (
    Dictionaries,
    is_chinese,
    load_dictionaries,
    versions,
)

# How the lookup is made: a lookup made another way is never reused (bump on any change)
RECIPE = "14"
PER_PHRASE = 4  # Chinese words kept per English phrase
HETERONYMS = 4  # pinyin readings kept per word
# What follows a place or organisation name: stripped, the name alone is matched by pinyin
SUFFIXES = ("街道", "医院", "卫生院", "社区", "区", "市", "县", "镇", "村", "省", "乡")


@dataclass
class TermLookup:
    """The lookup of one index (see the module docstring); all keys lower-case."""

    phrases: dict[str, list[str]] = field(default_factory=dict)
    inflections: dict[str, str] = field(default_factory=dict)
    pinyin: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    # a Chinese word → its syllables ("鹤山市" → "he shan shi"), for English answers
    readings: dict[str, str] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        data = {
            "phrases": self.phrases,
            "inflections": self.inflections,
            "pinyin": self.pinyin,
            "versions": self.versions,
            "readings": self.readings,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")

    @classmethod
    def load(cls, path: Path) -> TermLookup:
        data = json.loads(path.read_text("utf-8"))
        return cls(
            data["phrases"], data["inflections"], data["pinyin"], data["versions"], data["readings"]
        )


def in_vocabulary(term: str, vocabulary: set[str]) -> list[str]:
    """`term` when the vocabulary holds it, else its longest vocabulary words of two or more
    characters, left to right, when they cover at least two thirds of it (卫生健康局 → 卫生,
    健康: what BM25 would match); a sense the corpus holds only a fragment of gives nothing
    (坚实的基础 is no 坚实)."""
    if term in vocabulary:
        return [term]
    out, i, covered = [], 0, 0
    while i < len(term):
        for j in range(min(len(term), i + 8), i + 1, -1):
            if term[i:j] in vocabulary:
                out.append(term[i:j])
                covered += j - i
                i = j
                break
        else:
            i += 1
    return out if 3 * covered >= 2 * len(term) else []


def glossary() -> list[tuple[str, list[str]]]:
    """The bundled glossary: (English phrase, lower-case; its Chinese words, best first)."""
    text = resources.files("rag.data").joinpath("glossary_en_zh.tsv").read_text("utf-8")
    out = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, *chinese = line.split("\t")
            # keyed as the query stage reads words: lower-case, possessives dropped
            key = " ".join(re.sub(r"'s?$", "", w) for w in english.lower().split())
            out.append((key, [c.strip() for c in chinese if c.strip()]))
    return out


def glossary_version() -> str:
    """What the lookup depends on of the glossary: a hash of its entries."""
    entries = json.dumps(glossary(), ensure_ascii=False)
    return hashlib.sha256(entries.encode("utf-8")).hexdigest()[:16]


def _made_with(dictionary_versions: dict[str, str], vocabulary: str) -> dict[str, str]:
    """What a lookup records it was made from, and what a rebuild compares to reuse it."""
    return {
        **dictionary_versions,
        "recipe": RECIPE,
        "vocabulary": vocabulary,
        "glossary": glossary_version(),
    }


def _add(phrases: dict[str, list[str]], key: str, words: Iterable[str]) -> None:
    kept = phrases.setdefault(key, [])
    for word in words:
        if len(kept) >= PER_PHRASE:
            return
        if word not in kept:
            kept.append(word)


def pinyin_keys(word: str) -> list[str]:
    """Toneless pinyin spellings of `word`, heteronyms considered (at most `HETERONYMS`)."""
    from pypinyin import Style, pinyin

    readings = pinyin(word, style=Style.NORMAL, heteronym=True, errors="ignore")
    if len(readings) != len(word):
        return []
    spellings = ("".join(r) for r in itertools.product(*readings))
    return list(itertools.islice(dict.fromkeys(spellings), HETERONYMS))


def name_suffix(word: str) -> str:
    """The administrative suffix `word` ends with (鹤山市 → 市), when a name of two or more
    characters stands before it; else ""."""
    return next((s for s in SUFFIXES if word.endswith(s) and len(word) > len(s) + 1), "")


def syllables(word: str) -> str:
    """The toneless syllables of `word`'s most likely reading, space-separated."""
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(word, style=Style.NORMAL, errors="ignore"))


def vocabulary_hash(vocabulary: Iterable[str]) -> str:
    """What a lookup depends on besides the dictionaries: the Chinese words of a vocabulary."""
    words = sorted(w for w in vocabulary if is_chinese(w))
    return hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest()


def _restricted_senses(d: Dictionaries, chinese: set[str]) -> dict[int, list[str]]:
    """The senses that hold vocabulary words, with those words (`in_vocabulary`). Only the
    senses holding a word's first two characters, or of one character, are read."""
    pair_row = {p: i for i, p in enumerate(d.pairs)}
    rows = sorted({pair_row[w[:2]] for w in chinese if len(w) >= 2 and w[:2] in pair_row})
    candidates = [d.pair_senses[d.pair_ptr[r] : d.pair_ptr[r + 1]] for r in rows]
    ids = np.unique(np.concatenate([*candidates, d.single]))
    out = {}
    for i in ids.tolist():
        words = in_vocabulary(d.senses[i], chinese)
        if words:
            out[i] = words
    return out


def build_lookup(
    vocabulary: Iterable[str],
    dictionaries: Dictionaries,
    names: Iterable[str] = (),
    terms: Iterable[tuple[str, list[str]]] | None = None,
) -> TermLookup:
    """The lookup for an index whose BM25 vocabulary is `vocabulary`; `names` are the
    persons the corpus names (marked at build time), which jieba may cut in two (刘斌云 →
    刘斌 / 云): "Liu Binyun" finds them by pinyin, as the vocabulary words BM25 matches.
    `terms` are the glossary's entries (default: the bundled `glossary()`)."""
    d, chinese = dictionaries, {w for w in vocabulary if is_chinese(w)}
    words_of = _restricted_senses(d, chinese)
    held = np.zeros(len(d.senses), dtype=bool)
    held[list(words_of)] = True
    key_of_entry = np.repeat(np.arange(len(d.keys)), np.diff(d.key_ptr))
    phrases: dict[str, list[str]] = {}
    for english, words in glossary() if terms is None else terms:
        found = [w for word in words for w in in_vocabulary(word, chinese)]
        if found:  # an entry the corpus holds no word of is no entry
            _add(phrases, english, found)
    # a glossary word's inflections first read as the glossary says: ECDICT has headwords of
    # its own for many (departments → 部门 before department → 科室; moved → 感动)
    glossed = set(phrases)
    # and a glossary phrase's, in its last word (health centers, party branches)
    heads_of: dict[str, list[str]] = {}
    for key in sorted(glossed):
        head, _, last = key.rpartition(" ")
        if head:
            heads_of.setdefault(last, []).append(head)
    for word, base in zip(d.inflected, d.bases, strict=True):
        if base in glossed and word not in glossed:
            _add(phrases, word, phrases[base])
        for head in heads_of.get(base, ()):
            if f"{head} {word}" not in glossed:
                _add(phrases, f"{head} {word}", phrases[f"{head} {base}"])
    # the glossary's words are what a phrase means here: the dictionaries add no sense to it
    # (branch → 分院, not also 支, which counts teams; 116支 would answer "the branch")
    closed = set(phrases)
    for k in np.unique(key_of_entry[held[d.sense_ids]]).tolist():
        if d.keys[k] in closed:
            continue
        ids = d.sense_ids[d.key_ptr[k] : d.key_ptr[k + 1]].tolist()
        _add(phrases, d.keys[k], (w for i in ids for w in words_of.get(i, ())))
    for gloss, head in zip(d.glosses, d.heads, strict=True):
        if head in chinese and gloss not in closed:
            _add(phrases, gloss, [head])
    inflections = {
        word: base
        for word, base in zip(d.inflected, d.bases, strict=True)
        if base in phrases and word not in phrases
    }
    pinyin: dict[str, list[str]] = {}
    readings: dict[str, str] = {}
    for word in sorted(chinese):
        if len(word) < 2:
            continue
        readings[word] = syllables(word)
        spellings = [word]
        suffix = name_suffix(word)
        if suffix:
            spellings.append(word[: -len(suffix)])
        for spelling in spellings:
            for key in pinyin_keys(spelling):
                kept = pinyin.setdefault(key, [])
                if word not in kept:
                    kept.append(word)
    for name in sorted(set(names) - chinese):
        pieces = in_vocabulary(name, chinese)
        if not pieces:
            continue
        readings[name] = syllables(name)
        for key in pinyin_keys(name):
            kept = pinyin.setdefault(key, [])
            kept.extend(p for p in pieces if p not in kept)
    made_with = _made_with(d.versions, vocabulary_hash([*chinese, *names]))
    return TermLookup(phrases, inflections, pinyin, made_with, readings)


def lookup_for(
    vocabulary: list[str],
    previous: TermLookup | None,
    cache_dir: Path | None,
    names: Iterable[str] = (),
) -> TermLookup:
    """The lookup of an index with this BM25 `vocabulary` and these person `names`: the
    `previous` index's when built from the same words and dictionary versions (a few seconds
    saved per rebuild), else built from the dictionaries (cached under `cache_dir`)."""
    names = sorted(set(names))
    wanted = _made_with(versions(), vocabulary_hash([*vocabulary, *names]))
    if previous is not None and previous.versions == wanted:
        return previous
    return build_lookup(vocabulary, load_dictionaries(cache_dir), names)


def describe(lookup: TermLookup) -> dict[str, Any]:
    """What the manifest records of a lookup."""
    return {
        "phrases": len(lookup.phrases),
        "inflections": len(lookup.inflections),
        "pinyin": len(lookup.pinyin),
        "versions": lookup.versions,
    }
