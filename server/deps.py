"""Dependencies: the pipeline and the settings reach the routes through these (tests override)."""

from __future__ import annotations

import secrets

from fastapi import Request

from rag import RAG, Settings
from server.errors import ApiError


def get_rag(request: Request) -> RAG:
    rag: RAG | None = getattr(request.app.state, "rag", None)
    if rag is None:
        raise ApiError(503, "index_unavailable", "the index is not loaded yet: try again shortly")
    return rag


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_api_key(request: Request) -> None:
    """When an API key is configured, every API call must carry it (Bearer or X-API-Key)."""
    expected = get_settings(request).api_key
    if not expected:
        return
    header = request.headers.get("authorization", "")
    given = header[7:] if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
    if not given or not secrets.compare_digest(given.encode(), expected.encode()):
        raise ApiError(
            401,
            "unauthorized",
            "this API needs a key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
        )
