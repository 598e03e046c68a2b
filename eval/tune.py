"""Tuning on the dev split: one table per knob, printed as Markdown (copied into eval/README.md).

    .venv/bin/python eval/tune.py [--index index/default] [--work /tmp/rag-tune]

Knobs that need no rebuild (fusion, answer scoring, threshold) run on the given index;
chunking knobs rebuild a copy of it, reusing its embeddings where texts are unchanged.
Only eval/dev.jsonl is looked at: eval/test.jsonl stays out of every decision.
"""

from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag import RAG, ChunkerConfig, Settings
from rag.answering.template import AnswerConfig, TemplateAnswerer
from rag.evaluation.gold import load_gold
from rag.evaluation.runner import BUDGET_CHARS, evaluate

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "hit@1",
    "hit@5",
    "mrr@10",
    f"hit@{BUDGET_CHARS}chars",
    "accuracy",
    "answerable_accuracy",
    "unanswerable_accuracy",
    "citation_accuracy",
]


def table(title: str, rows: list[tuple[str, dict[str, Any]]]) -> str:
    out = [
        f"### {title}",
        "",
        "| setting | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for name, m in rows:
        out.append(f"| {name} | " + " | ".join(f"{m[c]:.3f}" for c in COLUMNS) + " |")
    return "\n".join(out) + "\n"


def with_answer(rag: RAG, config: AnswerConfig) -> RAG:
    variant = RAG(rag.index, rag.embedder, rag.settings)
    variant.answerer = TemplateAnswerer(
        rag.index.documents,
        rag.index.sentences,
        rag.answerer.sentence_rows,
        rag.index.lexical,
        config,
        rag.index.lookup.readings,
    )
    return variant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", default=str(ROOT / "index/default"))
    parser.add_argument("--work", default="/tmp/rag-tune")
    parser.add_argument("--only", default="fusion,answer,chunks")
    args = parser.parse_args()
    dev = load_gold(ROOT / "eval/dev.jsonl")
    base = RAG.open(args.index)
    only = args.only.split(",")

    if "fusion" in only:
        configs: dict[str, dict[str, object]] = {
            f"scores, bm25_weight={w}": {"fusion": "scores", "bm25_weight": w}
            for w in (0.02, 0.04, 0.08, 0.16)
        }
        configs |= {
            f"rrf, rrf_k={k}, depth={d}": {"fusion": "rrf", "rrf_k": k, "depth": d}
            for k in (5, 20, 60, 120)
            for d in (20, 50)
        }
        configs |= {"dense only": {"mode": "dense"}, "bm25 only": {"mode": "bm25"}}
        runs = evaluate(base, dev, configs)
        print(table("Fusion (hybrid, by score or by rank)", [(r.name, r.metrics) for r in runs]))

    if "answer" in only:
        rows = []
        default = base.answerer.config
        variants = {
            f"min_score={t}": replace(default, min_score=t) for t in (0.5, 0.55, 0.6, 0.65, 0.7)
        }
        variants |= {
            "weights 0.6/0.3/0.1": replace(default, w_meaning=0.6, w_words=0.3, w_kind=0.1),
            "weights 0.4/0.5/0.1": replace(default, w_meaning=0.4, w_words=0.5, w_kind=0.1),
            "weights 0.45/0.35/0.2": replace(default, w_meaning=0.45, w_words=0.35, w_kind=0.2),
            "passages=3": replace(default, passages=3),
            "passages=8": replace(default, passages=8),
            "max_sentences=1": replace(default, max_sentences=1),
        }
        for name, config in variants.items():
            rag = with_answer(base, config)
            if name.startswith("passages"):
                rag.settings = Settings.model_validate(
                    {**rag.settings.model_dump(), "answer_passages": config.passages}
                )
            (run,) = evaluate(rag, dev)
            rows.append((name, run.metrics))
        print(table("Answer scoring and the not-found threshold", rows))

    if "chunks" in only:
        rows = []
        work = Path(args.work)
        for target, prefix, overlap in [
            (150, True, 1),
            (220, True, 1),
            (300, True, 1),
            (400, True, 1),
            (300, False, 1),
            (300, True, 0),
        ]:
            name = f"target={target}, prefix={'on' if prefix else 'off'}, overlap={overlap}"
            folder = work / name.replace(", ", "_").replace("=", "")
            if folder.exists() or folder.is_symlink():
                shutil.rmtree(folder.resolve(), ignore_errors=True)
                folder.unlink(missing_ok=True) if folder.is_symlink() else None
            folder.parent.mkdir(parents=True, exist_ok=True)
            gen = folder.parent / f".{folder.name}.gen-seed"
            shutil.rmtree(gen, ignore_errors=True)
            shutil.copytree(Path(args.index).resolve(), gen)  # reuse its embeddings
            os.symlink(gen.name, folder)
            chunker = ChunkerConfig(
                target_chars=target,
                min_chars=min(120, target // 2),
                overlap_sentences=overlap,
                prefix_headline=prefix,
            )
            rag = RAG.build(ROOT / "seeds", folder, chunker=chunker)
            (run,) = evaluate(rag, dev)
            rows.append((f"{name} ({len(rag.chunks)} chunks)", run.metrics))
        print(table("Chunking", rows))


if __name__ == "__main__":
    main()
