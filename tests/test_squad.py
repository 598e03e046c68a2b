"""`rag eval --squad`: SQuAD-format sets as corpus and gold items, the CMRC 2018 scoring, and a
run end to end on a small set made of the seeds' own paragraphs and gold questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rag import ConfigError, Document
from rag.cli import main
from rag.evaluation import cmrc
from rag.evaluation.gold import load_gold, squash
from rag.evaluation.squad import corpus_texts, gold_items, left_out, load_squad, sample
from rag.evaluation.squad_runner import NAIVE, evaluate_squad

EVAL = Path(__file__).resolve().parent.parent / "eval"
DOC = "001_8ed587983628aeb3.txt"


def squad_json(articles: list[tuple[str, list[tuple[str, list[dict[str, Any]]]]]]) -> str:
    return json.dumps(
        {
            "version": "test",
            "data": [
                {
                    "title": title,
                    "paragraphs": [{"context": c, "qas": qas} for c, qas in paragraphs],
                }
                for title, paragraphs in articles
            ],
        },
        ensure_ascii=False,
    )


def qa(qid: str, question: str, *answers: str) -> dict[str, Any]:
    return {"id": qid, "question": question, "answers": [{"text": a} for a in answers]}


# Values worked by hand with the rules of the official script (cmrc2018_evaluate.py, v5).
@pytest.mark.parametrize(
    ("answers", "prediction", "em", "f1"),
    [
        (["光荣和ω-force"], "光荣和ω-force。", 1.0, 1.0),  # punctuation does not count
        # answer 光 荣 和 ωforce (4), prediction 10 segments, all 4 in one run: P 0.4, R 1
        (["光荣和ω-force"], "是光荣和ω-force合作开发的", 0.0, 2 * 0.4 / 1.4),
        (["1998年", "1998"], "1998年", 1.0, 1.0),  # the best over the gold answers
        (["116支"], "家庭医生团队有116支", 0.0, 2 * (2 / 9) / (2 / 9 + 1)),  # 116 is one word
        (["蓬江区"], "江门市", 0.0, 1 / 3),  # 江 in common: P 1/3, R 1/3
        (["蓬江区"], "鹤山市", 0.0, 0.0),
        (["蓬江区"], "", 0.0, 0.0),
    ],
)
def test_cmrc_scoring(answers: list[str], prediction: str, em: float, f1: float) -> None:
    assert cmrc.exact_match(answers, prediction) == em
    assert cmrc.f1(answers, prediction) == pytest.approx(f1)


def test_a_squad_file_becomes_documents_and_items(tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    path.write_text(
        squad_json(
            [
                ("Super_Bowl_50", [("第一段。", [qa("a", "问一？", "第一", "第一")])]),
                ("战国无双3", [("第二段。", [qa("b", "问二？", "第二")]), ("第三段。", [])]),
            ]
        ),
        "utf-8",
    )
    squad = load_squad(path)
    assert [q.answers for q in squad.questions] == [("第一",), ("第二",)]  # repeats once
    files = corpus_texts(squad, frozenset())
    # an English title is no headline of a Chinese page; a Chinese one is
    assert files == {"0000.md": "第一段。\n", "0001.md": "# 战国无双3\n\n第二段。\n\n第三段。\n"}
    items = gold_items(squad, frozenset(), files, asked={"b": "What is the second?"})
    assert [(i.id, i.lang, i.docs, i.evidence) for i in items] == [
        ("b", "en", ("0001.md",), ("第二段。",))
    ]


def test_left_out_paragraphs_make_unanswerable_questions(tmp_path: Path) -> None:
    paragraphs = [
        (f"第{n}段讲了编号{n}号的事。", [qa(f"q{n}", "讲了什么？", f"编号{n}号")])
        for n in range(10)
    ]
    path = tmp_path / "set.json"
    path.write_text(squad_json([("文章", paragraphs)]), "utf-8")
    squad = load_squad(path)
    out = left_out(squad, 0.3, seed=1)
    assert len(out) == 3 and out == left_out(squad, 0.3, seed=1)
    items = gold_items(squad, out, corpus_texts(squad, out))
    refused = {i.id for i in items if not i.answerable}
    assert refused == {f"q{p}" for _, p in out}
    assert all(i.type == "unanswerable" and not i.evidence for i in items if not i.answerable)
    # an answer still printed elsewhere in the corpus: the question is not counted
    paragraphs[0] = ("第0段讲了编号0号的事。" + "另见编号1号和编号2号。", paragraphs[0][1])
    path.write_text(squad_json([("文章", paragraphs)]), "utf-8")
    squad = load_squad(path)
    everything = {(0, n) for n in range(1, 10)}
    items = gold_items(squad, frozenset(everything), corpus_texts(squad, frozenset(everything)))
    assert sorted(i.id for i in items) == ["q0", *(f"q{n}" for n in range(3, 10))]
    assert sample(items, 3, seed=0) == sample(items, 3, seed=0) and len(sample(items, 3)) == 3


def test_bad_files_and_options_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no SQuAD file at"):
        load_squad(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"data": [{"title": "x"}]}', "utf-8")
    with pytest.raises(ConfigError, match="not a SQuAD-format file"):
        load_squad(tmp_path / "bad.json")
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "--limit", "5"])
    assert result.exit_code == 2 and "need --squad" in result.output
    result = runner.invoke(main, ["eval", "--squad", str(tmp_path / "missing.json")])
    assert result.exit_code == 1 and "no SQuAD file at" in result.output


@pytest.fixture(scope="module")
def seed_squad(tmp_path_factory: pytest.TempPathFactory, docs: dict[str, Document]) -> Path:
    """A SQuAD-format set of real text: 36 paragraphs of one seed page in two articles, with
    the gold questions whose evidence lies in them."""
    doc = docs[DOC]
    paragraphs = [doc.text[p.start : p.end] for p in doc.paragraphs if p.role == "body"][:36]
    items = [
        i
        for i in load_gold(EVAL / "gold.jsonl")
        if i.answerable and i.lang == "zh" and i.docs == (DOC,) and len(i.evidence) == 1
    ]

    def with_questions(text: str) -> tuple[str, list[dict[str, Any]]]:
        inside = [i for i in items if squash(i.evidence[0]) in squash(text)]
        return text, [qa(i.id, i.question, *i.answers) for i in inside]

    halves = [paragraphs[:18], paragraphs[18:]]
    path = tmp_path_factory.mktemp("squad") / "seed_squad.json"
    articles = [(f"蓬江卫健{n}", [with_questions(p) for p in h]) for n, h in enumerate(halves)]
    path.write_text(squad_json(articles), "utf-8")
    return path


@pytest.mark.slow
def test_a_set_end_to_end_with_its_baselines_and_refusals(seed_squad: Path, tmp_path: Path) -> None:
    run = evaluate_squad(seed_squad, root=tmp_path)
    assert [r.name for r in run.runs] == ["hybrid", "dense", "bm25", NAIVE]
    hybrid, naive = run.runs[0].metrics, run.runs[-1].metrics
    asked = len(load_squad(seed_squad).questions)  # the gold items inside those paragraphs
    assert asked >= 14 and run.meta["questions"] == hybrid["items"] == asked
    assert hybrid["hit@10"] == 1.0  # 36 paragraphs: every gold paragraph is in the top 10
    assert hybrid["f1"] is not None and hybrid["em"] is not None
    assert naive["hit@10"] is not None and naive["accuracy"] is None  # retrieval only
    assert (tmp_path / f"squad-seed_squad-{load_squad(seed_squad).digest}.naive.npz").is_file()
    built_at = json.loads((Path(run.meta["index"]) / "manifest.json").read_text())["built_at"]

    again = evaluate_squad(seed_squad, root=tmp_path, limit=4)  # the cached index, opened
    assert again.meta["index"] == run.meta["index"] and again.meta["questions"] == 4
    assert json.loads((Path(again.meta["index"]) / "manifest.json").read_text())["built_at"] == (
        built_at
    )

    refusing = evaluate_squad(seed_squad, root=tmp_path, unanswerable=0.5)
    assert refusing.name == "seed_squad-u50" and refusing.meta["unanswerable"] > 0
    assert refusing.runs[0].metrics["unanswerable_accuracy"] is not None
    manifest = json.loads((Path(refusing.meta["index"]) / "manifest.json").read_text())
    assert (
        manifest["counts"]["chunks"]
        < json.loads((Path(run.meta["index"]) / "manifest.json").read_text())["counts"]["chunks"]
    )


@pytest.mark.slow
def test_cli_writes_the_report(seed_squad: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    args = ["eval", "--squad", str(seed_squad), "--index", str(tmp_path / "i"), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--min", "hit@10=0.9"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "seed_squad.json").read_text("utf-8"))
    assert [r["name"] for r in report["runs"]] == ["hybrid", "dense", "bm25", NAIVE]
    assert "| f1 |" in (out / "seed_squad.md").read_text("utf-8")


def test_exact_match_and_f1_score_the_short_answer() -> None:
    from rag.evaluation.gold import GoldItem
    from rag.evaluation.runner import judge
    from rag.records import Answer

    item = GoldItem(
        "q1", "住院率达到多少？", ("86.4%",), ("a.txt",), ("住院率达到86.4%。",), "number", "zh"
    )
    sentence = Answer("86.4% —— 住院率达到86.4%。[1]", True, (), (), "zh", {}, "86.4%")
    scores = judge(item, (), sentence)
    assert scores["em"] == 1.0 and scores["f1"] == 1.0 and scores["correct"]
    loose = judge(item, (), Answer("住院率达到86.4%。[1]", True, (), (), "zh", {}, "达到86.4%"))
    assert loose["em"] == 0.0 and 0.5 < loose["f1"] < 1.0


def test_a_gold_number_counts_only_whole() -> None:
    from rag.evaluation.runner import holds

    assert holds("争取每千人口托位数达5个。", "5个")
    assert not holds("争取每千人口托位数达5.5个。", "5个")  # 004-15 counted right so before
    assert not holds("新增13所", "3所") and holds("新增3所、13所", "3所")
    assert not holds("2024年", "202") and holds("达86.4%", "86.4%")
    assert holds("江门市中心医院", "中心医院")  # words are matched as before
