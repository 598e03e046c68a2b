"""The corpus stage: files in, cleaned `Document` records and `Chunk` passages out.

`documents` loads and decodes a folder; `cleaning` repairs the layout damage of newspaper text
(broken lines, doubled captions); `textmap` keeps every cleaned character's raw offset;
`layout` finds the articles, headlines, bylines and sections; `chunking` packs whole sentences
of one section into passages with exact offsets. Sentences themselves are split by `rag.text`.
"""

from rag.corpus.chunking import ChunkerConfig, chunk_document, chunk_documents, index_text
from rag.corpus.documents import load_documents

__all__ = ["ChunkerConfig", "chunk_document", "chunk_documents", "index_text", "load_documents"]
