"""The query stage: a question in, one `Question` record out, read once for every later stage.

`analysis` reads a question (language, kind of answer, tokens and their weights, the words that
name what is asked, and an English question's Chinese terms from `english`, a subject described
instead of named from `hops`, two things compared from `comparison`); `conversation` makes a
chat's follow-up question stand on its own first.
"""

from rag.query.analysis import analyse, check_query
from rag.query.conversation import Turn, standalone_question
from rag.query.english import english_terms

__all__ = ["Turn", "analyse", "check_query", "english_terms", "standalone_question"]
