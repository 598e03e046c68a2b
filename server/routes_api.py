"""The JSON API: health, search, ask, chat (with server-sent events) and documents."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from rag import RAG, Answer, RagError, Settings
from rag.indexing.store import read_manifest
from rag.query.conversation import Turn, standalone_question
from server.deps import get_rag, get_settings, require_api_key
from server.errors import ApiError
from server.schemas import (
    AnswerResponse,
    ArticleOut,
    AskRequest,
    ChatRequest,
    DocumentResponse,
    Health,
    SearchRequest,
    SearchResponse,
    errors,
)

router = APIRouter(responses=errors(503))
api = APIRouter(
    prefix="/api",
    dependencies=[Depends(require_api_key)],
    responses=errors(400, 401, 413, 422, 502, 503, 504),
)
STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the answer; with `stream: true`, server-sent events instead",
        "content": {"text/event-stream": {"schema": {}}},  # event data: JSON, or [DONE]
    }
}
admin = APIRouter(
    prefix="/admin", dependencies=[Depends(require_api_key)], responses=errors(401, 503)
)
_reloading = threading.Lock()
RagDep = Annotated[RAG, Depends(get_rag)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def check_length(text: str, settings: Settings, what: str = "question") -> None:
    if len(text) > settings.max_question_chars:
        raise ApiError(  # 422, not 413: the body is within its limit, one field is not
            422,
            "question_too_long",
            f"the {what} is {len(text)} characters; the limit is {settings.max_question_chars}",
        )


@router.get("/health", response_model=Health)
def health(rag: RagDep, settings: SettingsDep) -> Health:
    counts = rag.manifest.get("counts", {})
    return Health(
        status="ok",
        documents=counts.get("documents", len(rag.documents)),
        chunks=counts.get("chunks", len(rag.chunks)),
        embedder=rag.embedder.name,
        built_at=str(rag.manifest.get("built_at", "")),
        answerer=settings.answerer,
    )


@admin.post("/reload", response_model=Health)
def reload(request: Request, settings: SettingsDep) -> Health:
    """Open the index at the configured path again (after `rag build` replaced it) and swap it
    in. Requests already running finish on the index they started with; if the new index
    cannot be opened, the error is returned and the old one keeps serving."""
    with _reloading:
        current: RAG | None = request.app.state.rag
        built_with = read_manifest(settings.index_dir)["embedder"]["name"]
        same_model = current is not None and current.embedder.name == built_with
        fresh = RAG.open(
            settings.index_dir,
            embedder=current.embedder if same_model and current else None,
            settings=settings,
            generator=current.generator if current is not None else None,
        )
        request.app.state.rag = fresh  # one reference swap: each request sees old or new
    return health(fresh, settings)


@api.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, rag: RagDep, settings: SettingsDep) -> SearchResponse:
    check_length(body.query, settings, "query")
    started = time.perf_counter()
    hits = rag.search(body.query, k=body.k, mode=body.mode)
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return SearchResponse(query=body.query, hits=hits, timings_ms={"total": elapsed})


@api.post("/ask", response_model=AnswerResponse)
def ask(body: AskRequest, rag: RagDep, settings: SettingsDep) -> AnswerResponse:
    check_length(body.question, settings)
    return AnswerResponse.of(body.question, rag.ask(body.question, k=body.k))


def chat_question(body: ChatRequest, settings: Settings) -> str:
    """The question the last user turn asks, made to stand on its own."""
    if body.messages[-1].role != "user":
        raise ApiError(422, "invalid_request", "the last message must be the user's question")
    for message in body.messages:
        check_length(message.content, settings, "message")
    question = standalone_question([Turn(m.role, m.content) for m in body.messages])
    if not question.strip():
        raise ApiError(422, "invalid_request", "the question is empty: type a question")
    return question


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def chat_events(rag: RAG, question: str, k: int | None) -> Iterator[str]:
    """delta events with the text as produced, one citations event, then done."""
    try:
        for item in rag.stream(question, k=k):
            if isinstance(item, Answer):
                final = AnswerResponse.of(question, item).model_dump()
                final.pop("answer")
                yield sse("citations", final)
            else:
                yield sse("delta", {"text": item})
    except RagError as exc:  # the stream has started: report in-band
        yield sse("error", {"message": str(exc)})
    yield sse("done", {})


@api.post("/chat", response_model=AnswerResponse, responses=STREAM)
def chat(body: ChatRequest, rag: RagDep, settings: SettingsDep) -> Any:
    question = chat_question(body, settings)
    if body.stream:
        rag.search(question, body.k or settings.answer_passages)  # fail early, as 4xx
        return StreamingResponse(
            chat_events(rag, question, body.k),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return AnswerResponse.of(question, rag.ask(question, k=body.k))


@api.get("/documents/{doc:path}", response_model=DocumentResponse, responses=errors(404))
def document(doc: str, rag: RagDep) -> DocumentResponse:
    found = rag.documents.get(doc)  # only indexed documents: nothing else on disk is reachable
    if found is None:
        raise ApiError(404, "not_found", f"no document {doc!r} in the index")
    return DocumentResponse(
        id=found.id,
        text=found.text,
        articles=[
            ArticleOut(
                headline=a.headline, kicker=a.kicker, byline=a.byline, start=a.start, end=a.end
            )
            for a in found.articles
        ],
    )
