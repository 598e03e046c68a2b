"""Reports of an evaluation run: JSON, Markdown and PNG charts in one folder."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.evaluation.runner import BUDGET_CHARS, ConfigRun

HEADLINE = [
    "hit@1",
    "hit@3",
    "hit@5",
    "hit@10",
    "mrr@10",
    "ndcg@10",
    f"hit@{BUDGET_CHARS}chars",
    "accuracy",
    "answerable_accuracy",
    "unanswerable_accuracy",
    "citation_accuracy",
    "char_f1",
    "em",
    "f1",
    "bridge_accuracy",
]


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(split: str, runs: Sequence[ConfigRun], meta: dict[str, Any]) -> str:
    lines = [f"# Evaluation: {split}", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += ["", "## Summary", "", "| metric | " + " | ".join(r.name for r in runs) + " |"]
    lines.append("|---|" + "---|" * len(runs))
    for key in HEADLINE:
        lines.append(f"| {key} | " + " | ".join(_fmt(r.metrics.get(key)) for r in runs) + " |")
    for group in ("type", "lang"):
        lines += ["", f"## By {group} (accuracy / hit@5)", ""]
        keys = sorted({k for r in runs for k in r.metrics[f"by_{group}"]})
        lines.append(f"| {group} | n | " + " | ".join(r.name for r in runs) + " |")
        lines.append("|---|---|" + "---|" * len(runs))
        for key in keys:
            cells = []
            for r in runs:
                m = r.metrics[f"by_{group}"].get(key, {})
                cells.append(f"{_fmt(m.get('accuracy'))} / {_fmt(m.get('hit@5'))}")
            n = runs[0].metrics[f"by_{group}"].get(key, {}).get("n", 0)
            lines.append(f"| {key} | {n} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"## Latency, ms ({runs[0].name})",
        "",
        "| stage | p50 | p95 | p99 |",
        "|---|---|---|---|",
    ]
    for stage, p in runs[0].metrics["latency_ms"].items():
        lines.append(f"| {stage} | {p['p50']} | {p['p95']} | {p['p99']} |")
    lines += ["", f"## Failures ({runs[0].name})", ""]
    for item in runs[0].results:
        if item.correct and (not item.answerable or item.rank is not None):
            continue
        if item.answerable and item.rank is None:
            why = "evidence not retrieved in the top 10"
        elif not item.answerable:
            why = "answered, should have said not found"
        else:
            why = "not found" if not item.found else "wrong answer"
        lines.append(f"- **{item.id}** ({item.type}, {item.lang}) {item.question} — {why}")
        lines.append(f"  - answer: {item.answer[:120]}")
        lines.extend(f"  - retrieved: {line}" for line in item.retrieved)
    return "\n".join(lines) + "\n"


def charts(folder: Path, split: str, runs: Sequence[ConfigRun]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    out = []
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = [1, 3, 5, 10]
    for r in runs:
        ax.plot(ks, [r.metrics[f"hit@{k}"] for k in ks], marker="o", label=r.name)
    ax.set(xlabel="k", ylabel="hit@k", title=f"Retrieval ({split})", ylim=(0, 1), xticks=ks)
    ax.legend()
    fig.tight_layout()
    out.append(folder / f"{split}-hit_at_k.png")
    fig.savefig(out[-1], dpi=100)
    plt.close(fig)

    types = sorted(runs[0].metrics["by_type"])
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(runs)
    for n, r in enumerate(runs):
        values = [r.metrics["by_type"][t]["accuracy"] or 0 for t in types]
        ax.bar([i + n * width for i in range(len(types))], values, width, label=r.name)
    ax.set_xticks([i + width * (len(runs) - 1) / 2 for i in range(len(types))], types, rotation=30)
    ax.set(ylabel="answer accuracy", title=f"Accuracy by type ({split})", ylim=(0, 1))
    ax.legend()
    fig.tight_layout()
    out.append(folder / f"{split}-accuracy_by_type.png")
    fig.savefig(out[-1], dpi=100)
    plt.close(fig)
    return out


def write_report(
    folder: Path, split: str, runs: Sequence[ConfigRun], meta: dict[str, Any]
) -> list[Path]:
    """Write ``<split>.json``, ``<split>.md`` and the charts into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"split": split, "meta": meta, "runs": [r.to_json() for r in runs]}
    json_path = folder / f"{split}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    md_path = folder / f"{split}.md"
    md_path.write_text(markdown(split, runs, meta), "utf-8")
    return [json_path, md_path, *charts(folder, split, runs)]


def default_folder(root: Path = Path("eval/reports")) -> Path:
    return root / time.strftime("%Y%m%dT%H%M%S")
