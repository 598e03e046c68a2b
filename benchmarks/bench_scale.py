"""Scale: FAISS exact vs HNSW, BM25, and `rag build` on synthetic corpora of 10^4 to 10^6 chunks.

What it measures, at each size N (``--sizes``):

- dense, through `rag.dense.DenseIndex` (the service's wrapper): exact search (``IndexFlatIP``)
  and HNSW (``IndexHNSWFlat``, inner product; M, efConstruction as given, default the
  settings' 32 and 200): build seconds, saved-file size, RSS growth, single-query latency
  p50/p95 (one query vector per call, as the service does; FAISS's OpenMP threads left at its
  default) at k=10 and at k=50 (the service's retrieval depth), and HNSW's recall@10 against
  exact search, for several efSearch values. Exact search is timed again on one OpenMP thread
  (``--no-one-thread`` skips it): it splits a single query's scan across threads, which on a
  busy machine costs more than it saves. The HNSW build time at each size is estimated first
  (∝ n·log n from the largest size built so far, or from a 50 000-vector slice); when it is
  over ``--hnsw-budget-s``, the largest cheaper efConstruction that fits (calibrated on a
  20 000-vector slice, not below max(M, 40)) is used at that size, and recorded;
- BM25: jieba tokenization (`rag.lexical.tokenize`, what `LexicalIndex.build` runs first) and
  bm25s indexing (what it runs second), timed apart, the index's size, and query latency
  (`LexicalIndex.scores` plus the top 50 that retrieval takes, in the same way as
  `rag.retrieval`; tokenizer cache cleared before every query so each question is tokenized
  as if new), split into tokenize, scores and top-50. Above ``--tokenize-cap`` documents only
  that many are tokenized and their token lists repeated to N (the tokenize time is then
  extrapolated, and says so); bm25s indexing and querying always run at the full size;
- `rag build`: the real `RAG.build` pipeline (load, clean, chunk, embed, BM25, sentence
  features, FAISS, write) in a child process, on a folder of synthetic articles, with an
  embedder that draws vectors instead of running the model (the model embeds ≈6 passages a
  second here). Wall seconds (`run_measured`) and the child's peak RSS (its VmHWM: see
  `vm_hwm_mb` for why not wait4's) per size, with the time split by stage (``--profile-build``
  prints a pyinstrument profile of each build). It runs at a calibration size of 2 000 chunks
  and at the sizes up to 10^4, and at larger ones only when the line through those runs says
  it fits ``--build-budget-s``; otherwise, and for 10^6, it prints the estimate.

Sizes whose numbers are extrapolated, not measured, say so in the JSON and the tables; so does
an efConstruction lowered for the budget. The load average is recorded with each timing: on a
2-core machine other work moves single-query latencies by several times.

How the synthetic data is drawn (fixed seeds):

- vectors: the 986 real e5-small-q4 unit vectors of ``index/default`` (224 chunks, 762
  distinct sentences) are the base. A synthetic vector is ``normalize(a·v_i + (1−a)·v_j +
  σ·L·z)``, i, j random, a uniform in [0.5, 1], z standard normal and L·Lᵀ the covariance of
  the real vectors, so the noise moves along the directions real vectors vary in and stays
  inside e5's narrow cone (isotropic noise would leave it). σ = 0.6 makes synthetic pairwise
  cosines spread like the real ones (median ≈0.89, 5–95 % ≈0.85–0.93); both spreads are
  recorded, and so is how far each query's 1st and 10th neighbours sit above a random chunk;
- queries: the 81 dev questions embedded with the real model (query prompt), then perturbed
  copies of them (the same covariance-shaped noise, ``--query-sigma``) up to ``--queries``;
- text: sentences recombined from the clauses of the real seed sentences (a random real
  sentence's clause count, its middle clauses drawn from all middle clauses, its last from all
  last clauses), so that sentences are distinct as in a real corpus and the tokenizer's cache
  does not flatter the timings; a BM25 chunk joins such sentences to ~220 characters, and a
  synthetic article file is a real headline, a blank line, and paragraphs of 2–5 sentences.

    .venv/bin/python benchmarks/bench_scale.py                       # 10^4, 10^5, 10^6
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000 100000  # quicker
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from common import ROOT, dev_questions, peak_rss_mb, run_measured, save, summary_ms, table
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

SEED_INDEX = ROOT / "index" / "default"
SEED_EMBEDDER = "e5-small-q4"
DIM = 384
SIGMA = 0.6  # noise scale that reproduces the real pairwise-cosine spread (see docstring)
MIX_LOW = 0.5  # a is drawn from [MIX_LOW, 1]: every vector leans towards one real vector
CHUNK_CHARS = 200  # a BM25 chunk takes sentences until this long: ≈220 characters on average
BUILD_CALIBRATION = 2000  # chunks in the smallest `rag build`, for a line through two sizes
FILE_CHARS = 3000  # body characters of one synthetic article: ≈20 chunks
RETRIEVAL_DEPTH = 50  # candidates retrieval takes from each side (Settings.depth)
HNSW_SLICE = 50_000  # vectors built first to estimate a large HNSW build
FLAT_DEPTH_QUERIES = 50  # exact search is timed at k=50 on this many queries only
WARMUP = 10  # untimed queries before each timed pass (caches, page faults, OpenMP threads)

PARTS = ["dense", "bm25", "build"]
STARTED = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, with the seconds since the start (the JSON has the numbers)."""
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """This process's resident memory now (not the peak), in MB."""
    return round(float(psutil.Process().memory_info().rss) / 2**20, 1)


