"""Loading: encodings, and a clear error naming the file for every bad input."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag import CorpusError, RagError, load_documents
from tests.conftest import SEEDS

ARTICLE = "江门日报讯 蓬江区家庭医生团队有116支。\n\n团队上门服务，打通“最后一公里”。\n"


def test_seeds_load_with_file_names_as_ids() -> None:
    docs = load_documents(SEEDS)
    assert [d.id for d in docs] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all(d.encoding == "utf-8" for d in docs)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_supported_encodings_give_the_same_text(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode(encoding))
    (doc,) = load_documents(tmp_path)
    assert "蓬江区家庭医生团队有116支。" in doc.text
    assert not doc.raw.startswith("\ufeff")


def test_markdown_headings_and_subfolders(tmp_path: Path) -> None:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "page.md").write_text(
        "# 蓬江区卫生健康局新闻\n\n近日，蓬江区召开会议。\n\n## 家庭医生\n\n团队有116支。\n",
        encoding="utf-8",
    )
    (tmp_path / ".hidden.md").write_text("# 不要读我\n", encoding="utf-8")
    (doc,) = load_documents(tmp_path)
    assert doc.id == "2024/page.md"
    assert [a.headline for a in doc.articles] == ["蓬江区卫生健康局新闻"]
    body = [p for p in doc.paragraphs if p.role == "body"]
    assert [p.section for p in body] == ["", "家庭医生"]
    assert "#" not in doc.text


def test_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"nowhere does not exist"):
        load_documents(tmp_path / "nowhere")


def test_empty_folder_says_what_to_add(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match=r"holds no \.txt or \.md file"):
        load_documents(tmp_path)


def test_binary_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(CorpusError, match=r"image\.txt looks like a binary file"):
        load_documents(tmp_path)


def test_undecodable_file_is_named_with_the_way_out(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes("蓬江区".encode() + b"\xff\xfe\x80 broken \xff")
    with pytest.raises(CorpusError, match=r"bad\.txt is neither UTF-8 nor GB18030.*iconv"):
        load_documents(tmp_path)


def test_empty_file_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\n\u3000\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="rag.corpus.documents"):
        docs = load_documents(tmp_path)
    assert [d.id for d in docs] == ["a.txt"]
    assert "empty.txt" in caplog.text and "blank.md" in caplog.text


def test_only_empty_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="empty"):
        load_documents(tmp_path)


def test_corpus_error_is_a_rag_error() -> None:
    assert issubclass(CorpusError, RagError)
