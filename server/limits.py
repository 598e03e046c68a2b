"""Limits, as plain ASGI middleware: request body size, requests in flight, time to answer.

The body is read up to the limit before the app sees it (chunked bodies too, which carry no
Content-Length), so an oversized request is refused with 413 before any parsing. Beyond
`max_in_flight` API requests at once the service answers 503 at once (with Retry-After) rather
than queueing without bound; an API request that has not started its response within
`timeout` seconds gets 504 instead of hanging.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for a disconnect

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        message = (
            f"the request body is over the {self.max_bytes}-byte limit (RAG_MAX_BODY_BYTES): "
            "send a shorter question"
        )
        await send_error(send, 413, "request_too_large", message)


async def send_error(
    send: Send, status: int, kind: str, message: str, *extra: tuple[bytes, bytes]
) -> None:
    """A JSON error response in the service's one error shape."""
    data = json.dumps({"error": {"type": kind, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": data})


class Admission:
    """At most `max_in_flight` requests under `prefixes` at once; each must start its
    response within `timeout` seconds. A streamed answer that has started is not cut off:
    its pieces flow, and the generator's own timeout bounds the gaps between them."""

    def __init__(
        self,
        app: ASGIApp,
        max_in_flight: int,
        timeout: float,
        prefixes: tuple[str, ...] = ("/api/", "/v1/"),
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.timeout = timeout
        self.prefixes = prefixes
        self.in_flight = 0  # one event loop: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            message = (
                f"the service is answering {self.in_flight} requests, its limit "
                "(RAG_MAX_IN_FLIGHT): try again in a moment"
            )
            await send_error(send, 503, "overloaded", message, (b"retry-after", b"1"))
            return
        self.in_flight += 1
        try:
            await self._within_time(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _within_time(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = asyncio.Event()
        timed_out = False

        async def tracked(message: Message) -> None:
            if timed_out:  # the 504 has gone out: a late answer is dropped
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        async def answer() -> None:
            await self.app(scope, receive, tracked)

        task = asyncio.create_task(answer())
        waiter = asyncio.create_task(started.wait())
        done, _ = await asyncio.wait(
            {task, waiter}, timeout=self.timeout, return_when="FIRST_COMPLETED"
        )
        waiter.cancel()
        if not done:
            timed_out = True
            # a worker thread already running finishes on its own; its answer is dropped
            task.cancel()
            message = (
                f"no answer within {self.timeout:g} s (RAG_REQUEST_TIMEOUT): the service is "
                "busy or the generator is slow; try again"
            )
            await send_error(send, 504, "timeout", message)
            return
        await task  # the response has started (or the app finished): let it complete


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),  # JSON is never sniffed into HTML
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    # the same policy as the page's meta tag, and frame-ancestors, which a meta tag cannot set
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
        b"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ),
]


DOC_PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")


class SecurityHeaders:
    """Headers on every response that keep a document's markup from ever acting as markup."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # FastAPI's /docs and /redoc pages load their scripts from a CDN: no CSP there
        extra = SECURITY_HEADERS[:-1] if scope["path"] in DOC_PAGES else SECURITY_HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
