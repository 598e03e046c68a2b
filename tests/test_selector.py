"""The learned answer selector (issue 15): the shipped model, its calibrated refusals, its
settings, and the short answer taken from the chosen sentence."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag import RAG, Settings
from rag.answering.causes import why_span
from rag.answering.selector import (
    FEATURES,
    Selector,
    english_copies,
    model_inputs,
    slot_facts,
)
from rag.answering.short import (
    aligned_span,
    best_clause,
    kind_span,
    named_place,
    residual,
    short_answer,
    with_category,
)
from rag.errors import ConfigError
from rag.evaluation.gold import load_gold
from rag.indexing.marks import persons
from rag.query.analysis import asked_kind

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_selector_loads_and_names_its_features() -> None:
    selector = Selector.load()
    assert 0 < selector.threshold < 1
    assert selector.info["seed"] and selector.info["sources"]
    row = np.zeros(len(FEATURES))
    assert 0 <= selector.probability(row) <= 1
    ranks = selector.rank_scores(np.zeros((3, len(FEATURES))))
    assert ranks.shape == (3,) and np.all((ranks >= 0) & (ranks <= 1))


def test_a_selector_fitted_on_other_features_is_a_config_error(tmp_path: Path) -> None:
    data = Selector.load().to_json()
    data["features"] = ["cosine", "words"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match=r"other features.*train_selector"):
        Selector.load(path)


@pytest.mark.parametrize("text", ["{not json", '{"features": 3}', ""])
def test_a_broken_selector_file_is_a_config_error_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=r"broken\.json"):
        Selector.load(path)
    with pytest.raises(ConfigError, match=r"missing\.json"):
        Selector.load(tmp_path / "missing.json")


def test_a_selector_at_a_path_is_the_one_used(seed_index_dir: Path, tmp_path: Path) -> None:
    data = Selector.load().to_json()
    data["threshold"] = 0.999  # a selector that refuses everything
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(data), "utf-8")
    rag = RAG.open(seed_index_dir, settings=Settings(answer_selector=str(path)))
    answer = rag.ask("蓬江区有多少支家庭医生团队？")
    assert not answer.found and answer.meta["min_score"] == 0.999


def test_the_answer_reports_the_calibrated_probability(seed_rag: RAG) -> None:
    answer = seed_rag.ask("蓬江区有多少支家庭医生团队？")
    assert answer.found and answer.meta["selector"] == "learned"
    probability = answer.meta["best_score"]
    assert isinstance(probability, float)
    assert answer.meta["min_score"] == Selector.load().threshold <= probability <= 1


def test_the_probability_threshold_is_a_setting(seed_index_dir: Path) -> None:
    question = "蓬江区有多少支家庭医生团队？"
    always = RAG.open(seed_index_dir, settings=Settings(answer_min_probability=0.0))
    never = RAG.open(seed_index_dir, settings=Settings(answer_min_probability=1.0))
    assert always.ask(question).found and not never.ask(question).found


def test_the_hand_set_weights_remain_a_setting(seed_index_dir: Path) -> None:
    rag = RAG.open(seed_index_dir, settings=Settings(answer_selector="weights"))
    answer = rag.ask("蓬江区有多少支家庭医生团队？")
    assert answer.found and answer.meta["selector"] == "weights" and "116支" in answer.text


def test_probabilities_separate_answerable_from_unanswerable_dev_items(seed_rag: RAG) -> None:
    # calibrated on train; on the dev split (other articles) an unanswerable question must
    # on average look less answerable than an answerable one, by a clear margin
    items = load_gold(ROOT / "eval" / "dev.jsonl")
    asked = {True: [], False: []}  # type: dict[bool, list[float]]
    for item in items:
        score = seed_rag.ask(item.question).meta["best_score"]
        asked[item.answerable].append(float(score) if isinstance(score, float) else 0.0)
    assert len(asked[False]) >= 10
    assert np.mean(asked[True]) > np.mean(asked[False]) + 0.15


# --- short answers -------------------------------------------------------------------------

# Answered from another sentence since the selector reads the answer's shape (2026-12-06):
# 达到 anchors 开平市县域医共体建设达到紧密型标准, while the evidence says 住院率达86.4%
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="达到 anchors another sentence")
SHORT = [
    ("蓬江区有多少支家庭医生团队？", "116支"),
    ("棠下镇卫生院住院大楼什么时候投入使用？", "2023年6月"),
    pytest.param("开平市全市域内住院率达到多少？", "86.4%", marks=KNOWN_MISS),
    ("蓬江分院党委书记是谁？", "甄沛林"),
    ("江南街道社区卫生服务中心异地重建项目总投资多少？", "1.25亿元"),
]


@pytest.mark.parametrize(("question", "short"), SHORT)
def test_the_short_answer_is_the_span_and_leads_the_text(
    seed_rag: RAG, question: str, short: str
) -> None:
    answer = seed_rag.ask(question)
    assert answer.found and answer.short == short
    assert answer.text.startswith(f"{short} —— ")
    assert any(short in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    ("sentence", "names", "not_names"),
    [
        # the byline's name without its title: 局长是谁 names 局长, so 局长杨家慧 never answered
        ("江海区卫生健康局党组书记、局长杨家慧", ["杨家慧"], ["局长杨家慧"]),
        # jieba cuts 温力/生 and 李鹏/飞: the surname after a title, the noun closing the name
        (
            "特派总院专家温力生担任麻醉疼痛科专科主任、徐裕海担任康复治疗中心专科主任",
            ["温力生", "徐裕海"],
            [],
        ),
        ("不仅如此，李鹏飞介绍：“针对专业技术人才少", ["李鹏飞"], ["李鹏"]),
        # after a title, a word that is no name (院长研究基金 once marked 研究基 a person)
        ("率先推出“院长研究基金”，出资协助成立“粤江联合基金”", [], ["研究基"]),
        ("家庭医生团队有116支，医生来院出诊", [], ["团队有", "来院出"]),
    ],
)
def test_a_person_is_marked_by_the_name_alone(
    sentence: str, names: list[str], not_names: list[str]
) -> None:
    marked = [sentence[start:end] for start, end in persons(sentence)]
    assert all(name in marked for name in names), marked
    assert not any(name in marked for name in not_names), marked


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("江海区卫生健康局局长叫什么名字？", "person"),
        ("这本书的作者叫什么？", "person"),
        ("她丈夫的名字是什么？", "person"),
        ("这家医院叫什么名字？", "any"),  # an organisation's name: no person asked
        ("这个国家叫什么名字？", "any"),
    ],
)
def test_a_name_asked_after_a_role_asks_for_a_person(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


def test_a_refusal_has_no_short_answer(seed_rag: RAG) -> None:
    answer = seed_rag.ask("明天江门的天气怎么样？")
    assert not answer.found and answer.short == ""


def test_an_english_answer_leads_with_its_short_answer(seed_rag: RAG) -> None:
    answer = seed_rag.ask("How many family doctor teams does Pengjiang District have?")
    assert answer.found and answer.short == "116支"
    assert answer.text.startswith("116支 — according to the articles")


@pytest.mark.parametrize(
    ("question", "sentence", "span"),
    [
        # the question's words around its question word anchor the span
        ("江海区卫生健康局的局长是谁？", "江海区卫生健康局党组书记、局长杨家慧", "杨家慧"),
        (
            "江门市中心医院开设的门诊聘请什么人来执业主诊？",
            "聘请高水平港澳医生来执业主诊",
            "高水平港澳医生",
        ),
        (
            "这家医院以什么为龙头促进医疗质量提升",
            "以重点专科建设为龙头，促进医疗质量提升",
            "重点专科建设",
        ),
        # the preposition the sentence keeps after the question's words is not the answer's
        ("浪花鱼分布在什么地区？", "本鱼分布于西北太平洋", "西北太平洋"),
        # nothing of the question in the clause: no span
        ("唐聪是做什么工作的？", "天气晴朗", ""),
        # a Traditional question, on a Simplified page and on a Traditional one
        ("江海區衛生健康局的局長是誰？", "江海区卫生健康局党组书记、局长杨家慧", "杨家慧"),
        ("臺北縣的縣長是誰？", "當時的臺北縣縣長尤清", "尤清"),
        # the measure word after 哪 is the question word's, in either script (哪個 once read
        # as 哪, leaving 個 to the words after it, which then anchored nothing)
        ("醫院哪個科室開設了夜間門診？", "醫院兒科開設了夜間門診", "兒科"),
        ("医院哪一个科室开设了夜间门诊？", "医院儿科开设了夜间门诊", "儿科"),
    ],
)
def test_aligned_span(question: str, sentence: str, span: str) -> None:
    assert aligned_span(question, sentence) == span


def test_a_number_in_the_unit_asked_is_preferred() -> None:
    sentence = "申报科研项目增长166.7%，获批8项"
    first, second = sentence.index("166.7%"), sentence.index("8项")
    marked = [(0, first, first + 6), (0, second, second + 2)]  # the build's number marks
    assert kind_span("number", [], sentence, marked, {}, "获批了几项？") == "8项"
    assert kind_span("number", [], sentence, marked, {}, "增长了多少？") == "166.7%"


def test_a_date_the_marks_miss_is_read_from_the_sentence() -> None:
    # the build marks four-digit years, months and days; nothing marked, a date asked:
    # a three-digit year, a century, an era's year
    assert kind_span("date", [], "316年晋愍帝投降", [], {}, "西晋于何年灭亡？") == "316年"
    assert kind_span(
        "date", [], "当进入18世纪时，清朝已排除各种危机", [], {}, "清朝何时强盛？"
    ) == ("18世纪")
    sentence = "康熙七年，陕西省正式分为陕西、甘肃二省"
    assert kind_span("date", [], sentence, [], {}, "陕西省何时分为二省？") == "康熙七年"
    assert kind_span("date", [], "陕西省正式分为二省", [], {}, "陕西省何时分省？") == ""


def test_of_several_numbers_the_one_the_question_s_words_stand_around() -> None:
    sentence = "获批省级立项16项、市级立项112项，发表SCI论文35篇，出版专著3篇"
    marked = [(0, m.start(), m.end()) for m in re.finditer(r"\d+(?:项|篇)", sentence)]
    assert kind_span("number", [], sentence, marked, {}, "市级立项多少项？") == "112项"
    assert kind_span("number", [], sentence, marked, {}, "省级立项多少项？") == "16项"
    assert kind_span("number", [], sentence, marked, {}, "出版专著几篇？") == "3篇"
    # no word of the question near any: the first, as before
    assert kind_span("number", [], sentence, marked, {}, "一共多少？") == "16项"


def test_a_place_asked_is_the_name_the_question_s_words_stand_around() -> None:
    sentence = "完成开平市中心医院整体提档升级，推进水口医院医养结合综合大楼建设。"
    question = "开平市计划推进哪家医院的医养结合综合大楼建设？"
    assert named_place(question, ["开平市", "医养", "结合", "综合", "大楼"], sentence) == "水口医院"
    assert named_place("唐聪是做什么工作的？", ["唐聪"], "天气晴朗") == ""
    # the question's words after the category anchor the end: 由…江门市疾控中心 (a reader's
    # span would start at the name; what stands before it is left, as CMRC 2018 measured)
    sentence = "据悉，该校卫生委员参加由江门市疾控中心主办的系列主题培训。"
    question = "培英小学的系列主题培训由哪个机构主办？"
    assert named_place(question, ["培英", "小学", "系列", "主题"], sentence).endswith("疾控中心")


@pytest.mark.parametrize(
    ("question", "sentence", "span"),
    [
        # a cause the sentence gives (由于 …, 因 … 而), a purpose (为了 …), or the clause
        # before its consequence (…，因此 …)
        ("医院为什么新建住院大楼？", "由于床位长期紧张，医院新建住院大楼。", "床位长期紧张"),
        ("门诊量为何回落？", "门诊量因流感季结束而回落。", "流感季结束"),
        ("开设夜间门诊的目的是什么？", "为了方便上班族，医院开设夜间门诊。", "为了方便上班族"),
        ("为什么患者不必再跑广州？", "专家每周驻点，因此患者不必再跑广州。", "专家每周驻点"),
        # of two causes, the one before the effect the question names
        (
            "为什么分院的急诊量上升？",
            "因为总院改造，门诊量下降，但由于新开胸痛中心使得分院的急诊量上升。",
            "新开胸痛中心",
        ),
        # 为什么 at the question's end asks "as what", 为何 there asks "what": not a cause
        ("这家卫生院后来改名为什么？", "由于区划调整，这家卫生院后来改名为白沙医院。", ""),
        ("这个项目的目标为何？", "由于资金到位，项目目标为建成区域医疗中心。", ""),
        # no cause in the sentence
        ("医院为什么新建住院大楼？", "医院新建住院大楼。", ""),
        # an English question asking why, over a Chinese sentence
        (
            "Why did the hospital build a new ward?",
            "由于床位长期紧张，医院新建住院大楼。",
            "床位长期紧张",
        ),
    ],
)
def test_the_cause_a_why_question_asks(question: str, sentence: str, span: str) -> None:
    assert why_span(question, sentence) == span


def test_what_a_clause_says_beyond_the_question() -> None:
    question = "江门市中心医院牵头成立了什么联盟？"
    clause = "眼科专科联盟由江门市中心医院牵头成立"
    # the question's words on both sides of 什么 do not stand around the answer here
    assert aligned_span(question, clause) == ""
    assert residual(question, clause) == "眼科专科"
    # with the category the question names after 什么, which the clause repeats after it
    words = ["江门市", "中心医院", "牵头", "成立", "联盟"]
    assert short_answer(question, words, clause) == "眼科专科联盟"
    # not after a list: the category closes it there
    assert with_category(
        "开展了哪些技术？", ["开展", "技术"], "开展了甲、乙等技术", "甲、乙等"
    ) == ("甲、乙等")
    # an English question shares its Chinese terms with the clause, not its characters
    english = "Which alliance did Jiangmen Central Hospital set up?"
    terms = ["alliance", "江门市中心医院", "牵头", "成立", "联盟"]
    assert residual(english, clause, terms) == "眼科专科"
    assert residual(english, clause) == ""
    # nothing shared, or nothing beyond the question: no span
    assert residual(question, "天气晴朗") == ""
    assert residual(question, "由江门市中心医院牵头成立") == ""


def test_the_short_answer_of_a_question_of_no_kind_is_cut_from_its_clause() -> None:
    question, sentence = (
        "江海区卫生健康局加挂了什么牌子？",
        "2024年，医院完成改造，加挂江海区疾控中心牌子。",
    )
    clause = best_clause(question, sentence, ["江海区", "卫生", "健康", "加挂", "牌子"])
    assert clause == "加挂江海区疾控中心牌子"
    assert aligned_span(question, clause) == "江海区疾控中心"


def test_the_answer_does_not_depend_on_the_process(seed_index_dir: Path) -> None:
    # 域 and 率 share one IDF: a tie once broken by set order, which Python's hash seed
    # changes from one process to the next, and the answer with it
    script = (
        "import sys; from rag import RAG; "
        "a = RAG.open(sys.argv[1]).ask('开平市全市域内住院率达到多少？'); "
        "print(a.found, a.meta['best_score'], a.short)"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(seed_index_dir)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1, outputs
    # the same answer each time (whether it is the right one: KNOWN_MISS below)
    assert outputs.pop().startswith("True ")


# --- features of the answer's shape, and models that read some features -------------------


def test_the_answer_s_shape_is_read_from_the_sentence() -> None:
    # the words around the question word anchor a span; a count asked in a unit is held
    assert slot_facts("蓬江分院党委书记是谁？", False, "蓬江分院党委书记甄沛林说。")[0] == 1.0
    assert slot_facts("蓬江分院党委书记是谁？", False, "医院新增床位30张。")[0] == 0.0
    assert slot_facts("新增了多少张床位？", False, "新增专科床位30余张。") == (1.0, 1.0, 1.0)
    assert slot_facts("新增了多少张床位？", False, "新增专科床位，服务30余人。")[1:] == (1.0, 0.0)
    assert slot_facts("派出了几批医生？", False, "已派出两批共10名医生。")[2] == 1.0
    # an English question's word order is not the sentence's
    assert slot_facts("How many beds?", True, "新增专科床位30余张。") == (0.0, 0.0, 0.0)


def test_a_model_reads_its_own_features_and_english_copies(tmp_path: Path) -> None:
    selector = Selector.load()
    assert selector.ranker.by_language and not selector.confidence.by_language
    assert set(selector.confidence.reads) < set(FEATURES)
    row = np.zeros((1, len(FEATURES)))
    english = row.copy()
    english[0, FEATURES.index("english")] = 1.0
    width = len(selector.ranker.reads) + len(english_copies(selector.ranker.reads))
    assert model_inputs(english, selector.ranker.reads, True).shape == (1, width)
    # the copies are zero for a Chinese question, the features themselves for an English one
    inputs = model_inputs(english, FEATURES, True)[0]
    copies = [FEATURES.index(n) for n in english_copies(FEATURES)]
    assert inputs[len(FEATURES) :].tolist() == english[0, copies].tolist()
    assert not model_inputs(row, FEATURES, True)[0, len(FEATURES) :].any()
    data = selector.to_json()
    data["confidence"]["reads"] = ["cosine", "no such feature"]  # type: ignore[index]
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match="no such feature"):
        Selector.load(path)
