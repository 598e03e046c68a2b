"""Fit the answer selector (`rag/answering/selector.py`) and write it into the package.

    .venv/bin/python eval/train_selector.py [--index index/default] [--public DRCD_dev.json]
        [--public-articles 120] [--out rag/data/selector.json] [--seed 15]

1. Every candidate sentence of every question is described by the selector's features, exactly
   as `rag ask` computes them, and labelled: 1 when it holds a gold answer and is the item's
   evidence sentence (the answer sentence of a two-hop item), else 0.
2. Sources: the seeds' train split (`eval/train.jsonl`), and (question, sentence) pairs of a
   public SQuAD-format set from other text (a seeded sample of 120 of DRCD dev's 383 articles
   by default, indexed whole and with 30% of its paragraphs left out, which gives questions
   whose answer is absent; four fifths fit, one fifth chooses the threshold). Each source weighs
   the same in the fit, so the public set's questions do not drown the seeds'.
3. A logistic regression (scikit-learn, seeded) over standardised features; Platt scaling of the
   top candidate's score, fitted on the training questions, turns it into the probability that
   the answer is right.
4. The refusal threshold is the one of best accuracy on the dev split (`eval/dev.jsonl`),
   answerable and unanswerable items alike. The test split is not read.
5. Written: the selector JSON, and beside the report (`eval/reports/selector-<time>/`) the
   calibration curve (PNG) and the figures as Markdown.

The public sample's two indexes are built under `index/` on the first run (about ten minutes
on 2 cores), then reused. DRCD's figures are then no longer held out, which is why CMRC 2018
and XQuAD are the sets `eval/README.md` reports the selector on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rag import RAG, Settings
from rag.answering.selector import FEATURES, Linear, Selector, english_copies, model_inputs
from rag.evaluation.gold import GoldItem, load_gold, squash
from rag.evaluation.squad import (
    SquadSet,
    corpus_texts,
    gold_items,
    left_out,
    load_squad,
    write_corpus,
)
from rag.evaluation.squad_runner import open_or_build

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(os.environ.get("BENCHMARKS", ROOT.parent / "shared" / "benchmarks"))


@dataclass
class Question:
    """One question's candidates: features, labels, and what it was."""

    source: str
    item: GoldItem
    rows: np.ndarray  # (candidates, features)
    labels: np.ndarray  # (candidates,)


def overlap(a: str, b: str) -> int:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def is_answer(item: GoldItem, sentence: str, doc: str) -> bool:
    """Whether the candidate sentence answers: it holds a gold answer and lies in the
    evidence (the last evidence passage: the answer sentence of a two-hop item)."""
    if not item.answerable or doc not in item.docs:
        return False
    text, evidence = squash(sentence), squash(item.evidence[-1])
    if not any(squash(a) in text for a in item.answers):
        return False
    return overlap(text, evidence) >= 0.5 * min(len(text), len(evidence))


def collect(rag: RAG, items: list[GoldItem], source: str) -> list[Question]:
    answerer = rag.answerer
    out = []
    for item in items:
        read = rag.analyse(item.question)
        qvec = rag.retriever.embed_query(read)
        hits = rag.retriever.search(read, rag.settings.answer_passages, rag.settings.mode, qvec)
        scored = answerer.score(read, qvec, hits)
        if not scored:
            continue
        rows = np.asarray([s.features for s in scored], dtype=np.float64)
        labels = np.asarray(
            [
                is_answer(item, rag.index.documents[s.hit.doc].text[s.start : s.end], s.hit.doc)
                for s in scored
            ],
            dtype=np.int8,
        )
        out.append(Question(source, item, rows, labels))
    return out


def article_sample(squad: SquadSet, articles: int, seed: int) -> SquadSet:
    """A seeded sample of the set's articles, with their questions (renumbered)."""
    keep = sorted(random.Random(seed).sample(range(len(squad.titles)), articles))
    new = {old: n for n, old in enumerate(keep)}
    return SquadSet(
        f"{squad.name}-{articles}a",
        squad.digest,
        tuple(squad.titles[a] for a in keep),
        tuple(squad.paragraphs[a] for a in keep),
        tuple(replace(q, article=new[q.article]) for q in squad.questions if q.article in new),
    )


