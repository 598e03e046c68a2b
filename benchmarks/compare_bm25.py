"""bm25s against rank-bm25 on the same tokens: part 1 of `bench_compare.py` (a library of it).

Tokens are the project's (`rag.indexing.lexical.tokenize`: jieba search mode, stopwords
dropped, number tokens added), computed once per corpus and handed, as the same lists, to
``bm25s.BM25()`` (the project's engine, its defaults: Lucene BM25, k1 1.5, b 0.75) and to
``rank_bm25.BM25Okapi`` (k1 1.5, b 0.75, Okapi idf). Corpora:

* ``seed``: the chunks of ``index/default``, as the index embeds and keyword-indexes them
  (`rag.corpus.chunking.index_text`: headline and section before the text);
* ``synthetic 10^4`` and ``10^5`` (``--quick`` skips 10^5): documents of about 220 characters
  made of random seed sentences (fixed seed). Their tokens are the concatenation of their
  sentences' tokens, each distinct sentence tokenised once: jieba would take about 200 s over
  10^5 joined documents on this machine, and it never segments across the sentence-final
  punctuation, so the bag of tokens equals the joined text's for ~95 % of documents and differs
  by a few number tokens in the rest (checked on 500 documents). Both libraries get these same
  lists, which is all the comparison needs.

Measured: index build time (from token lists); the in-memory size of the index structures
(rank-bm25's per-document term-count dicts, idf dict and lengths; bm25s's sparse score arrays
and vocabulary; the token strings are shared with the corpus and not counted); per-query latency
p50/p95 over the dev questions that have at least one token in the corpus vocabulary (tokenised
outside the timing), the list repeated to get a few hundred timings, the three query paths
interleaved per question so that background load hits all alike:

* ``bm25s get_scores + top-k`` — the project's path (`LexicalIndex.scores` +
  `rag.retrieval.fusion.top`): keep in-vocabulary tokens, score every document, top 10 of the
  positive scores;
* ``bm25s retrieve`` — the library's own top-k (argpartition), k 10;
* ``rank-bm25 get_scores + top-k`` — the same top-k code over rank-bm25's scores (its
  ``get_top_n`` is the same work). At 10^5 it takes ~0.1-1 s a query, so it is timed on the
  first ``--rank-queries-large`` (30) questions only, once; the table says how many.

Agreement: the overlap of the two libraries' top-10 document ids (|A ∩ B| / max(|A|, |B|),
positive scores only), and how often their top 1 is the same. They are not the same function:
bm25s's Lucene idf is log(1 + (N - df + .5) / (df + .5)), always positive; rank-bm25's Okapi idf
is log((N - df + .5) / (df + .5)), and a term in more than half of the documents gets
0.25 × the mean idf instead. So agreement is high but not 1. To show the idf is the whole
difference, rank-bm25 is then given the Lucene idf and run again (untimed): its top 10s should
match bm25s's and its scores equal bm25s's × (k1 + 1) up to float32 rounding (reported).
The time of bm25s's ``get_scores`` alone is reported too, to separate it from the top-k.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from common import summary_ms, table
from numpy.typing import NDArray

from rag.corpus.chunking import ChunkerConfig, index_text
from rag.indexing.lexical import tokenize
from rag.indexing.store import StoredIndex

TOP = 10  # depth of every ranking here: the top-10 overlap
SEED = 20240601  # the synthetic corpora's random seed
DOC_CHARS = 200  # a synthetic document takes sentences until it has this many (mean ≈ 220)

Scores = NDArray[np.floating[Any]]


@dataclass(frozen=True)
class Corpus:
    name: str
    tokens: list[list[str]]
    chars_per_doc: float
    bm25s_reps: int  # passes over the questions for the two bm25s paths
    rank_queries: int | None  # questions rank-bm25 is timed on (None: all)
    rank_reps: int


def top_k(scores: Scores, k: int = TOP) -> list[int]:
    """The project's own top-k (`rag.retrieval.fusion.top`): the `k` best positive scores,
    best first, ties by index. Called, not copied, so that this measures what the service
    runs."""
    from rag.retrieval.fusion import top

    return [i for i, _ in top(scores, k)]


def seed_corpus(idx: StoredIndex) -> tuple[list[list[str]], float]:
    config = ChunkerConfig(**idx.manifest["chunker"])
    texts = [index_text(c, config) for c in idx.chunks]
    # As `LexicalIndex.build` does: a document with no tokens gets a placeholder one.
    tokens = [tokenize(t) or ["\u2205"] for t in texts]
    return tokens, float(np.mean([len(t) for t in texts]))


def synthetic_corpus(idx: StoredIndex, n_docs: int, seed: int) -> tuple[list[list[str]], float]:
    """`n_docs` documents of random seed sentences; their tokens (see the module docstring)."""
    sentences = [idx.documents[r.doc].text[r.start : r.end] for r in idx.sentences.refs]
    sentence_tokens = [tokenize(s) for s in sentences]
    lengths = [len(s) for s in sentences]
    rng = random.Random(seed)
    docs, chars = [], 0
    for _ in range(n_docs):
        picked: list[int] = []
        size = 0
        while size < DOC_CHARS:
            i = rng.randrange(len(sentences))
            picked.append(i)
            size += lengths[i]
        docs.append([t for i in picked for t in sentence_tokens[i]] or ["\u2205"])
        chars += size
    return docs, chars / n_docs


def rank_bm25_bytes(bm: Any) -> int:
    """rank-bm25's index: a dict of term counts per document, the idf dict, the lengths."""
    size = sys.getsizeof(bm.doc_freqs) + sum(sys.getsizeof(d) for d in bm.doc_freqs)
    size += sys.getsizeof(bm.idf) + sum(sys.getsizeof(v) for v in bm.idf.values())
    size += sys.getsizeof(bm.doc_len) + sum(sys.getsizeof(v) for v in bm.doc_len)
    return int(size)


