"""A generator for any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp,
OpenAI), streaming over server-sent events with httpx."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence

import httpx

from rag.answering.generators.prompt import build_messages
from rag.errors import GeneratorError
from rag.records import Hit, Question
from rag.settings import Settings


class OpenAIChatGenerator:
    """Streams ``/chat/completions`` from `base_url` with `model`.

    The API key comes from the environment only (``RAG_OPENAI_API_KEY``, else
    ``OPENAI_API_KEY``); local servers need none.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        temperature: float = 0.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.temperature = temperature

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIChatGenerator:
        key = os.environ.get("RAG_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY")
        return cls(
            settings.openai_base_url,
            settings.openai_model,
            key,
            settings.generator_timeout,
        )

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    def generate(self, question: Question, hits: Sequence[Hit]) -> Iterator[str]:
        url = f"{self.base_url}/chat/completions"
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": build_messages(question, hits),
            "stream": True,
            "temperature": self.temperature,
        }
        try:
            with (
                httpx.Client(timeout=self.timeout) as client,
                client.stream("POST", url, json=body, headers=headers) as response,
            ):
                if response.status_code >= 400:
                    detail = response.read().decode("utf-8", "replace")[:200]
                    raise GeneratorError(
                        f"the generator at {url} answered HTTP {response.status_code}: {detail}"
                    )
                yield from _deltas(response.iter_lines(), url)
        except httpx.TimeoutException as exc:
            raise GeneratorError(
                f"the generator at {url} did not answer within {self.timeout:g} s: "
                "raise RAG_GENERATOR_TIMEOUT or check the server"
            ) from exc
        except httpx.HTTPError as exc:
            raise GeneratorError(
                f"cannot reach the generator at {url} ({type(exc).__name__}): "
                "start the server or set RAG_OPENAI_BASE_URL"
            ) from exc


def _deltas(lines: Iterator[str], url: str) -> Iterator[str]:
    """The content pieces of an OpenAI chat-completions event stream."""
    finished = False
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        data = line[5:].strip()
        if data == "[DONE]":
            finished = True
            break
        try:
            event = json.loads(data)
            choice = event["choices"][0] if event.get("choices") else {}
            piece = (choice.get("delta") or {}).get("content") or ""
        except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
            raise GeneratorError(
                f"the generator at {url} sent a malformed event: {data[:80]!r}"
            ) from exc
        if not isinstance(piece, str):
            raise GeneratorError(f"the generator at {url} sent non-text content: {piece!r}")
        if piece:
            yield piece
        if choice.get("finish_reason"):
            finished = True
    if not finished:
        raise GeneratorError(f"the generator at {url} ended its stream before finishing")