def public_sets(
    path: Path, articles: int, seed: int
) -> tuple[RAG, list[GoldItem], RAG, list[GoldItem]]:
    """A sample of the public set's articles indexed whole (its answerable questions) and with
    30% of its paragraphs left out (the questions whose paragraph is gone, which must be
    refused: what `rag eval --squad --unanswerable 0.3` asks). The indexes are built under
    ``index/`` on the first run, the second from the first's embeddings."""
    squad = article_sample(load_squad(path), articles, seed)
    weights = Settings(answer_selector="weights")
    base = ROOT / "index" / f"selector-{squad.name}-{squad.digest}-s{seed}"
    rags, items = [], []
    for out, folder in ((frozenset(), base), (left_out(squad, 0.3, seed), Path(f"{base}-u30"))):
        files = corpus_texts(squad, out)
        corpus = folder.parent / f"{folder.name}.corpus"
        written = write_corpus(corpus, files, label=folder.name)
        donor = base if out else None
        rags.append(open_or_build(corpus, folder, weights, True, donor, changed=written))
        asked = gold_items(squad, out, files)
        items.append([i for i in asked if i.answerable != bool(out)])
    return rags[0], items[0], rags[1], items[1]


def split(items: list[GoldItem], seed: int) -> tuple[list[GoldItem], list[GoldItem]]:
    """A seeded four fifths to fit on, the rest to choose the threshold on."""
    items = random.Random(seed).sample(items, len(items))
    cut = len(items) * 4 // 5
    return items[:cut], items[cut:]


def balanced(sources: list[str]) -> np.ndarray:
    """Sample weights under which every source weighs the same, averaging 1."""
    counts = {s: sources.count(s) for s in set(sources)}
    weight = np.asarray([1 / counts[s] for s in sources])
    return np.asarray(weight * len(weight) / weight.sum())


# The features each model reads, and whether English questions get weights of their own. Chosen
# on dev (seeds and the public fifth, mean accuracy): the ranker reads all and splits by
# language (0.783; without the split 0.769); the confidence model reads all but the features
# of the answer's shape, which tell one sentence from another, not whether any answers, and
# does not split (0.783; all features 0.776, split 0.778: the seeds' 57 English training
# questions are too few for weights of their own in the model that decides refusals).
RANKER_READS, RANKER_BY_LANGUAGE = FEATURES, True
SHAPE = ("anchored", "unit_asked", "unit_held")
CONFIDENCE_READS, CONFIDENCE_BY_LANGUAGE = tuple(f for f in FEATURES if f not in SHAPE), False


def fit(
    rows: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    seed: int,
    reads: tuple[str, ...],
    by_language: bool,
) -> Linear:
    """A logistic regression over the features it `reads` (`model_inputs`)."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    x = model_inputs(rows, reads, by_language)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=5000, random_state=seed)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    coef = model.coef_[0]
    return Linear(mean, scale, coef, float(model.intercept_[0]), by_language, reads)


def tops(ranker: Linear, questions: list[Question]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: the features of the candidate the ranker puts first, whether it is the
    answer sentence, and whether any candidate is."""
    rows, right, present = [], [], []
    for q in questions:
        best = int(np.argmax(ranker.logits(q.rows)))
        rows.append(q.rows[best])
        right.append(int(q.labels[best]))
        present.append(int(q.labels.max()))
    return np.asarray(rows), np.asarray(right), np.asarray(present)


