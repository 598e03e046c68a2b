"""Scale benchmark, dense part: FAISS exact vs HNSW through `rag.indexing.dense.DenseIndex`
(a library of `bench_scale.py`).

At each size N: exact search (``IndexFlatIP``) and HNSW (``IndexHNSWFlat``, or with
``--dense-codes sq8`` ``IndexHNSWSQ`` at 8 bits a dimension; inner product; M,
efConstruction as given, default the settings' 32 and 200), through the service's wrapper:
build seconds, saved-file size, RSS growth, single-query latency p50/p95 (one query vector per
call, as the service does; FAISS's OpenMP threads left at its default) at k=10 and at k=50 (the
service's retrieval depth), and HNSW's recall@10 against exact search, for several efSearch
values. Exact search is timed again on one OpenMP thread (``--no-one-thread`` skips it): it
splits a single query's scan across threads, which on a busy machine costs more than it saves.
The HNSW build time at each size is estimated first (∝ n·log n from the largest size built so
far, or from a 50 000-vector slice); when it is over ``--hnsw-budget-s``, the largest cheaper
efConstruction that fits (calibrated on a 20 000-vector slice, not below max(M, 40)) is used at
that size, and recorded.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from common import summary_ms
from scale_data import RETRIEVAL_DEPTH, WARMUP, Vectors, log, mb, rss_mb, watch

HNSW_SLICE = 50_000  # vectors built first to estimate a large HNSW build
FLAT_DEPTH_QUERIES = 50  # exact search is timed at k=50 on this many queries only


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
                x,
                "hnsw",
                codes=args.dense_codes,
                hnsw_m=args.hnsw_m,
                ef_construction=ef_c,
                ef_search=128,
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
                    "codes": args.dense_codes,
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
