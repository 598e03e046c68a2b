"""Scale: FAISS exact vs HNSW, BM25, and `rag build` on synthetic corpora of 10^4 to 10^6 chunks.

What it measures, at each size N (``--sizes``); each part's module says how:

- dense (`scale_dense`), through `rag.indexing.dense.DenseIndex` (the service's wrapper): exact
  search and HNSW, build seconds, file size, RSS growth, single-query latency at k=10 and
  k=50, HNSW's recall@10 against exact search for several efSearch values; an efConstruction
  lowered at a size where the requested one would not fit ``--hnsw-budget-s``;
- BM25 (`scale_bm25`): jieba tokenization and bm25s indexing, timed apart, the index's size,
  and query latency split into tokenize, scores and top-50 (tokenizing capped at
  ``--tokenize-cap`` documents, above which it is extrapolated);
- `rag build` (`scale_build`): the real `RAG.build` pipeline in a child process on synthetic
  articles, with a synthetic embedder: wall seconds, peak RSS and time by stage, at a
  calibration size and the sizes that fit ``--build-budget-s``, estimated at the others.

The data (`scale_data`) are drawn around the seed index: vectors around its real e5 vectors,
queries from the dev questions, text recombined from its sentences' clauses. The report
(`scale_report`) marks what is extrapolated rather than measured, and sets the largest size
against the goal. The load average is recorded with each timing: on a 2-core machine other
work moves single-query latencies by several times.

    .venv/bin/python benchmarks/bench_scale.py                       # 10^4, 10^5, 10^6
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000 100000  # quicker
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

import numpy as np
from common import peak_rss_mb, save
from scale_bm25 import Tokenized, bench_bm25
from scale_build import bench_build, build_child
from scale_data import (
    DIM,
    MIX_LOW,
    RETRIEVAL_DEPTH,
    SIGMA,
    STARTED,
    Base,
    cos_spread,
    log,
    query_vectors,
    synthetic_vectors,
)
from scale_dense import bench_dense
from scale_report import extrapolate, goal, markdown

PARTS = ["dense", "bm25", "build"]


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
    add("--build-codes", choices=["float32", "sq8"], default="float32", help="its vectors")
    add("--dense-codes", choices=["float32", "sq8"], default="float32", help="HNSW's vectors")
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
        build_child(corpus, index_dir, out, args.build_faiss, args.build_codes, args.profile_build)
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
