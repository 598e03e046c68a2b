"""The evaluation runner: retrieval and answer quality of the gold set, per configuration.

Retrieval, per answerable item: the rank at which its evidence is covered — a passage from the
right document that shares a substantial verbatim part of the evidence and holds the answer
(for multi-hop, both passages must be covered: the rank is the later of the two). Reported as
hit@1/3/5/10, MRR@10, nDCG@10, and hit within a fixed character budget of context, which
compares chunk sizes fairly (a bigger chunk covers more but costs more context).

Answers: correct when found and a gold answer string is in the answer (in its short answer for a
comparison, whose text names both things compared); for unanswerable items, correct when not
found. Two-hop items also score their first hop: bridge accuracy, the share whose bridge (the
entity the described subject was found to be) stands in the first evidence, or, for a
comparison, whose two look-ups both read a figure that stands in an evidence.
Citation accuracy: a cited quote overlaps the evidence. Character F1
(bag of characters, answer vs evidence) as a softer score. EM and F1: CMRC 2018's rules on the
short answer (`Answer.short`) against the gold answers, as a reading-comprehension reader is
scored.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any, cast

import numpy as np
from tqdm.auto import tqdm

from rag.answering.english import QUOTED
from rag.api import RAG
from rag.evaluation import cmrc
from rag.evaluation.gold import GoldItem, squash
from rag.records import Answer, Hit
from rag.settings import Settings

DEPTH = 10
BUDGET_CHARS = 1000  # context a reader (or an LLM prompt) is given
MARKER = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class ItemResult:
    id: str
    type: str
    lang: str
    question: str
    answerable: bool
    rank: int | None  # 1-based rank at which the evidence is covered, within DEPTH
    budget_hit: bool
    found: bool
    correct: bool
    cited_ok: bool | None  # None when there is nothing to judge
    char_f1: float
    answer: str
    timings_ms: dict[str, float]
    retrieved: list[str] = field(default_factory=list)  # "doc · title · snippet" of the top 3
    em: float | None = None  # CMRC 2018 exact match and F1 of the short answer (answerable items)
    f1: float | None = None
    answered: bool = True  # False for a retrieval-only baseline: the answer metrics are None
    # a two-hop item's bridge (the entity its first hop named) and whether it is the right one
    bridge: str | None = None
    bridge_ok: bool | None = None


def _overlap(a: str, b: str) -> int:
    """Length of the longest common substring."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def covers(hit: Hit, item: GoldItem, passage: str) -> bool:
    """Whether `hit` covers one evidence passage of `item`."""
    if hit.doc not in item.docs:
        return False
    text, evidence = squash(hit.text), squash(passage)
    if _overlap(evidence, text) < min(len(evidence), 40) * 0.5:
        return False
    wanted = [squash(a) for a in item.answers if squash(a) in evidence]
    return not wanted or any(a in text for a in wanted)


def evidence_rank(hits: Sequence[Hit], item: GoldItem) -> int | None:
    ranks = []
    for passage in item.evidence:
        rank = next((n for n, h in enumerate(hits, 1) if covers(h, item, passage)), None)
        if rank is None:
            return None
        ranks.append(rank)
    return max(ranks) if ranks else None


def budget_hit(hits: Sequence[Hit], item: GoldItem, budget: int = BUDGET_CHARS) -> bool:
    """Whether every evidence passage is covered within the first `budget` characters."""
    used, covered = 0, set[str]()
    for hit in hits:
        used += len(hit.text)
        if used > budget:
            break
        covered.update(p for p in item.evidence if covers(hit, item, p))
    return len(covered) == len(item.evidence)


def answer_core(answer: Answer) -> str:
    """The answer's own words: markers and the English lead-in removed."""
    text = MARKER.sub("", answer.text)
    return text.split(QUOTED, 1)[1] if answer.lang == "en" and QUOTED in text else text