def bm25s_bytes(r: Any) -> int:
    """bm25s's index: the sparse (CSC) score arrays and the vocabulary."""
    size = sum(v.nbytes for v in r.scores.values() if isinstance(v, np.ndarray))
    size += sys.getsizeof(r.vocab_dict) + sys.getsizeof(r.unique_token_ids_set)
    return int(size)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def compare_bm25(corpus: Corpus, questions: Sequence[list[str]]) -> dict[str, Any]:
    import bm25s
    from rank_bm25 import BM25Okapi

    gc.collect()
    rank_s, rank = timed(lambda: BM25Okapi(corpus.tokens))
    gc.collect()

    def build_bm25s() -> Any:
        r = bm25s.BM25()
        r.index(corpus.tokens, show_progress=False)
        return r

    bm25s_s, ours = timed(build_bm25s)
    vocab: dict[str, int] = ours.vocab_dict

    # Queries with at least one token in the corpus: the others (mostly the English questions)
    # return at once on every path and would only pad the low percentiles.
    queries = [q for q in questions if any(t in vocab for t in q)]
    rank_queries = queries[: corpus.rank_queries] if corpus.rank_queries else queries

    def bm25s_scores(q: list[str]) -> tuple[float, list[int]]:
        """The project's path; also returns the get_scores part's time."""
        started = time.perf_counter()
        known = [t for t in q if t in vocab]
        scores = np.asarray(ours.get_scores(known), dtype=np.float32)
        scored = time.perf_counter() - started
        return scored, top_k(scores)

    def bm25s_retrieve(q: list[str]) -> list[int]:
        known = [t for t in q if t in vocab]
        ids, scores = ours.retrieve([known], k=TOP, show_progress=False, n_threads=0)
        return [int(i) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]

    def rank_top(q: list[str]) -> list[int]:
        known = [t for t in q if t in rank.idf]
        return top_k(np.asarray(rank.get_scores(known)))

    for q in queries[:5]:  # warm up: first-call allocations, lazy imports
        bm25s_scores(q)
        bm25s_retrieve(q)
    rank_top(queries[0])

    samples: dict[str, list[float]] = {"scores": [], "scores_only": [], "retrieve": [], "rank": []}
    results: dict[str, dict[int, list[int]]] = {"scores": {}, "retrieve": {}, "rank": {}}
    clock = time.perf_counter
    gc.collect()
    for rep in range(max(corpus.bm25s_reps, corpus.rank_reps)):
        for n, q in enumerate(queries):
            if rep < corpus.bm25s_reps:
                t0 = clock()
                scored, results["scores"][n] = bm25s_scores(q)
                samples["scores"].append(clock() - t0)
                samples["scores_only"].append(scored)
                t0 = clock()
                results["retrieve"][n] = bm25s_retrieve(q)
                samples["retrieve"].append(clock() - t0)
            if rep < corpus.rank_reps and n < len(rank_queries):
                t0 = clock()
                results["rank"][n] = rank_top(q)
                samples["rank"].append(clock() - t0)

    # Why they disagree: give rank-bm25 bm25s's (Lucene) idf and rank again, untimed. If the
    # top 10s then match and the scores agree up to rank-bm25's constant (k1 + 1), the idf
    # formula is the whole difference.
    df: dict[str, int] = {}
    for counts in rank.doc_freqs:
        for term in counts:
            df[term] = df.get(term, 0) + 1
    n_docs = len(corpus.tokens)
    rank.idf = {t: float(np.log(1 + (n_docs - f + 0.5) / (f + 0.5))) for t, f in df.items()}
    swapped: dict[int, list[int]] = {}
    worst = 0.0
    for n, q in enumerate(rank_queries):
        known = [t for t in q if t in vocab]
        theirs = np.asarray(rank.get_scores(known))
        mine = np.asarray(ours.get_scores(known), dtype=np.float64) * (rank.k1 + 1)
        worst = max(worst, float(np.max(np.abs(theirs - mine) / np.maximum(theirs, 1e-9))))
        swapped[n] = top_k(theirs)

    def agreement(a: dict[int, list[int]], b: dict[int, list[int]]) -> dict[str, Any]:
        pairs = [(a[n], b[n]) for n in b if n in a and (a[n] or b[n])]
        overlap = [len(set(x) & set(y)) / max(len(x), len(y)) for x, y in pairs]
        first = [bool(x and y and x[0] == y[0]) for x, y in pairs]
        return {
            "queries": len(pairs),
            "top10_overlap": round(float(np.mean(overlap)), 3) if pairs else None,
            "top10_overlap_min": round(float(np.min(overlap)), 3) if pairs else None,
            "top1_same": round(float(np.mean(first)), 3) if pairs else None,
        }

    return {
        "docs": len(corpus.tokens),
        "chars_per_doc": round(corpus.chars_per_doc, 1),
        "tokens_per_doc": round(float(np.mean([len(t) for t in corpus.tokens])), 1),
        "vocabulary": len(vocab),
        "questions_timed": {"bm25s": len(queries), "rank_bm25": len(rank_queries)},
        "reps": {"bm25s": corpus.bm25s_reps, "rank_bm25": corpus.rank_reps},
        "index_s": {"bm25s": round(bm25s_s, 3), "rank_bm25": round(rank_s, 3)},
        "index_mb": {
            "bm25s": round(bm25s_bytes(ours) / 1e6, 2),
            "rank_bm25": round(rank_bm25_bytes(rank) / 1e6, 2),
        },
        "latency_ms": {
            "bm25s_get_scores_topk": summary_ms(samples["scores"]),
            "bm25s_get_scores_only": summary_ms(samples["scores_only"]),
            "bm25s_retrieve": summary_ms(samples["retrieve"]),
            "rank_bm25_get_scores_topk": summary_ms(samples["rank"]),
        },
        "agreement_rank_bm25_vs_bm25s": agreement(results["scores"], results["rank"]),
        "agreement_retrieve_vs_get_scores": agreement(results["scores"], results["retrieve"]),
        "agreement_rank_bm25_lucene_idf_vs_bm25s": {
            **agreement(results["scores"], swapped),
            "max_relative_score_difference": float(f"{worst:.2g}"),
        },
    }


