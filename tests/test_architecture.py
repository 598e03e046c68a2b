"""The package's shape: stages import only what comes before them, nothing imports in a circle,
and a question passes through query, retrieval and answering once each, in that order."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import rag
from rag import RAG

PACKAGE = Path(rag.__file__).parent
# Each module's layer; a module may import from its own layer and the layers before it.
LAYERS = [
    {"rag.errors", "rag.text", "rag.timing", "rag.settings", "rag.records"},
    {"rag.corpus"},
    {"rag.indexing"},
    {"rag.query"},
    {"rag.retrieval"},
    {"rag.answering"},
    {"rag.api"},
    {"rag.evaluation"},
    {"rag.cli", "rag"},
]
MAX_LINES = 350
MAX_TOP_MODULES = 8


def module_names() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports_of(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """Every `rag` module `path` imports, at its top or deferred inside a function: ``from
    rag.x import y`` names module ``rag.x.y`` when there is one, else ``rag.x``."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "rag")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "rag":
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield submodule if submodule in modules else node.module


def layer_of(module: str) -> int:
    for number, layer in enumerate(LAYERS):
        if any(module == top or module.startswith(top + ".") for top in layer if top != "rag"):
            return number
    assert module == "rag", f"{module} belongs to no layer: add it to LAYERS"
    return len(LAYERS) - 1


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: set(imports_of(path, modules)) - {name} for name, path in modules.items()}


def test_no_import_circle(graph: dict[str, set[str]]) -> None:
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import circle: {' → '.join(exc.args[1])}")


def test_stages_import_only_earlier_stages(graph: dict[str, set[str]]) -> None:
    backwards = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    ]
    assert not backwards


def test_nothing_inside_imports_the_facade(graph: dict[str, set[str]]) -> None:
    assert not [module for module, targets in graph.items() if "rag" in targets]


def test_modules_stay_small_and_the_top_stays_short() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines: {long}"
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


def test_every_stage_declares_its_exports() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        names = {
            target.id
            for node in ast.parse(init.read_text("utf-8")).body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        assert "__all__" in names, f"{init.relative_to(PACKAGE.parent)} has no __all__"


def stages_called_from_api(call: Any) -> tuple[list[str], dict[str, int]]:
    """The stages `call()` enters straight from `rag/api.py`, in order (repeats collapsed), and
    how often the question's language and kind are worked out anywhere."""
    api_file = str(PACKAGE / "api.py")
    entered: list[str] = []
    counts = {"language": 0, "asked_kind": 0}

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        code = frame.f_code
        if code.co_name in counts and code.co_filename.startswith(str(PACKAGE)):
            counts[code.co_name] += 1
        caller = frame.f_back
        if caller is None or caller.f_code.co_filename != api_file:
            return
        path = Path(code.co_filename)
        if PACKAGE in path.parents and path.parent != PACKAGE:
            stage = path.relative_to(PACKAGE).parts[0]
            if not entered or entered[-1] != stage:
                entered.append(stage)

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return entered, counts


@pytest.mark.parametrize(
    "question", ["蓬江区有多少支家庭医生团队？", "How many family doctor teams are in Pengjiang?"]
)
def test_a_question_meets_each_stage_once_in_order(seed_rag: RAG, question: str) -> None:
    entered, counts = stages_called_from_api(lambda: seed_rag.ask(question))
    assert entered == ["query", "retrieval", "answering"]
    assert counts == {"language": 1, "asked_kind": 1}
