from pathlib import Path

from click.testing import CliRunner

from rag.cli import main
from tests.conftest import SEEDS


def test_inspect_prints_the_corpus_summary() -> None:
    result = CliRunner().invoke(main, ["inspect", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "构建优质高效医疗卫生服务体系" in result.output
    assert result.output.strip().splitlines()[-1].startswith("5 documents, 29 articles,")


def test_inspect_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output
