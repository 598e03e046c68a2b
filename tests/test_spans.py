"""The learned short-answer span (`rag.answering.spans`): its candidates, its trees walked as
arrays, the shipped model, and the setting that turns it off."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag import RAG, Settings
from rag.answering.short import repeated
from rag.answering.spans import (
    SPAN_FEATURES,
    SpanModel,
    candidates,
    category,
    span_features,
)
from rag.answering.trees import Trees
from rag.errors import ConfigError
from rag.indexing.lexical import words_of
from rag.text import simplified

SENTENCE = "不仅如此，在蓬江区，家庭医生团队有116支，分布在各镇卫生院和社区卫生服务中心。"


def test_candidates_are_runs_of_words_within_a_clause() -> None:
    found = candidates(SENTENCE)
    pieces = [SENTENCE[s:e] for s, e, _ in found]
    assert "116支" in pieces and "蓬江区" in pieces
    assert all(not any(p in piece for p in "，。") for piece in pieces)
    assert all(1 <= words <= 6 for _, _, words in found)


def test_traditional_script_is_cut_as_its_simplified_form() -> None:
    # jieba's dictionary is Simplified: cut as it stands, 輔助港 falls apart into characters
    traditional = "其定位為基隆港的輔助港，縣政府駐拉卜楞鎮。"
    pieces = [traditional[s:e] for s, e, _ in candidates(traditional)]
    assert "輔助" in pieces and "基隆港" in pieces and "縣政府" in pieces
    cut = words_of(traditional)
    assert "".join(cut) == traditional  # the pieces join back into the text as it stands
    assert [len(w) for w in cut] == [len(w) for w in words_of(simplified(traditional))]


def test_a_simplified_question_finds_its_words_on_a_traditional_page() -> None:
    page = "匹茲堡進入鋼鐵工業發展的「黃金時期」。"
    for question in (
        "為甚麼匹茲堡得以在二戰期間，進入鋼鐵工業發展的「黃金時期」？",
        "为什么匹兹堡得以在二战期间，进入钢铁工业发展的「黄金时期」？",
    ):
        assert sum(repeated(question, page)) == len(page) - 1  # all but the full stop


def test_the_rules_span_is_always_a_candidate() -> None:
    rule = "医生团队有116"  # no run of whole words
    spans, x = span_features("蓬江区有多少支家庭医生团队？", SENTENCE, "number", [], rule)
    assert rule in [SENTENCE[s:e] for s, e in spans]
    assert x.shape == (len(spans), len(SPAN_FEATURES))
    exact = x[:, SPAN_FEATURES.index("rule_exact")]
    assert exact.sum() == 1 and SENTENCE[slice(*spans[int(np.argmax(exact))])] == rule


def test_what_the_features_say_of_a_span() -> None:
    question = "蓬江区有多少支家庭医生团队？"
    spans, x = span_features(question, SENTENCE, "number", [(0, 17, 21)], "116支")
    row = dict(zip(SPAN_FEATURES, x[[SENTENCE[s:e] for s, e in spans].index("116支")], strict=True))
    assert row["repeated"] == 0  # the question does not say it
    # 家庭医生团队 (the question's) stands before it, 有 between
    assert row["left_run"] == 0 and row["near_left"] == 1
    assert row["kind_exact"] == 1 and row["digit_asked"] == 1 and row["category_end"] == 1
    assert row["rule_exact"] == 1 and row["clause_end"] == 1
    # a span the question says whole is not scored; one it says in part is, and says so
    pieces = [SENTENCE[s:e] for s, e in spans]
    assert "蓬江区" not in pieces and "家庭医生" not in pieces
    partly = dict(zip(SPAN_FEATURES, x[pieces.index("家庭医生团队有")], strict=True))
    assert 0 < partly["repeated"] < 1


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("位於樂山市的是哪一座山?", "山"),
        ("江门市中心医院牵头成立了什么联盟？", "联"),
        ("院长是谁？", ""),
    ],
)
def test_the_category_a_question_names(question: str, named: str) -> None:
    assert category(question) == named


def test_trees_walked_as_arrays() -> None:
    # tree 0: x0 <= 0.5 ? leaf 0 (1.0) : (x1 <= 2 ? leaf 1 (2.0) : leaf 2 (3.0)); tree 1: one leaf
    trees = Trees(
        feature=np.asarray([[0, 1], [0, 0]]),
        threshold=np.asarray([[0.5, 2.0], [np.inf, 0.0]]),
        left=np.asarray([[~0, ~1], [~0, 0]]),
        right=np.asarray([[1, ~2], [~0, 0]]),
        values=np.asarray([[1.0, 2.0, 3.0], [0.5, 0.0, 0.0]]),
    )
    x = np.zeros((3, len(SPAN_FEATURES)))
    x[1, 0], x[2, 0], x[1, 1], x[2, 1] = 1.0, 1.0, 1.0, 5.0
    assert trees.raw(x).tolist() == [1.5, 2.5, 3.5]


def test_trees_match_lightgbm() -> None:
    import lightgbm as lgb  # eval/train_spans.py's, a dev dependency

    rng = np.random.default_rng(0)
    x = rng.random((400, len(SPAN_FEATURES)))
    y = (x[:, 0] + x[:, 3] > 1).astype(int)
    model = lgb.LGBMClassifier(n_estimators=20, num_leaves=5, verbose=-1, n_jobs=1).fit(x, y)
    expected = model.booster_.predict(x, raw_score=True)
    assert np.allclose(Trees.from_lightgbm(model.booster_.dump_model()).raw(x), expected)


def test_the_shipped_model_loads() -> None:
    model = SpanModel.load()
    assert model.kinds and set(model.kinds) <= {"any", "number", "date", "person", "place"}
    assert model.trees.feature.max() < len(SPAN_FEATURES)


def test_a_model_of_other_features_is_a_config_error(tmp_path: Path) -> None:
    data = SpanModel.load().to_json()
    data["features"] = ["something", "else"]
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match=r"train_spans\.py"):
        SpanModel.load(path)


@pytest.mark.parametrize("text", ["{not json", '{"features": 3}', ""])
def test_a_broken_model_file_is_a_config_error_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "spans.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        SpanModel.load(path)


def test_a_model_whose_nodes_test_unknown_features_is_a_config_error(tmp_path: Path) -> None:
    data = SpanModel.load().to_json()
    trees = data["trees"]
    assert isinstance(trees, dict)
    trees["feature"][0][0] = len(SPAN_FEATURES)
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match="not a fitted model"):
        SpanModel.load(path)


def chain_of_nine_leaves() -> dict[str, object]:
    # node i: x0 <= i ? leaf i : node i + 1; the last node's right is leaf 8
    return {
        "feature": [[0] * 8],
        "threshold": [[float(i) for i in range(8)]],
        "left": [[~i for i in range(8)]],
        "right": [[*range(1, 8), ~8]],
        "values": [[float(i) for i in range(9)]],
    }


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"left": 0}, "two parents"),  # the root its own child: the walk would never end
        ({"right": 10**6}, "node 1000000"),
        ({"left": ~(10**6)}, "no value"),
    ],
)
def test_a_model_whose_trees_are_no_trees_is_a_config_error(
    tmp_path: Path, broken: dict[str, int], message: str
) -> None:
    data = SpanModel.load().to_json()
    trees = data["trees"]
    assert isinstance(trees, dict)
    for key, value in broken.items():
        trees[key][0][0] = value
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match=message):
        SpanModel.load(path)
    data["trees"] = {**chain_of_nine_leaves(), "values": list(range(9))}  # not one row a tree
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match="one row per tree"):
        SpanModel.load(path)
    # trees of more leaves than a byte of bits holds, by hand or fitted, are a clear error
    data["trees"] = chain_of_nine_leaves()
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ConfigError, match="at most 8"):
        SpanModel.load(path)


def test_the_rules_are_the_default_and_the_model_a_setting(seed_index_dir: Path) -> None:
    rules = RAG.open(seed_index_dir)
    learned = RAG.open(seed_index_dir, settings=Settings(short_answer="learned"))
    assert rules.answerer.config.spans is None
    assert learned.answerer.config.spans is not None
    answer = learned.ask("蓬江区有多少支家庭医生团队？")
    assert answer.found and answer.short == "116支"
    assert answer.text.startswith("116支 —— ") and answer.short in answer.citations[0].quote
    for rag in (rules, learned):
        answer = rag.ask("江门市中心医院牵头成立了什么联盟？")
        assert answer.found and answer.short and answer.short in answer.citations[0].quote
    # its features read the question's characters: an English question keeps the rules' span
    english = "How many family doctor teams does Pengjiang District have?"
    assert learned.ask(english).short == rules.ask(english).short
