"""`/api/ask` over HTTP: a real `rag serve` process under open-loop load.

The load generator is an asyncio httpx client that schedules request i at start + i/rate
(wrk2-style) whatever happened to earlier ones, and times each request from its *scheduled*
moment, so time spent queueing (for a free connection, in the server's threadpool, behind the
model) is counted rather than hidden (coordinated omission). At most `concurrency` requests
are in flight, one connection each. The rate is fixed per run: by default 70% of the
capacity measured by a short closed-loop warm-up at concurrency 1, the same for every
concurrency, so the runs differ only in how many requests may overlap.

The server runs with the query-vector cache off (every request pays for the model, as
distinct questions would); it reports errors (non-200 or transport failures), p50/p95/p99,
achieved throughput, and the server's RSS before and after each run.

    .venv/bin/python benchmarks/bench_http.py [--duration 30] [--rate auto] [--conc 1 8 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from common import ROOT, dev_questions, save, summary_ms, table

P99_GOAL_MS = 100.0  # at concurrency 8, from the issue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(index: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RAG_QUERY_CACHE": "0", "RAG_BUILD_IF_MISSING": "false"}
    rag = Path(sys.executable).with_name("rag")
    cmd = [str(rag), "serve", "--index", str(index), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: {' '.join(cmd)}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not answer /health within 120 s")


async def closed_loop(url: str, questions: list[str]) -> float:
    """Mean seconds per request, one at a time (warms the server up, sets the rate)."""
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.perf_counter()
        for q in questions:
            (await client.post(url, json={"question": q})).raise_for_status()
        return (time.perf_counter() - started) / len(questions)


async def open_loop(
    url: str, questions: list[str], rate: float, duration: float, concurrency: int
) -> dict[str, Any]:
    total = int(rate * duration)
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1

        async def one(i: int) -> None:
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            async with gate:
                try:
                    response = await client.post(
                        url, json={"question": questions[i % len(questions)]}
                    )
                    if response.status_code != 200:
                        key = f"HTTP {response.status_code}"
                        errors[key] = errors.get(key, 0) + 1
                        return
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    return
            latencies.append(loop.time() - scheduled)

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = loop.time() - start
    return {
        "requests": total,
        "rate": round(rate, 2),
        "ok": len(latencies),
        "errors": errors,
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "latency_ms": summary_ms(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=ROOT / "index" / "default")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run")
    parser.add_argument("--rate", default="auto", help="requests/s, or auto (70%% of capacity)")
    parser.add_argument("--conc", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/api/ask"
    questions = dev_questions()
    server = start_server(args.index, port)
    try:
        proc = psutil.Process(server.pid)
        rss_start = proc.memory_info().rss / 2**20
        service_s = asyncio.run(closed_loop(url, questions))
        capacity = 1 / service_s
        rate = 0.7 * capacity if args.rate == "auto" else float(args.rate)
        runs = []
        for conc in args.conc:
            before = proc.memory_info().rss / 2**20
            result = asyncio.run(open_loop(url, questions, rate, args.duration, conc))
            after = proc.memory_info().rss / 2**20
            runs.append({"concurrency": conc, **result, "rss_mb": [round(before), round(after)]})
            print(f"concurrency {conc}: {result}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(10)
    rows = [
        [
            r["concurrency"],
            r["rate"],
            r["throughput_rps"],
            r["latency_ms"].get("p50"),
            r["latency_ms"].get("p95"),
            r["latency_ms"].get("p99"),
            sum(r["errors"].values()),
            f"{r['rss_mb'][0]} → {r['rss_mb'][1]}",
        ]
        for r in runs
    ]
    at8 = next((r for r in runs if r["concurrency"] == 8), None)
    goal = ""
    if at8:
        p99 = at8["latency_ms"].get("p99", float("inf"))
        met = p99 <= P99_GOAL_MS and not at8["errors"]
        goal = (
            f"Goal at concurrency 8: p99 ≤ {P99_GOAL_MS:.0f} ms with zero errors — "
            f"{'met' if met else 'missed'} (p99 {p99} ms, {sum(at8['errors'].values())} errors)."
        )
    markdown = "\n\n".join(
        [
            f"### /api/ask over HTTP (uvicorn, 1 process), open loop at {rate:.1f} req/s "
            f"(70% of the {capacity:.1f} req/s measured one at a time), {args.duration:.0f} s "
            "per run, query cache off",
            table(
                [
                    "concurrency",
                    "target rps",
                    "achieved rps",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "errors",
                    "server RSS MB",
                ],
                rows,
            ),
            f"Server RSS at start: {rss_start:.0f} MB. Closed-loop service time at concurrency "
            f"1: {service_s * 1000:.1f} ms. {goal}",
        ]
    )
    save(
        "http",
        {
            "capacity_rps": round(capacity, 2),
            "service_ms": round(service_s * 1000, 2),
            "runs": runs,
        },
        markdown,
    )


if __name__ == "__main__":
    main()
