"""One normalisation for queries and passages alike, before tokenising and embedding.

NFKC folds full-width forms (``１２３``, ``ＡＢＣ``) into their ordinary ones, and OpenCC's
Traditional-to-Simplified table maps 蓬江區 to 蓬江区: readers in Hong Kong, Macau and overseas
write Traditional, the Jiangmen papers print Simplified. Stored and quoted text is never
normalised; only what is matched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


# A lone surrogate (a JSON body may escape one: ``"\\ud800"``) cannot be encoded as UTF-8,
# which OpenCC needs; it becomes U+FFFD, the replacement character.
SURROGATE = re.compile("[\ud800-\udfff]")


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC) and Traditional to Simplified script."""
    text = SURROGATE.sub("\ufffd", unicodedata.normalize("NFKC", text))
    # OpenCC's table is not closed: 薴 → 苧, itself Traditional for 苎. Convert until nothing
    # changes (once for text already Simplified, as the corpus is).
    for _ in range(3):
        converted = str(_t2s().convert(text))
        if converted == text:
            break
        text = converted
    return text
