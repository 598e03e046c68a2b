"""The FastAPI application: lifespan (the index loads once), error mapping, limits, routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from rag import RAG, IndexNotFoundError, Settings
from server import errors, openai_api, routes_api
from server.limits import Admission, BodyLimit, SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)


def load_rag(settings: Settings) -> RAG:
    """Open the configured index, building it from the corpus when it is missing (if allowed)."""
    try:
        return RAG.open(settings.index_dir, settings=settings)
    except IndexNotFoundError:
        if not settings.build_if_missing:
            raise
        log.warning("no index at %s: building it from %s", settings.index_dir, settings.corpus_dir)
        return RAG.build(settings.corpus_dir, settings.index_dir, settings=settings)


def create_app(settings: Settings | None = None, rag: RAG | None = None) -> FastAPI:
    """The service. Pass `rag` to serve an already opened index (tests, notebooks)."""
    settings = settings or Settings()
    if settings.faiss_threads is None:  # requests run side by side: one thread each
        settings = settings.model_copy(update={"faiss_threads": 1})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.rag is None:
            app.state.rag = load_rag(settings)
        yield

    app = FastAPI(
        title="rag-zh-news",
        summary="Cited answers from Chinese news articles",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rag = rag
    errors.install(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # outermost: an overloaded service refuses before reading the body
    app.add_middleware(
        Admission, max_in_flight=settings.max_in_flight, timeout=settings.request_timeout
    )
    app.add_middleware(SecurityHeaders)
    app.include_router(routes_api.router)
    app.include_router(routes_api.api)
    app.include_router(routes_api.admin)
    app.include_router(openai_api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
