"""Scale benchmark, `rag build` part: the real pipeline in a child process, and estimates for
the sizes not run (a library of `bench_scale.py`, whose hidden ``--build-child`` runs
`build_child`).

The real `RAG.build` pipeline (load, clean, chunk, embed, BM25, sentence features, FAISS,
write) in a child process, on a folder of synthetic articles, with an embedder that draws
vectors instead of running the model (the model embeds ≈6 passages a second here). Wall seconds
(`run_measured`) and the child's peak RSS (its VmHWM: see `common.vm_hwm_mb` for why not
wait4's) per size, with the time split by stage (``--profile-build`` prints a pyinstrument
profile of each build). It runs at a calibration size of 2 000 chunks and at the sizes up to
10^4, and at larger ones only when the line through those runs says it fits
``--build-budget-s``; otherwise, and for 10^6, it prints the estimate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from functools import wraps
from pathlib import Path
from typing import Any

import numpy as np
from common import run_measured, vm_hwm_mb
from scale_data import Base, SyntheticEmbedder, TextMaker, dir_bytes, log, mb, rss_mb, write_corpus

BUILD_CALIBRATION = 2000  # chunks in the smallest `rag build`, for a line through two sizes
ENTRY = Path(__file__).with_name("bench_scale.py")  # the script whose --build-child runs it


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


def build_child(
    corpus: str, index_dir: str, out: str, faiss_kind: str, codes: str, profile: bool
) -> None:
    """One `RAG.build` in this (child) process; its report and stage times go to `out`."""
    from rag.api import RAG
    from rag.indexing import build as build_module
    from rag.indexing import lexical, sentence_table
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
        _timed(build_module, name, stages, label)
    _timed(LexicalIndex, "build", stages, "bm25")
    _timed(DenseIndex, "build", stages, "faiss")
    # Inside the two above ("/" marks a part of a stage):
    _timed(lexical, "tokenize", stages, "bm25/tokenize")
    _timed(sentence_table, "tokenize", stages, "sentence features/tokenize")
    _timed(sentence_table, "marks", stages, "sentence features/marks (posseg)")
    embedder = SyntheticEmbedder(Base.load())
    settings = Settings.model_validate({"faiss_index": faiss_kind, "faiss_codes": codes})
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
            cmd = [sys.executable, str(ENTRY), "--build-child", str(corpus), str(index_dir)]
            cmd += [str(out), "--build-faiss", args.build_faiss, "--build-codes", args.build_codes]
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
                "faiss_codes": args.build_codes,
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
