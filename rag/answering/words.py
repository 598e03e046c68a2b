"""The question's words as the answerer weighs them: weighted groups of vocabulary ids, and the
share of them a sentence holds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rag.indexing.lexical import LexicalIndex
from rag.records import Question

Group = tuple[float, frozenset[int]]  # a weight, and the vocabulary ids any of which earn it


def word_share(
    groups: list[Group], total: float, tokens: set[int], context: set[int], credit: float
) -> float:
    """Weighted share of the question's words that the sentence holds. A word is a group of
    vocabulary ids: one token of a Chinese question, or the Chinese terms of one English
    phrase (any of them will do). Words only in its `context` (headline, section) earn
    partial `credit`."""
    if not total:
        return 0.0
    got = sum(w * (1.0 if ids & tokens else credit if ids & context else 0.0) for w, ids in groups)
    return got / total


def question_groups(
    question: Question, lexical: LexicalIndex, unread_weight: float = 0.0
) -> tuple[list[Group], float, float]:
    """The question's words as weighted groups of vocabulary ids, their total weight, and the
    weight of the heaviest word no passage can match (0 when there is none).

    A Chinese token no passage holds keeps its weight in the total: it cannot be matched. An
    English word is weighed through its Chinese terms, one group per phrase at the weight of
    its first term; the English words themselves count where the passages hold them (numbers,
    names in Latin letters), and an English word with neither (mayor, when no page has 市长)
    adds `unread_weight` to the total: like a Chinese word no passage holds, it says the
    sentence may not be about what is asked."""
    groups: list[Group] = []
    total = 0.0
    read = {w for t in question.terms for w in t.english.lower().split()}
    held_tokens = 0
    unheld = 0.0
    for token, weight in question.idf.items():
        held = lexical.has(token)
        if held:
            groups.append((weight, frozenset(lexical.token_ids([token]))))
            held_tokens += 1
        if held or question.lang == "zh":
            total += weight
            unheld = unheld if held else max(unheld, weight)
        elif token.isalpha() and token.isascii() and token not in read:
            total += unread_weight
            unheld = max(unheld, unread_weight)
    by_phrase: dict[str, list[tuple[float, str]]] = {}
    for term in question.terms:
        by_phrase.setdefault(term.english.lower(), []).append((term.weight, term.text))
    for terms in by_phrase.values():
        ids = frozenset(lexical.token_ids([text for _, text in terms]))
        weight = terms[0][0]  # the first sense's: a rare odd sense would overweigh the word
        groups.append((weight, ids))
        total += weight
    if question.terms and not held_tokens and all(len(t.text) == 1 for t in question.terms):
        return [], 0.0, unheld  # "hello" → 好 names nothing: meaning alone decides
    return groups, total, unheld


@dataclass(frozen=True)
class BM25Norm:
    """BM25's constants, and the corpus's mean sentence length in tokens."""

    k1: float
    b: float
    mean_tokens: float


def sentence_bm25(groups: list[Group], total: float, tokens: list[int], norm: BM25Norm) -> float:
    """BM25 of one sentence over the question's word groups, over the most it could be."""
    if not total:
        return 0.0
    length = norm.k1 * (1 - norm.b + norm.b * len(tokens) / norm.mean_tokens)
    counts = Counter(tokens)
    got = 0.0
    for weight, ids in groups:
        tf = sum(counts[i] for i in ids if i in counts)
        if tf:
            got += weight * tf * (norm.k1 + 1) / (tf + length)
    return got / (total * (norm.k1 + 1))
