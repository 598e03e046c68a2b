"""Schemathesis drives every operation of the app's own OpenAPI schema, with valid and
invalid input: no 5xx, every status code and body as the schema documents it, invalid input
refused with a 4xx. The number of examples is bounded so CI stays in minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from rag import RAG, Settings
from server import create_app

EXAMPLES = 25  # per operation and mode


# The app is made at import (schemathesis reads its schema while collecting); the session's
# seed index is put in before the first call.
app = create_app(Settings(build_if_missing=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES
)


@pytest.fixture(autouse=True, scope="module")
def serve_the_seed_index(seed_rag: RAG, seed_index_dir: Path) -> None:
    app.state.settings = Settings(index_dir=seed_index_dir, build_if_missing=False)
    app.state.rag = seed_rag  # /admin/reload opens seed_index_dir again


@pytest.mark.slow
@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_schema(case: schemathesis.Case) -> None:
    # A conversation is schema-valid without a user question in it (only system or assistant
    # turns), which the service must refuse (422); that one rule the schema cannot express.
    chat = case.operation.path in ("/api/chat", "/v1/chat/completions")
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if chat else None)
