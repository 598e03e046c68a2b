"""Our retrieval against a naive pipeline: part 2 of `bench_compare.py` (a library of it).

The project's retrieval (``index/default``; hybrid = RRF of dense and BM25, plus the dense and
BM25 sides alone) against the setup most tutorials show: the raw seed files read as they are
(no cleaning), cut into 500-character windows with 50 characters of overlap (a plain character
window, the shape of LangChain's RecursiveCharacterTextSplitter defaults without its separator
preference), embedded with the same embedder (e5-small-q4), searched with a
``faiss.IndexFlatIP``: `rag.evaluation.naive`, the baseline `rag eval --squad` runs too. Window
vectors are cached in ``benchmarks/results/naive_vectors.npz``, each keyed by the embedder and
the window's text, so that reruns skip the embedding (80 windows, about a second each here).

Quality on the dev gold set (``eval/dev.jsonl``; the unanswerable items are left out) with the
project's own judge (`rag.evaluation.runner.evidence_rank` and `budget_hit` over the top 10):
hit@1, hit@5, MRR@10, and hit@1000chars — the evidence covered within the first 1,000
characters of results, the fair one, since a 500-character window carries twice the text of a
~220-character chunk and so flatters hit@k. The naive windows are raw text with the files'
layout noise (broken lines, doubled captions); the gold evidence is cleaned text and the judge
ignores whitespace, so they are judged as they are. Latency: the full search call (reading the
question, query embedding, search), top 10, per dev question (all 81), the query-vector cache
off (``RAG_QUERY_CACHE=0``) so every call pays for the model; pipelines interleaved per
question, repeated ``--reps`` times. Note that our ``bm25`` mode embeds the query too (hits
carry the dense cosine), so it costs a model call, and every mode computes the BM25 scores
(hits carry them); jieba's tokens of a question are cached (`rag.indexing.lexical` keeps
4,096), so only a question's first call pays for them (under a millisecond). A second latency
is the same search handed the query vector: the cost beside the model call (for ours, reading
the question, `RAG.analyse`, and `Retriever.search`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from common import DEV, ROOT, dev_questions, summary_ms, table

from rag.api import RAG
from rag.evaluation.gold import GoldItem, load_gold
from rag.evaluation.naive import OVERLAP, WINDOW, NaiveRetriever
from rag.evaluation.runner import budget_hit, evidence_rank
from rag.records import Hit
from rag.settings import Settings

INDEX = ROOT / "index" / "default"
NAIVE_CACHE = ROOT / "benchmarks" / "results" / "naive_vectors.npz"
TOP = 10  # depth of every ranking here: hit@k, MRR@10
GIVEN = "latency_ms_vector_given"


def quality(hits_of: dict[str, list[Hit]], items: Sequence[GoldItem]) -> dict[str, Any]:
    """The project's retrieval metrics over the answerable items."""
    ranks, budget, shown = [], [], []
    for item in items:
        hits = hits_of[item.id]
        rank = evidence_rank(hits[:TOP], item)
        ranks.append(rank)
        budget.append(budget_hit(hits, item))
        shown.append(sum(len(h.text) for h in hits[:5]))
    return {
        "answerable": len(items),
        "hit@1": round(float(np.mean([r is not None and r <= 1 for r in ranks])), 4),
        "hit@5": round(float(np.mean([r is not None and r <= 5 for r in ranks])), 4),
        "mrr@10": round(float(np.mean([1 / r if r else 0.0 for r in ranks])), 4),
        "hit@1000chars": round(float(np.mean(budget)), 4),
        "chars_in_top5": round(float(np.mean(shown)), 1),
    }


