"""The OpenAI-compatible API: ``GET /v1/models`` and ``POST /v1/chat/completions``.

Any OpenAI client or chat UI can talk to the service. The answer's citations travel twice:
as ``[n]`` markers in the message text, and as an extra ``citations`` field on the completion
(non-streaming) or on the last chunk (streaming).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from rag import RAG, Answer, RagError, Settings
from server.deps import get_rag, get_settings, require_api_key
from server.routes_api import STREAM, chat_question
from server.schemas import ChatRequest, Message, errors

MODEL_ID = "rag-zh-news"
router = APIRouter(
    prefix="/v1",
    dependencies=[Depends(require_api_key)],
    responses=errors(400, 401, 413, 422, 502, 503, 504),
)


class CompletionRequest(BaseModel):
    """The fields this service reads; the rest of the OpenAI request is accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[Message] = Field(min_length=1)
    stream: bool = False


def _citations(answer: Answer) -> list[dict[str, Any]]:
    return [asdict(c) for c in answer.citations]


@router.get("/models")
def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "rag-zh-news"}],
    }


@router.post("/chat/completions", responses=STREAM)
def completions(
    body: CompletionRequest,
    rag: Annotated[RAG, Depends(get_rag)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Any:
    question = chat_question(ChatRequest(messages=body.messages), settings)
    ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if body.stream:
        rag.search(question, settings.answer_passages)  # fail early, as 4xx
        return StreamingResponse(
            _chunks(rag, question, ident, created), media_type="text/event-stream"
        )
    answer = rag.ask(question)
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        "citations": _citations(answer),
        "found": answer.found,
    }


def _chunks(rag: RAG, question: str, ident: str, created: int) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None, **extra: Any) -> str:
        body = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""}, None)
    try:
        for item in rag.stream(question):
            if isinstance(item, Answer):
                yield chunk({}, "stop", citations=_citations(item), found=item.found)
            else:
                yield chunk({"content": item}, None)
    except RagError as exc:
        yield f"data: {json.dumps({'error': {'type': 'rag_error', 'message': str(exc)}})}\n\n"
    yield "data: [DONE]\n\n"
