"""The indexing stage: chunks in, an index on disk out (and opened again).

`embedders` turn text into vectors (a Protocol and a registry); `dense` is the FAISS side and
`lexical` the jieba + bm25s side; `marks` and `sentence_table` hold what answering needs of every
sentence, computed once at build time; `store` writes and verifies the index folder; `build`
runs the whole build, streaming vectors to files (`vector_files`) and reusing the previous
index's (`reuse`); `vector_store` puts the chunk vectors on Milvus instead of FAISS files;
`dictionaries` and `bilingual` make the English lookup (English words and pinyin names → the
corpus's Chinese words) stored with the index.
"""

from rag.indexing.bilingual import TermLookup
from rag.indexing.build import BuildReport, build_index
from rag.indexing.dense import DenseIndex
from rag.indexing.embedders import Embedder, Vectors, get_embedder
from rag.indexing.lexical import LexicalIndex, tokenize
from rag.indexing.sentence_table import SentenceTable
from rag.indexing.store import StoredIndex, read_index, read_manifest

__all__ = [
    "BuildReport",
    "DenseIndex",
    "Embedder",
    "LexicalIndex",
    "SentenceTable",
    "StoredIndex",
    "TermLookup",
    "Vectors",
    "build_index",
    "get_embedder",
    "read_index",
    "read_manifest",
    "tokenize",
]
