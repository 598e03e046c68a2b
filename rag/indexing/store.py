"""The index on disk: one folder per build, swapped in atomically.

``index/default`` is a symbolic link to a generation folder beside it
(``index/.default.gen-<time>-<random>``) holding the files `index/README.md` describes: the
manifest (versions, settings, counts, every file's size and SHA-256), the cleaned documents and
their raw offsets, the chunks, their vectors (FAISS; and milvus-lite's database when the
vectors are on Milvus in the index), every sentence with its vector, BM25 token ids and marked
spans, the bm25s index, and the English lookup.

A build writes a new generation (each file fsynced, the manifest last), then replaces the link
in one rename: a crash at any point leaves the previous index whole. Opening verifies the
manifest and every file's size and checksum.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from rag.indexing.bilingual import TermLookup
from rag.indexing.dense import DenseIndex
from rag.indexing.embedders.base import Vectors
from rag.indexing.lexical import LexicalIndex
from rag.indexing.sentence_table import (
    SENTENCE_ROWS,
    SentenceFeatures,
    SentenceRef,
    SentenceTable,
    load_rows,
    save_rows,
)
from rag.indexing.vector_files import QuantizedVectors
from rag.indexing.vector_store import MilvusStore, VectorStore, checksummed, open_store
from rag.records import Article, Chunk, Document, Paragraph
from rag.text import OffsetMap

FORMAT_VERSION = 6
# 4 kept every character's raw offset (raw_offsets.npy); 4 and 5 float16 sentence vectors
READABLE_VERSIONS = (4, 5, 6)
LOOKUP = "english_terms.json"
SENTENCE_VECTORS = "sentence_vectors.npy"  # uint8 codes from format 6 (float16 in 4 and 5)
SENTENCE_RANGES = "sentence_ranges.npy"  # format 6: the codes' per-dimension (low, step)
RAW_RUNS = "raw_runs.npy"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class StoredIndex:
    """Everything an opened index holds."""

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: list[Chunk]
    embed_keys: list[str]
    dense: VectorStore
    lexical: LexicalIndex
    sentences: SentenceTable
    lookup: TermLookup


def _rebuild_hint(path: Path) -> str:
    return f"run `rag build <corpus folder> --index {path}` to build it again"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_index(
    path: Path,
    documents: list[Document],
    chunks: list[Chunk],
    embed_keys: list[str],
    dense: DenseIndex,
    lexical: LexicalIndex,
    sentences: SentenceTable,
    lookup: TermLookup,
    manifest: dict[str, Any],
    sentence_vectors: tuple[Path, Path],
    vector_store: Callable[[Path], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write a new generation and swap `path` to it. Returns the manifest as written.
    `sentence_vectors` are the files the build wrote them to, codes and ranges (see
    `quantize_file`), on this filesystem: they are moved into the generation.
    `vector_store(generation folder)` fills Milvus and gives the manifest's ``vector_store``."""
    path = Path(path)
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_symlink():
        if not (path / MANIFEST).exists() and any(path.iterdir()):
            raise IndexMismatchError(
                f"{path} exists and is not an index: choose another --index folder or remove it"
            )
        path.rename(parent / f".{path.name}.gen-replaced-{os.getpid()}")
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    gen = parent / f".{path.name}.gen-{stamp}"
    gen.mkdir()
    try:
        starts = np.cumsum([0] + [len(doc.raw_map.starts) for doc in documents])
        _write_jsonl(
            gen / "documents.jsonl",
            (
                {
                    "id": doc.id,
                    "encoding": doc.encoding,
                    "raw_runs": [int(start), int(start) + len(doc.raw_map.starts)],
                    "text": doc.text,
                    "raw": None if doc.raw == doc.text else doc.raw,  # a clean file: once
                    "articles": [asdict(a) for a in doc.articles],
                    "paragraphs": [asdict(p) for p in doc.paragraphs],
                }
                for doc, start in zip(documents, starts[:-1], strict=True)
            ),
        )
        runs = np.empty((2, int(starts[-1])), dtype=np.int32)  # cleaned start, raw offset
        for doc, start in zip(documents, starts[:-1], strict=True):
            runs[:, start : start + len(doc.raw_map.starts)] = (
                doc.raw_map.starts,
                doc.raw_map.raws,
            )
        np.save(gen / RAW_RUNS, runs)
        _write_jsonl(
            gen / "chunks.jsonl",
            (  # no text: it is the document's, from start to end
                {k: v for k, v in asdict(c).items() if k != "text"} | {"embed_key": key}
                for c, key in zip(chunks, embed_keys, strict=True)
            ),
        )
        dense.save(gen / "vectors.faiss")
        save_rows(gen / SENTENCE_ROWS, sentences, [doc.id for doc in documents])
        os.replace(sentence_vectors[0], gen / SENTENCE_VECTORS)
        os.replace(sentence_vectors[1], gen / SENTENCE_RANGES)
        sentences.features.save(gen / "sentence_features.npz")
        lexical.save(gen / "bm25")
        lookup.save(gen / LOOKUP)
        if vector_store is not None:  # milvus-lite's database may be in `gen`
            manifest = {**manifest, "vector_store": vector_store(gen)}
        files = sorted(p for p in gen.rglob("*") if checksummed(p, gen))
        for file in files:
            _fsync(file)
        manifest = {
            **manifest,
            "format_version": FORMAT_VERSION,
            "files": {
                p.relative_to(gen).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
                for p in files
            },
        }
        (gen / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        _fsync(gen / MANIFEST)
        _fsync(gen / "bm25")
        _fsync(gen)
        link = parent / f".{path.name}.link-{os.getpid()}"
        link.unlink(missing_ok=True)
        os.symlink(gen.name, link)
        os.replace(link, path)  # the one atomic step: readers see the old or the new index
        _fsync(parent)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    for old in parent.glob(f".{path.name}.gen-*"):
        if old != gen:
            shutil.rmtree(old, ignore_errors=True)
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the index at `path`, checked for presence and format version."""
    path = Path(path)
    if not path.exists():
        raise IndexNotFoundError(
            f"no index at {path}: run `rag build <corpus folder> --index {path}` first"
        )
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise IndexCorruptError(
            f"{manifest_path} is missing, so the index is incomplete: {_rebuild_hint(path)}"
        )
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{manifest_path} is corrupt: {_rebuild_hint(path)}") from exc
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS:
        raise IndexMismatchError(
            f"{path} has index format {version}, this version reads format {FORMAT_VERSION}: "
            f"{_rebuild_hint(path)}"
        )
    return manifest


def verify_files(path: Path, manifest: dict[str, Any]) -> None:
    """Check every file the manifest lists: present, same size, same SHA-256."""
    for name, meta in manifest.get("files", {}).items():
        file = path / name
        if not file.is_file():
            raise IndexCorruptError(f"{file} is missing: {_rebuild_hint(path)}")
        size = file.stat().st_size
        if size != meta["bytes"]:
            raise IndexCorruptError(
                f"{file} is truncated or altered ({size} bytes, {meta['bytes']} expected): "
                f"{_rebuild_hint(path)}"
            )
        if _sha256(file) != meta["sha256"]:
            raise IndexCorruptError(
                f"{file} does not match its checksum (altered since the build): "
                f"{_rebuild_hint(path)}"
            )


def _raw_maps(path: Path, manifest: dict[str, Any]) -> Callable[[dict[str, Any]], OffsetMap]:
    """Each document row's offset map: from the runs (format 5), or from format 4's offset of
    every character, made into runs as it is read."""
    if RAW_RUNS not in manifest["files"]:
        offsets = np.load(path / "raw_offsets.npy")
        return lambda row: OffsetMap.of(
            offsets[row["raw_pos_start"] : row["raw_pos_start"] + len(row["text"])]
        )
    starts, raws = np.load(path / RAW_RUNS)
    return lambda row: OffsetMap(
        starts[slice(*row["raw_runs"])], raws[slice(*row["raw_runs"])], len(row["text"])
    )


def read_index(path: Path, embedder_name: str | None = None) -> StoredIndex:
    """Open and verify the index at `path`.

    Args:
        embedder_name: when given, the embedder the caller will query with; an index built
            with another one is refused (its vectors would be meaningless).
    """
    path = Path(path)
    manifest = read_manifest(path)
    built_with = manifest["embedder"]["name"]
    if embedder_name is not None and embedder_name != built_with:
        raise IndexMismatchError(
            f"{path} was built with embedder {built_with!r}, not {embedder_name!r}: "
            f"open it with {built_with!r}, or run `rag build <corpus folder> --index {path} "
            f"--embedder {embedder_name}`"
        )
    verify_files(path, manifest)
    raw_maps = _raw_maps(path, manifest)
    documents: dict[str, Document] = {}
    for row in read_jsonl(path / "documents.jsonl"):
        documents[row["id"]] = Document(
            id=row["id"],
            raw=row["text"] if row["raw"] is None else row["raw"],
            text=row["text"],
            articles=tuple(
                Article(a["headline"], a["kicker"], a["byline"], tuple(map(tuple, a["parts"])))
                for a in row["articles"]
            ),
            paragraphs=tuple(Paragraph(**p) for p in row["paragraphs"]),
            raw_map=raw_maps(row),
            encoding=row["encoding"],
        )
    rows = read_jsonl(path / "chunks.jsonl")
    embed_keys = [row.pop("embed_key") for row in rows]
    chunks = [
        Chunk(**row)
        if "text" in row  # format 4 kept each chunk's text
        else Chunk(**row, text=documents[row["doc"]].text[row["start"] : row["end"]])
        for row in rows
    ]
    dense = open_store(path, manifest.get("vector_store"), len(chunks))
    lexical = LexicalIndex.load(path / "bm25")
    if (path / SENTENCE_ROWS).exists():
        refs, keys = load_rows(path / SENTENCE_ROWS, list(documents))
    else:  # formats 4 and 5
        rows = read_jsonl(path / "sentences.jsonl")
        refs = [SentenceRef(r["doc"], r["start"], r["end"]) for r in rows]
        keys = [r["embed_key"] for r in rows]
    # on Milvus, the sentence vectors are read there; the file stays as a rebuild's cache
    sentences = SentenceTable(
        refs,
        keys,
        dense.sentence_vectors(len(refs), path)
        if isinstance(dense, MilvusStore) and dense.sentences is not None
        else open_sentence_vectors(path),
        SentenceFeatures.load(path / "sentence_features.npz"),
    )
    if dense.size != len(chunks) or lexical.size != len(chunks):
        raise IndexCorruptError(
            f"{path} holds {len(chunks)} chunks but {dense.size} vectors and {lexical.size} "
            f"BM25 rows: {_rebuild_hint(path)}"
        )
    if not len(sentences.vectors) == len(sentences.features) == len(sentences.refs):
        raise IndexCorruptError(
            f"{path} holds {len(sentences.refs)} sentences but {len(sentences.vectors)} "
            f"sentence vectors and {len(sentences.features)} feature rows: {_rebuild_hint(path)}"
        )
    try:
        lookup = TermLookup.load(path / LOOKUP)
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"{path / LOOKUP} is corrupt: {_rebuild_hint(path)}") from exc
    return StoredIndex(
        path, manifest, documents, chunks, embed_keys, dense, lexical, sentences, lookup
    )


def open_sentence_vectors(path: Path) -> Vectors | QuantizedVectors:
    """The sentence vectors of the index at `path`, memory-mapped: 8-bit codes from format 6,
    the float16 matrix of formats 4 and 5."""
    if (path / SENTENCE_RANGES).exists():
        return QuantizedVectors.load(path / SENTENCE_VECTORS, path / SENTENCE_RANGES)
    vectors: Vectors = np.load(path / SENTENCE_VECTORS, mmap_mode="r")
    return vectors