def mb(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cos_spread(x: Vectors, sample: int, rng: np.random.Generator) -> dict[str, float]:
    """Percentiles of pairwise cosines within a sample of rows, and of each row's nearest."""
    rows = x[rng.choice(len(x), size=min(sample, len(x)), replace=False)]
    sims = rows @ rows.T
    upper = sims[np.triu_indices(len(rows), 1)]
    np.fill_diagonal(sims, -1.0)
    p5, p50, p95 = np.percentile(upper, [5, 50, 95])
    n50 = np.percentile(sims.max(axis=1), 50)
    return {
        "sample": len(rows),
        "pair_p5": round(float(p5), 3),
        "pair_p50": round(float(p50), 3),
        "pair_p95": round(float(p95), 3),
        "nearest_p50": round(float(n50), 3),
    }


@contextmanager
def watch(label: str, every_s: float = 30.0, estimate_s: float | None = None) -> Iterator[Any]:
    """Sample RSS every 0.2 s while the block runs (its peak goes in ``.peak``) and print a
    heartbeat every `every_s`: a long FAISS call prints nothing of its own. FAISS and numpy
    release the GIL, so the thread runs beside them."""

    class Peak:
        peak = rss_mb()

    done = threading.Event()
    start = time.perf_counter()

    def beat() -> None:
        last = start
        while not done.wait(0.2):
            Peak.peak = max(Peak.peak, rss_mb())
            now = time.perf_counter()
            if now - last >= every_s:
                eta = f" of ≈{estimate_s:.0f} s estimated" if estimate_s else ""
                log(f"  … {label}: {now - start:.0f} s{eta}, RSS {rss_mb():.0f} MB")
                last = now

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield Peak
    finally:
        done.set()
        thread.join()
        Peak.peak = max(Peak.peak, rss_mb())


# ---------------------------------------------------------------------------------------------
# Synthetic vectors


@dataclass(frozen=True)
class Base:
    """The real vectors synthetic ones are drawn around, and the noise factor L (L·Lᵀ is their
    covariance)."""

    vectors: Vectors
    noise: Vectors

    @classmethod
    def load(cls) -> Base:
        from rag.indexing.store import read_reusable

        cache = read_reusable(SEED_INDEX, SEED_EMBEDDER).vectors
        if not cache:
            sys.exit(f"no {SEED_EMBEDDER} vectors in {SEED_INDEX}: run `rag build` first")
        # Sorted keys: the same base rows in the same order every run, so seeds reproduce.
        vectors = np.stack([cache[k] for k in sorted(cache)]).astype(np.float32)
        centred = vectors - vectors.mean(axis=0)
        eigval, eigvec = np.linalg.eigh(np.cov(centred.T))
        noise = (eigvec * np.sqrt(np.clip(eigval, 0.0, None))).astype(np.float32)
        return cls(vectors, noise)

    def draw(
        self, i: NDArray[np.int64], j: NDArray[np.int64], a: Vectors, z: Vectors, sigma: float
    ) -> Vectors:
        """``normalize(a·v_i + (1−a)·v_j + σ·L·z)`` for each row; `a` is a column."""
        out = a * self.vectors[i] + (1.0 - a) * self.vectors[j] + sigma * (z @ self.noise.T)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(out, dtype=np.float32)


def synthetic_vectors(base: Base, n: int, seed: int, block: int = 100_000) -> Vectors:
    """n synthetic unit vectors, drawn in blocks so the temporaries stay small at 10^6."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    m = len(base.vectors)
    for lo in range(0, n, block):
        k = min(block, n - lo)
        out[lo : lo + k] = base.draw(
            rng.integers(0, m, k),
            rng.integers(0, m, k),
            rng.uniform(MIX_LOW, 1.0, (k, 1)).astype(np.float32),
            rng.standard_normal((k, DIM), dtype=np.float32),
            SIGMA,
        )
    return out


def query_vectors(base: Base, wanted: int, sigma: float, seed: int) -> tuple[Vectors, int]:
    """The dev questions embedded by the real model, then perturbed copies up to `wanted`;
    also how many are real."""
    from rag.indexing.embedders import get_embedder

    questions = dev_questions()
    log(f"embedding {len(questions)} dev questions with {SEED_EMBEDDER}")
    real = np.asarray(get_embedder(SEED_EMBEDDER).encode_queries(questions), dtype=np.float32)
    extra = max(0, wanted - len(real))
    if not extra:
        return real[:wanted], min(wanted, len(real))
    rng = np.random.default_rng(seed)
    picked = real[rng.integers(0, len(real), extra)]
    noisy = picked + sigma * (rng.standard_normal((extra, DIM), dtype=np.float32) @ base.noise.T)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return np.ascontiguousarray(np.concatenate([real, noisy]), dtype=np.float32), len(real)


class SyntheticEmbedder:
    """The `rag.embedders.Embedder` protocol without a model: each text's vector is drawn, as
    above, from a generator seeded by a hash of the text (the same text, the same vector)."""

    def __init__(self, base: Base) -> None:
        self._base = base
        self.seconds = 0.0  # time spent here, reported as the build's embed stage

    @property
    def name(self) -> str:
        return f"synthetic-{DIM}"

    @property
    def dim(self) -> int:
        return DIM

    def _encode(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        n, m = len(texts), len(self._base.vectors)
        i = np.empty(n, dtype=np.int64)
        j = np.empty(n, dtype=np.int64)
        a = np.empty((n, 1), dtype=np.float32)
        z = np.empty((n, DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
            rng = np.random.default_rng(int.from_bytes(digest, "little"))
            i[row], j[row] = rng.integers(0, m, 2)
            a[row, 0] = rng.uniform(MIX_LOW, 1.0)
            z[row] = rng.standard_normal(DIM, dtype=np.float32)
        out = self._base.draw(i, j, a, z, SIGMA) if n else np.zeros((0, DIM), dtype=np.float32)
        self.seconds += time.perf_counter() - started
        return out

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> Vectors:
        return self._encode(texts)


# ---------------------------------------------------------------------------------------------
# Synthetic text


class TextMaker:
    """Sentences recombined from the clauses of the real seed sentences (see the docstring)."""

    def __init__(self, seed: int) -> None:
        from rag.indexing.store import read_index

        stored = read_index(SEED_INDEX)
        sentences = [
            stored.documents[r.doc].text[r.start : r.end].strip() for r in stored.sentences.refs
        ]
        self.headlines = sorted(
            {a.headline for d in stored.documents.values() for a in d.articles if a.headline}
        )
        self.shapes: list[int] = []  # clause count of each real sentence
        self.middles: list[str] = []
        self.lasts: list[str] = []
        for sentence in sentences:
            if not sentence:
                continue
            clauses = [c for c in re.split(r"(?<=[，；：])", sentence) if c]
            self.shapes.append(len(clauses))
            self.middles.extend(clauses[:-1])
            self.lasts.append(clauses[-1])
        self.rng = random.Random(seed)

    def sentence(self) -> str:
        rng = self.rng
        count = rng.choice(self.shapes)
        return "".join(rng.choices(self.middles, k=count - 1)) + rng.choice(self.lasts)

    def chunk(self) -> str:
        """A BM25 document of about 220 characters."""
        parts: list[str] = []
        size = 0
        while size < CHUNK_CHARS:
            parts.append(self.sentence())
            size += len(parts[-1])
        return "".join(parts)

    def article(self) -> str:
        """One synthetic file: a real headline, a blank line, paragraphs of 2–5 sentences."""
        paragraphs: list[str] = []
        size = 0
        while size < FILE_CHARS:
            paragraphs.append("".join(self.sentence() for _ in range(self.rng.randint(2, 5))))
            size += len(paragraphs[-1])
        return self.rng.choice(self.headlines) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, files: int, maker: TextMaker) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        (folder / f"{n:07d}.txt").write_text(maker.article(), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Dense


def time_queries(
    search: Callable[[Vectors, int], list[tuple[int, float]]], queries: Vectors, k: int
) -> tuple[list[float], list[list[int]], list[list[float]]]:
    """Seconds per single-vector call, and each call's rows and cosines."""
    for q in queries[:WARMUP]:
        search(q, k)
    seconds: list[float] = []
    rows: list[list[int]] = []
    scores: list[list[float]] = []
    for q in queries:
        started = time.perf_counter()
        hits = search(q, k)
        seconds.append(time.perf_counter() - started)
        rows.append([r for r, _ in hits])
        scores.append([s for _, s in hits])
    return seconds, rows, scores


def recall_at(found: list[list[int]], truth: list[list[int]], k: int) -> float:
    hits = [len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth, strict=True)]
    return round(float(np.mean(hits)), 4)


