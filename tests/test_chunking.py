"""Chunks: exact slices, sentence boundaries, sizes, stable ids, and sentences with offsets."""

from __future__ import annotations

import itertools

import pytest

from rag import Chunk, ChunkerConfig, ConfigError, Document, chunk_documents, split_sentences
from rag.corpus.documents import parse
from rag.text import CLOSERS, TERMINALS


def test_every_chunk_is_its_exact_slice(docs: dict[str, Document], chunks: list[Chunk]) -> None:
    assert len(chunks) > 100
    for chunk in chunks:
        assert docs[chunk.doc].text[chunk.start : chunk.end] == chunk.text


def test_chunks_end_on_sentence_boundaries(docs: dict[str, Document], chunks: list[Chunk]) -> None:
    ends = TERMINALS | CLOSERS
    for chunk in chunks:
        text = docs[chunk.doc].text
        last = chunk.text.rstrip()[-1]
        # a chunk ends at a sentence end, or where the source paragraph itself stops
        assert last in ends or text[chunk.end : chunk.end + 2] in ("\n\n", ""), chunk.text


def test_sizes_follow_the_config(chunks: list[Chunk], docs: dict[str, Document]) -> None:
    config = ChunkerConfig()
    assert max(len(c.text) for c in chunks) <= config.max_sentence_chars
    small = chunk_documents(docs.values(), ChunkerConfig(target_chars=120, min_chars=60))
    assert len(small) > len(chunks)
    assert sum(len(c.text) > 120 for c in small) < len(small) / 10


def test_embed_text_carries_headline_and_section(chunks: list[Chunk]) -> None:
    chunk = next(c for c in chunks if c.section and c.kicker == "")
    assert chunk.embed_text == f"{chunk.title}\n{chunk.section}\n{chunk.text}"


def test_ids_are_unique_and_stable(docs: dict[str, Document], chunks: list[Chunk]) -> None:
    ids = [c.chunk_id for c in chunks]
    assert len(set(ids)) == len(ids)
    assert [c.chunk_id for c in chunk_documents(docs.values())] == ids
    assert all(
        i.startswith(c.doc.removesuffix(".txt") + ":") for i, c in zip(ids, chunks, strict=True)
    )


def test_overlap_repeats_one_sentence_inside_a_split_paragraph() -> None:
    para = "".join(f"第{i}句话讲的是蓬江区卫生健康局的第{i}项工作内容。" for i in range(1, 13))
    doc = parse("a.txt", f"标题一\n\n{para}\n")
    chunks = chunk_documents([doc], ChunkerConfig(target_chars=100, min_chars=50))
    assert len(chunks) > 2
    for a, b in itertools.pairwise(chunks):
        assert a.sentences()[-1].text == b.sentences()[0].text
    none = chunk_documents(
        [doc], ChunkerConfig(target_chars=100, min_chars=50, overlap_sentences=0)
    )
    assert sum(len(c.text) for c in none) == len(para)


def test_long_sentence_is_cut_at_a_comma() -> None:
    para = "，".join(["蓬江区卫生健康局推进基层医疗服务能力提升"] * 40) + "。"
    doc = parse("a.txt", para)
    chunks = chunk_documents([doc], ChunkerConfig(max_sentence_chars=300))
    assert len(chunks) > 1
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith(("，", "。")) for c in chunks)


def test_sentences_keep_offsets(docs: dict[str, Document], chunks: list[Chunk]) -> None:
    for chunk in chunks:
        text = docs[chunk.doc].text
        sentences = chunk.sentences()
        assert sentences and sentences[0].start == chunk.start and sentences[-1].end == chunk.end
        for s in sentences:
            assert text[s.start : s.end] == s.text


def test_split_sentences_rules() -> None:
    text = "“大家跟我一起做！”近日，训练营开班。投资1.25亿元；效果好吗？是的……很好。Done. Next"
    assert [s.text for s in split_sentences(text)] == [
        "“大家跟我一起做！”",
        "近日，训练营开班。",
        "投资1.25亿元；",
        "效果好吗？",
        "是的……",
        "很好。",
        "Done.",
        "Next",
    ]
    assert split_sentences("甲。\n\n乙", 10)[1].start == 14


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_chars": 5}, "target_chars of 5"),
        ({"min_chars": 500}, "min_chars of 500"),
        ({"max_sentence_chars": 100}, "max_sentence_chars of 100"),
        ({"overlap_sentences": -1}, "overlap_sentences of -1"),
    ],
)
def test_bad_config_is_named(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ChunkerConfig(**kwargs)
