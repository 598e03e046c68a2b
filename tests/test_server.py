"""Every endpoint and every bad input, through FastAPI's TestClient (lifespan included)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag import RAG, Settings
from server import create_app
from server.deps import get_rag

QUESTION = "蓬江区有多少支家庭医生团队？"


@pytest.fixture(scope="module")
def client(seed_rag: RAG, seed_index_dir: Path) -> Iterator[TestClient]:
    app = create_app(Settings(index_dir=seed_index_dir, build_if_missing=False))
    app.dependency_overrides[get_rag] = lambda: seed_rag  # the route sees the session index
    with TestClient(app) as test_client:
        yield test_client


def events(text: str) -> list[tuple[str, dict[str, object]]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_lifespan_loads_the_index_once(seed_index_dir: Path) -> None:
    app = create_app(Settings(index_dir=seed_index_dir, build_if_missing=False))
    with TestClient(app) as c:
        health = c.get("/health").json()
        assert app.state.rag is not None
    assert health["status"] == "ok" and health["documents"] == 5
    assert health["embedder"] == "e5-small-q4" and health["chunks"] > 100 and health["built_at"]


def test_the_server_searches_faiss_on_one_thread_unless_told(seed_index_dir: Path) -> None:
    import faiss

    before = faiss.omp_get_max_threads()
    try:
        app = create_app(Settings(index_dir=seed_index_dir, build_if_missing=False))
        with TestClient(app):
            assert app.state.settings.faiss_threads == 1
            app.state.rag.search(QUESTION, mode="dense")  # OpenMP counts per thread: this one
            assert faiss.omp_get_max_threads() == 1
        RAG.open(seed_index_dir, settings=Settings(faiss_threads=2)).search(QUESTION)
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)


def test_missing_index_without_building_fails_at_start(tmp_path: Path) -> None:
    app = create_app(Settings(index_dir=tmp_path / "none", build_if_missing=False))
    with pytest.raises(Exception, match="no index at"), TestClient(app):
        pass


def test_page_and_static_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "江门健康新闻问答" in page.text
    assert "Content-Security-Policy" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_search(client: TestClient) -> None:
    body = client.post("/api/search", json={"query": QUESTION, "k": 3, "mode": "bm25"}).json()
    assert len(body["hits"]) == 3 and "116支" in body["hits"][0]["text"]
    assert {"dense_score", "bm25_score", "title", "section", "start", "end"} <= set(body["hits"][0])
    assert body["timings_ms"]["total"] > 0


def test_ask(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert body["found"] and "116支" in body["answer"]
    assert body["citations"][0]["n"] == 1 and "116支" in body["citations"][0]["quote"]
    assert len(body["hits"]) == 5
    assert {"embed", "dense", "bm25", "fuse", "answer", "total"} <= set(body["timings_ms"])


def test_ask_a_two_hop_question_names_its_bridge(client: TestClient) -> None:
    question = "局长何素媛所在的那个市，2024年有几家基层医疗卫生机构通过了推荐标准考核？"
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["hops"]["clause"] == "局长何素媛所在" and body["hops"]["bridge"] == "开平市"
    assert body["hops"]["question"].startswith("开平市")
    assert body["answer"].startswith("开平市[1] → 5家") and body["short"] == "5家"
    assert "开平市" in body["citations"][0]["quote"]
    assert client.post("/api/ask", json={"question": QUESTION}).json()["hops"] is None


def test_ask_a_comparison_names_each_look_up(client: TestClient) -> None:
    question = "江门五邑爱尔新希望眼科医院和鹤山市第三人民医院，哪家医院成立得更早？"
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["short"] == "江门五邑爱尔新希望眼科医院" and body["hops"] is None
    assert [(c["entity"], c["figure"]) for c in body["compared"]] == [
        ("江门五邑爱尔新希望眼科医院", "2016年"),
        ("鹤山市第三人民医院", "2023年"),
    ]
    assert len(body["citations"]) == 2
    assert client.post("/api/ask", json={"question": QUESTION}).json()["compared"] is None


def test_ask_not_found(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "明天江门的天气怎么样？"}).json()
    assert body["found"] is False and body["citations"] == [] and body["hits"]


def test_chat_streams_text_then_citations_then_done(client: TestClient) -> None:
    response = client.post(
        "/api/chat", json={"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    stream = events(response.text)
    kinds = [kind for kind, _ in stream]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"delta"}
    text = "".join(str(data["text"]) for kind, data in stream if kind == "delta")
    citations = stream[-2][1]
    assert citations["found"] and "116支" in text
    assert "[1]" in text and citations["citations"][0]["n"] == 1  # type: ignore[index]


def test_chat_follow_up_uses_the_previous_turn(client: TestClient) -> None:
    messages = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "蓬江区家庭医生团队有116支。[1]"},
        {"role": "user", "content": "那江海区呢？"},
    ]
    body = client.post("/api/chat", json={"messages": messages}).json()
    assert body["question"] == "江海区有多少支家庭医生团队？"
    assert any("江海" in hit["text"] or "江海" in hit["title"] for hit in body["hits"][:3])


def test_documents(client: TestClient) -> None:
    doc = client.get("/api/documents/001_8ed587983628aeb3.txt").json()
    assert "虎岭村卫生站" in doc["text"]
    assert doc["articles"][0]["headline"] == "构建优质高效医疗卫生服务体系"


@pytest.mark.parametrize(
    "path", ["nope.txt", "../../etc/passwd", "..%2F..%2Fpyproject.toml", "/etc/hosts"]
)
def test_unknown_or_outside_document_is_404(client: TestClient, path: str) -> None:
    response = client.get(f"/api/documents/{path}")
    assert response.status_code == 404
    assert "root:" not in response.text and "[project]" not in response.text


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/ask", {"question": ""}, 422, "the question is empty"),
        ("/api/ask", {"question": " \n\t "}, 422, "the question is empty"),
        ("/api/ask", {"question": "家" * 2001}, 422, "the limit is 2000"),
        ("/api/ask", {"question": QUESTION, "k": 0}, 422, "k of 0 is out of range"),
        ("/api/ask", {"question": QUESTION, "k": 101}, 422, "k of 101 is out of range"),
        ("/api/ask", {}, 422, "question: Field required"),
        ("/api/ask", {"question": 5}, 422, "question: Input should be a valid string"),
        ("/api/search", {"query": "  "}, 422, "the query is empty"),
        ("/api/search", {"query": "x", "mode": "magic"}, 422, "mode"),
        ("/api/search", {"query": "x", "k": -3}, 422, "k of -3"),
        ("/api/chat", {"messages": []}, 422, "messages"),
        ("/api/chat", {"messages": [{"role": "assistant", "content": "hi"}]}, 422, "last message"),
        ("/api/chat", {"messages": [{"role": "user", "content": "  "}]}, 422, "empty"),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": ""}]}, 422, "empty"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: TestClient, path: str, body: dict[str, object], status: int, message: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert message in error["message"]
    assert "Traceback" not in response.text


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/api/ask", content=b'{"question": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "the request body is not valid JSON"


def test_oversized_body_is_refused(client: TestClient) -> None:
    big = json.dumps({"question": "家" * 40000}).encode()
    response = client.post("/api/ask", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "byte limit" in response.json()["error"]["message"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"question": "'
        for _ in range(100):
            yield "家".encode() * 300
        yield b'"}'

    response = client.post(
        "/api/ask", content=chunked(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_unexpected_errors_have_no_stack_trace(seed_rag: RAG, seed_index_dir: Path) -> None:
    app = create_app(Settings(index_dir=seed_index_dir))

    def broken() -> RAG:
        raise RuntimeError("secret internals")

    app.dependency_overrides[get_rag] = broken
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.json()["error"]["type"] == "internal_error"


def test_api_key_protects_the_api_when_set(seed_rag: RAG, seed_index_dir: Path) -> None:
    app = create_app(Settings(index_dir=seed_index_dir, api_key="s3cret"), rag=seed_rag)
    with TestClient(app) as c:
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 401
        wrong = c.post("/api/ask", json={"question": QUESTION}, headers={"X-API-Key": "nope"})
        assert wrong.status_code == 401 and "needs a key" in wrong.json()["error"]["message"]
        ok = c.post(
            "/api/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer s3cret"}
        )
        assert ok.status_code == 200
        assert c.get("/v1/models").status_code == 401
        assert c.get("/v1/models", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert c.get("/").status_code == 200 and c.get("/health").status_code == 200


def test_cors_is_off_by_default_and_configurable(seed_rag: RAG, seed_index_dir: Path) -> None:
    origin = {"Origin": "https://example.org"}
    off = create_app(Settings(index_dir=seed_index_dir), rag=seed_rag)
    with TestClient(off) as c:
        assert "access-control-allow-origin" not in c.get("/health", headers=origin).headers
    on = create_app(
        Settings(index_dir=seed_index_dir, cors_origins=["https://example.org"]), rag=seed_rag
    )
    with TestClient(on) as c:
        headers = c.get("/health", headers=origin).headers
        assert headers["access-control-allow-origin"] == "https://example.org"


def test_openai_compatible_endpoints(client: TestClient) -> None:
    models = client.get("/v1/models").json()
    assert models["object"] == "list" and models["data"][0]["id"] == "rag-zh-news"
    completion = client.post(
        "/v1/chat/completions",
        json={"model": "rag-zh-news", "messages": [{"role": "user", "content": QUESTION}]},
    ).json()
    message = completion["choices"][0]["message"]
    assert message["role"] == "assistant"
    assert "116支" in message["content"] and "[1]" in message["content"]
    assert completion["citations"][0]["n"] == 1
