"""The official openai client against a real uvicorn server on a free localhost port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from rag import RAG, Settings
from server import create_app
from tests.live import live_server

QUESTION = "蓬江区有多少支家庭医生团队？"


@pytest.fixture(scope="module")
def client(seed_rag: RAG, seed_index_dir: Path) -> Iterator[OpenAI]:
    app = create_app(Settings(index_dir=seed_index_dir), rag=seed_rag)
    with live_server(app) as base_url:
        yield OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)


def test_models(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["rag-zh-news"]


def test_completion_carries_citations(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="rag-zh-news", messages=[{"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content or ""
    assert "116支" in content and "[1]" in content
    citations = (completion.model_extra or {})["citations"]
    assert citations[0]["n"] == 1 and citations[0]["quote"] in content


def test_streaming_completion_carries_citations(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="rag-zh-news", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    text, citations, finish = "", None, None
    for chunk in stream:
        choice = chunk.choices[0]
        text += choice.delta.content or ""
        finish = choice.finish_reason or finish
        citations = (chunk.model_extra or {}).get("citations", citations)
    assert finish == "stop" and "116支" in text and "[1]" in text
    assert citations is not None and citations[0]["quote"] in text