def accuracy(
    probabilities: np.ndarray, right: np.ndarray, answerable: np.ndarray, t: float
) -> float:
    answered = probabilities >= t
    correct = np.where(answerable, answered & (right == 1), ~answered)
    return float(correct.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(ROOT / "index" / "default"))
    parser.add_argument("--public", default=str(BENCHMARKS / "DRCD_dev.json"))
    parser.add_argument("--public-articles", type=int, default=120)
    parser.add_argument("--no-public", action="store_true", help="fit on the seeds alone")
    parser.add_argument("--out", default=str(ROOT / "rag" / "data" / "selector.json"))
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    started = time.time()

    # features do not depend on the selector; "weights" needs no fitted one to exist yet
    weights = Settings(answer_selector="weights")
    rag = RAG.open(args.index, settings=weights)
    train = collect(rag, load_gold(ROOT / "eval" / "train.jsonl"), "seeds")
    dev = collect(rag, load_gold(ROOT / "eval" / "dev.jsonl"), "seeds")
    sources = ["seeds train split"]
    if not args.no_public:
        public = Path(args.public)
        full, present_items, short, absent_items = public_sets(
            public, args.public_articles, args.seed
        )
        answerable, dev_answerable = split(present_items, args.seed)
        absent, dev_absent = split(absent_items, args.seed)
        train += collect(full, answerable, "public") + collect(short, absent, "public")
        dev += collect(full, dev_answerable, "public") + collect(short, dev_absent, "public")
        sources.append(
            f"{public.name}, {args.public_articles} articles: {len(answerable)} questions, "
            f"{len(absent)} with their paragraph left out (dev: {len(dev_answerable)} and "
            f"{len(dev_absent)} others)"
        )

    ranker = fit(
        np.concatenate([q.rows for q in train]),
        np.concatenate([q.labels for q in train]),
        balanced([q.source for q in train for _ in q.rows]),
        args.seed,
        RANKER_READS,
        RANKER_BY_LANGUAGE,
    )
    # Refusing an answerable question is wrong whichever sentence the ranker picked, so the
    # confidence model learns whether the answer is among the candidates at all.
    top_rows, _, present = tops(ranker, train)
    confidence = fit(
        top_rows,
        present,
        balanced([q.source for q in train]),
        args.seed,
        CONFIDENCE_READS,
        CONFIDENCE_BY_LANGUAGE,
    )
    calibrated = Selector(ranker, confidence, 0.5, {})

    # the threshold of best dev accuracy, each source weighing the same
    dev_rows, dev_right, dev_present = tops(ranker, dev)
    dev_p = np.asarray([calibrated.probability(r) for r in dev_rows])
    dev_is_answerable = np.asarray([q.item.answerable for q in dev])
    dev_source = np.asarray([q.source for q in dev])
    grid = [round(float(t), 2) for t in np.arange(0.05, 0.95, 0.01)]
    by_source = {
        source: {
            t: accuracy(
                dev_p[dev_source == source],
                dev_right[dev_source == source],
                dev_is_answerable[dev_source == source],
                t,
            )
            for t in grid
        }
        for source in sorted(set(dev_source))
    }
    scores = {t: float(np.mean([v[t] for v in by_source.values()])) for t in grid}
    best = max(scores.values())
    # the middle of the best plateau: a threshold at its edge would not travel
    plateau = [t for t in grid if scores[t] >= best - 1e-9]
    threshold = plateau[len(plateau) // 2]

    info = {
        "fitted": time.strftime("%Y-%m-%d"),
        "model": "sklearn LogisticRegression(C=1.0) x2 (ranker, confidence), standardised; "
        "the ranker's features also times `english`",
        "sources": sources,
        "train_questions": len(train),
        "train_sentences": int(sum(len(q.rows) for q in train)),
        "dev_accuracy_proxy": round(best, 4),
        "seed": args.seed,
    }
    selector = Selector(ranker, confidence, threshold, info)
    Path(args.out).write_text(json.dumps(selector.to_json(), indent=1) + "\n", encoding="utf-8")

    report = ROOT / "eval" / "reports" / f"selector-{time.strftime('%Y%m%dT%H%M%S')}"
    report.mkdir(parents=True, exist_ok=True)
    train_p = np.asarray([calibrated.probability(r) for r in top_rows])
    draw_calibration(
        report / "calibration.png", {"train": (train_p, present), "dev": (dev_p, dev_present)}
    )
    lines = [
        "# Answer selector",
        "",
        f"Sources: {'; '.join(sources)}. Threshold {threshold} (dev accuracy {best:.3f}).",
        "",
        "| feature | ranker weight | confidence weight |",
        "|---|---|---|",
        *(f"| {n} | {r} | {c} |" for n, r, c in weight_table(ranker, confidence)),
        "",
        "Dev accuracy: the top sentence is the evidence, or an unanswerable item is refused.",
        "",
        f"| threshold | {' | '.join(by_source)} | mean |",
        "|---|" + "---|" * (len(by_source) + 1),
        *(
            f"| {t} | {' | '.join(f'{v[t]:.3f}' for v in by_source.values())} | {scores[t]:.3f} |"
            for t in grid[::5]
        ),
    ]
    (report / "selector.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {args.out} and {report} in {time.time() - started:.0f} s")


def named_weights(model: Linear) -> dict[str, float]:
    copies = english_copies(model.reads) if model.by_language else ()
    names = [*model.reads, *(f"{n} × english" for n in copies)]
    return dict(zip(names, model.coef.tolist(), strict=True))


def weight_table(ranker: Linear, confidence: Linear) -> list[tuple[str, str, str]]:
    """Each feature's weight in both models ("–" where a model does not read it), the
    ranker's largest first."""
    r, c = named_weights(ranker), named_weights(confidence)
    names = sorted(r.keys() | c.keys(), key=lambda n: -abs(r.get(n, 0.0)))
    return [
        (n, f"{r[n]:+.3f}" if n in r else "–", f"{c[n]:+.3f}" if n in c else "–") for n in names
    ]


def draw_calibration(path: Path, sets: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Reliability diagram: predicted probability (binned) against how often it was right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    bins = np.linspace(0, 1, 11)
    for name, (p, right) in sets.items():
        which = np.clip(np.digitize(p, bins) - 1, 0, 9)
        xs, ys = [], []
        for b in range(10):
            if (which == b).sum() >= 3:
                xs.append(float(p[which == b].mean()))
                ys.append(float(right[which == b].mean()))
        ax.plot(xs, ys, marker="o", label=f"{name} ({len(p)} questions)")
    ax.set_xlabel("calibrated probability that the passages hold the answer")
    ax.set_ylabel("share where it does")
    ax.set_title("Answer selector calibration")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
