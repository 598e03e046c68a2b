"""Scale benchmark, BM25 part: tokenizing, indexing and querying at each size (a library of
`bench_scale.py`).

jieba tokenization (`rag.indexing.lexical.tokenize`, what `LexicalIndex.build` runs first) and
bm25s indexing (what it runs second), timed apart, the index's size, and query latency (the
question's tokens, `LexicalIndex.scores` on them, and the top 50 that retrieval takes with
`rag.retrieval.fusion.top`; the tokenizer cache cleared before every query so each question
is tokenized as if new), split into tokenize, scores and top-50. Above ``--tokenize-cap``
documents only that many are tokenized and their token lists repeated to N (the tokenize time
is then extrapolated, and says so); bm25s indexing and querying always run at the full size.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from common import dev_questions, summary_ms
from numpy.typing import NDArray
from scale_data import RETRIEVAL_DEPTH, WARMUP, TextMaker, dir_bytes, log, mb, rss_mb, watch


def top_positive(scores: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """The service's own top-k (`rag.retrieval.fusion.top`: best positive scores, ties by
    index), called rather than copied so that the benchmark measures what the service runs."""
    from rag.retrieval.fusion import top

    return top(scores, k)


@dataclass
class Tokenized:
    """Token lists of the chunks tokenized so far, kept for a larger size to repeat."""

    tokens: list[list[str]]
    seconds: float
    chars: int


def bench_bm25(
    size: int, args: argparse.Namespace, sample: Tokenized | None
) -> tuple[dict[str, Any], Tokenized]:
    """Tokenize, index and query BM25 at one size. Above the cap, the token lists of a
    smaller size (`sample`, when it holds a cap's worth) are repeated instead of tokenizing
    again: the throughput is the same, and 10^5 chunks take minutes."""
    import bm25s

    from rag.indexing import lexical

    cap = args.tokenize_cap
    tokenized = min(size, cap)
    lexical.stopwords()
    lexical._jieba()  # load jieba's dictionary before the clock starts
    if sample is not None and len(sample.tokens) >= tokenized and tokenized < size:
        log(f"bm25 {size}: reusing {tokenized} token lists tokenized at a smaller size")
        tokens = sample.tokens[:tokenized]
        share = tokenized / len(sample.tokens)
        tokenize_s, chars = sample.seconds * share, round(sample.chars * share)
    else:
        maker = TextMaker(args.seed + 1)
        texts = [maker.chunk() for _ in range(tokenized)]
        chars = sum(len(t) for t in texts)
        log(f"bm25 {size}: tokenizing {tokenized} chunks ({chars / 1e6:.1f} M characters)")
        with watch(f"tokenize {size}"):
            started = time.perf_counter()
            # As LexicalIndex.build does: an empty document gets one placeholder token.
            tokens = [lexical.tokenize(t) or ["\u2205"] for t in texts]
            tokenize_s = time.perf_counter() - started
        del texts
        sample = Tokenized(tokens, tokenize_s, chars)
    n_tokens = sum(len(t) for t in tokens)
    # Above the cap the documents repeat: BM25 statistics grow with the size, the vocabulary
    # does not (a real corpus's would).
    corpus = tokens if tokenized == size else [tokens[i % tokenized] for i in range(size)]
    gc.collect()
    before = rss_mb()
    with watch(f"bm25s index {size}") as peak:
        started = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        index_s = time.perf_counter() - started
    grown = rss_mb() - before
    del corpus
    index = lexical.LexicalIndex(bm25)
    vocabulary = len(bm25.vocab_dict)
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        index.save(Path(tmp) / "bm25")
        index_mb = mb(dir_bytes(Path(tmp) / "bm25"))
    log(f"bm25 {size}: tokenized in {tokenize_s:.1f} s, indexed in {index_s:.1f} s")

    questions = dev_questions()
    asked = [questions[i % len(questions)] for i in range(args.queries)]
    for q in asked[:WARMUP]:
        top_positive(index.scores(lexical.tokenize(q)), RETRIEVAL_DEPTH)
    total: list[float] = []
    tokenize_q: list[float] = []
    score_q: list[float] = []
    top_q: list[float] = []
    for q in asked:
        # Every question as if new: `tokenize` is cached, and the service meets a question
        # once far more often than it meets the 81 dev questions over and over.
        lexical._tokens.cache_clear()
        t0 = time.perf_counter()
        query_tokens = lexical.tokenize(q)
        t1 = time.perf_counter()
        scores = index.scores(query_tokens)
        t2 = time.perf_counter()
        top_positive(scores, RETRIEVAL_DEPTH)
        t3 = time.perf_counter()
        total.append(t3 - t0)
        tokenize_q.append(t1 - t0)
        score_q.append(t2 - t1)
        top_q.append(t3 - t2)
    del index, bm25
    gc.collect()
    record = {
        "size": size,
        "tokenized_docs": tokenized,
        "tokenize_extrapolated": tokenized < size,
        "tokenize_s": round(tokenize_s * size / tokenized, 2),
        "tokenize_measured_s": round(tokenize_s, 2),
        "tokenize_chars_per_s": round(chars / tokenize_s),
        "chars_per_doc": round(chars / tokenized, 1),
        "tokens_per_doc": round(n_tokens / tokenized, 1),
        "vocabulary": vocabulary,
        "index_s": round(index_s, 2),
        "index_mb": index_mb,
        "rss_growth_mb": round(grown, 1),
        "rss_peak_sampled_mb": peak.peak,
        "query_ms": summary_ms(total),
        "query_tokenize_ms": summary_ms(tokenize_q),
        "query_scores_ms": summary_ms(score_q),
        "query_top50_ms": summary_ms(top_q),
    }
    return record, sample
