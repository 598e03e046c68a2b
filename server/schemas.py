"""Request and response bodies of the JSON API (the OpenAI-compatible ones are in openai_api).

Hits and citations travel as the library's own records (pydantic reads dataclasses).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from rag import Answer, Citation, Hit

# Documented in the schema, checked by the validators and limits with clearer messages than
# pydantic's own: text must hold a non-space character and fit the default length limit
# (RAG_MAX_QUESTION_CHARS); k runs from 1 to the default RAG_MAX_K.
TEXT: JsonDict = {"minLength": 1, "maxLength": 2000, "pattern": r"\S"}
K: JsonDict = {"minimum": 1, "maximum": 100}


class ErrorDetail(BaseModel):
    type: str = Field(description="machine-readable kind, e.g. invalid_request, overloaded")
    message: str = Field(description="what was wrong and what to do about it")


class ErrorBody(BaseModel):
    error: ErrorDetail


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an operation may answer with."""
    meaning = {
        400: "the body is not valid JSON",
        401: "an API key is configured and the request did not carry it",
        404: "no such document",
        405: "method not allowed",
        413: "the body or the question is over its limit",
        422: "a field is missing, blank, out of range or of the wrong type",
        502: "the generator failed (and falling back to the template is off)",
        503: "the index is not loaded, or too many requests are in flight (Retry-After)",
        504: "no answer within the time limit",
    }
    return {code: {"model": ErrorBody, "description": meaning[code]} for code in codes}


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(
        description="keywords or a question, Chinese or English", json_schema_extra=TEXT
    )
    k: int = Field(default=5, description="how many passages (1 to RAG_MAX_K)", json_schema_extra=K)
    mode: Literal["dense", "bm25", "hybrid"] | None = None

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty: type a question or some keywords")
        return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(json_schema_extra=TEXT)
    k: int | None = Field(default=None, description="passages to draw on", json_schema_extra=K)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty: type a question about the articles")
        return value


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    k: int | None = Field(default=None, json_schema_extra=K)


class SearchResponse(BaseModel):
    query: str
    hits: list[Hit]
    timings_ms: dict[str, float]


class Hops(BaseModel):
    """How a question that described its subject was answered (`Answer.meta["hops"]`)."""

    clause: str = Field(description="what described the subject, retrieved first")
    bridge: str | None = Field(description="the subject's name found there (cited as [1])")
    question: str | None = Field(description="the question asked again with the name in place")

    @classmethod
    def of(cls, meta: object) -> Hops | None:
        if not isinstance(meta, list) or not meta or "clause" not in meta[0]:
            return None  # one hop, or a comparison's look-ups (`LookedUp`)
        first, rest = meta[0], meta[1] if len(meta) > 1 else {}
        return cls(
            clause=str(first["clause"]), bridge=first.get("bridge"), question=rest.get("question")
        )


class LookedUp(BaseModel):
    """One entity's look-up of a comparison question (`Answer.meta["hops"]`)."""

    entity: str = Field(description="the thing compared, as the articles name it")
    question: str = Field(description="the question asked of it alone")
    figure: str | None = Field(description="its figure as the cited sentence writes it")

    @classmethod
    def of(cls, meta: object) -> list[LookedUp] | None:
        if not isinstance(meta, list) or not meta or "entity" not in meta[0]:
            return None
        return [cls(entity=h["entity"], question=h["question"], figure=h["figure"]) for h in meta]


class AnswerResponse(BaseModel):
    question: str
    answer: str
    # the span that answers (`Answer.short`), which `answer` also leads with; "" when not found
    short: str
    found: bool
    lang: str
    citations: list[Citation]
    hits: list[Hit]
    timings_ms: dict[str, float]
    # set when the question described its subject instead of naming it (two hops)
    hops: Hops | None = None
    # set when the question compared two named things (each one's look-up)
    compared: list[LookedUp] | None = None

    @classmethod
    def of(cls, question: str, answer: Answer) -> AnswerResponse:
        timings: Any = answer.meta.get("timings_ms", {})
        return cls(
            question=question,
            answer=answer.text,
            short=answer.short,
            found=answer.found,
            lang=answer.lang,
            citations=list(answer.citations),
            hits=list(answer.hits),
            timings_ms=dict(timings),
            hops=Hops.of(answer.meta.get("hops")),
            compared=LookedUp.of(answer.meta.get("hops")),
        )


class ArticleOut(BaseModel):
    headline: str
    kicker: str
    byline: str
    start: int
    end: int


class DocumentResponse(BaseModel):
    id: str
    text: str
    articles: list[ArticleOut]


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    embedder: str
    built_at: str
    answerer: str
