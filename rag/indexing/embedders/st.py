"""``st:<model>``: any sentence-transformers model, for users with a model cache or a GPU.

Needs the ``[st]`` extra. Loads only from a local path or the local model cache: the Hugging
Face hub is put offline before the library is imported, so a missing model is a clear error,
never a download.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.errors import ConfigError
from rag.indexing.embedders.base import Vectors, as_vectors
from rag.text import normalize

INSTALL = "pip install 'rag-zh-news[st]' (install torch==2.13.0 first for the CPU build)"


def _import_st() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import sentence_transformers
    except ImportError as exc:
        raise ImportError(f"the 'st:' embedders need sentence-transformers: {INSTALL}") from exc
    return sentence_transformers


class SentenceTransformerEmbedder:
    """A sentence-transformers model with configurable query/passage prompts and device.

    Args:
        model: a local path or the name of a model already in the local cache.
        query_prompt / passage_prompt: text put before queries / passages; by default the
            model's own ``query``/``passage`` (or ``document``) prompts when it defines them,
            else nothing (e5 models want ``"query: "`` and ``"passage: "``).
        device: ``cpu``, ``cuda``, ``mps`` …; sentence-transformers picks when None.
        batch_size: passages per forward pass.
    """

    def __init__(
        self,
        model: str,
        *,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        device: str | None = None,
        batch_size: int = 32,
    ) -> None:
        self.model_name = model
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.device = device
        self.batch_size = batch_size
        self._st = _import_st()  # fail now, with the install command, not at first use
        self._model: Any = None

    @property
    def name(self) -> str:
        return f"st:{self.model_name}"

    @property
    def model(self) -> Any:
        if self._model is None:
            try:
                self._model = self._st.SentenceTransformer(
                    self.model_name, device=self.device, local_files_only=True
                )
            except OSError as exc:
                raise ConfigError(
                    f"cannot load sentence-transformers model {self.model_name!r} offline: "
                    "pass a local model folder, or a model already in the local cache"
                ) from exc
            prompts = self._model.prompts or {}
            if self.query_prompt is None:
                self.query_prompt = prompts.get("query", "")
            if self.passage_prompt is None:
                self.passage_prompt = prompts.get("passage", prompts.get("document", ""))
        return self._model

    @property
    def dim(self) -> int:
        model = self.model
        get = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get())

    def _encode(self, texts: Sequence[str], is_query: bool, progress: bool) -> Vectors:
        model = self.model  # loading it resolves the default prompts
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = self.query_prompt if is_query else self.passage_prompt
        vectors = model.encode(
            [normalize(t) for t in texts],
            prompt=prompt or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return as_vectors(vectors, self.dim)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, True, False)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> Vectors:
        return self._encode(texts, False, progress)
