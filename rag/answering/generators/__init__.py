"""Generators: optional language models that write the answer from the numbered passages.

A `Generator` takes the `Question` and the hits and yields text pieces as they are produced,
with ``[n]`` markers pointing at passage n. `rag.answering.citing` checks the markers and
turns them into sentence citations. Built in: ``openai``, any server speaking the OpenAI
chat-completions protocol (vLLM, Ollama, llama.cpp's server, OpenAI).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from rag.errors import ConfigError
from rag.records import Hit, Question
from rag.settings import Settings

__all__ = ["REGISTRY", "Generator", "get_generator"]


@runtime_checkable
class Generator(Protocol):
    """Writes an answer from numbered passages, streaming."""

    @property
    def name(self) -> str: ...

    def generate(self, question: Question, hits: Sequence[Hit]) -> Iterator[str]:
        """Text pieces of the answer, in order.

        Raises:
            GeneratorError: the model could not be reached or answered badly.
        """
        ...


def _openai(settings: Settings) -> Generator:
    from rag.answering.generators.openai_chat import OpenAIChatGenerator

    return OpenAIChatGenerator.from_settings(settings)


REGISTRY: dict[str, Callable[[Settings], Generator]] = {"openai": _openai}


def get_generator(name: str, settings: Settings) -> Generator:
    """The generator registered under `name`.

    Raises:
        ConfigError: unknown name (lists the valid ones).
    """
    factory = REGISTRY.get(name)
    if factory is None:
        raise ConfigError(f"unknown generator {name!r}: use one of {', '.join(REGISTRY)}")
    return factory(settings)
