"""Cited question answering over Chinese news articles.

The stages, one module each: `documents` (load and decode) → `cleaning` (repair the layout
damage) → `layout` (articles, headlines, sections) → `chunking` (passages with exact offsets)
→ `embedders` + `dense` (FAISS) and `lexical` (jieba + bm25s) → `store` (the index on disk)
→ `retrieval` (dense, BM25, hybrid). `RAG` (in `api`) ties them together.
"""

from rag.answering import AnswerConfig
from rag.api import RAG
from rag.chunking import ChunkerConfig, chunk_document, chunk_documents
from rag.documents import load_documents
from rag.embedders import Embedder, get_embedder
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
from rag.generators import Generator
from rag.index import BuildReport
from rag.records import Answer, Article, Chunk, Citation, Document, Hit, Paragraph, Sentence
from rag.sentences import split_sentences
from rag.settings import Settings

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
