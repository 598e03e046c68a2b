"""The retrieval stage: a `Question` in, ranked `Hit` passages out.

`retriever` searches dense, BM25 or both; `fusion` puts the two rankings together.
"""

from rag.retrieval.fusion import reciprocal_rank_fusion, top
from rag.retrieval.retriever import MODES, Retriever

__all__ = ["MODES", "Retriever", "reciprocal_rank_fusion", "top"]
