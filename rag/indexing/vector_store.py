"""Where the chunk vectors are searched: FAISS files (the default) or a Milvus collection.

Both answer the same small Protocol, `VectorStore`: the best rows for a query vector with
their cosines, and the vectors of given rows (every hit reports its cosine). Retrieval,
answers and citations are the same on either; `RAG_VECTOR_STORE` chooses.

**Milvus** through `pymilvus` (``pip install '.[milvus]'``): a URI that is a local path runs
milvus-lite inside the process; ``http://host:19530`` reaches a Milvus standalone or cluster
with the same code. By default (`RAG_MILVUS_URI` unset) the milvus-lite database lives inside
the index's generation folder (``milvus.db``), so it is swapped in with the rest of the index
(milvus-lite admits one process per database file: a rebuild beside a running server writes
its own). A build fills a **new** collection, ``rag_<index name>_<stamp>``, and only after the
index folder is swapped points the alias ``rag_<index name>`` at it (Milvus aliases): a reader
opens the collection its manifest names, so it never sees half an index, and clients that
query the alias switch at once. The collection before is kept (a server that has not reloaded
still reads it); older ones are dropped. The sentence vectors the answerer scores live in a
second collection beside it (``<collection>_sentences``, fetched by row for the top passages);
the index folder keeps its own copies of both as the next rebuild's embedding cache.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.errors import ConfigError, IndexCorruptError
from rag.indexing.dense import DenseIndex
from rag.indexing.embedders.base import Vectors
from rag.indexing.vector_files import QuantizedVectors, VectorFile

LITE_FOLDER = "milvus.db"  # inside a generation folder, when no URI is given
SENTENCES = "_sentences"  # the sentence vectors' collection: the chunks' name and this
BATCH = 2000  # rows per insert


class VectorStore(Protocol):
    """The chunk vectors of one index; row i is chunk i."""

    @property
    def size(self) -> int: ...

    @property
    def dim(self) -> int: ...

    def set_ef_search(self, ef_search: int) -> None: ...

    def set_threads(self, threads: int | None) -> None: ...

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """``(row, cosine)`` best first for one query vector."""
        ...

    def vectors(self, rows: list[int] | None = None) -> Vectors:
        """The stored vectors (all, or the given rows, in that order)."""
        ...


def alias_for(index_dir: Path) -> str:
    """The Milvus alias of the index at `index_dir` (``index/default`` → ``rag_default``)."""
    return "rag_" + re.sub(r"\W", "_", Path(index_dir).name)


def local(uri: str) -> bool:
    return "://" not in uri


def _client(uri: str) -> Any:
    """A client for `uri`. milvus-lite runs one server per database path in a process and
    locks the path against others: the same path always spelt the same way (resolved, through
    the index's link) shares that server."""
    if local(uri):
        uri = str(Path(uri).resolve())
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise ConfigError(
            "RAG_VECTOR_STORE=milvus needs pymilvus: pip install '.[milvus]' "
            "(or set RAG_VECTOR_STORE=faiss)"
        ) from exc
    return MilvusClient(uri)


class MilvusStore:
    """Chunk vectors in one Milvus collection (see the module docstring)."""

    def __init__(self, client: Any, uri: str, collection: str, size: int, dim: int) -> None:
        self.client = client
        self.uri = uri
        self.collection = collection
        self.sentences: str | None = None  # the sentence vectors' collection, if any
        self._size = size
        self._dim = dim

    @property
    def size(self) -> int:
        return self._size

    @property
    def dim(self) -> int:
        return self._dim

    def set_ef_search(self, ef_search: int) -> None:
        """Nothing to set: the collection's index is exact (FLAT, inner product)."""

    def set_threads(self, threads: int | None) -> None:
        """Nothing to set: Milvus runs its own threads."""

    @classmethod
    def fill(
        cls,
        uri: str,
        alias: str,
        vectors: Vectors | VectorFile,
        sentence_vectors: Vectors | VectorFile | QuantizedVectors | MilvusRows | None = None,
    ) -> MilvusStore:
        """A new collection holding `vectors` (row i as id i), and beside it, when given, one
        of the `sentence_vectors` the answerer reads (``<collection>_sentences``), loaded and
        ready; the alias is not moved yet (`publish`)."""
        client = _client(uri)
        name = f"{alias}_{time.strftime('%Y%m%dT%H%M%S')}_{secrets.token_hex(3)}"
        _create_filled(client, name, vectors)
        store = cls(client, uri, name, len(vectors), int(vectors.shape[1]))
        if sentence_vectors is not None:
            try:
                _create_filled(client, f"{name}{SENTENCES}", sentence_vectors)
            except BaseException:
                client.drop_collection(name)
                raise
            store.sentences = f"{name}{SENTENCES}"
        return store

    @classmethod
    def open(
        cls, uri: str, collection: str, size: int, index_path: Path, sentences: str | None = None
    ) -> MilvusStore:
        """The collection an index's manifest names, checked to hold `size` vectors."""
        client = _client(uri)
        dim = _check(client, uri, collection, size, index_path)
        store = cls(client, uri, collection, size, dim)
        store.sentences = sentences
        return store

    def sentence_vectors(self, count: int, index_path: Path) -> MilvusRows:
        """The sentence vectors' collection, checked to hold `count` of them."""
        if self.sentences is None:
            raise IndexCorruptError(f"{index_path} names no sentence collection on {self.uri}")
        dim = _check(self.client, self.uri, self.sentences, count, index_path)
        return MilvusRows(self.client, self.sentences, count, dim)

    def publish(self, alias: str) -> None:
        """Point `alias` at this collection, then drop all but it and the one before."""
        aliases = self.client.list_aliases()["aliases"]
        before = None
        if alias in aliases:
            before = self.client.describe_alias(alias).get("collection_name")
            self.client.alter_alias(self.collection, alias)
        else:
            self.client.create_alias(self.collection, alias)
        kept = {self.collection, str(before)}
        for name in self.client.list_collections():
            if name.startswith(f"{alias}_") and name.removesuffix(SENTENCES) not in kept:
                self.client.drop_collection(name)

    def drop(self) -> None:
        for name in (self.collection, self.sentences):
            if name is not None:
                self.client.drop_collection(name)

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        k = min(k, self.size)
        if k <= 0:
            return []
        found = self.client.search(
            self.collection,
            data=[np.asarray(query, dtype=np.float32).tolist()],
            anns_field="vec",
            limit=k,
            output_fields=["id"],
            search_params={"metric_type": "IP"},
        )
        return [(int(hit["id"]), float(hit["distance"])) for hit in found[0]]

    def vectors(self, rows: list[int] | None = None) -> Vectors:
        rows = list(range(self.size)) if rows is None else rows
        return _get(self.client, self.collection, rows, self.dim)

    def describe(self) -> dict[str, Any]:
        """What the manifest records: the backend, where, and which collection."""
        where = {"backend": "milvus", "uri": self.uri, "collection": self.collection}
        return where | ({"sentences": self.sentences} if self.sentences else {})


class MilvusRows:
    """Vectors read by row (``rows[[3, 7]]``, ``rows[::10]``) from a Milvus collection whose
    ids are rows: the sentence vectors of an index on Milvus, a few dozen per question."""

    def __init__(self, client: Any, collection: str, size: int, dim: int) -> None:
        self.client, self.collection = client, collection
        self.shape: tuple[int, int] = (size, dim)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: Any) -> Vectors:
        if isinstance(rows, slice):
            ids = list(range(*rows.indices(len(self))))
        else:
            ids = np.asarray(rows, dtype=np.int64).ravel().tolist()
        return _get(self.client, self.collection, ids, self.shape[1])


