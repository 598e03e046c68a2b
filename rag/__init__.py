"""Cited question answering over Chinese news articles.

One subpackage per stage, in the order a question meets them (docs/architecture.md):
`corpus` (load, clean, lay out, chunk) → `indexing` (embed, FAISS + BM25, the index on disk)
→ `query` (read a question once into a `Question`) → `retrieval` (dense, BM25, fused) →
`answering` (template or generator, cited) → `evaluation` (gold sets, reports). `RAG` (in
`api`) ties them together; `records` holds the typed records passed between them.
"""

from rag.answering import AnswerConfig, Generator
from rag.api import RAG
from rag.corpus import ChunkerConfig, chunk_document, chunk_documents, load_documents
from rag.errors import (
    ConfigError,
    CorpusError,
    GeneratorError,
    IndexCorruptError,
    IndexError_,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    RagError,
)
from rag.evaluation import evaluate
from rag.indexing import BuildReport, Embedder, get_embedder
from rag.records import Answer, Article, Chunk, Citation, Document, Hit, Paragraph, Question
from rag.settings import Settings
from rag.text import Sentence, split_sentences

__all__ = [
    "RAG",
    "Answer",
    "AnswerConfig",
    "Article",
    "BuildReport",
    "Chunk",
    "ChunkerConfig",
    "Citation",
    "ConfigError",
    "CorpusError",
    "Document",
    "Embedder",
    "Generator",
    "GeneratorError",
    "Hit",
    "IndexCorruptError",
    "IndexError_",
    "IndexMismatchError",
    "IndexNotFoundError",
    "Paragraph",
    "QueryError",
    "Question",
    "RagError",
    "Sentence",
    "Settings",
    "chunk_document",
    "chunk_documents",
    "evaluate",
    "get_embedder",
    "load_documents",
    "split_sentences",
]
