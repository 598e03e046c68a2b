"""Side by side, in one run: bm25s against rank-bm25, and our retrieval against a naive pipeline.

Part 1 — the two BM25 libraries on the same tokens. Tokens are the project's (`rag.lexical.
tokenize`: jieba search mode, stopwords dropped, number tokens added), computed once per corpus
and handed, as the same lists, to ``bm25s.BM25()`` (the project's engine, its defaults: Lucene
BM25, k1 1.5, b 0.75) and to ``rank_bm25.BM25Okapi`` (k1 1.5, b 0.75, Okapi idf). Corpora:

* ``seed``: the chunks of ``index/default``, as the index embeds and keyword-indexes them
  (`rag.chunking.index_text`: headline and section before the text);
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

* ``bm25s get_scores + top-k`` — the project's path (`LexicalIndex.scores` + `retrieval._top`):
  keep in-vocabulary tokens, score every document, top 10 of the positive scores;
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

Part 2 — the project's retrieval (``index/default``; hybrid = RRF of dense and BM25, plus the
dense and BM25 sides alone) against the setup most tutorials show: the raw seed files read as
they are (no cleaning), cut into 500-character windows with 50 characters of overlap (a plain
character window, the shape of LangChain's RecursiveCharacterTextSplitter defaults without its
separator preference), embedded with the same embedder (e5-small-q4), searched with a
``faiss.IndexFlatIP``. Window vectors are cached in ``benchmarks/results/naive_vectors.npy``,
keyed by a hash of the windows and the embedder, so that reruns skip the embedding (80 windows,
about a second each here).

Quality on the dev gold set (``eval/dev.jsonl``; the unanswerable items are left out) with the
project's own judge (`rag.evaluation.evidence_rank` and `budget_hit` over the top 10): hit@1,
hit@5, MRR@10, and hit@1000chars — the evidence covered within the first 1,000 characters of
results, the fair one, since a 500-character window carries twice the text of a ~220-character
chunk and so flatters hit@k. The naive windows are raw text with the files' layout noise (broken
lines, doubled captions); the gold evidence is cleaned text and the judge ignores whitespace,
so they are judged as they are. Latency: the full search call (query embedding + search), top
10, per dev question (all 81), the query-vector cache off (``RAG_QUERY_CACHE=0``) so every call
pays for the model; pipelines interleaved per question, repeated ``--reps`` times. Note that our
``bm25`` mode embeds the query too (hits carry the dense cosine), so it costs a model call, and
every mode computes the BM25 scores (hits carry them); jieba's tokens of a question are cached
(`rag.indexing.lexical` keeps 4,096), so only a question's first call pays for them (under a
millisecond). A second latency is the same search handed the query vector: the cost beside
the model call.

Run: ``.venv/bin/python benchmarks/bench_compare.py`` (``--quick``: no 10^5 corpus).
Writes ``benchmarks/results/compare.json`` and ``compare.md``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Before any rag Settings exist: every search must pay for its query embedding.
os.environ["RAG_QUERY_CACHE"] = "0"

import numpy as np
from common import DEV, ROOT, SEEDS, dev_questions, save, summary_ms, table
from numpy.typing import NDArray

from rag.api import RAG
from rag.corpus.chunking import ChunkerConfig, index_text
from rag.evaluation.gold import GoldItem, load_gold
from rag.evaluation.runner import budget_hit, evidence_rank
from rag.indexing.embedders import Embedder
from rag.indexing.lexical import tokenize
from rag.indexing.store import StoredIndex, read_index
from rag.records import Hit
from rag.settings import Settings

INDEX = ROOT / "index" / "default"
NAIVE_CACHE = ROOT / "benchmarks" / "results" / "naive_vectors.npy"
TOP = 10  # depth of every ranking here: MRR@10, and the top-10 overlap of part 1
SEED = 20240601  # the synthetic corpora's random seed
DOC_CHARS = 200  # a synthetic document takes sentences until it has this many (mean ≈ 220)
WINDOW, OVERLAP = 500, 50
GIVEN = "latency_ms_vector_given"

Scores = NDArray[np.floating[Any]]


# ---------------------------------------------------------------------------------------------
# Part 1: bm25s vs rank-bm25
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    name: str
    tokens: list[list[str]]
    chars_per_doc: float
    bm25s_reps: int  # passes over the questions for the two bm25s paths
    rank_queries: int | None  # questions rank-bm25 is timed on (None: all)
    rank_reps: int


def top_k(scores: Scores, k: int = TOP) -> list[int]:
    """The project's own top-k (`rag.retrieval._top`): the `k` best positive scores, best
    first, ties by index. Called, not copied, so that this measures what the service runs."""
    from rag.retrieval.retriever import _top

    return [i for i, _ in _top(scores, k)]


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


# ---------------------------------------------------------------------------------------------
# Part 2: our retrieval vs 500-character windows + the same embedder + FAISS
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    doc: str
    start: int
    end: int
    text: str


def char_windows(text: str, size: int = WINDOW, overlap: int = OVERLAP) -> list[tuple[int, int]]:
    """Fixed windows of `size` characters, each starting `size - overlap` after the last."""
    spans, start = [], 0
    while True:
        end = min(start + size, len(text))
        spans.append((start, end))
        if end >= len(text):
            return spans
        start += size - overlap


def naive_windows() -> list[Window]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")  # as tutorials load it: no cleaning
        out += [Window(path.name, s, e, raw[s:e]) for s, e in char_windows(raw)]
    return out


def naive_vectors(windows: Sequence[Window], embedder: Embedder) -> tuple[NDArray[Any], bool]:
    """The windows' vectors, from the cache when it holds these windows (and whether it did)."""
    digest = hashlib.sha256(embedder.name.encode())
    for w in windows:
        digest.update(f"\x00{w.doc}\x00{w.start}\x00".encode() + w.text.encode())
    key = digest.hexdigest()
    meta = NAIVE_CACHE.with_suffix(".json")
    if (
        NAIVE_CACHE.exists()
        and meta.exists()
        and json.loads(meta.read_text(encoding="utf-8")).get("sha256") == key
    ):
        return np.load(NAIVE_CACHE), True
    print(f"embedding {len(windows)} naive windows (cached for next time)…", flush=True)
    vectors = embedder.encode_passages([w.text for w in windows], progress=True)
    NAIVE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.save(NAIVE_CACHE, vectors)
    meta.write_text(json.dumps({"sha256": key, "embedder": embedder.name}), encoding="utf-8")
    return vectors, False


