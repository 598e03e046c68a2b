"""The query stage: a question in, one `Question` record out, read once for every later stage.

`analysis` reads a question (language, kind of answer, tokens and their weights, the words that
name what is asked); `conversation` makes a chat's follow-up question stand on its own first.
"""

from rag.query.analysis import analyse, check_query
from rag.query.conversation import Turn, standalone_question

__all__ = ["Turn", "analyse", "check_query", "standalone_question"]
