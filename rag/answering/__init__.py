"""The answering stage: a `Question` and its hits in, a cited `Answer` out.

`template` quotes the best sentences (the default, no language model), chosen and calibrated by
the learned `selector` over each candidate's features (`words` weighs the question's words);
`short` takes the span that answers; `kinds` checks a sentence holds what was asked;
`generators` hold the optional language models; `citing` turns a generator's passage markers
into checked sentence citations; `english` leads an English answer with what answers and a
name's pinyin; `hops` (with `bridge`) answers a question that describes its subject, and
`comparison` one that compares two named things, each in two retrievals.
"""

from rag.answering.citing import MarkerRewriter, citations_for, rewrite_stream
from rag.answering.generators import Generator, get_generator
from rag.answering.template import AnswerConfig, TemplateAnswerer

__all__ = [
    "AnswerConfig",
    "Generator",
    "MarkerRewriter",
    "TemplateAnswerer",
    "citations_for",
    "get_generator",
    "rewrite_stream",
]
