"""Scale benchmark, report part: the Markdown tables, the extrapolation to 10^6 chunks, and
where the largest size stands against the goal (a library of `bench_scale.py`).

Sizes whose numbers are extrapolated, not measured, say so in the JSON and the tables; so does
an efConstruction lowered for the budget.
"""

from __future__ import annotations

from typing import Any

from common import table
from scale_data import RETRIEVAL_DEPTH
from scale_dense import hnsw_time_model


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
            "the top 50 is sorted from (as `rag.retrieval.fusion` does), are longer than a real "
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
