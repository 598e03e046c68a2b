"""Admission limits on a live uvicorn server: requests in flight, time to answer, reloads.

The slow generator is the fake OpenAI-compatible server (tests/fake_llm.py, model "slow":
3 s before its first byte), reached over real HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from rag import RAG, Settings
from server import create_app
from tests.conftest import SEEDS
from tests.fake_llm import FakeLLM
from tests.live import live_server

QUESTION = "蓬江区有多少支家庭医生团队？"


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


def slow_app(seed_index_dir: Path, llm: FakeLLM, **limits: float) -> FastAPI:
    settings = Settings(
        index_dir=seed_index_dir,
        build_if_missing=False,
        answerer="generator:openai",
        openai_base_url=llm.base_url,
        openai_model="slow",
        **limits,  # type: ignore[arg-type]
    )
    return create_app(settings, RAG.open(seed_index_dir, settings=settings))


def test_a_request_over_the_time_limit_gets_504_not_a_hang(
    seed_index_dir: Path, llm: FakeLLM
) -> None:
    app = slow_app(seed_index_dir, llm, request_timeout=0.5)
    with live_server(app) as url:
        # the slow generator would answer 200 after 3 s: a 504 is the time limit at work
        response = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=10)
        assert response.status_code == 504
        error = response.json()["error"]
        assert error["type"] == "timeout" and "RAG_REQUEST_TIMEOUT" in error["message"]
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200


def test_requests_beyond_the_in_flight_limit_get_503(seed_index_dir: Path, llm: FakeLLM) -> None:
    app = slow_app(seed_index_dir, llm, max_in_flight=1)
    with live_server(app) as url:
        requests_before = len(llm.requests)
        first: list[httpx.Response] = []
        thread = threading.Thread(
            target=lambda: first.append(
                httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=30)
            )
        )
        thread.start()
        deadline = time.monotonic() + 60
        while len(llm.requests) == requests_before:  # until the first reaches the generator
            assert time.monotonic() < deadline, "the first request never reached the generator"
            time.sleep(0.05)
        refused = httpx.post(f"{url}/api/search", json={"query": QUESTION}, timeout=10)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert "RAG_MAX_IN_FLIGHT" in refused.json()["error"]["message"]
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200  # not counted
        thread.join(30)
        assert first and first[0].status_code == 200
        after = httpx.post(f"{url}/api/search", json={"query": QUESTION}, timeout=10)
        assert after.status_code == 200


def test_reload_swaps_in_a_rebuilt_index_while_queries_run(
    seed_index_dir: Path, tmp_path: Path
) -> None:
    """Queries run without pause while the index is rebuilt and swapped in: zero errors,
    and answers come from the new index afterwards."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = tmp_path / "index"
    shutil.copytree(seed_index_dir.resolve(), tmp_path / ".index.gen-seed")
    index.symlink_to(".index.gen-seed")
    settings = Settings(index_dir=index, build_if_missing=False, api_key="k3y")
    app = create_app(settings, RAG.open(index, settings=settings))
    headers = {"Authorization": "Bearer k3y"}
    statuses: list[int] = []
    stop = threading.Event()

    with live_server(app) as url:

        def query() -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                while not stop.is_set():
                    statuses.append(
                        client.post("/api/search", json={"query": "澳门", "k": 3}).status_code
                    )

        workers = [threading.Thread(target=query) for _ in range(3)]
        for w in workers:
            w.start()
        assert httpx.post(f"{url}/admin/reload", timeout=30).status_code == 401  # key needed
        (corpus / "999_new.txt").write_text(
            "澳门镜湖医院与江门新院区签约\n\n2026年11月，澳门镜湖医院与江门市某新院区签约合作。\n",
            encoding="utf-8",
        )
        RAG.build(corpus, index, settings=settings)  # in this process, as `rag build` would
        reloaded = httpx.post(f"{url}/admin/reload", headers=headers, timeout=60)
        time.sleep(0.5)
        stop.set()
        for w in workers:
            w.join(30)
        assert reloaded.status_code == 200 and reloaded.json()["documents"] == 6
        hits = httpx.post(
            f"{url}/api/search", headers=headers, json={"query": "澳门镜湖医院", "k": 3}
        ).json()["hits"]
        assert hits[0]["doc"] == "999_new.txt"
    assert len(statuses) > 20 and set(statuses) == {200}
