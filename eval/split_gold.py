"""Split eval/gold.jsonl by article into eval/train.jsonl, dev.jsonl and test.jsonl.

    .venv/bin/python eval/split_gold.py [--seed 15]

The answer selector learns from sentences, so no article's sentences may serve two splits: each
article of the seeds goes whole to one split, and an item goes where the article of its answer
sentence went (`evidence`, or `evidence2` for a two-hop item, whose bridge sentence serves only
the first hop and may come from an article of another split). Unanswerable items name no
article: they are placed by a hash of their id. Articles are dealt, largest first in a seeded
order, to the split furthest under its share of the items (train 0.5, dev 0.25, test 0.25).

Once dealt, an article stays in its split: `eval/article_splits.json` records the deal, and an
item added later goes where its article already is (dealing again would move articles, and
questions tuned on would reach test). Only an article the record lacks is dealt, by the same
rule; `--redeal` deals every article afresh.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from rag.corpus.documents import load_documents
from rag.evaluation.gold import squash

ROOT = Path(__file__).resolve().parent.parent
SHARES = {"train": 0.5, "dev": 0.25, "test": 0.25}
RECORD = ROOT / "eval" / "article_splits.json"


def article_of(row: dict[str, Any], docs: dict[str, Any]) -> tuple[str, int]:
    """The (file, article index) holding the item's answer sentence."""
    passage = squash(row.get("evidence2") or row["evidence"])
    names = row["doc"] if isinstance(row["doc"], list) else [row["doc"]]
    for name in reversed(names):  # evidence2 lies in the last file named
        doc = docs[name]
        for k, article in enumerate(doc.articles):
            if passage in squash("".join(doc.text[s:e] for s, e in article.parts)):
                return name, k
    raise ValueError(f"{row['id']}: its answer sentence is in no article of {names}")


def key(article: tuple[str, int]) -> str:
    """An article's name in the recorded deal: its file and index, 002_fd6da8904549c7d5.txt#9."""
    return f"{article[0]}#{article[1]}"


def hashed_split(item_id: str) -> str:
    point = int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "train" if point < 0.5 else "dev" if point < 0.75 else "test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--redeal", action="store_true", help="ignore the recorded deal")
    args = parser.parse_args()
    docs = {d.id: d for d in load_documents(ROOT / "seeds")}
    rows = [json.loads(line) for line in (ROOT / "eval/gold.jsonl").open(encoding="utf-8")]
    by_article: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows:
        if row["answers"]:
            by_article.setdefault(article_of(row, docs), []).append(row)
    order = sorted(by_article)
    random.Random(args.seed).shuffle(order)
    order.sort(key=lambda a: -len(by_article[a]))  # stable: ties keep the seeded order
    total = sum(len(v) for v in by_article.values())
    counts = dict.fromkeys(SHARES, 0)
    recorded = {} if args.redeal or not RECORD.exists() else json.loads(RECORD.read_text())
    split_of: dict[tuple[str, int], str] = {}
    for article in order:  # the recorded articles first, so the new ones fill the shares
        name = recorded.get(key(article))
        if name is not None:
            split_of[article] = name
            counts[name] += len(by_article[article])
    for article in order:
        if article not in split_of:
            name = min(SHARES, key=lambda s: counts[s] / total - SHARES[s])
            split_of[article] = name
            counts[name] += len(by_article[article])
    record = {key(a): split_of[a] for a in sorted(split_of)}
    RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SHARES}
    for row in rows:
        name = split_of[article_of(row, docs)] if row["answers"] else hashed_split(row["id"])
        out[name].append(row)
    for name, items in out.items():
        path = ROOT / "eval" / f"{name}.jsonl"
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), encoding="utf-8"
        )
        articles = sorted({f"{a[0][:3]}#{a[1]}" for a, s in split_of.items() if s == name})
        print(f"{name}: {len(items)} items, articles {' '.join(articles)}")


if __name__ == "__main__":
    main()
