"""Vectors written a block at a time: each distinct text embedded once, the cache's vectors
copied, rows in the keys' order, read back by row ranges without a memory map."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rag import RAG, Embedder, get_embedder
from rag.corpus.documents import load_documents
from rag.indexing import vector_files
from rag.indexing.build import embed_key
from rag.indexing.vector_files import (
    SENTENCE_DTYPE,
    EmbeddingCache,
    QuantizedVectors,
    VectorFile,
    quantize_file,
    write_vectors,
)
from tests.conftest import SEEDS

TEXTS = ["蓬江区有多少支家庭医生团队？", "登革热", "江门市中心医院", "登革热", "眼科", "家庭医生"]


class Counting:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seen: list[str] = []
        self.name, self.dim = inner.name, inner.dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.seen += list(texts)
        return self.inner.encode_passages(texts)


@pytest.fixture(scope="module")
def model() -> Embedder:
    return get_embedder("e5-small-q4")


@pytest.mark.parametrize("block", [2, 4, 100])
def test_each_text_is_embedded_once_and_rows_follow_the_keys(
    model: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(vector_files, "BLOCK", block)
    counting = Counting(model)
    cache = EmbeddingCache()
    held = model.encode_passages(["江门市中心医院"])
    cache.add([embed_key(model.name, "江门市中心医院")], held)
    keys = [embed_key(model.name, t) for t in TEXTS]
    path = tmp_path / "v.npy"
    embedded = write_vectors(path, keys, TEXTS, cache, counting, np.float32)
    # 登革热 twice (in one block or two), 江门市中心医院 from the cache: 4 texts embedded
    assert embedded == 4 and sorted(counting.seen) == sorted(set(TEXTS) - {"江门市中心医院"})
    stored = np.load(path)
    assert stored.shape == (len(TEXTS), model.dim) and stored.dtype == np.float32
    expected = model.encode_passages(TEXTS)
    assert np.allclose(stored, expected, atol=1e-6)
    file = VectorFile(path)
    assert len(file) == len(TEXTS) and np.array_equal(file[2:5], stored[2:5])
    assert np.array_equal(file[:], stored) and np.array_equal(file.memory_map(), stored)


def test_half_precision_vectors_keep_their_cosines(model: Embedder, tmp_path: Path) -> None:
    keys = [embed_key(model.name, t) for t in TEXTS]
    path = tmp_path / "s.npy"
    write_vectors(path, keys, TEXTS, EmbeddingCache(), model, SENTENCE_DTYPE)
    half = VectorFile(path)
    assert half.dtype == np.float16
    query = model.encode_queries(["家庭医生团队有多少"])[0]
    exact = model.encode_passages(TEXTS) @ query
    assert np.abs(half[:] @ query - exact).max() < 1e-3


def test_eight_bit_codes_keep_cosines_and_the_order_of_sentences(
    model: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_files, "BLOCK", 4)  # ranges and codes over several blocks
    sentences = [s for s in "。".join(TEXTS * 3).split("。")] + ["鹤山市卫生健康局局长罗超华"]
    keys = [embed_key(model.name, t) for t in sentences]
    write_vectors(tmp_path / "s.npy", keys, sentences, EmbeddingCache(), model, np.float32)
    quantize_file(tmp_path / "s.npy", tmp_path / "c.npy", tmp_path / "r.npy")
    codes = QuantizedVectors.load(tmp_path / "c.npy", tmp_path / "r.npy")
    assert codes.codes.dtype == np.uint8 and codes.shape == (len(sentences), model.dim)
    exact = np.load(tmp_path / "s.npy")
    for question in ["家庭医生团队有多少", "Who heads the Heshan health bureau?"]:
        query = model.encode_queries([question])[0]
        assert np.abs(codes[:] @ query - exact @ query).max() < 1e-3
        assert np.argmax(codes[:] @ query) == np.argmax(exact @ query)
    assert np.array_equal(codes[[3, 1]], codes[:][[3, 1]])  # rows read as a memory map
    with pytest.raises(ValueError, match="do not match ranges"):
        QuantizedVectors(codes.codes, codes.low[:3], codes.step)


def test_a_built_index_keeps_eight_bit_sentence_vectors_and_no_staging(
    seed_rag: RAG, seed_index_dir: Path
) -> None:
    vectors = seed_rag.index.sentences.vectors
    assert isinstance(vectors, QuantizedVectors) and isinstance(vectors.codes, np.memmap)
    # a byte a dimension (float16 took two)
    assert (seed_index_dir / "sentence_vectors.npy").stat().st_size < 400 * len(vectors)
    assert not list(seed_index_dir.parent.glob(f".{seed_index_dir.name}.staging-*"))
    # raw offsets are an int32 array per document, read back equal to the cleaner's own
    for doc in load_documents(SEEDS):
        opened = seed_rag.documents[doc.id]
        assert opened.raw_pos.dtype == np.int32 and len(opened.raw_pos) == len(opened.text)
        assert np.array_equal(opened.raw_pos, doc.raw_pos)
