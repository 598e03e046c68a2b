"""The evaluation runner on the real seed index: metrics, reports, and the CI floor."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rag import RAG, evaluate
from rag.cli import main
from rag.evaluation.gold import GoldItem, load_gold
from rag.evaluation.report import HEADLINE
from rag.evaluation.runner import char_f1, covers, evidence_rank

EVAL = Path(__file__).resolve().parent.parent / "eval"


def item(**fields: object) -> GoldItem:
    row = {"id": "t", "question": "q", "type": "number", "lang": "zh", **fields}
    return GoldItem.from_json(row)


def test_coverage_needs_the_right_document_the_evidence_and_the_answer(seed_rag: RAG) -> None:
    gold = item(
        answers=["116支"],
        doc="001_8ed587983628aeb3.txt",
        evidence="不仅如此，在蓬江区，家庭医生团队有116支，分布在各镇卫生院和社区卫生服务中心",
    )
    hits = seed_rag.search("蓬江区有多少支家庭医生团队？", k=10)
    assert evidence_rank(hits, gold) == 1
    elsewhere = GoldItem(
        gold.id,
        gold.question,
        gold.answers,
        ("000_1819edee12feb59a.txt",),
        gold.evidence,
        gold.type,
        gold.lang,
    )
    assert not covers(hits[0], elsewhere, gold.evidence[0])  # right words, wrong document
    assert char_f1("家庭医生团队有116支", "家庭医生团队有116支") == 1.0
    assert char_f1("甲乙", "丙丁") == 0.0


def test_runner_reports_every_metric(seed_rag: RAG) -> None:
    items = load_gold(EVAL / "dev.jsonl")[:12]
    (run,) = evaluate(seed_rag, items)
    metrics = run.metrics
    for key in HEADLINE:  # every metric the report shows
        assert key in metrics
    assert metrics["items"] == 12
    assert set(metrics["by_lang"]) <= {"zh", "en"}
    stages = {"ask_embed", "ask_dense", "ask_bm25", "ask_fuse", "ask_answer", "search_top10"}
    assert stages <= set(metrics["latency_ms"])
    assert metrics["hit@10"] >= metrics["hit@5"] >= metrics["hit@1"]


def test_cli_compares_writes_reports_and_holds_a_floor(
    seed_index_dir: Path, tmp_path: Path
) -> None:
    gold = tmp_path / "small.jsonl"
    lines = (EVAL / "dev.jsonl").read_text("utf-8").splitlines()[:10]
    gold.write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp_path / "report"
    args = [
        "eval",
        str(gold),
        "--index",
        str(seed_index_dir),
        "--compare",
        "dense,bm25,hybrid",
        "--out",
        str(out),
        "--min",
        "hit@10=0.1",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "small.json",
        "small.md",
        "small-hit_at_k.png",
        "small-accuracy_by_type.png",
    }
    report = json.loads((out / "small.json").read_text("utf-8"))
    assert [r["name"] for r in report["runs"]] == ["dense", "bm25", "hybrid"]
    assert "| hit@5 |" in (out / "small.md").read_text("utf-8")

    failing = CliRunner().invoke(main, [*args[:-1], "hit@10=1.01"])
    assert failing.exit_code == 1 and "below the floor: hit@10" in failing.output
    unknown = CliRunner().invoke(main, [*args[:-1], "nonsense=1"])
    assert unknown.exit_code == 2 and "no such metric" in unknown.output
