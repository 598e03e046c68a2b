"""Request and response bodies of the JSON API (the OpenAI-compatible ones are in openai_api).

Hits and citations travel as the library's own records (pydantic reads dataclasses).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag import Answer, Citation, Hit


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(description="keywords or a question, Chinese or English")
    k: int = Field(default=5, description="how many passages (1 to the configured maximum)")
    mode: Literal["dense", "bm25", "hybrid"] | None = None

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty: type a question or some keywords")
        return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    k: int | None = Field(default=None, description="passages to draw on")

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
    k: int | None = None


class SearchResponse(BaseModel):
    query: str
    hits: list[Hit]
    timings_ms: dict[str, float]


class AnswerResponse(BaseModel):
    question: str
    answer: str
    found: bool
    lang: str
    citations: list[Citation]
    hits: list[Hit]
    timings_ms: dict[str, float]

    @classmethod
    def of(cls, question: str, answer: Answer) -> AnswerResponse:
        timings: Any = answer.meta.get("timings_ms", {})
        return cls(
            question=question,
            answer=answer.text,
            found=answer.found,
            lang=answer.lang,
            citations=list(answer.citations),
            hits=list(answer.hits),
            timings_ms=dict(timings),
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
