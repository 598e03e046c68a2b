"""A build's vectors: by embed key in memory (`EmbeddingCache`), and on disk, written and
read a block at a time (`write_vectors`, `VectorFile`).

A million chunks hold ≈4.5 M distinct texts: their vectors are 1.5 GB (chunks, float32) and
2.7 GB (sentences, float16), more than a build can hold beside everything else. They are
written to ``.npy`` files as they are embedded and read back in blocks with plain reads, not a
memory map, whose pages would count in the process's resident memory while the kernel keeps
them. In memory, a dict of one small array per text would cost ~150 bytes of overhead a
vector and a full copy when stacked; the cache keeps each batch as one array instead, and a key
names its row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.lib.format as npy
from numpy.typing import DTypeLike, NDArray

from rag.indexing.embedders.base import Embedder

SENTENCE_DTYPE = np.float16  # sentence vectors as embedded, before `quantize_file`


class EmbeddingCache:
    """Vectors by embed key: `add` a batch, `take` the rows of some keys as one array."""

    def __init__(self) -> None:
        self._arrays: list[NDArray[Any] | QuantizedVectors] = []
        self._where: dict[str, tuple[int, int]] = {}  # key → (array, row)

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def __len__(self) -> int:
        return len(self._where)

    def keys(self) -> Iterator[str]:
        return iter(self._where)

    def add(self, keys: Sequence[str], vectors: NDArray[Any] | QuantizedVectors) -> None:
        """Keep `vectors` (row i is `keys[i]`'s) as they are: no copy."""
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        if not len(keys):
            return
        n = len(self._arrays)
        self._arrays.append(vectors)
        self._where.update((key, (n, row)) for row, key in enumerate(keys))

    def take(self, keys: Sequence[str], dim: int, dtype: DTypeLike = np.float32) -> NDArray[Any]:
        """The vectors of `keys`, in order, as one `dtype` array (every key must be held)."""
        if not keys:
            return np.zeros((0, dim), dtype=dtype)
        codes = np.fromiter(
            (n for key in keys for n in self._where[key]), dtype=np.int64, count=2 * len(keys)
        ).reshape(-1, 2)
        out = np.empty((len(keys), dim), dtype=dtype)
        for n in np.unique(codes[:, 0]):
            mask = codes[:, 0] == n
            out[mask] = self._arrays[int(n)][codes[mask, 1]]
        return out


BLOCK = 65_536  # rows embedded, written or read at a time (≈100 MB of float32 vectors)


class VectorFile:
    """An ``.npy`` file of vectors, read by row ranges (``file[a:b]``) without mapping it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self.path.open("rb") as fh:
            read_header = (
                npy.read_array_header_1_0
                if npy.read_magic(fh) == (1, 0)
                else npy.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(fh)
            self._offset = fh.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path} does not hold a C-ordered matrix of vectors")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: slice) -> NDArray[Any]:
        start, stop, step = rows.indices(len(self))
        if step != 1:
            raise ValueError("a VectorFile is read by contiguous row ranges only")
        count = max(0, stop - start) * self.shape[1]
        with self.path.open("rb") as fh:
            fh.seek(self._offset + start * self.shape[1] * self.dtype.itemsize)
            data = np.fromfile(fh, dtype=self.dtype, count=count)
        return data.reshape(-1, self.shape[1])

    def memory_map(self) -> NDArray[Any]:
        """The whole file as a read-only array whose pages are read when touched (serving)."""
        vectors: NDArray[Any] = np.load(self.path, mmap_mode="r")
        return vectors


def write_vectors(
    path: Path,
    keys: Sequence[str],
    texts: Sequence[str],
    cache: EmbeddingCache,
    embedder: Embedder,
    dtype: DTypeLike,
    progress: bool = False,
) -> int:
    """Write the vector of each of `keys` (row i: `texts[i]`'s), in order, as a `dtype`
    ``.npy`` file at `path`: a vector the cache holds is copied, any other is embedded, each
    distinct text once, a block at a time; a text met again in a later block is found in the
    cache, where its vector is added. Returns how many texts were embedded."""
    dim, dtype = embedder.dim, np.dtype(dtype)
    repeats = {key for key, n in Counter(keys).items() if n > 1}
    embedded = 0
    with Path(path).open("wb") as fh:
        header = {
            "descr": npy.dtype_to_descr(dtype),
            "fortran_order": False,
            "shape": (len(keys), dim),
        }
        npy.write_array_header_1_0(fh, header)
        for start in range(0, len(keys), BLOCK):
            part = keys[start : start + BLOCK]
            block = np.empty((len(part), dim), dtype=dtype)
            held = [i for i, key in enumerate(part) if key in cache]
            if held:
                block[held] = cache.take([part[i] for i in held], dim, dtype)
            todo: dict[str, str] = {}  # key → text, each once, in order
            for i, key in enumerate(part):
                if key not in cache:
                    todo.setdefault(key, texts[start + i])
            if todo:
                fresh = np.asarray(
                    embedder.encode_passages(list(todo.values()), progress=progress), dtype=dtype
                )
                row_of = {key: n for n, key in enumerate(todo)}
                new = [i for i, key in enumerate(part) if key in row_of]
                block[new] = fresh[[row_of[part[i]] for i in new]]
                again = [key for key in todo if key in repeats]
                cache.add(again, fresh[[row_of[key] for key in again]])
                embedded += len(todo)
            fh.write(block.tobytes())
    return embedded


class QuantizedVectors:
    """Vectors kept as 8-bit codes with one affine range per dimension (``v ≈ low + code *
    step``), read as float32 by rows: a quarter of float32's bytes. The codes are usually a
    memory map, so only the rows read are paged in."""

    def __init__(
        self, codes: NDArray[np.uint8], low: NDArray[np.float32], step: NDArray[np.float32]
    ):
        if codes.ndim != 2 or not low.shape == step.shape == (codes.shape[1],):
            raise ValueError(f"codes {codes.shape} do not match ranges {low.shape}, {step.shape}")
        self.codes, self.low, self.step = codes, low, step
        self.shape: tuple[int, int] = (int(codes.shape[0]), int(codes.shape[1]))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: Any) -> NDArray[np.float32]:
        vectors: NDArray[np.float32] = self.codes[rows].astype(np.float32) * self.step + self.low
        return vectors

    @classmethod
    def load(cls, codes: Path, ranges: Path) -> QuantizedVectors:
        low, step = np.load(ranges)
        return cls(np.load(codes, mmap_mode="r"), low, step)


def quantize_file(source: Path, codes: Path, ranges: Path) -> None:
    """Write the vectors of the ``.npy`` file `source` as uint8 `codes` and their per-dimension
    ``(low, step)`` as `ranges`, two passes of `BLOCK` rows: the ranges, then the codes. Each
    component moves by at most half a step (a cosine between unit vectors by ≈4e-4)."""
    vectors = VectorFile(source)
    dim = vectors.shape[1]
    low = np.full(dim, np.inf, dtype=np.float32)
    high = np.full(dim, -np.inf, dtype=np.float32)
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start : start + BLOCK].astype(np.float32)
        low, high = np.minimum(low, block.min(axis=0)), np.maximum(high, block.max(axis=0))
    if not len(vectors):
        low, high = np.zeros(dim, np.float32), np.ones(dim, np.float32)
    step = np.where(high > low, (high - low) / 255, 1).astype(np.float32)
    np.save(ranges, np.stack([low, step]))
    with Path(codes).open("wb") as fh:
        header = {"descr": "|u1", "fortran_order": False, "shape": vectors.shape}
        npy.write_array_header_1_0(fh, header)
        for start in range(0, len(vectors), BLOCK):
            block = vectors[start : start + BLOCK].astype(np.float32)
            fh.write(np.clip(np.rint((block - low) / step), 0, 255).astype(np.uint8).tobytes())
