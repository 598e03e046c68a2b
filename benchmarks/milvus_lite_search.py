"""milvus-lite's search cost by collection size and index type (issue 17: is its latency at
People's Daily's size the index's, or the engine's?).

For each size, a collection of that many random unit vectors (384 dimensions, as the seeds'
model) is filled a batch at a time, flushed and loaded, with a FLAT, an IVF_FLAT (nlist 128,
searched with nprobe 16) or an HNSW (M 16, efConstruction 128, searched with ef 128) index;
then single-vector searches at k = 50 (the service's retrieval depth) are timed, each in its
own milvus-lite database in a temporary folder. The same search by NumPy over the same matrix
is timed beside it. If an index mattered, IVF_FLAT and HNSW would stay flat as the collection
grows while FLAT grows with it.

    .venv/bin/python benchmarks/milvus_lite_search.py [--sizes 1000 4000 12676] [--queries 150]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import save, summary_ms, table

DIM = 384
DEPTH = 50
WARMUP = 20
INDEXES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # index type: (build parameters, search parameters)
    "FLAT": ({}, {}),
    "IVF_FLAT": ({"nlist": 128}, {"nprobe": 16}),
    "HNSW": ({"M": 16, "efConstruction": 128}, {"ef": 128}),
}


def unit_rows(rng: np.random.Generator, n: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    x = rng.standard_normal((n, DIM)).astype(np.float32)
    out: np.ndarray[Any, np.dtype[np.float32]] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def timed_milvus(
    folder: Path,
    vectors: np.ndarray[Any, np.dtype[np.float32]],
    queries: np.ndarray[Any, np.dtype[np.float32]],
    index: str,
) -> list[float]:
    """Seconds per search of each query after the warm-up, on a fresh milvus-lite database."""
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(str(folder / f"{index}-{len(vectors)}.db"))
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vec", DataType.FLOAT_VECTOR, dim=DIM)
    build, search = INDEXES[index]
    params = client.prepare_index_params()
    params.add_index("vec", index_type=index, metric_type="IP", params=build)
    client.create_collection("c", schema=schema, index_params=params)
    for start in range(0, len(vectors), 2000):
        rows = vectors[start : start + 2000]
        client.insert("c", [{"id": start + i, "vec": v.tolist()} for i, v in enumerate(rows)])
    client.flush("c")
    client.load_collection("c")
    seconds = []
    for q in queries:
        started = time.perf_counter()
        client.search(
            "c",
            data=[q.tolist()],
            anns_field="vec",
            limit=DEPTH,
            search_params={"metric_type": "IP", "params": search},
        )
        seconds.append(time.perf_counter() - started)
    client.close()
    return seconds[WARMUP:]


def timed_numpy(
    vectors: np.ndarray[Any, np.dtype[np.float32]], queries: np.ndarray[Any, np.dtype[np.float32]]
) -> list[float]:
    seconds = []
    for q in queries:
        started = time.perf_counter()
        scores = vectors @ q
        np.argpartition(-scores, DEPTH)[:DEPTH]
        seconds.append(time.perf_counter() - started)
    return seconds[WARMUP:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 12676])
    parser.add_argument("--queries", type=int, default=150)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    queries = unit_rows(rng, args.queries + WARMUP)
    rows, results = [], []
    with tempfile.TemporaryDirectory(prefix="milvus-lite-search-") as tmp:
        for size in args.sizes:
            vectors = unit_rows(rng, size)
            cells: list[Any] = [f"{size:,}"]
            for index in INDEXES:
                ms = summary_ms(timed_milvus(Path(tmp), vectors, queries, index))
                results.append({"size": size, "index": index, "ms": ms})
                cells.append(f"{ms['p50']:.2f}")
            ms = summary_ms(timed_numpy(vectors, queries))
            results.append({"size": size, "index": "numpy", "ms": ms})
            rows.append([*cells, f"{ms['p50']:.2f}"])
    markdown = table(["vectors", *(f"{i} p50 ms" for i in INDEXES), "NumPy p50 ms"], rows)
    save("milvus_lite_search", {"results": results}, markdown)
    print(markdown)


if __name__ == "__main__":
    main()
