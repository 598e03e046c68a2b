"""A small OpenAI-compatible chat-completions server for the tests, over real HTTP.

No language model can run here, so this stands in for one. Its behaviour is chosen by the
request's model name; every request body is kept in `requests` for the tests to inspect.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.S)


def _first_sentence(text: str) -> str:
    match = re.search(r".+?[。！？]", text)
    return match.group(0) if match else text


def _reply(model: str, user: str) -> list[str]:
    """The pieces of the streamed answer for `model`."""
    passages = dict(PASSAGE.findall(user))
    first = _first_sentence(passages.get("1", ""))
    if model == "cite-first":
        # the marker arrives split over two pieces, as real tokenisers do
        return [first[: len(first) // 2], first[len(first) // 2 :], "[", "1]"]
    if model == "cite-two":
        second = _first_sentence(passages.get("2", ""))
        return [second, "[2]", first, "[1][2]"]
    if model == "bad-marker":
        return [first, "[1]", "另外还有", "[9]", "。"]
    if model == "not-found":
        return ["文章中没有找到这个问题的答案。"]
    raise ValueError(model)


class FakeLLM(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeLLM

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        model = body["model"]
        if model == "error-500":
            self._send(500, b'{"error": "model crashed"}', "application/json")
            return
        if model == "slow":
            time.sleep(3)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if model == "malformed":
            self.wfile.write(b"data: {not json\n\n")
            return
        if model == "cut-off":
            self.wfile.write(self._event("蓬江区") + b"\n\n")
            return
        user = body["messages"][-1]["content"]
        for event in self._events(_reply("not-found" if model == "slow" else model, user)):
            self.wfile.write(event)
            self.wfile.flush()

    def _events(self, pieces: list[str]) -> Iterator[bytes]:
        for piece in pieces:
            yield self._event(piece) + b"\n\n"
        done = {"choices": [{"delta": {}, "finish_reason": "stop"}]}
        yield b"data: " + json.dumps(done).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"

    @staticmethod
    def _event(piece: str) -> bytes:
        chunk = {"choices": [{"delta": {"content": piece}, "finish_reason": None}]}
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode()

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
