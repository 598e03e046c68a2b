"""Scale benchmark, shared part: synthetic vectors and text drawn around the seed index, and
the progress, memory and file-size helpers of the other ``scale_*`` modules (a library of
`bench_scale.py`).

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
"""

from __future__ import annotations

import hashlib
import random
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from common import ROOT, dev_questions
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

SEED_INDEX = ROOT / "index" / "default"
SEED_EMBEDDER = "e5-small-q4"
DIM = 384
SIGMA = 0.6  # noise scale that reproduces the real pairwise-cosine spread (see docstring)
MIX_LOW = 0.5  # a is drawn from [MIX_LOW, 1]: every vector leans towards one real vector
CHUNK_CHARS = 200  # a BM25 chunk takes sentences until this long: ≈220 characters on average
FILE_CHARS = 3000  # body characters of one synthetic article: ≈20 chunks
RETRIEVAL_DEPTH = 50  # candidates retrieval takes from each side (Settings.depth)
WARMUP = 10  # untimed queries before each timed pass (caches, page faults, OpenMP threads)

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
        from rag.indexing.reuse import read_reusable

        cache = read_reusable(SEED_INDEX, SEED_EMBEDDER).vectors
        if not len(cache):
            sys.exit(f"no {SEED_EMBEDDER} vectors in {SEED_INDEX}: run `rag build` first")
        # Sorted keys: the same base rows in the same order every run, so seeds reproduce.
        vectors = cache.take(sorted(cache.keys()), DIM).astype(np.float32)
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
    """The `rag.indexing.embedders.base.Embedder` protocol without a model: each text's vector
    is drawn, as above, from a generator seeded by a hash of the text (the same text, the same
    vector)."""

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
