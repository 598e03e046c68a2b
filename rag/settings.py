"""One settings object for the library, the CLI and the server (environment prefix ``RAG_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Mode = Literal["dense", "bm25", "hybrid"]
Fusion = Literal["scores", "rrf"]


class Settings(BaseSettings):
    """Every tunable of the pipeline; ``RAG_MODE=bm25`` in the environment overrides `mode`.

    Retrieval values are starting points for the evaluation runner to tune.
    """

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid")

    corpus_dir: Path = Path("seeds")
    index_dir: Path = Path("index/default")
    embedder: str = "e5-small-q4"
    mode: Mode = "hybrid"
    fusion: Fusion = Field(
        default="scores",
        description="hybrid: cosine + bm25_weight · BM25 / best BM25 (scores), or reciprocal "
        "rank fusion (rrf)",
    )
    # 0.08: best, or within a point of it, on train+dev and XQuAD (eval/README.md, "Fusion by
    # scores")
    bm25_weight: float = Field(
        default=0.08, ge=0.0, description="BM25's weight in fusion by scores"
    )
    rrf_k: int = Field(default=60, ge=1, description="reciprocal rank fusion constant")
    depth: int = Field(
        default=50, ge=1, description="candidates taken from each side before fusion"
    )
    dictionary_cache: Path | None = Field(
        default=Path("~/.cache/rag-zh-news"),
        description="where the parsed English–Chinese dictionaries are kept between builds",
    )
    vector_store: Literal["faiss", "milvus"] = Field(
        default="faiss",
        description="where chunk vectors are searched: FAISS files, or a Milvus collection",
    )
    milvus_uri: str | None = Field(
        default=None,
        description="Milvus: a local path (milvus-lite) or http://host:19530; unset: "
        "milvus-lite inside the index folder",
    )
    faiss_index: Literal["flat", "hnsw"] = "flat"
    faiss_codes: Literal["float32", "sq8"] = Field(
        default="float32",
        description="chunk vectors in FAISS: float32, or sq8 (8 bits a dimension, a quarter "
        "of the bytes: for corpora of millions of chunks)",
    )
    # One query split over 2 OpenMP threads was 2.4–23× slower here than on one: a server
    # runs requests side by side, each on one thread (`rag serve` sets 1 when unset)
    faiss_threads: int | None = Field(
        default=None, ge=1, description="OpenMP threads per FAISS search (unset: all cores)"
    )
    hnsw_m: int = Field(default=32, ge=4)
    hnsw_ef_construction: int = Field(default=200, ge=8)
    # 512: recall@10 0.973 at 10^6 chunks for 2.2 ms a query; 128 gave 0.886 (benchmarks/)
    hnsw_ef_search: int = Field(default=512, ge=8)
    max_k: int = Field(default=100, ge=1, description="largest k a search may ask for")
    query_cache: int = Field(
        default=1024, ge=0, description="query vectors kept for repeated questions (0: off)"
    )
    answer_passages: int = Field(default=5, ge=1, description="passages an answer draws on")
    answerer: str = Field(
        default="template", description="'template' or 'generator:<name>' (e.g. generator:openai)"
    )
    generator_fallback: bool = Field(
        default=True, description="answer with the template when the generator fails"
    )
    generator_timeout: float = Field(default=60.0, gt=0)
    openai_base_url: str = "http://localhost:8000/v1"
    openai_model: str = "qwen2.5-7b-instruct"
    # the service
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_question_chars: int = Field(default=2000, ge=1)
    max_body_bytes: int = Field(default=65536, ge=1024)
    max_in_flight: int = Field(
        default=32, ge=1, description="API requests answered at once; beyond: 503"
    )
    request_timeout: float = Field(
        default=90.0, gt=0, description="seconds an API request may take to start its answer"
    )
    cors_origins: list[str] = Field(default_factory=list, description="empty: CORS off")
    api_key: str | None = Field(default=None, description="when set, the API requires it")
    build_if_missing: bool = Field(default=True, description="serve: build the index if absent")
    answer_selector: str = Field(
        default="learned",
        description="'learned' (the fitted selector in the package), 'weights' (the hand-set "
        "weights of meaning, words and kind), or the path of a selector JSON",
    )
    short_answer: str = Field(
        default="rules",
        description="'rules' (the rules' span), 'learned' (the span model in the package picks "
        "the short answer among the sentence's runs of words: not yet worth its millisecond, "
        "see eval/README.md), or the path of a span model JSON",
    )
    answer_min_probability: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="learned selector: the calibrated probability under which the answer is "
        "'not found' (default: the threshold fitted with the selector)",
    )
    answer_min_score: float = Field(
        default=0.6, ge=0, le=1, description="weights: below this best sentence score: not found"
    )
    answer_min_score_en: float = Field(
        default=0.5, ge=0, le=1, description="the same, for questions in English"
    )
