"""Cited question answering over Chinese news articles.

The stages, one module each: `documents` (load and decode) → `cleaning` (repair the layout
damage) → `layout` (articles, headlines, sections) → `chunking` (passages with exact offsets).
"""

from rag.chunking import ChunkerConfig, chunk_document, chunk_documents
from rag.documents import load_documents
from rag.errors import ConfigError, CorpusError, RagError
from rag.records import Article, Chunk, Document, Paragraph, Sentence
from rag.sentences import split_sentences

__all__ = [
    "Article",
    "Chunk",
    "ChunkerConfig",
    "ConfigError",
    "CorpusError",
    "Document",
    "Paragraph",
    "RagError",
    "Sentence",
    "chunk_document",
    "chunk_documents",
    "load_documents",
    "split_sentences",
]