def bm25_markdown(runs: dict[str, dict[str, Any]]) -> str:
    rows, agree = [], []
    for name, run in runs.items():
        lat, base = run["latency_ms"], run["latency_ms"]["bm25s_get_scores_topk"]["p50"]
        for label, key, lib in (
            ("bm25s get_scores + top-k (ours)", "bm25s_get_scores_topk", "bm25s"),
            ("bm25s retrieve", "bm25s_retrieve", "bm25s"),
            ("rank-bm25 get_scores + top-k", "rank_bm25_get_scores_topk", "rank_bm25"),
        ):
            s = lat[key]
            built = lib if key != "bm25s_retrieve" else None
            rows.append(
                [
                    name,
                    f"{run['docs']:,}",
                    label,
                    f"{run['index_s'][built]:.2f}" if built else "″",
                    f"{run['index_mb'][built]:.1f}" if built else "″",
                    s["p50"],
                    s["p95"],
                    s["n"],
                    f"×{s['p50'] / base:.2f}" if base else "—",
                ]
            )
        a, r = run["agreement_rank_bm25_vs_bm25s"], run["agreement_retrieve_vs_get_scores"]
        sw = run["agreement_rank_bm25_lucene_idf_vs_bm25s"]
        agree.append(
            [
                name,
                a["queries"],
                a["top10_overlap"],
                a["top10_overlap_min"],
                a["top1_same"],
                f"{sw['top10_overlap']} / {sw['top1_same']} "
                f"({sw['max_relative_score_difference']})",
                r["top10_overlap"],
                lat["bm25s_get_scores_only"]["p50"],
            ]
        )
    return "\n\n".join(
        [
            table(
                ["corpus", "docs", "path", "index s", "index MB", "p50 ms", "p95 ms", "n",
                 "p50 vs ours"],
                rows,
            ),
            table(
                ["corpus", "queries", "top-10 overlap (mean)", "min", "top-1 same",
                 "same, rank-bm25 given Lucene idf (max rel. score diff)",
                 "bm25s retrieve vs get_scores overlap", "bm25s get_scores alone p50 ms"],
                agree,
            ),
        ]
    )  # fmt: skip
