"""The FastAPI service: JSON API, OpenAI-compatible API and the web chat page."""

from server.app import create_app

__all__ = ["create_app"]
