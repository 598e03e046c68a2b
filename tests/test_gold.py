"""The gold set: every item checked against the seeds, and the shape the issue asks for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rag import ConfigError, Document
from rag.evaluation.gold import GoldItem, load_gold, problems, squash

EVAL = Path(__file__).resolve().parent.parent / "eval"


def test_every_item_is_sound(docs: dict[str, Document]) -> None:
    items = load_gold(EVAL / "gold.jsonl")
    assert {i.id: problems(i, docs) for i in items if problems(i, docs)} == {}


def test_the_set_covers_what_it_must(docs: dict[str, Document]) -> None:
    items = load_gold(EVAL / "gold.jsonl")
    assert len(items) >= 400
    assert len({i.id for i in items}) == len(items)
    types = Counter(i.type for i in items)
    assert types["unanswerable"] >= 60 and sum(i.lang == "en" for i in items) >= 60
    assert types["multi-hop"] >= 40
    assert all(types[t] >= 5 for t in ["factoid", "number", "date", "person", "list"])
    assert all(types[t] >= 5 for t in ["paraphrase", "cross-lingual", "multi-hop"])
    assert {d for i in items for d in i.docs} == set(docs)
    # every article with body text is asked about
    for doc in docs.values():
        asked = [e for i in items if doc.id in i.docs for e in i.evidence]
        for article in doc.articles:
            text = "".join(doc.text[s:e] for s, e in article.parts).replace(" ", "")
            if len(text) > 300:
                assert any(a.replace(" ", "") in text for a in asked), article.headline


def test_train_dev_and_test_split_the_set_by_article(docs: dict[str, Document]) -> None:
    gold = load_gold(EVAL / "gold.jsonl")
    splits = {name: load_gold(EVAL / f"{name}.jsonl") for name in ("train", "dev", "test")}
    ids = [i.id for items in splits.values() for i in items]
    assert sorted(ids) == sorted(i.id for i in gold)  # a partition
    assert 0.4 <= len(splits["train"]) / len(gold) <= 0.6

    def article(item: GoldItem) -> tuple[str, int]:
        answer = squash(item.evidence[-1])  # the answer sentence: evidence2 of a two-hop item
        for name in reversed(item.docs):
            doc = docs[name]
            for k, a in enumerate(doc.articles):
                if answer in squash("".join(doc.text[s:e] for s, e in a.parts)):
                    return name, k
        raise AssertionError(item.id)

    # no article's sentences serve two splits
    owner: dict[tuple[str, int], str] = {}
    for name, items in splits.items():
        for item in items:
            if item.answerable:
                assert owner.setdefault(article(item), name) == name, item.id
    # and each stays where the recorded deal put it (items added later do not move articles)
    recorded = json.loads((EVAL / "article_splits.json").read_text(encoding="utf-8"))
    assert {f"{doc}#{k}": name for (doc, k), name in owner.items()} == recorded
    for items in splits.values():  # every split asks in both languages, and refuses
        assert {i.lang for i in items} == {"zh", "en"}
        assert sum(not i.answerable for i in items) >= 15


def test_bad_gold_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no gold file at"):
        load_gold(tmp_path / "none.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "1", "question": "q", "type": "factoid", "lang": "zh"}\n{oops\n', "utf-8"
    )
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2 is not a valid gold item"):
        load_gold(bad)
