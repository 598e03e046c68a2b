"""BM25 on Milvus against the project's bm25s, on the gold set (issue 17: which BM25 for a
Milvus deployment, and why).

Both rank the chunks of ``index/default`` as the index keyword-indexes them (headline and
section before the text). Three BM25s, each alone (no dense side, one hop), over the
answerable items of the train and dev splits:

* ``bm25s``: the project's (jieba search mode, stopwords dropped, number tokens added; English
  questions searched by their Chinese terms, `Question.search_tokens`);
* ``milvus (question)``: Milvus's built-in BM25 function over a ``jieba`` analyzer, given the
  question as asked (what a client of a Milvus collection would send);
* ``milvus (our tokens)``: the same collection, given the project's search tokens joined by
  spaces (what our query reading would send it).

Reported: hit@1, hit@5 and MRR@10 of the evidence (the evaluation's own `evidence_rank`), by
language, and the search's p50 latency. A milvus-lite database in a temporary folder.

    .venv/bin/python benchmarks/milvus_bm25.py [--index index/default]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ROOT, save, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=ROOT / "index" / "default")
    args = parser.parse_args()

    from pymilvus import DataType, Function, FunctionType, MilvusClient

    from rag.api import RAG
    from rag.corpus.chunking import ChunkerConfig, index_text
    from rag.evaluation.gold import load_gold
    from rag.evaluation.runner import evidence_rank
    from rag.records import Hit, Question

    rag = RAG.open(args.index)
    chunker = ChunkerConfig(**rag.manifest["chunker"])
    texts = [index_text(c, chunker) for c in rag.chunks]
    folder = tempfile.mkdtemp(prefix="milvus-bm25-")
    client = MilvusClient(str(Path(folder) / "bm25.db"))
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field(
        "text",
        DataType.VARCHAR,
        max_length=65535,
        enable_analyzer=True,
        analyzer_params={"tokenizer": "jieba"},
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["text"],
            output_field_names=["sparse"],
        )
    )
    params = client.prepare_index_params()
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection("chunks", schema=schema, index_params=params)
    started = time.perf_counter()
    client.insert("chunks", [{"id": i, "text": t} for i, t in enumerate(texts)])
    client.flush("chunks")
    client.load_collection("chunks")
    build_s = time.perf_counter() - started

    def milvus(query: str) -> list[Hit]:
        found = client.search(
            "chunks", data=[query], anns_field="sparse", limit=10, output_fields=["id"]
        )
        return [Hit.of(rag.chunks[int(h["id"])], float(h["distance"]), 0.0, 0.0) for h in found[0]]

    items = [
        i
        for split in ("train", "dev")
        for i in load_gold(ROOT / "eval" / f"{split}.jsonl")
        if i.answerable
    ]
    vectors: dict[str, Any] = {}  # bm25 mode still reports cosines: embedded untimed

    def ours(read: Question) -> list[Hit]:
        return rag.retriever.search(read, 10, "bm25", qvec=vectors[read.text])

    engines: dict[str, Callable[[Question], list[Hit]]] = {
        "bm25s": ours,
        "milvus (question)": lambda read: milvus(read.text),
        "milvus (our tokens)": lambda read: milvus(" ".join(read.search_tokens)),
    }
    ranks: dict[str, dict[str, list[int | None]]] = defaultdict(lambda: defaultdict(list))
    times: dict[str, list[float]] = defaultdict(list)
    for item in items:
        read = rag.analyse(item.question)
        vectors[read.text] = rag.retriever.embed_query(read)
        for name, engine in engines.items():
            t = time.perf_counter()
            hits = engine(read)
            times[name].append(time.perf_counter() - t)
            rank = evidence_rank(hits, item)
            ranks[name]["all"].append(rank)
            ranks[name][item.lang].append(rank)

    def rate(rs: list[int | None], k: int) -> float:
        return round(sum(r is not None and r <= k for r in rs) / len(rs), 3)

    def mrr(rs: list[int | None]) -> float:
        return round(sum(1 / r for r in rs if r) / len(rs), 3)

    rows: list[list[Any]] = []
    for name in engines:
        by = ranks[name]
        p50 = sorted(times[name])[len(times[name]) // 2] * 1000
        rows.append(
            [
                name,
                rate(by["all"], 1),
                rate(by["all"], 5),
                mrr(by["all"]),
                rate(by["zh"], 5),
                rate(by["en"], 5),
                round(p50, 2),
            ]
        )
    markdown = "\n\n".join(
        [
            f"### BM25 on Milvus against bm25s: {len(items)} answerable train + dev items, "
            f"{len(texts)} chunks (Milvus insert, flush and load {build_s:.1f} s)",
            table(
                ["BM25", "hit@1", "hit@5", "MRR@10", "hit@5 zh", "hit@5 en", "p50 ms (search)"],
                rows,
            ),
        ]
    )
    save("milvus-bm25", {"items": len(items), "rows": rows}, markdown)


if __name__ == "__main__":
    main()
