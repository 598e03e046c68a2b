from __future__ import annotations

from pathlib import Path

import pytest

from rag import Chunk, Document, chunk_documents, load_documents

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def docs() -> dict[str, Document]:
    return {doc.id: doc for doc in load_documents(SEEDS)}


@pytest.fixture(scope="session")
def chunks(docs: dict[str, Document]) -> list[Chunk]:
    return chunk_documents(docs.values())


def chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    """The one chunk whose text holds `needle` (overlap may repeat it: take the first)."""
    found = [c for c in chunks if needle in c.text]
    assert found, f"no chunk holds {needle!r}"
    return found[0]