def compare_pipelines(reps: int) -> dict[str, Any]:
    rag = RAG.open(INDEX, settings=Settings(index_dir=INDEX, query_cache=0))
    embedder = rag.embedder
    assert embedder.name == "e5-small-q4", embedder.name  # the naive side uses the same model
    cached = NAIVE_CACHE.is_file()
    started = time.perf_counter()
    # the seed files as loaded (`Document.raw`), not cleaned: what a tutorial would index
    naive = NaiveRetriever.build(rag.documents, embedder, NAIVE_CACHE, progress=True)
    embed_s = time.perf_counter() - started

    searches: dict[str, Callable[[str], list[Hit]]] = {
        "naive-500": lambda q: naive.search(embedder.encode_queries([q])[0], TOP),
        "ours dense": lambda q: rag.search(q, k=TOP, mode="dense"),
        "ours bm25": lambda q: rag.search(q, k=TOP, mode="bm25"),
        "ours hybrid": lambda q: rag.search(q, k=TOP, mode="hybrid"),
    }
    items = load_gold(DEV)
    questions = dev_questions()
    assert [i.question for i in items] == questions
    for fn in searches.values():  # warm up: model and FAISS first calls
        for q in questions[:3]:
            fn(q)

    # The same searches given the query vector: what each pipeline costs beside the model call.
    qvecs = {q: embedder.encode_queries([q])[0] for q in questions}

    def ours_given(mode: str) -> Callable[[str], list[Hit]]:
        # The question read as `RAG.search` reads it (tokens, idf), then searched.
        return lambda q: rag.retriever.search(rag.analyse(q), TOP, mode, qvec=qvecs[q])

    given: dict[str, Callable[[str], list[Hit]]] = {
        "naive-500": lambda q: naive.search(qvecs[q], TOP),
        **{f"ours {mode}": ours_given(mode) for mode in ("dense", "bm25", "hybrid")},
    }
    names = list(searches)
    samples: dict[str, list[float]] = {n: [] for n in names}
    samples_given: dict[str, list[float]] = {n: [] for n in names}
    hits_of: dict[str, dict[str, list[Hit]]] = {n: {} for n in names}
    gc.collect()
    for rep in range(reps):
        for n, item in enumerate(items):
            # Interleaved, the order rotating per question: background load and any warm
            # state left by the previous call fall on every pipeline alike.
            for name in names[n % 4 :] + names[: n % 4]:
                t0 = time.perf_counter()
                hits = searches[name](item.question)
                samples[name].append(time.perf_counter() - t0)
                if rep == 0:
                    hits_of[name][item.id] = hits
                t0 = time.perf_counter()
                given[name](item.question)
                samples_given[name].append(time.perf_counter() - t0)

    answerable = [i for i in items if i.answerable]
    rows = {
        name: {
            "passages": len(naive.windows) if name == "naive-500" else len(rag.index.chunks),
            **quality(hits_of[name], answerable),
            "latency_ms": summary_ms(samples[name]),
            GIVEN: summary_ms(samples_given[name]),
        }
        for name in names
    }
    return {
        "questions": len(items),
        "answerable": len(answerable),
        "reps": reps,
        "naive": {
            "windows": len(naive.windows),
            "window_chars": WINDOW,
            "overlap_chars": OVERLAP,
            "splitter": "plain character windows over the raw files",
            "vectors_cached": cached,
            "embed_s": round(embed_s, 1),
        },
        "pipelines": rows,
    }


def pipelines_markdown(result: dict[str, Any]) -> str:
    rows = result["pipelines"]
    base = rows["naive-500"]

    def cell(value: float, ref: float, digits: int) -> str:
        ratio = f"×{value / ref:.2f}" if ref else "—"
        return f"{value:.{digits}f} ({ratio})"

    out = []
    for name, row in rows.items():
        lat, ref = row["latency_ms"], base["latency_ms"]
        out.append(
            [name, row["passages"], round(row["chars_in_top5"])]
            + [cell(row[m], base[m], 3) for m in ("hit@1", "hit@5", "mrr@10", "hit@1000chars")]
            + [cell(lat["p50"], ref["p50"], 1), cell(lat["p95"], ref["p95"], 1)]
            + [
                cell(
                    row["latency_ms_vector_given"]["p50"], base["latency_ms_vector_given"]["p50"], 2
                )
            ]
        )
    headers = ["pipeline", "passages", "chars in top 5", "hit@1", "hit@5", "MRR@10",
               "hit@1000chars", "p50 ms", "p95 ms", "p50 ms, query vector given"]  # fmt: skip
    return table(headers, out)
