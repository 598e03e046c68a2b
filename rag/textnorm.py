"""One normalisation for queries and passages alike, before tokenising and embedding.

NFKC folds full-width forms (``１２３``, ``ＡＢＣ``) into their ordinary ones, and OpenCC's
Traditional-to-Simplified table maps 蓬江區 to 蓬江区: readers in Hong Kong, Macau and overseas
write Traditional, the Jiangmen papers print Simplified. Stored and quoted text is never
normalised; only what is matched.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC) and Traditional to Simplified script."""
    return str(_t2s().convert(unicodedata.normalize("NFKC", text)))
