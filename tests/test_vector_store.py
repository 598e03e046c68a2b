"""The vector-store seam (issue 17): chunk vectors in a Milvus collection (milvus-lite, in
process) answer exactly as the FAISS files do, on the real model and seeds, and a rebuild
fills a new collection before the alias moves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from rag import RAG, Settings
from rag.errors import IndexCorruptError
from rag.evaluation.gold import load_gold
from rag.evaluation.runner import evaluate
from rag.indexing.store import read_index
from rag.indexing.vector_store import MilvusRows, MilvusStore, alias_for
from server import create_app
from tests.conftest import SEEDS

EVAL = Path(__file__).resolve().parent.parent / "eval"
MILVUS = Settings(vector_store="milvus")
QUESTIONS = [
    "蓬江区有多少支家庭医生团队？",
    "How many cataract surgeries did Tang Cong perform?",
    "局长何素媛所在的那个市，2024年有几家基层医疗卫生机构通过了推荐标准考核？",
    "明天江门的天气怎么样？",
]


@pytest.fixture(scope="module")
def milvus_dir(seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed index rebuilt with its vectors in milvus-lite (embeddings reused)."""
    folder = tmp_path_factory.mktemp("milvus") / "seeds"
    shutil.copytree(seed_index_dir.resolve(), folder)
    RAG.build(SEEDS, folder, settings=MILVUS)
    return folder


@pytest.fixture(scope="module")
def milvus_rag(milvus_dir: Path) -> RAG:
    return RAG.open(milvus_dir)


def test_the_manifest_names_the_backend_and_its_collection(milvus_dir: Path) -> None:
    manifest = json.loads((milvus_dir / "manifest.json").read_text("utf-8"))
    where = manifest["vector_store"]
    assert where["backend"] == "milvus" and where["uri"] == "milvus.db"
    assert where["collection"].startswith("rag_seeds_")
    assert where["sentences"] == where["collection"] + "_sentences"
    assert (milvus_dir / "milvus.db").is_dir()
    # the database changes as it is opened: it is checked by its row count, not a checksum
    assert not any(name.startswith("milvus.db") for name in manifest["files"])


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_and_answers_are_the_same_on_both_backends(
    seed_rag: RAG, milvus_rag: RAG, question: str
) -> None:
    assert isinstance(milvus_rag.index.dense, MilvusStore)
    # the answerer's sentence vectors are read from Milvus too, the same values as the file's
    vectors = milvus_rag.index.sentences.vectors
    assert isinstance(vectors, MilvusRows) and len(vectors) == len(seed_rag.index.sentences.refs)
    assert np.array_equal(vectors[[5, 2, 700]], seed_rag.index.sentences.vectors[[5, 2, 700]])
    for mode in ("dense", "hybrid"):
        faiss_hits = seed_rag.search(question, k=5, mode=mode)
        milvus_hits = milvus_rag.search(question, k=5, mode=mode)
        assert [h.chunk_id for h in milvus_hits] == [h.chunk_id for h in faiss_hits]
        for a, b in zip(milvus_hits, faiss_hits, strict=True):
            assert a.dense_score == pytest.approx(b.dense_score, abs=1e-5)
    faiss_answer, milvus_answer = seed_rag.ask(question), milvus_rag.ask(question)
    assert milvus_answer.text == faiss_answer.text
    assert milvus_answer.citations == faiss_answer.citations


def test_the_gold_figures_are_the_same_on_milvus_lite(seed_rag: RAG, milvus_rag: RAG) -> None:
    items = load_gold(EVAL / "dev.jsonl")
    on_faiss = evaluate(seed_rag, items)[0].metrics
    on_milvus = evaluate(milvus_rag, items)[0].metrics
    for key in ("hit@5", "mrr@10", "accuracy", "unanswerable_accuracy", "bridge_accuracy"):
        assert on_milvus[key] == pytest.approx(on_faiss[key], abs=0.01), key


def test_a_rebuild_fills_a_new_collection_then_moves_the_alias(
    seed_index_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "live"
    shutil.copytree(seed_index_dir.resolve(), folder)
    uri = str(tmp_path / "server.db")  # one database for every build, as a server would be
    settings = Settings(vector_store="milvus", milvus_uri=uri)
    first = RAG.build(SEEDS, folder, settings=settings)
    store = first.index.dense
    assert isinstance(store, MilvusStore) and store.uri == uri
    alias = alias_for(folder)
    assert store.client.describe_alias(alias)["collection_name"] == store.collection
    second = RAG.build(SEEDS, folder, settings=settings)
    newer = second.index.dense
    assert isinstance(newer, MilvusStore) and newer.collection != store.collection
    assert newer.client.describe_alias(alias)["collection_name"] == newer.collection
    # a reader of the first build, not yet reloaded, still answers from its collection
    assert first.ask(QUESTIONS[0]).text == second.ask(QUESTIONS[0]).text
    third = RAG.build(SEEDS, folder, settings=settings)
    names = set(third.index.dense.client.list_collections())  # type: ignore[attr-defined]
    assert store.collection not in names and newer.collection in names  # one kept before
    assert f"{newer.collection}_sentences" in names
    assert f"{store.collection}_sentences" not in names


def test_a_missing_collection_is_a_clear_error(milvus_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(milvus_dir.resolve(), copy)
    manifest = json.loads((copy / "manifest.json").read_text("utf-8"))
    manifest["vector_store"]["collection"] = "rag_gone"
    (copy / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexCorruptError, match=r"no collection 'rag_gone'.*rag build"):
        read_index(copy)


def test_the_server_reloads_an_index_on_milvus(milvus_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "served"
    shutil.copytree(milvus_dir.resolve(), folder)
    app = create_app(Settings(index_dir=folder, build_if_missing=False))
    with TestClient(app) as client:
        before = client.post("/api/ask", json={"question": QUESTIONS[0]}).json()
        RAG.build(SEEDS, folder, settings=MILVUS)  # beside the running server: its own file
        assert client.post("/admin/reload").status_code == 200
        after = client.post("/api/ask", json={"question": QUESTIONS[0]}).json()
    assert before["found"] and after["answer"] == before["answer"]
