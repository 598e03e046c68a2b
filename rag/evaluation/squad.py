"""Public reading-comprehension sets in the SQuAD format (CMRC 2018, DRCD, XQuAD) as a corpus
and gold items, so that retrieval and answers are measured on text nobody here wrote.

Each article becomes one document (``0007.md``): its title as the headline when the title is
Chinese (XQuAD's Chinese file keeps English titles such as ``Super_Bowl_50``, which a Chinese
page would not carry), then its paragraphs, a blank line apart. Each question becomes a
`GoldItem` whose evidence is its gold paragraph, so the runner's judge counts a hit when a
passage of that paragraph holds a gold answer.

A refusal is measured the way news RAG benchmarks measure "negative rejection": a seeded share
of the paragraphs is left out of the corpus (the rest of their article stays), and every
question on a left-out paragraph must be answered "not found", unless one of its answers still
occurs somewhere in the corpus (then it is not counted: the articles might say it after all).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.evaluation.gold import GoldItem, squash
from rag.query.analysis import language
from rag.text import is_cjk


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    answers: tuple[str, ...]  # distinct, in the file's order
    article: int
    paragraph: int


@dataclass(frozen=True)
class SquadSet:
    """A SQuAD-format file: its articles' titles and paragraphs, and its questions."""

    name: str  # the file's stem (``cmrc2018_dev``)
    digest: str  # the first 12 hex digits of the file's SHA-256: the cache key of its index
    titles: tuple[str, ...]
    paragraphs: tuple[tuple[str, ...], ...]  # per article
    questions: tuple[SquadQuestion, ...]

    def doc_id(self, article: int) -> str:
        return f"{article:04d}.md"


def load_squad(path: str | Path) -> SquadSet:
    """Read a SQuAD-format JSON file (``data[].paragraphs[].context``, ``.qas[]``).

    Raises:
        ConfigError: the file is missing, not JSON, or not in the SQuAD format (says where).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"no SQuAD file at {path}: pass a file such as ../shared/benchmarks/cmrc2018_dev.json"
        )
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))["data"]
        titles, paragraphs, questions = [], [], []
        for a, article in enumerate(data):
            titles.append(str(article.get("title", "")))
            paragraphs.append(tuple(str(p["context"]) for p in article["paragraphs"]))
            for p, paragraph in enumerate(article["paragraphs"]):
                for qa in paragraph["qas"]:
                    answers = (str(x["text"]).strip() for x in qa.get("answers", []))
                    questions.append(
                        SquadQuestion(
                            str(qa["id"]),
                            str(qa["question"]),
                            tuple(dict.fromkeys(x for x in answers if x)),
                            a,
                            p,
                        )
                    )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not a SQuAD-format file (data[].paragraphs[].context/qas): {exc!r}"
        ) from exc
    return SquadSet(
        path.stem.replace(" ", "_"),
        hashlib.sha256(raw).hexdigest()[:12],
        tuple(titles),
        tuple(paragraphs),
        tuple(questions),
    )


def left_out(squad: SquadSet, share: float, seed: int = 0) -> frozenset[tuple[int, int]]:
    """A seeded `share` of the paragraphs, as ``(article, paragraph)``, to leave out."""
    if not 0 <= share < 1:
        raise ConfigError(f"--unanswerable of {share} is out of range: use a share from 0 to 0.9")
    keys = [(a, p) for a, paras in enumerate(squad.paragraphs) for p in range(len(paras))]
    random.Random(seed).shuffle(keys)
    return frozenset(keys[: round(share * len(keys))])


def corpus_texts(squad: SquadSet, out: frozenset[tuple[int, int]]) -> dict[str, str]:
    """Document id → file text: a Chinese title as a heading, then the paragraphs kept."""
    files = {}
    for a, (title, paragraphs) in enumerate(zip(squad.titles, squad.paragraphs, strict=True)):
        kept = [p.strip() for n, p in enumerate(paragraphs) if (a, n) not in out and p.strip()]
        if not kept:
            continue
        head = f"# {title.replace('_', ' ').strip()}\n\n" if any(map(is_cjk, title)) else ""
        files[squad.doc_id(a)] = head + "\n\n".join(kept) + "\n"
    return files


def write_corpus(folder: Path, files: dict[str, str], label: str) -> bool:
    """Write the corpus into `folder` unless it already holds the one `label` names (a set's
    hash and its left-out share); complete or not at all (a temporary folder is renamed into
    place). Returns whether it was written."""
    marker = folder / ".set"
    if marker.is_file() and marker.read_text("utf-8") == label:
        return False
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name, text in files.items():
        (partial / name).write_text(text, "utf-8")
    (partial / ".set").write_text(label, "utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return True


def gold_items(
    squad: SquadSet,
    out: frozenset[tuple[int, int]],
    files: dict[str, str],
    asked: dict[str, str] | None = None,
) -> list[GoldItem]:
    """The questions as gold items: evidence is the gold paragraph; a question on a left-out
    paragraph is unanswerable, and is dropped when one of its answers still occurs in `files`.

    Args:
        asked: question id → the question to ask instead (another file's, matched by id:
            XQuAD's English questions over its Chinese paragraphs); ids it lacks are dropped.
    """
    everything = squash("".join(files.values()))
    items = []
    for q in squad.questions:
        question = q.question if asked is None else asked.get(q.id)
        if not question or not q.answers:
            continue
        lang = language(question)
        if (q.article, q.paragraph) in out:
            if any(squash(a) in everything for a in q.answers):
                continue
            items.append(GoldItem(q.id, question, (), (), (), "unanswerable", lang))
            continue
        paragraph = squad.paragraphs[q.article][q.paragraph]
        doc = (squad.doc_id(q.article),)
        items.append(GoldItem(q.id, question, q.answers, doc, (paragraph,), "squad", lang))
    return items


def questions_by_id(path: str | Path) -> dict[str, str]:
    """Question id → question text of another SQuAD-format file."""
    return {q.id: q.question for q in load_squad(path).questions}


def sample(items: list[GoldItem], limit: int | None, seed: int = 0) -> list[GoldItem]:
    """A fixed, seeded sample of `limit` items, in the file's order (all when None)."""
    if limit is None or limit >= len(items):
        return items
    if limit < 1:
        raise ConfigError(f"--limit of {limit} is out of range: use a whole number from 1")
    keep = set(random.Random(seed).sample(range(len(items)), limit))
    return [item for n, item in enumerate(items) if n in keep]


def describe(squad: SquadSet, items: list[GoldItem], share: float) -> dict[str, Any]:
    """What a report says about the set it measured."""
    return {
        "set": squad.name,
        "sha256": squad.digest,
        "articles": len(squad.titles),
        "paragraphs": sum(len(p) for p in squad.paragraphs),
        "questions": len(items),
        "unanswerable_share": share,
        "unanswerable": sum(not item.answerable for item in items),
    }
