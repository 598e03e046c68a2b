"""Soak: `/api/ask` at a constant request rate for ten minutes against a real `rag serve`.

The open-loop load of bench_http (requests scheduled on a clock, latency counted from the
scheduled moment), run as consecutive one-minute windows so that drift shows: per window the
errors, p50/p99 and the server's RSS. The query cache is off (every request runs the model).

    .venv/bin/python benchmarks/bench_soak.py [--minutes 10] [--rate 10] [--conc 8]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import psutil
from bench_http import free_port, open_loop, start_server
from common import ROOT, dev_questions, save, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=ROOT / "index" / "default")
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=10.0, help="requests/s")
    parser.add_argument("--conc", type=int, default=8)
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/api/ask"
    server = start_server(args.index, port)
    windows = []
    try:
        proc = psutil.Process(server.pid)
        rss_start = proc.memory_info().rss / 2**20
        for minute in range(1, args.minutes + 1):
            result = asyncio.run(open_loop(url, dev_questions(), args.rate, 60.0, args.conc))
            rss = proc.memory_info().rss / 2**20
            windows.append({"minute": minute, **result, "rss_mb": round(rss, 1)})
            print(f"minute {minute}: {windows[-1]}", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    errors = sum(sum(w["errors"].values()) for w in windows)
    rows = [
        [
            w["minute"],
            w["ok"],
            sum(w["errors"].values()),
            w["throughput_rps"],
            w["latency_ms"].get("p50"),
            w["latency_ms"].get("p99"),
            w["rss_mb"],
        ]
        for w in windows
    ]
    growth = windows[-1]["rss_mb"] - windows[0]["rss_mb"] if windows else 0.0
    markdown = "\n\n".join(
        [
            f"### Soak: /api/ask at {args.rate:g} req/s, concurrency {args.conc}, "
            f"{args.minutes} min, query cache off",
            table(["minute", "ok", "errors", "rps", "p50 ms", "p99 ms", "server RSS MB"], rows),
            f"Errors: {errors}. Server RSS: {rss_start:.0f} MB at start, "
            f"{windows[0]['rss_mb'] if windows else 0:.0f} MB after minute 1, growth after "
            f"that {growth:+.1f} MB.",
        ]
    )
    save("soak", {"rate": args.rate, "concurrency": args.conc, "windows": windows}, markdown)


if __name__ == "__main__":
    main()
