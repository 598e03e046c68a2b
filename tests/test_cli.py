import json
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


def test_build_and_search(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "蓬江区家庭医生\n\n不仅如此，在蓬江区，家庭医生团队有116支。\n\n江海区开展义诊活动。\n",
        "utf-8",
    )
    index = tmp_path / "index"
    built = CliRunner().invoke(main, ["build", str(corpus), "--index", str(index)])
    assert built.exit_code == 0, built.output
    # one chunk and its two sentences embedded
    assert "1 documents, 1 articles, 1 chunks (3 embedded, 0 from cache)" in built.output
    found = CliRunner().invoke(main, ["search", "家庭医生团队", "--index", str(index), "--json"])
    assert found.exit_code == 0, found.output
    (hit,) = json.loads(found.output)
    assert hit["doc"] == "a.txt" and "116支" in hit["text"] and hit["title"] == "蓬江区家庭医生"
    plain = CliRunner().invoke(main, ["search", "家庭医生团队", "--index", str(index)])
    assert "1. [" in plain.output and "蓬江区家庭医生" in plain.output


def test_search_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "run `rag build" in missing.output
    assert "Traceback" not in missing.output
