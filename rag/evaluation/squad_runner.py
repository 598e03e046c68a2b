"""`rag eval --squad`: a SQuAD-format set end to end: its corpus, its index (cached by the
file's hash under ``index/``), every question under each retriever, and the naive baseline.

Runs, side by side on one index: the project (hybrid), dense only, BM25 only, and the naive
baseline (`rag.evaluation.naive`, retrieval only).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rag.api import RAG
from rag.evaluation.naive import NaiveRetriever
from rag.evaluation.runner import DEPTH, ConfigRun, evaluate, run_items, summarize
from rag.evaluation.squad import (
    corpus_texts,
    describe,
    gold_items,
    left_out,
    load_squad,
    questions_by_id,
    sample,
    write_corpus,
)
from rag.indexing.bilingual import RECIPE, glossary_version
from rag.indexing.lexical import TOKENIZER
from rag.indexing.marks import MARKS
from rag.indexing.store import MANIFEST
from rag.settings import Settings

MODES = ("dense", "bm25")  # beside the settings' own mode (hybrid)
NAIVE = "naive-500"


@dataclass(frozen=True)
class SquadRun:
    name: str  # the report's split name
    runs: list[ConfigRun]
    meta: dict[str, Any]


def _index_with_cache_of(index_dir: Path, donor: Path) -> None:
    """Start `index_dir` as a copy of the `donor` index, so that a build over a corpus that
    differs only by some left-out paragraphs embeds (almost) nothing again."""
    if index_dir.exists() or index_dir.is_symlink() or not (donor / MANIFEST).is_file():
        return
    gen = index_dir.parent / f".{index_dir.name}.gen-donor"
    shutil.rmtree(gen, ignore_errors=True)
    shutil.copytree(donor.resolve(), gen)
    os.symlink(gen.name, index_dir)


def open_or_build(
    corpus: Path,
    index_dir: Path,
    settings: Settings,
    progress: bool,
    donor: Path | None = None,
    changed: bool = True,
) -> RAG:
    """The index of `corpus` at `index_dir`: opened when built from it, the corpus has not
    `changed` since, its tokens are cut as today's (`TOKENIZER`), its sentences marked so
    (`MARKS`) and its English lookup is of
    today's recipe and glossary, else built
    (reusing the embeddings there)."""
    if not changed and (index_dir / MANIFEST).is_file():
        rag = RAG.open(index_dir, settings=settings)
        made = rag.manifest.get("english_terms", {}).get("versions", {})
        today = {"recipe": RECIPE, "glossary": glossary_version()}
        if (
            rag.manifest["corpus"]["path"] == str(corpus)
            and rag.manifest.get("tokenizer") == TOKENIZER
            and rag.manifest.get("marks") == MARKS
            and all(made.get(key) == value for key, value in today.items())
        ):
            return rag
    if donor is not None:
        _index_with_cache_of(index_dir, donor)
    return RAG.build(corpus, index_dir, settings=settings, progress=progress)


def evaluate_squad(
    path: str | Path,
    *,
    questions: str | Path | None = None,
    limit: int | None = None,
    unanswerable: float = 0.0,
    index_dir: str | Path | None = None,
    root: str | Path = "index",
    settings: Settings | None = None,
    seed: int = 0,
    progress: bool = False,
) -> SquadRun:
    """Measure retrieval and answers on the SQuAD-format set at `path`.

    Args:
        questions: another SQuAD-format file whose questions are asked instead, matched by id.
        limit: a fixed, seeded sample of this many questions.
        unanswerable: the share of paragraphs left out of the index (their questions must be
            answered "not found").
        index_dir: where the index is; default ``<root>/squad-<name>-<hash>[-u<share>]``.

    Raises:
        ConfigError: a file that is not SQuAD-format, or an option out of range.
    """
    settings = settings or Settings()
    squad = load_squad(path)
    out = left_out(squad, unanswerable, seed)
    root = Path(root)
    base = f"squad-{squad.name}-{squad.digest}"
    tag = f"{base}-u{round(unanswerable * 100)}" if out else base
    files = corpus_texts(squad, out)
    folder = Path(index_dir) if index_dir is not None else root / tag
    corpus = folder.parent / f"{folder.name}.corpus"  # beside the index, as its naive windows
    written = write_corpus(corpus, files, label=tag)
    donor = root / base if out else None
    rag = open_or_build(corpus, folder, settings, progress, donor, changed=written)

    asked = questions_by_id(questions) if questions is not None else None
    items = sample(gold_items(squad, out, files, asked), limit, seed)
    # the set has no question types: group by the kind of answer each question asks for
    items = [
        replace(item, type=rag.analyse(item.question).kind) if item.answerable else item
        for item in items
    ]
    configs: dict[str, dict[str, Any]] = {settings.mode: {}}
    configs |= {mode: {"mode": mode} for mode in MODES if mode != settings.mode}
    runs = evaluate(rag, items, configs, progress=progress)

    donors = (root / f"{base}.naive.npz",) if out else ()
    cache = folder.parent / f"{folder.name}.naive.npz"
    naive = NaiveRetriever.build(rag.documents, rag.embedder, cache, donors, progress)

    def naive_search(question: str) -> list[Any]:
        return naive.search(rag.retriever.embed_query(rag.analyse(question)), DEPTH)

    results = run_items(rag, items, progress, retrieve=naive_search)
    runs.append(ConfigRun(NAIVE, {}, summarize(results), results))

    name = squad.name + (f"+{Path(questions).stem}" if questions is not None else "")
    name += f"-u{round(unanswerable * 100)}" if out else ""
    meta = {
        **describe(squad, items, unanswerable),
        "questions_from": str(questions) if questions is not None else str(path),
        "limit": limit,
        "seed": seed,
        "index": str(rag.index.path),
        "embedder": rag.embedder.name,
        **rag.manifest["counts"],
    }
    return SquadRun(name, runs, meta)
