"""The gold Q&A set: items, loading with clear errors, and the check against the corpus.

One JSON object a line: ``id``, ``question``, ``answers`` (short strings, each verbatim in the
evidence once whitespace is removed), ``doc`` (file name, a list of two, or null when
unanswerable), ``evidence`` (verbatim, whitespace-insensitive), optional ``evidence2``
(multi-hop), ``type`` and ``lang``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.records import Document

TYPES = (
    "factoid",
    "number",
    "date",
    "person",
    "list",
    "paraphrase",
    "cross-lingual",
    "multi-hop",
    "unanswerable",
)
SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """The text without whitespace: gold strings and passages are compared this way."""
    return SPACE.sub("", text)


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answers: tuple[str, ...]
    docs: tuple[str, ...]
    evidence: tuple[str, ...]  # one passage, or two for multi-hop
    type: str
    lang: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> GoldItem:
        doc = row.get("doc")
        docs = tuple(doc) if isinstance(doc, list) else (doc,) if doc else ()
        evidence = tuple(e for e in (row.get("evidence"), row.get("evidence2")) if e)
        return cls(
            id=str(row["id"]),
            question=str(row["question"]),
            answers=tuple(row.get("answers") or ()),
            docs=docs,
            evidence=evidence,
            type=str(row["type"]),
            lang=str(row["lang"]),
        )


def load_gold(path: str | Path) -> list[GoldItem]:
    """The items of a gold file.

    Raises:
        ConfigError: missing file, a line that is not JSON, or one missing a field (named).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no gold file at {path}: pass a .jsonl file such as eval/dev.jsonl")
    items = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(GoldItem.from_json(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number} is not a valid gold item ({exc})") from exc
    return items


def problems(item: GoldItem, documents: dict[str, Document]) -> list[str]:
    """What is wrong with an item against the corpus (empty when it is sound)."""
    out = []
    if item.type not in TYPES:
        out.append(f"type {item.type!r} is not one of {', '.join(TYPES)}")
    if item.lang not in ("zh", "en"):
        out.append(f"lang {item.lang!r} is not zh or en")
    if not item.answerable:
        if item.type != "unanswerable" or item.docs or item.evidence:
            out.append("an item without answers must be unanswerable, without doc or evidence")
        return out
    if item.type == "unanswerable":
        out.append("an unanswerable item has answers")
    if not item.docs or any(d not in documents for d in item.docs):
        out.append(f"doc {item.docs} is not in the corpus")
        return out
    texts = [squash(documents[d].text) for d in item.docs]
    for passage in item.evidence:
        if not any(squash(passage) in text for text in texts):
            out.append(f"evidence is not verbatim in {item.docs}: {passage[:30]}…")
    joined = "".join(squash(e) for e in item.evidence)
    for answer in item.answers:
        if squash(answer) not in joined:
            out.append(f"answer {answer!r} is not inside the evidence")
    if item.type == "multi-hop" and len(item.evidence) < 2:
        out.append("a multi-hop item needs evidence2")
    return out
