"""The project's own configuration (hybrid, learned selector) alone on a SQuAD-format set: the
figures `rag eval --squad` gives in its first column, without the dense, BM25 and naive runs
beside it (a quarter of the time on CMRC 2018's 3,219 questions).

    .venv/bin/python eval/squad_hybrid.py FILE [--unanswerable 0.3] [--questions FILE]

Uses (and builds, when missing) the same cached index under `index/` as `rag eval --squad`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rag import Settings
from rag.evaluation.runner import run_items, summarize
from rag.evaluation.squad import (
    corpus_texts,
    gold_items,
    left_out,
    load_squad,
    questions_by_id,
    write_corpus,
)
from rag.evaluation.squad_runner import open_or_build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--unanswerable", type=float, default=0.0)
    parser.add_argument("--questions")
    parser.add_argument("--root", default="index")
    args = parser.parse_args()
    squad = load_squad(args.file)
    out = left_out(squad, args.unanswerable, 0)
    base = Path(args.root) / f"squad-{squad.name}-{squad.digest}"
    folder = Path(f"{base}-u{round(args.unanswerable * 100)}") if out else base
    files = corpus_texts(squad, out)
    corpus = folder.parent / f"{folder.name}.corpus"
    written = write_corpus(corpus, files, label=folder.name)
    rag = open_or_build(corpus, folder, Settings(), True, base if out else None, written)
    asked = questions_by_id(args.questions) if args.questions else None
    metrics = summarize(run_items(rag, gold_items(squad, out, files, asked), progress=True))
    keys = ["items", "hit@5", "accuracy", "answerable_accuracy", "unanswerable_accuracy"]
    keys += ["em", "f1"]
    print(json.dumps({k: metrics.get(k) for k in keys}))


if __name__ == "__main__":
    main()