def faiss_params(dense: Any) -> dict[str, Any]:
    """The raw FAISS object's class and parameters, read back from the wrapper's index."""
    index = dense._index  # the wrapper exposes no accessor; this is read-only
    out: dict[str, Any] = {"faiss_class": type(index).__name__, "metric": "inner_product"}
    if hasattr(index, "hnsw"):
        out.update(
            M=int(index.hnsw.nb_neighbors(1)),  # level ≥1 holds M links; level 0 holds 2·M
            efConstruction=int(index.hnsw.efConstruction),
            max_level=int(index.hnsw.max_level),
        )
    return out


def hnsw_time_model(measured: list[dict[str, Any]], n: int, ef_construction: int) -> float | None:
    """Seconds to build HNSW over n vectors, extrapolated from the largest size built so far
    (cost ∝ n·log n at the same efConstruction); None when nothing was built yet."""
    runs = [r for r in measured if r["ef_construction"] == ef_construction]
    if not runs:
        return None
    last = max(runs, key=lambda r: r["size"])
    return float(last["build_s"] * (n / last["size"]) * (math.log(n) / math.log(last["size"])))


def pick_ef_construction(
    x: Vectors, args: argparse.Namespace, estimate: float
) -> tuple[int, dict[str, float], float]:
    """The largest efConstruction (≤ the requested) whose estimated build fits the budget,
    the calibration seconds, and the estimate at the efConstruction chosen.

    Build cost is not proportional to efConstruction (linking and pruning cost the same at
    any), so it is calibrated: HNSW over a 20 000-vector slice at each candidate."""
    candidates = [e for e in (200, 160, 128, 100, 80, 64, 48, 40) if e < args.ef_construction]
    candidates = [args.ef_construction] + [e for e in candidates if e >= args.hnsw_m]
    from rag.indexing.dense import DenseIndex

    sample = np.ascontiguousarray(x[:20_000])
    cost: dict[str, float] = {}
    for ef in candidates:
        started = time.perf_counter()
        DenseIndex.build(sample, "hnsw", hnsw_m=args.hnsw_m, ef_construction=ef)
        cost[str(ef)] = round(time.perf_counter() - started, 2)
        guess = estimate * cost[str(ef)] / cost[str(args.ef_construction)]
        log(f"  calibration: efConstruction {ef}: {cost[str(ef)]} s on 20 000 → ≈{guess:.0f} s")
        if guess <= args.hnsw_budget_s:
            break
    return ef, cost, guess