class NaiveRetriever:
    """The tutorial pipeline: embed the question, inner product over all windows."""

    def __init__(self, windows: Sequence[Window], vectors: NDArray[Any], embedder: Embedder):
        import faiss

        self.windows = windows
        self.embedder = embedder
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: str, k: int = TOP) -> list[Hit]:
        return self.search_vector(self.embedder.encode_queries([query])[0], k)

    def search_vector(self, qvec: NDArray[Any], k: int = TOP) -> list[Hit]:
        scores, rows = self.index.search(qvec.reshape(1, -1), k)
        hits = []
        for score, row in zip(scores[0], rows[0], strict=True):
            if row < 0:
                continue
            w = self.windows[row]
            hits.append(
                Hit(
                    chunk_id=f"{w.doc}:{w.start}",
                    doc=w.doc,
                    title="",
                    section="",
                    text=w.text,
                    start=w.start,
                    end=w.end,
                    score=float(score),
                    dense_score=float(score),
                    bm25_score=0.0,
                )
            )
        return hits


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
    windows = naive_windows()
    started = time.perf_counter()
    vectors, cached = naive_vectors(windows, embedder)
    embed_s = time.perf_counter() - started
    naive = NaiveRetriever(windows, vectors, embedder)

    searches: dict[str, Callable[[str], list[Hit]]] = {
        "naive-500": naive.search,
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
        return lambda q: rag.retriever.search(q, TOP, mode, qvec=qvecs[q])

    given: dict[str, Callable[[str], list[Hit]]] = {
        "naive-500": lambda q: naive.search_vector(qvecs[q]),
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
            "passages": len(windows) if name == "naive-500" else len(rag.index.chunks),
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
            "windows": len(windows),
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


# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="skip the 10^5 corpus")
    parser.add_argument("--part", choices=("1", "2", "all"), default="all")
    parser.add_argument("--reps", type=int, default=2, help="passes over the dev set, part 2")
    parser.add_argument(
        "--rank-queries-large", type=int, default=30, help="questions rank-bm25 runs at 10^5"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load_start = [round(x, 2) for x in os.getloadavg()]
    data: dict[str, Any] = {"quick": args.quick}
    parts: list[str] = []

    if args.part in ("1", "all"):
        idx = read_index(INDEX)
        questions = [tokenize(q) for q in dev_questions()]
        tokens, chars = seed_corpus(idx)
        corpora = [Corpus("seed chunks", tokens, chars, 5, None, 5)]
        sizes = [10_000] if args.quick else [10_000, 100_000]
        for n in sizes:
            t0 = time.perf_counter()
            tokens, chars = synthetic_corpus(idx, n, SEED)
            print(f"tokens of {n:,} synthetic docs: {time.perf_counter() - t0:.1f} s", flush=True)
            large = n >= 100_000
            corpora.append(
                Corpus(
                    f"synthetic 10^{len(str(n)) - 1}",
                    tokens,
                    chars,
                    3 if large else 5,
                    args.rank_queries_large if large else None,
                    1 if large else 3,
                )
            )
        del tokens
        runs = {}
        for corpus in corpora:
            t0 = time.perf_counter()
            runs[corpus.name] = compare_bm25(corpus, questions)
            print(f"bm25 libraries on {corpus.name}: {time.perf_counter() - t0:.1f} s", flush=True)
        corpora.clear()  # free the 10^5 token lists before part 2
        data["bm25"] = runs
        parts += [
            "### bm25s vs rank-bm25, same tokens (latency: one query, tokens given)",
            bm25_markdown(runs),
            "Top-10 overlap is |A∩B|/max(|A|,|B|) over positive scores. The libraries differ "
            "by design (bm25s: Lucene idf, always positive; rank-bm25: Okapi idf, terms in over "
            "half the documents floored at 0.25 × mean idf), so overlap below 1 is expected. "
            + (
                "Given the Lucene idf, rank-bm25 ranks exactly as bm25s does on every corpus: "
                "the idf formula is the whole difference. "
                if all(
                    r["agreement_rank_bm25_lucene_idf_vs_bm25s"]["top10_overlap"] == 1.0
                    for r in runs.values()
                )
                else "Even given the Lucene idf, rank-bm25 does not always rank as bm25s does. "
            )
            + "`bm25s get_scores alone` against the path's p50 shows what the project's top-k "
            "(`rag.retrieval._top`: select the k best, then sort them) costs. At 10^5, rank-bm25 "
            f"is timed on {args.rank_queries_large} questions, once.",
        ]

    if args.part in ("2", "all"):
        t0 = time.perf_counter()
        data["pipelines"] = compare_pipelines(args.reps)
        print(f"pipelines: {time.perf_counter() - t0:.1f} s", flush=True)
        p = data["pipelines"]
        parts += [
            f"### Our retrieval vs naive 500-char windows + e5 + FAISS (dev, "
            f"{p['answerable']} answerable of {p['questions']}; latency: full search call, "
            f"top {TOP}, {p['reps']} × {p['questions']} questions, query cache off)",
            pipelines_markdown(p),
            "Ratios are against naive-500. hit@1000chars (evidence within the first 1,000 "
            "characters of results) is the fair column: a 500-char window holds ~2× the text of "
            "our ~220-char chunks, so hit@k flatters the windows. The windows are raw file text "
            "(layout noise kept); the judge ignores whitespace. `ours bm25` also embeds the query "
            "(hits carry the dense cosine). The last column is the same search handed the query "
            "vector: the cost beside the model call.",
        ]

    data["total_s"] = round(time.perf_counter() - started, 1)
    # This is a shared machine: say how busy it was, since the tails (p95) follow the load.
    data["load_avg"] = {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]}
    footer = (
        f"(total {data['total_s']} s; 1-minute load average {load_start[0]} at the start, "
        f"{data['load_avg']['end'][0]} at the end, on {os.cpu_count()} cores: where it is above "
        "the core count, the p95 columns measure the other work more than these pipelines)"
    )
    save("compare", data, "\n\n".join(parts) + "\n\n" + footer)


if __name__ == "__main__":
    main()
