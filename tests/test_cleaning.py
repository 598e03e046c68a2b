"""Layout repair on the real seeds, and the map back to the raw files."""

from __future__ import annotations

import re

import pytest

from rag import Chunk, Document
from rag.corpus.cleaning import repair, splits_word, undouble
from rag.corpus.textmap import MappedText

CJK = "[\u4e00-\u9fff]"
# marks of page furniture that never occur inside article prose
FURNITURE = ["新闻编辑中心主编", "责编/", "美编/", "↑", "→", "▲", "而行新新"]


def mapped(text: str) -> MappedText:
    return MappedText.from_raw(text, 0, len(text))


def test_column_wraps_are_joined_without_spaces(docs: dict[str, Document]) -> None:
    text = docs["002_fd6da8904549c7d5.txt"].text
    assert "全市卫生健康系统也奏响了高质量发展的“春之曲”" in text
    assert "三月的江门，春和景明，万物竞秀。" in text
    # a paragraph of the column cut by a blank line mid-sentence
    assert "江门市中心医院以高质量发展为主线" in text


def test_paragraphs_cut_mid_word_are_rejoined(docs: dict[str, Document]) -> None:
    assert "已完成虎岭村卫生站、贯溪村卫生站的升级改造" in docs["001_8ed587983628aeb3.txt"].text
    text3 = docs["003_1282c769fd2c232a.txt"].text
    assert "另一方面，及时关心慰问党员身心健康" in text3
    assert "唐聪意识到眼科知识普及的重要性" in text3  # the cut line looked like a heading


def test_heading_after_unfinished_sentence_stays_a_heading(docs: dict[str, Document]) -> None:
    doc = docs["000_1819edee12feb59a.txt"]
    assert "督导小组深强管理" not in doc.text
    headings = {doc.text[p.start : p.end] for p in doc.paragraphs if p.role == "heading"}
    assert "强管理 以精细治理传递“服务好”" in headings


def test_doubled_captions_come_out_once(docs: dict[str, Document]) -> None:
    text = docs["002_fd6da8904549c7d5.txt"].text
    assert "江门市中心医院将不断优化就医流程和环境。" in text
    assert "江门市人民医院将赓续前行，护佑人民群众生命健康。" in text
    assert "成为全省首批“智慧中医医院”建设单位。" in text
    assert "江海区卫生健康局将为人民群众提供更加优质、高效的卫生健康服务。" in text
    for doubled in ["将不断江门市", "。。", "，，", "▲", "““"]:
        assert doubled not in text


def test_no_chunk_holds_layout_artefacts(docs: dict[str, Document], chunks: list[Chunk]) -> None:
    for chunk in chunks:
        doc = docs[chunk.doc]
        # whitespace inside a paragraph is a space of the source, never a line wrap
        for para in chunk.text.split("\n\n"):
            assert "\n" not in para, para
        for i, ch in enumerate(chunk.text):
            if ch.isspace() and chunk.text[i - 1 : i + 1] != "\n\n" and ch != "\n":
                assert doc.raw[doc.raw_pos[chunk.start + i]] in " \u3000", chunk.text
        assert not re.search(r"(.{4,})\1", chunk.text), chunk.text  # nothing printed twice
        for para in chunk.text.split("\n\n"):
            assert not para.startswith(("↑", "→", "▲", "文/图", "文图", "策划", "专题")), para
            for mark in FURNITURE:
                assert mark not in para, (mark, para)


def test_furniture_leaves_the_text(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        for line in doc.text.split("\n\n"):
            assert line not in {"专题", "延伸阅读不", "不忘初心中继前进", "百千万「邑」奇迹"}
            assert not line.startswith(("↑", "→", "文/图", "文图", "策划", "新闻编辑中心"))
    assert "李淑玲" not in docs["004_1e5585c78672c95c.txt"].text


def test_every_clean_character_maps_to_the_same_raw_character(docs: dict[str, Document]) -> None:
    for doc in docs.values():
        assert len(doc.raw_pos) == len(doc.text)
        assert list(doc.raw_pos) == sorted(doc.raw_pos)
        for i, ch in enumerate(doc.text):
            if not ch.isspace():
                assert doc.raw[doc.raw_pos[i]] == ch, (doc.id, i)


def test_chunks_map_back_into_the_raw_file(docs: dict[str, Document], chunks: list[Chunk]) -> None:
    for chunk in chunks:
        doc = docs[chunk.doc]
        start, end = doc.raw_span(chunk.start, chunk.end)
        raw = doc.raw[start:end]
        assert raw[0] == chunk.text[0] and raw[-1] == chunk.text[-1]
        # the chunk's characters appear in the raw slice, in order (the rest was wraps,
        # furniture or a doubled caption's second copy)
        rest = iter(raw)
        assert all(ch in rest for ch in chunk.text if not ch.isspace())


def test_raw_span_rejects_ranges_outside_the_text(docs: dict[str, Document]) -> None:
    doc = docs["000_1819edee12feb59a.txt"]
    with pytest.raises(ValueError, match=r"outside 000_1819edee12feb59a\.txt"):
        doc.raw_span(0, len(doc.text) + 1)


@pytest.mark.parametrize(
    ("line", "once"),
    [
        ("江门市中心医院将不断江门市中心医院将不断", "江门市中心医院将不断"),
        ("将赓续前行将赓续前行，，护佑人民护佑人民", "将赓续前行，护佑人民"),
        ("成为全省首批成为全省首批““智慧中智慧中", "成为全省首批“智慧中"),
        ("医医院医医院””建设单位建设单位。。", "医医院”建设单位。"),
    ],
)
def test_undouble(line: str, once: str) -> None:
    result = undouble(mapped(line))
    assert result is not None and result.text == once


@pytest.mark.parametrize("line", ["哈哈哈哈哈哈", "蓬江区家庭医生团队有116支。", "谢谢", "……"])
def test_undouble_leaves_ordinary_lines(line: str) -> None:
    assert undouble(mapped(line)) is None


def test_splits_word() -> None:
    assert splits_word("虎岭村卫", "生站、贯溪村")
    assert splits_word("医疗扶贫的经历也让唐聪意识到眼", "科知识普及的重要性。")
    assert not splits_word("党员督导小组深", "强管理 以精细治理传递“服务好”")
    assert not splits_word("Hello", "world")


def test_english_wraps_keep_a_space() -> None:
    paras = repair("An English line that wraps\nacross two lines.\n")
    assert [p.text for p in paras] == ["An English line that wraps across two lines."]


def test_indented_paragraphs_and_windows_line_ends() -> None:
    raw = "\u3000\u3000第一段文字，结束。\r\n\r\n\u3000\u3000第二段文字。\r\n"
    paras = repair(raw)
    assert [p.text for p in paras] == ["第一段文字，结束。", "第二段文字。"]
    assert raw[paras[1].body.pos[0]] == "第"