def bench_dense(
    size: int, x: Vectors, queries: Vectors, args: argparse.Namespace, hnsw_runs: list[Any]
) -> list[dict[str, Any]]:
    """Exact and HNSW at one size: one record per (kind, efSearch)."""
    import faiss

    from rag.indexing.dense import DenseIndex

    k = args.k
    threads = faiss.omp_get_max_threads()  # left at FAISS's default, as the service does
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        # Exact search: its results are the truth recall is measured against.
        gc.collect()
        before = rss_mb()
        with watch(f"flat build {size}") as peak:
            started = time.perf_counter()
            flat = DenseIndex.build(x, "flat")
            build_s = time.perf_counter() - started
        grown = rss_mb() - before
        flat.save(Path(tmp) / "flat.faiss")
        file_mb = mb((Path(tmp) / "flat.faiss").stat().st_size)
        (Path(tmp) / "flat.faiss").unlink()
        log(f"flat {size}: built in {build_s:.2f} s, {file_mb} MB; timing {len(queries)} queries")
        seconds, truth, cosines = time_queries(flat.search, queries, k)
        # Exact search costs the same at any k, and a query at 10^6 takes a good fraction of a
        # second: k=50 is timed on fewer queries.
        few = queries[:FLAT_DEPTH_QUERIES]
        seconds_depth, _, _ = time_queries(flat.search, few, RETRIEVAL_DEPTH)
        top = np.asarray(cosines, dtype=np.float64)
        neighbourhood = {
            # How far the 10th neighbour sits below the 1st, and both above a random chunk:
            # the neighbourhoods are non-trivial when these gaps are small but not zero.
            "query_cos_at_1_mean": round(float(top[:, 0].mean()), 4),
            "query_cos_at_k_mean": round(float(top[:, -1].mean()), 4),
            "query_cos_random_median": round(
                float(np.median(queries @ x[:: max(1, size // 2000)].T)), 4
            ),
        }
        records.append(
            {
                "size": size,
                "kind": "flat",
                **faiss_params(flat),
                "ef_search": None,
                "omp_threads": threads,
                "load_avg": list(os.getloadavg()),
                "build_s": round(build_s, 3),
                "index_mb": file_mb,
                "rss_growth_mb": round(grown, 1),
                "rss_peak_sampled_mb": peak.peak,
                "latency_ms": summary_ms(seconds),
                f"latency_k{RETRIEVAL_DEPTH}_ms": summary_ms(seconds_depth),
                "recall_at_k": 1.0,
                **neighbourhood,
            }
        )
        if args.one_thread:
            # The same searches on one OpenMP thread. Exact search splits one query's scan
            # across the threads, and on a busy machine a thread that must wait for a core
            # stalls the whole call; one thread shows what the scan itself costs.
            faiss.omp_set_num_threads(1)
            try:
                one, _, _ = time_queries(flat.search, queries, k)
                one_depth, _, _ = time_queries(flat.search, few, RETRIEVAL_DEPTH)
            finally:
                faiss.omp_set_num_threads(threads)
            records.append(
                {
                    **records[-1],
                    "omp_threads": 1,
                    "load_avg": list(os.getloadavg()),
                    "latency_ms": summary_ms(one),
                    f"latency_k{RETRIEVAL_DEPTH}_ms": summary_ms(one_depth),
                }
            )
        del flat
        gc.collect()

        # HNSW, with a cheaper efConstruction when the requested one would not fit the budget.
        ef_c = args.ef_construction
        estimate = hnsw_time_model(hnsw_runs, size, ef_c)
        calibration: dict[str, float] = {}
        estimate_used: float | None = None
        largest = max((r["size"] for r in hnsw_runs), default=0)
        if size > HNSW_SLICE > largest and (estimate is None or 3 * estimate > args.hnsw_budget_s):
            # Nothing built yet at a size whose vectors outgrow the CPU caches (from 10^4 the
            # n·log n model is several times too low): time a slice first, when it matters.
            started = time.perf_counter()
            DenseIndex.build(
                np.ascontiguousarray(x[:HNSW_SLICE]),
                "hnsw",
                hnsw_m=args.hnsw_m,
                ef_construction=ef_c,
            )
            first = {"size": HNSW_SLICE, "build_s": time.perf_counter() - started}
            log(f"hnsw {size}: {first['build_s']:.1f} s to build over {HNSW_SLICE} vectors")
            estimate = hnsw_time_model([{**first, "ef_construction": ef_c}], size, ef_c)
        if estimate is not None:
            log(f"hnsw {size}: efConstruction {ef_c} estimated at {estimate:.0f} s")
            estimate_used = estimate
            if estimate > args.hnsw_budget_s:
                ef_c, calibration, estimate_used = pick_ef_construction(x, args, estimate)
                log(f"hnsw {size}: over the {args.hnsw_budget_s:.0f} s budget: efC {ef_c}")
        gc.collect()
        before = rss_mb()
        with watch(f"hnsw build {size}", estimate_s=estimate_used) as peak:
            started = time.perf_counter()
            hnsw = DenseIndex.build(
                x, "hnsw", hnsw_m=args.hnsw_m, ef_construction=ef_c, ef_search=128
            )
            build_s = time.perf_counter() - started
        grown = rss_mb() - before
        hnsw_runs.append({"size": size, "build_s": build_s, "ef_construction": ef_c})
        hnsw.save(Path(tmp) / "hnsw.faiss")
        file_mb = mb((Path(tmp) / "hnsw.faiss").stat().st_size)
        log(f"hnsw {size}: built in {build_s:.1f} s, {file_mb} MB")
        for ef in args.ef_search:
            hnsw.set_ef_search(ef)
            seconds, found, _ = time_queries(hnsw.search, queries, k)
            seconds_depth, _, _ = time_queries(hnsw.search, queries, RETRIEVAL_DEPTH)
            recall = recall_at(found, truth, k)
            p50 = summary_ms(seconds)["p50"]
            log(f"  efSearch {ef}: recall@{k} {recall}, p50 {p50} ms")
            records.append(
                {
                    "size": size,
                    "kind": "hnsw",
                    **faiss_params(hnsw),
                    "ef_construction_requested": args.ef_construction,
                    "ef_construction_reduced_for_budget": ef_c != args.ef_construction,
                    "build_estimate_s_at_requested_efc": estimate and round(estimate),
                    "build_estimate_s": estimate_used and round(estimate_used),
                    "ef_construction_calibration_s": calibration or None,
                    "ef_search": ef,
                    "omp_threads": threads,
                    "load_avg": list(os.getloadavg()),
                    "build_s": round(build_s, 3),
                    "index_mb": file_mb,
                    "rss_growth_mb": round(grown, 1),
                    "rss_peak_sampled_mb": peak.peak,
                    "latency_ms": summary_ms(seconds),
                    f"latency_k{RETRIEVAL_DEPTH}_ms": summary_ms(seconds_depth),
                    "recall_at_k": recall,
                }
            )
        del hnsw
        gc.collect()
    return records


# ---------------------------------------------------------------------------------------------
# BM25


def top_positive(scores: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """The service's own top-k (`rag.retrieval._top`: best positive scores, ties by index),
    called rather than copied so that the benchmark measures what the service runs."""
    from rag.retrieval.retriever import _top

    return _top(scores, k)


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

    from rag import lexical

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
        top_positive(index.scores(q), RETRIEVAL_DEPTH)
    total: list[float] = []
    tokenize_q: list[float] = []
    score_q: list[float] = []
    top_q: list[float] = []
    for q in asked:
        # Every question as if new: `tokenize` is cached, and the service meets a question
        # once far more often than it meets the 81 dev questions over and over.
        lexical._tokens.cache_clear()
        t0 = time.perf_counter()
        lexical.tokenize(q)
        t1 = time.perf_counter()
        scores = index.scores(q)  # its own tokenize call now hits the cache
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


# ---------------------------------------------------------------------------------------------
# rag build


def _timed(owner: Any, name: str, stages: dict[str, float], label: str) -> None:
    """Replace `owner.name` with a wrapper that adds its seconds to `stages[label]`."""
    inner = getattr(owner, name)

    @wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            stages[label] = stages.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, staticmethod(timed) if isinstance(owner, type) else timed)


def vm_hwm_mb() -> float:
    """This process's own peak RSS: the high-water mark of its address space since exec.

    Not ru_maxrss: subprocess starts a child with vfork + exec, and Linux then records the
    parent's RSS at that moment as the child's ru_maxrss (its own `getrusage` and the parent's
    `wait4` alike), so a child of a parent holding 1.7 GB reports at least 1.7 GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return peak_rss_mb()


def build_child(corpus: str, index_dir: str, out: str, faiss_kind: str, profile: bool) -> None:
    """One `RAG.build` in this (child) process; its report and stage times go to `out`."""
    from rag import answering, lexical
    from rag import index as index_module
    from rag.api import RAG
    from rag.indexing.dense import DenseIndex
    from rag.indexing.lexical import LexicalIndex
    from rag.settings import Settings

    # Stage timers: the build's own functions, wrapped where `rag.indexing.build` looks them up.
    # Only this child is patched; the wrappers cost well under 1 % at these call counts.
    stages: dict[str, float] = {}
    for name, label in (
        ("load_documents", "load+clean"),
        ("chunk_documents", "chunk"),
        ("read_reusable", "read cache"),
        ("sentence_features", "sentence features"),
        ("write_index", "write"),
    ):
        _timed(index_module, name, stages, label)
    _timed(LexicalIndex, "build", stages, "bm25")
    _timed(DenseIndex, "build", stages, "faiss")
    # Inside the two above ("/" marks a part of a stage):
    _timed(lexical, "tokenize", stages, "bm25/tokenize")
    _timed(answering, "tokenize", stages, "sentence features/tokenize")
    _timed(answering, "marks", stages, "sentence features/marks (posseg)")
    embedder = SyntheticEmbedder(Base.load())
    settings = Settings(faiss_index=faiss_kind)
    profiler: Any = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started = time.perf_counter()
    rag = RAG.build(corpus, index_dir, embedder=embedder, settings=settings)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
    assert rag.build_report is not None
    stages["embed (synthetic)"] = embedder.seconds
    stages["other"] = seconds - sum(v for k, v in stages.items() if "/" not in k)
    counts = rag.manifest["counts"]
    result = {
        "seconds_in_build": round(seconds, 2),
        "report": asdict(rag.build_report),
        "counts": counts,
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "files_bytes": {k: v["bytes"] for k, v in rag.manifest["files"].items()},
        "vm_hwm_mb": vm_hwm_mb(),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def chunks_per_file(maker: TextMaker) -> float:
    """Chunks the default chunker makes of one synthetic article (mean over 30 of them)."""
    from rag.corpus.chunking import ChunkerConfig, chunk_documents
    from rag.corpus.documents import load_documents

    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        write_corpus(Path(tmp), 30, maker)
        docs = load_documents(tmp)
        return len(chunk_documents(docs, ChunkerConfig())) / len(docs)


def line_fit(points: list[tuple[float, float]], x: float) -> float | None:
    """y at x on the least-squares line through `points`; None below two points (memory has a
    large fixed part, the interpreter and libraries, so one point gives no slope)."""
    if len({p[0] for p in points}) < 2:
        return None
    slope, intercept = np.polyfit([p[0] for p in points], [p[1] for p in points], 1)
    return float(slope * x + intercept)


def build_estimate(runs: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """Seconds, peak RSS and index size of a `rag build` of `size` chunks, from the runs."""

    def fit(key: str) -> int | None:
        y = line_fit([(r["chunks"], r[key]) for r in runs], size)
        return None if y is None else round(y)

    return {
        "size": size,
        "estimated_s": fit("seconds"),
        "estimated_peak_rss_mb": fit("peak_rss_mb"),
        "estimated_index_mb": fit("index_mb"),
        "run": False,
    }


def bench_build(sizes: Sequence[int], args: argparse.Namespace) -> dict[str, Any]:
    """`rag build` in a child process at the calibration size and each size that fits."""
    maker = TextMaker(args.seed + 2)
    per_file = chunks_per_file(maker)
    log(f"rag build: {per_file:.1f} chunks per synthetic article")
    runs: list[dict[str, Any]] = []
    for size in sorted({BUILD_CALIBRATION, *sizes}):
        if runs:
            guess = build_estimate(runs, size)
            # One run so far: time is near enough proportional to size to decide on.
            est_s = guess["estimated_s"] or runs[-1]["seconds"] * size / runs[-1]["chunks"]
            rss = guess["estimated_peak_rss_mb"]
            log(f"rag build {size}: estimated {est_s:.0f} s, peak RSS {rss or '?'} MB")
            if size > 10_000 and est_s > args.build_budget_s:
                log(f"rag build {size}: not run (over the {args.build_budget_s:.0f} s budget)")
                continue
        files = max(1, round(size / per_file))
        with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
            corpus, index_dir, out = Path(tmp) / "corpus", Path(tmp) / "index", Path(tmp) / "o"
            write_corpus(corpus, files, maker)
            log(f"rag build {size}: {files} articles written; building in a child process")
            cmd = [sys.executable, __file__, "--build-child", str(corpus), str(index_dir)]
            cmd += [str(out), "--build-faiss", args.build_faiss]
            cmd += ["--profile-build"] if args.profile_build else []
            load, parent_mb = list(os.getloadavg()), rss_mb()
            seconds, wait4_mb = run_measured(cmd)
            child = json.loads(out.read_text(encoding="utf-8"))
            peak = child["vm_hwm_mb"]
            corpus_mb = mb(dir_bytes(corpus))
        counts = child["counts"]
        runs.append(
            {
                "size": size,
                "calibration": size not in sizes,
                "articles_files": files,
                "chunks": counts["chunks"],
                "sentences": counts["sentences"],
                "corpus_mb": corpus_mb,
                "seconds": round(seconds, 1),
                "peak_rss_mb": peak,
                # run_measured's figure, at least this process's RSS when it started the
                # child (see vm_hwm_mb): kept to show the difference, not to be used.
                "wait4_maxrss_mb": wait4_mb,
                "parent_rss_at_start_mb": parent_mb,
                "load_avg_at_start": load,
                "index_mb": mb(sum(child["files_bytes"].values())),
                "index_files_mb": {k: mb(v) for k, v in child["files_bytes"].items()},
                "stages_s": child["stages_s"],
                "faiss": args.build_faiss,
                "profiled": args.profile_build,  # pyinstrument slows the build and adds memory
            }
        )
        log(
            f"rag build {size}: {counts['chunks']} chunks in {seconds:.0f} s, "
            f"peak RSS {peak:.0f} MB, index {runs[-1]['index_mb']:.0f} MB"
        )
    done = {r["size"] for r in runs}
    estimates = [build_estimate(runs, n) for n in sorted({*sizes, 1_000_000} - done)]
    return {"runs": runs, "estimates": estimates}


# ---------------------------------------------------------------------------------------------
# Report


def fmt_ms(summary: dict[str, float], key: str) -> str:
    return f"{summary[key]:.2f}" if key in summary else "-"


ESTIMATED = ("estimated_s", "estimated_peak_rss_mb", "estimated_index_mb")


def stage_line(stages: dict[str, float]) -> str:
    """``bm25 6.8 (tokenize 6.2), …``: each stage with its parts."""
    parts = []
    for stage, seconds in stages.items():
        if "/" in stage:
            continue
        inner = [
            f"{k.split('/', 1)[1]} {v:.1f}" for k, v in stages.items() if k.startswith(stage + "/")
        ]
        parts.append(f"{stage} {seconds:.1f}" + (f" ({', '.join(inner)})" if inner else ""))
    return ", ".join(parts)


def markdown(data: dict[str, Any]) -> str:
    out: list[str] = ["## Scale", ""]
    p = data["parameters"]
    if data["dense"]:
        rows = []
        for r in data["dense"]:
            lat, deep = r["latency_ms"], r[f"latency_k{RETRIEVAL_DEPTH}_ms"]
            ef_c = r.get("efConstruction", "-")
            if r.get("ef_construction_reduced_for_budget"):
                ef_c = f"{ef_c}*"
            rows.append(
                [
                    f"{r['size']:,}",
                    r["kind"] + (" (1 thread)" if r["omp_threads"] == 1 else ""),
                    r.get("M", "-"),
                    ef_c,
                    r["ef_search"] or "-",
                    f"{r['build_s']:.1f}",
                    f"{r['index_mb']:.0f}",
                    f"{r['rss_growth_mb']:.0f}",
                    fmt_ms(lat, "p50"),
                    fmt_ms(lat, "p95"),
                    fmt_ms(deep, "p50"),
                    f"{r['recall_at_k']:.3f}",
                ]
            )
        out += [
            f"Dense, through `DenseIndex` ({p['queries']} single-vector queries, "
            f"{p['real_queries']} of them real dev questions; FAISS threads "
            f"{p['faiss_omp_threads']}):",
            "",
            table(
                [
                    "size",
                    "kind",
                    "M",
                    "efC",
                    "efSearch",
                    "build s",
                    "index MB",
                    "RSS Δ MB",
                    f"p50 ms k={p['k']}",
                    "p95 ms",
                    f"p50 ms k={RETRIEVAL_DEPTH}",
                    f"recall@{p['k']}",
                ],
                rows,
            ),
        ]
        if any(r.get("ef_construction_reduced_for_budget") for r in data["dense"]):
            out.append(
                f"\n\\* efConstruction lowered from {p['ef_construction']} to fit the "
                f"{p['hnsw_budget_s']:.0f} s build budget (see the JSON)."
            )
        out.append("")
    if data["bm25"]:
        rows = [
            [
                f"{r['size']:,}",
                f"{r['tokenize_s']:.1f}" + ("†" if r["tokenize_extrapolated"] else ""),
                f"{r['tokenize_chars_per_s'] / 1000:.0f}",
                f"{r['index_s']:.1f}",
                f"{r['index_mb']:.0f}",
                f"{r['rss_growth_mb']:.0f}",
                fmt_ms(r["query_ms"], "p50"),
                fmt_ms(r["query_ms"], "p95"),
                fmt_ms(r["query_scores_ms"], "p50"),
                fmt_ms(r["query_top50_ms"], "p50"),
            ]
            for r in data["bm25"]
        ]
        out += [
            "BM25 (`LexicalIndex.build` = tokenize + bm25s index; a query = tokenize, "
            "`LexicalIndex.scores`, top 50):",
            "",
            table(
                [
                    "size",
                    "tokenize s",
                    "k chars/s",
                    "index s",
                    "index MB",
                    "RSS Δ MB",
                    "query p50 ms",
                    "query p95 ms",
                    "scores p50 ms",
                    "top-50 p50 ms",
                ],
                rows,
            ),
        ]
        vocabulary = max(r["vocabulary"] for r in data["bm25"])
        out.append(
            f"\nThe synthetic text has a seed-sized vocabulary ({vocabulary:,} tokens), so nearly "
            "every chunk matches some question token: posting lists, and the positive scores "
            "the top 50 is sorted from (as `rag.retrieval.retriever` does), are longer than a real "
            "corpus's would be."
        )
        if any(r["tokenize_extrapolated"] for r in data["bm25"]):
            out.append(
                f"\n† extrapolated from {p['tokenize_cap']:,} tokenized chunks, whose token "
                "lists were repeated to the full size for indexing and querying."
            )
        out.append("")
    if data["rag_build"]:
        build = data["rag_build"]
        rows = [
            [
                f"{r['size']:,}" + (" (calibration)" if r["calibration"] else ""),
                f"{r['chunks']:,}",
                f"{r['sentences']:,}",
                f"{r['seconds']:.0f}",
                f"{r['peak_rss_mb']:.0f}",
                f"{r['index_mb']:.0f}",
            ]
            for r in build["runs"]
        ]
        rows += [
            [f"{e['size']:,} (estimate, not run)", "-", "-"]
            + [f"≈{e[k]:,}" if e[k] is not None else "?" for k in ESTIMATED]
            for e in build["estimates"]
        ]
        out += [
            f"`rag build` (`RAG.build` in a child process, synthetic embedder, "
            f"faiss={p['build_faiss']}; estimates on the line through the runs):",
            "",
            table(["size", "chunks", "sentences", "seconds", "peak RSS MB", "index MB"], rows),
            "",
        ]
        if any(r["profiled"] for r in build["runs"]):
            out += ["(profiled with pyinstrument: slower, and more memory, than a plain build)", ""]
        last = build["runs"][-1]
        out += [
            f"Build stages at {last['chunks']:,} chunks (s): {stage_line(last['stages_s'])}.",
            "",
        ]
    g = data.get("extrapolated_1e6")
    if g:
        out += ["Extrapolated to 10^6 chunks (not measured in this run):", ""]
        if "hnsw_build_s" in g:
            out.append(
                f"- dense (from {g['dense_from_size']:,}): HNSW build ≈{g['hnsw_build_s']:,} s "
                f"at efConstruction {g['hnsw_ef_construction']}, HNSW file "
                f"≈{g['hnsw_file_mb']:,} MB, exact file {g['flat_file_mb']:,} MB, exact p50 "
                + ", ".join(f"≈{v} ms on {t} thread(s)" for t, v in g["flat_p50_ms"].items())
            )
        if "bm25_tokenize_s" in g:
            out.append(
                f"- BM25 (from {g['bm25_from_size']:,}): tokenize ≈{g['bm25_tokenize_s']:,} s, "
                f"bm25s index ≈{g['bm25_index_s']:,} s, ≈{g['bm25_index_mb']:,} MB, "
                f"scores p50 ≈{g['bm25_scores_p50_ms']} ms, top-50 p50 ≥{g['bm25_top50_p50_ms']} ms"
            )
        e = g.get("rag_build")
        if e and e["estimated_s"] is not None:
            out.append(
                f"- `rag build`: ≈{e['estimated_s']:,} s, peak RSS "
                f"≈{e['estimated_peak_rss_mb']:,} MB, index ≈{e['estimated_index_mb']:,} MB"
            )
        out.append("")
    out += [f"Goal: {data['goal']['text']} — {data['goal']['verdict']}"]
    return "\n".join(out)


def extrapolate(data: dict[str, Any], size: int) -> dict[str, Any] | None:
    """What `size` would take, from the largest size measured (None when it was measured).

    HNSW build time ∝ n·log n at a fixed efConstruction (from a size below ~5·10^4 this is
    optimistic: there the vectors still sit in the CPU's caches); file sizes, tokenizing,
    bm25s indexing and an exact scan ∝ n; `rag build` on the line through its runs."""
    p = data["parameters"]
    out: dict[str, Any] = {"size": size}
    dense = [r for r in data["dense"] if r["kind"] == "hnsw"]
    if dense:
        s = max(r["size"] for r in dense)
        if s >= size:
            return None
        hnsw = next(r for r in dense if r["size"] == s)
        flat = [r for r in data["dense"] if r["kind"] == "flat" and r["size"] == s]
        runs = [{"size": s, "build_s": hnsw["build_s"], "ef_construction": hnsw["efConstruction"]}]
        out["dense_from_size"] = s
        out["hnsw_build_s"] = round(hnsw_time_model(runs, size, hnsw["efConstruction"]) or 0)
        out["hnsw_ef_construction"] = hnsw["efConstruction"]
        out["hnsw_file_mb"] = round(hnsw["index_mb"] * size / s)
        out["flat_file_mb"] = round(size * p["dim"] * 4 / 2**20)
        out["flat_p50_ms"] = {
            str(r["omp_threads"]): round(r["latency_ms"]["p50"] * size / s, 1) for r in flat
        }
    if data["bm25"]:
        b = max(data["bm25"], key=lambda r: r["size"])
        if b["size"] >= size:
            return None
        scale = size / b["size"]
        out["bm25_from_size"] = b["size"]
        out["bm25_tokenize_s"] = round(b["tokenize_s"] * scale)
        out["bm25_index_s"] = round(b["index_s"] * scale)
        out["bm25_index_mb"] = round(b["index_mb"] * scale)
        out["bm25_scores_p50_ms"] = round(b["query_scores_ms"]["p50"] * scale, 1)
        # Sorting every positive score grows a little faster than n; linear is a floor.
        out["bm25_top50_p50_ms"] = round(b["query_top50_ms"]["p50"] * scale, 1)
    if data["rag_build"]:
        guess = next((e for e in data["rag_build"]["estimates"] if e["size"] == size), None)
        if guess:
            out["rag_build"] = guess
    return out


def goal(data: dict[str, Any]) -> dict[str, Any]:
    """Where the largest measured size stands against the issue's goal (reported, not
    asserted)."""
    text = "10^6 chunks: HNSW single-query p50 ≤ 5 ms with recall@10 ≥ 0.95; index ≤ 2 GB"
    hnsw = [r for r in data["dense"] if r["kind"] == "hnsw"]
    if not hnsw:
        return {"text": text, "verdict": "no HNSW measured"}
    size = max(r["size"] for r in hnsw)
    ok = [r for r in hnsw if r["size"] == size and r["recall_at_k"] >= 0.95]
    best = min(ok, key=lambda r: r["latency_ms"]["p50"]) if ok else None
    index_mb = next(r["index_mb"] for r in hnsw if r["size"] == size)
    if best is None:
        verdict = f"at {size:,}: no efSearch tried reaches recall@10 0.95"
    else:
        verdict = (
            f"at {size:,}: efSearch {best['ef_search']} gives recall@10 {best['recall_at_k']} "
            f"at p50 {best['latency_ms']['p50']} ms; HNSW file {index_mb:.0f} MB"
        )
    builds = data["rag_build"]["estimates"] if data["rag_build"] else []
    whole = next((e for e in builds if e["size"] == 1_000_000), None)
    if whole and whole["estimated_index_mb"] is not None:
        verdict += f"; whole `rag build` index at 10^6 ≈{whole['estimated_index_mb']:,} MB"
    if size < 1_000_000:
        verdict += " (10^6 not measured in this run)"
    return {
        "text": text,
        "largest_size": size,
        "best": best and best["ef_search"],
        "verdict": verdict,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    add = parser.add_argument
    add("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="chunks")
    add("--queries", type=int, default=200, help="81 real dev questions, then perturbed ones")
    add("--k", type=int, default=10, help="recall@k and the timed search's k")
    add("--ef-search", type=int, nargs="+", default=[32, 64, 128, 256, 512])
    add("--hnsw-m", type=int, default=32)
    add("--ef-construction", type=int, default=200, help="requested; see --hnsw-budget-s")
    add("--hnsw-budget-s", type=float, default=900.0, help="lower efC above this estimate")
    add("--tokenize-cap", type=int, default=100_000, help="tokenize at most this many chunks")
    add("--build-budget-s", type=float, default=300.0, help="rag build above 10^4 if it fits")
    add("--build-faiss", choices=["flat", "hnsw"], default="flat", help="rag build's index")
    add("--query-sigma", type=float, default=0.4, help="noise of the perturbed queries")
    add("--parts", nargs="+", choices=["dense", "bm25", "build"], default=PARTS)
    add("--seed", type=int, default=0)
    add(
        "--no-one-thread",
        dest="one_thread",
        action="store_false",
        help="skip timing exact search again on one OpenMP thread",
    )
    add("--profile-build", action="store_true", help="print a pyinstrument profile per build")
    parser.add_argument(
        "--build-child", nargs=3, metavar=("CORPUS", "INDEX", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.build_child:
        corpus, index_dir, out = args.build_child
        build_child(corpus, index_dir, out, args.build_faiss, args.profile_build)
        return

    import faiss

    sizes = sorted(set(args.sizes))
    base = Base.load()
    rng = np.random.default_rng(args.seed)
    queries, real = (
        query_vectors(base, args.queries, args.query_sigma, args.seed + 3)
        if "dense" in args.parts
        else (np.zeros((0, DIM), dtype=np.float32), 0)
    )
    parameters = {
        **{k: v for k, v in vars(args).items() if k != "build_child"},
        "sizes": sizes,
        "real_queries": real,
        "faiss_omp_threads": faiss.omp_get_max_threads(),
        "sigma": SIGMA,
        "mix_low": MIX_LOW,
        "base_vectors": len(base.vectors),
        "dim": DIM,
        "retrieval_depth": RETRIEVAL_DEPTH,
        "hnsw_ef_search_at_build": 128,
    }
    synthetic: dict[str, Any] = {"real": cos_spread(base.vectors, 2000, rng)}
    data: dict[str, Any] = {
        "parameters": parameters,
        "synthetic": synthetic,
        "dense": [],
        "bm25": [],
        "rag_build": None,
        "timings_s": {},
    }
    hnsw_runs: list[dict[str, Any]] = []
    sample: Tokenized | None = None
    for size in sizes if {"dense", "bm25"} & set(args.parts) else []:
        size_started = time.perf_counter()
        if "dense" in args.parts:
            log(f"dense {size}: drawing vectors")
            x = synthetic_vectors(base, size, args.seed + size)
            synthetic[str(size)] = cos_spread(x, 2000, rng)
            data["dense"] += bench_dense(size, x, queries, args, hnsw_runs)
            del x
            gc.collect()
        if "bm25" in args.parts:
            record, sample = bench_bm25(size, args, sample)
            data["bm25"].append(record)
        data["timings_s"][str(size)] = round(time.perf_counter() - size_started, 1)
        log(f"size {size}: dense and bm25 took {data['timings_s'][str(size)]:.0f} s")
    sample = None  # token lists of 10^5 chunks: over a gigabyte of Python strings
    gc.collect()
    if "build" in args.parts:
        started = time.perf_counter()
        data["rag_build"] = bench_build(sizes, args)
        data["timings_s"]["rag_build"] = round(time.perf_counter() - started, 1)
    data["timings_s"]["total"] = round(time.perf_counter() - STARTED, 1)
    data["peak_rss_mb"] = peak_rss_mb()
    data["extrapolated_1e6"] = extrapolate(data, 1_000_000)
    data["goal"] = goal(data)
    save("scale", data, markdown(data))


if __name__ == "__main__":
    main()