def char_f1(predicted: str, reference: str) -> float:
    a, b = Counter(squash(predicted)), Counter(squash(reference))
    same = sum((a & b).values())
    if not same:
        return 0.0
    precision, recall = same / sum(a.values()), same / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def holds(text: str, gold: str) -> bool:
    """Whether `text` holds the gold answer, a number whole: 5个 is not in 5.5个, 3所 not in
    13所 (before, 004-15 counted right with 5.5个 for 5个)."""
    lead = r"(?<![\d.])" if gold[:1].isdigit() else ""
    tail = r"(?![\d])" if gold[-1:].isdigit() else ""
    return re.search(lead + re.escape(gold) + tail, text) is not None


def judge(item: GoldItem, hits: Sequence[Hit], answer: Answer) -> dict[str, Any]:
    """The per-item scores."""
    if not item.answerable:
        return {
            "rank": None,
            "budget_hit": False,
            "correct": not answer.found,
            "cited_ok": None,
            "char_f1": 1.0 if not answer.found else 0.0,
        }
    core = answer_core(answer) if answer.found else ""
    text, short, answers = squash(answer.text), squash(answer.short), item.answers
    evidence = [squash(e) for e in item.evidence]
    cited_ok = None
    if answer.found and answer.citations:
        cited_ok = any(
            _overlap(squash(c.quote), e) >= 0.5 * min(len(squash(c.quote)), len(e))
            for c in answer.citations
            for e in evidence
        )
    return {
        "rank": evidence_rank(hits, item),
        "budget_hit": budget_hit(hits, item),
        # a comparison's text names both things compared: its short answer names the winner
        "correct": answer.found
        and any(holds(short if "comparison" in answer.meta else text, squash(a)) for a in answers),
        "cited_ok": cited_ok,
        "char_f1": char_f1(core, "".join(item.evidence)) if answer.found else 0.0,
        # a reader's figures: the short answer against the gold spans
        "em": cmrc.exact_match(item.answers, answer.short or core),
        "f1": cmrc.f1(item.answers, answer.short or core),
    }


def judge_bridge(item: GoldItem, answer: Answer) -> dict[str, Any]:
    """A two-hop item's first hop: right when its bridge stands in the first evidence (the
    sentence that names the described subject); wrong when none was found or no hop taken.
    A comparison's look-ups stand in for the first hop: right when each read a figure that
    stands in an evidence."""
    if item.type != "multi-hop" or not item.answerable:
        return {}
    hops = cast(list[dict[str, Any]], answer.meta.get("hops") or [{}])
    if "entity" in hops[0]:  # a comparison: right when both look-ups read an evidence's figure
        figures = [str(h.get("figure") or "") for h in hops]
        evidence = [squash(e) for e in item.evidence]
        return {
            "bridge": " / ".join(figures),
            "bridge_ok": all(f and any(squash(f) in e for e in evidence) for f in figures),
        }
    bridge = str(hops[0].get("bridge") or "")
    # a city or district the sentence writes without its ending is named all the same
    # (开平市 in 落户开平仁亲村; 恩平市 in 江门市五邑中心医院恩平分院)
    bare = bridge[:-1] if len(bridge) >= 3 and bridge[-1] in "市区县" else bridge
    first = squash(item.evidence[0])
    return {
        "bridge": bridge or None,
        "bridge_ok": bool(bridge) and (squash(bridge) in first or squash(bare) in first),
    }


def run_items(
    rag: RAG,
    items: Iterable[GoldItem],
    progress: bool = False,
    retrieve: Callable[[str], list[Hit]] | None = None,
) -> list[ItemResult]:
    """Ask every item through `rag` and judge it; with `retrieve` (a question → its top hits),
    judge that retrieval alone, and ask nothing (a baseline with no answerer)."""
    items = list(items)
    results = []
    for item in tqdm(items, desc="evaluating", unit="q", disable=not progress):
        started = time.perf_counter()
        hits = (retrieve or (lambda q: rag.search(q, k=DEPTH)))(item.question)[:DEPTH]
        search_ms = (time.perf_counter() - started) * 1000
        if retrieve is None:
            answer = rag.ask(item.question)
            laps = cast(dict[str, float], answer.meta.get("timings_ms", {}))
            timings = {f"ask_{k}": float(v) for k, v in laps.items()}
        else:
            answer, timings = Answer("", False, (), tuple(hits), item.lang), {}
        timings["search_top10"] = round(search_ms, 2)
        results.append(
            ItemResult(
                id=item.id,
                type=item.type,
                lang=item.lang,
                question=item.question,
                answerable=item.answerable,
                found=answer.found,
                answer=answer.text,
                timings_ms=timings,
                retrieved=[f"{h.doc} · {h.title} · {h.text[:40]}" for h in hits[:3]],
                answered=retrieve is None,
                **judge(item, hits, answer),
                **(judge_bridge(item, answer) if retrieve is None else {}),
            )
        )
    return results


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(float(np.mean(values)), 4) if values else None