def _create_filled(
    client: Any, name: str, vectors: Vectors | VectorFile | QuantizedVectors | MilvusRows
) -> None:
    """Create collection `name` (id, vec; exact inner-product index), insert `vectors` (row i
    as id i) a batch at a time, load it; dropped again if anything fails."""
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vec", DataType.FLOAT_VECTOR, dim=int(vectors.shape[1]))
    params = client.prepare_index_params()
    params.add_index("vec", index_type="FLAT", metric_type="IP")
    client.create_collection(name, schema=schema, index_params=params)
    try:
        for start in range(0, len(vectors), BATCH):
            rows = np.asarray(vectors[start : start + BATCH], dtype=np.float32)
            client.insert(name, [{"id": start + i, "vec": v.tolist()} for i, v in enumerate(rows)])
        client.flush(name)
        client.load_collection(name)
    except BaseException:
        client.drop_collection(name)
        raise


def _check(client: Any, uri: str, collection: str, size: int, index_path: Path) -> int:
    """Load `collection`, check it holds `size` vectors, and give their dimension."""
    hint = f"run `rag build <corpus folder> --index {index_path}` to build it again"
    if not client.has_collection(collection):
        raise IndexCorruptError(f"{uri} holds no collection {collection!r}: {hint}")
    client.load_collection(collection)
    rows = int(client.get_collection_stats(collection)["row_count"])
    if rows != size:
        raise IndexCorruptError(
            f"collection {collection!r} at {uri} holds {rows} vectors, {size} expected: {hint}"
        )
    fields = client.describe_collection(collection)["fields"]
    return next(int(f["params"]["dim"]) for f in fields if f["name"] == "vec")


def _get(client: Any, collection: str, rows: list[int], dim: int) -> Vectors:
    """The vectors of `rows` (ids), in that order."""
    if not rows:
        return np.zeros((0, dim), dtype=np.float32)
    got = client.get(collection, ids=[int(r) for r in rows], output_fields=["vec"])
    by_id = {int(row["id"]): row["vec"] for row in got}
    return np.asarray([by_id[int(r)] for r in rows], dtype=np.float32)


def checksummed(file: Path, generation: Path) -> bool:
    """Whether an index file is checksummed: not a folder, nor inside milvus-lite's database
    (it changes as it is opened; the collection's row count is checked instead)."""
    return file.is_file() and LITE_FOLDER not in file.relative_to(generation).parts


def open_store(path: Path, where: dict[str, Any] | None, chunks: int) -> VectorStore:
    """The chunk vectors of the index at `path` where its manifest's ``vector_store`` says:
    FAISS files (no entry), or a Milvus collection (a relative URI: milvus-lite in the index)."""
    if not where or where.get("backend") != "milvus":
        return DenseIndex.load(path / "vectors.faiss")
    uri = str(where["uri"])
    if local(uri) and not Path(uri).is_absolute():
        uri = str(path / uri)
    return MilvusStore.open(uri, where["collection"], chunks, path, where.get("sentences"))
