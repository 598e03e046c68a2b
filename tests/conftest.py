from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import RAG, Chunk, Document, chunk_documents, load_documents

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def docs() -> dict[str, Document]:
    return {doc.id: doc for doc in load_documents(SEEDS)}


@pytest.fixture(scope="session")
def chunks(docs: dict[str, Document]) -> list[Chunk]:
    return chunk_documents(docs.values())


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed index, built once per session with the real default embedder."""
    path = tmp_path_factory.mktemp("index") / "default"
    RAG.build(SEEDS, path)
    return path


@pytest.fixture(scope="session")
def seed_rag(seed_index_dir: Path) -> RAG:
    return RAG.open(seed_index_dir)


@pytest.fixture
def index_copy(seed_index_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the seed index, for tests that damage it."""
    copy = tmp_path / "copy"
    shutil.copytree(seed_index_dir.resolve(), copy)
    yield copy


def chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    """The one chunk whose text holds `needle` (overlap may repeat it: take the first)."""
    found = [c for c in chunks if needle in c.text]
    assert found, f"no chunk holds {needle!r}"
    return found[0]