def summarize(results: Sequence[ItemResult]) -> dict[str, Any]:
    """Aggregate metrics of one configuration."""
    answerable = [r for r in results if r.answerable]
    ranks = [r.rank for r in answerable]
    out: dict[str, Any] = {"items": len(results), "answerable": len(answerable)}
    for k in (1, 3, 5, 10):
        out[f"hit@{k}"] = _mean(float(r is not None and r <= k) for r in ranks)
    out["mrr@10"] = _mean(1 / r if r else 0.0 for r in ranks)
    out["ndcg@10"] = _mean(1 / math.log2(r + 1) if r else 0.0 for r in ranks)
    out[f"hit@{BUDGET_CHARS}chars"] = _mean(float(r.budget_hit) for r in answerable)
    # a retrieval-only baseline asked nothing: its answer metrics are None, not zero
    asked = [r for r in results if r.answered]
    answered = [r for r in asked if r.answerable]
    out["accuracy"] = _mean(float(r.correct) for r in asked)
    out["answerable_accuracy"] = _mean(float(r.correct) for r in answered)
    out["unanswerable_accuracy"] = _mean(float(r.correct) for r in asked if not r.answerable)
    out["citation_accuracy"] = _mean(float(r.cited_ok) for r in answered if r.cited_ok is not None)
    out["char_f1"] = _mean(r.char_f1 for r in answered)
    out["em"] = _mean(r.em for r in answered if r.em is not None)
    out["f1"] = _mean(r.f1 for r in answered if r.f1 is not None)
    out["bridge_accuracy"] = _mean(float(r.bridge_ok) for r in asked if r.bridge_ok is not None)
    groups: dict[str, dict[str, list[ItemResult]]] = {
        "type": defaultdict(list),
        "lang": defaultdict(list),
    }
    for r in results:
        groups["type"][r.type].append(r)
        groups["lang"][r.lang].append(r)
    for name, by in groups.items():
        out[f"by_{name}"] = {
            key: {
                "n": len(rs),
                "accuracy": _mean(float(r.correct) for r in rs if r.answered),
                "hit@5": _mean(
                    float(r.rank is not None and r.rank <= 5) for r in rs if r.answerable
                ),
            }
            for key, rs in sorted(by.items())
        }
    stages: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for stage, ms in r.timings_ms.items():
            stages[stage].append(ms)
    out["latency_ms"] = {
        stage: {p: round(float(np.percentile(v, int(p[1:]))), 2) for p in ("p50", "p95", "p99")}
        for stage, v in sorted(stages.items())
    }
    return out


@dataclass
class ConfigRun:
    name: str
    overrides: dict[str, Any]
    metrics: dict[str, Any]
    results: list[ItemResult]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "overrides": self.overrides,
            "metrics": self.metrics,
            "results": [asdict(r) for r in self.results],
        }


def evaluate(
    rag: RAG,
    items: Sequence[GoldItem],
    configs: dict[str, dict[str, Any]] | None = None,
    progress: bool = False,
) -> list[ConfigRun]:
    """Run the gold items under each configuration (settings overrides) of one index.

    The default is the index's own settings; ``{"dense": {"mode": "dense"}, …}`` compares
    retrievers over one built corpus.
    """
    configs = configs or {rag.settings.mode: {}}
    runs = []
    for name, overrides in configs.items():
        variant = rag
        if overrides:  # a sibling over the same index; no overrides: `rag` exactly as given
            settings = Settings.model_validate({**rag.settings.model_dump(), **overrides})
            variant = RAG(rag.index, rag.embedder, settings, generator=rag.generator)
        results = run_items(variant, items, progress)
        runs.append(ConfigRun(name, overrides, summarize(results), results))
    return runs
