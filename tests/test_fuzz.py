"""Property tests (hypothesis) of the text stages on arbitrary Unicode.

Fuzzed: the loader's decoding (`decode`, `load_documents` on arbitrary bytes), the cleaner and
layout (`parse` = `repair` + `assemble`), sentence splitting and chunking (`chunk_document`),
the tokenizer (`tokenize`, `normalize`) and the query side (`check_query`, `language`,
`asked_kind`, `marks`, `holds`, `question_words`, `standalone_question`).

Inputs mix CJK, Chinese punctuation, ASCII, numbers with units, paragraph structure (line breaks,
blank lines, CRLF), spaces (ASCII, U+3000, NBSP, BOM), combining marks, control characters,
emoji, right-to-left scripts, zero-width and bidi marks, layout markers the cleaner reacts to
(markdown ``#``, ``▲``, ``↑``, bylines, doubled captions), very long lines, and, on the query
side, lone surrogates as a JSON body escapes them (``"\\ud800"``).

Properties:

- nothing raises except the library's documented errors (`CorpusError` for bytes that are not
  text, `QueryError` for a blank query);
- the cleaned text maps back to the raw text: one raw offset per character, in bounds and
  non-decreasing, and every non-space character is the identical raw character;
- paragraphs, articles, chunks and sentences have valid offsets and are exactly the slice of
  ``doc.text`` they claim (``doc.text[start:end] == text``); chunks hold more than whitespace
  and their ids are unique;
- tokens are non-empty, hold no whitespace, and come out the same every time; `normalize` is
  idempotent;
- `marks` spans lie inside the sentence.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rag import ChunkerConfig, CorpusError, Document, QueryError, chunk_document, load_documents
from rag.answering.kinds import holds
from rag.corpus.documents import decode, parse
from rag.indexing.lexical import _tokens, tokenize
from rag.indexing.marks import MARKED, marks
from rag.query.analysis import asked_kind, check_query, language, question_words
from rag.query.conversation import Turn, standalone_question
from rag.text import normalize, split_sentences

# Reproducible in CI: no example database, the same examples every run; no deadline (the
# machine running the tests is shared and noisy).
FUZZ = settings(database=None, derandomize=True, deadline=None)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
ZH_PUNCT = "，。！？；：、“”‘’（）《》【】…—"
LINE_BREAKS = ["\n", "\n\n", "\n\n\n\n", "\r\n", "\r\n\r\n"]
SPACES = [" ", "  ", "\u3000", "\u3000\u3000", "\xa0", "\t", "\ufeff", "\u2028", "\x85"]
# What the cleaner and the question parser react to.
MARKERS = [
    "# ",
    "## ",
    "#",
    "▲",
    "↑",
    "文/图 ",
    "记者 ",
    "专题",
    "策划 ",
    "江门日报讯",
    "局长李勇",
    "多少",
    "哪一年",
    "谁",
    "在哪",
    "医院",
    "呢？",
    "那",
    "what about ",
    "2023年",
    "66.67%",
    "\u200b",  # zero-width space
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u0301",  # combining acute
]


def _run(chars: st.SearchStrategy[str], max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(chars, min_size=1, max_size=max_size)


PIECE = st.one_of(
    _run(CJK),
    _run(st.sampled_from(ZH_PUNCT), 3),
    _run(st.characters(min_codepoint=0x20, max_codepoint=0x7E)),
    st.from_regex(r"\d{1,4}(\.\d{1,2})?[%年月日个支]?", fullmatch=True),
    st.sampled_from(LINE_BREAKS),
    st.sampled_from(SPACES),
    st.sampled_from(MARKERS),
    _run(st.characters(categories=["Mn"]), 3),  # combining marks
    _run(st.characters(categories=["Cc"]), 3),  # \x00-\x1f, \x7f-\x9f
    _run(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), 3),  # emoji
    _run(st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), 8),  # Hebrew, Arabic
    _run(CJK, 6).map(lambda s: s + s),  # a caption printed twice
    _run(st.characters(exclude_categories=["Cs"]), 6),  # anything else a file can hold
)
# What starts a line the cleaner treats apart: markdown headings, captions, credits, indents.
LINE_START = st.sampled_from(
    ["", "", "", "# ", "## ", "###### ", "#", "▲", "▲ ", "↑", "文/图 ", "记者 ", "\u3000\u3000"]
)
# A markdown heading line from the characters its parsing turns on (``#``, the spaces stripped
# and those only `re` calls whitespace), so that empty and odd headings come up.
MD_LINE = st.tuples(
    st.sampled_from(["#", "##", "######", "#######"]),
    st.text(st.sampled_from("# \u3000\t\x1c\x85\u2028江a"), max_size=5),
).map("".join)
LINE = st.one_of(
    st.tuples(LINE_START, st.lists(PIECE, max_size=8).map("".join)).map("".join), MD_LINE
)
# A page: either pieces run together, so paragraphs, lines and scripts mix freely, or lines
# with the starts above, separated by line breaks and blank lines.
RAW = st.one_of(
    st.lists(PIECE, max_size=40).map("".join),
    st.lists(st.tuples(LINE, st.sampled_from(LINE_BREAKS)).map("".join), max_size=12).map("".join),
)
# A query: lone surrogates can only arrive JSON-escaped (a UTF-8 file or body cannot hold
# them, but ``json.loads('"\\ud800"')`` returns one).
SURROGATE = st.integers(0xD800, 0xDFFF).map(lambda c: f"\\u{c:04x}")
QUERY = st.lists(st.one_of(PIECE.map(lambda s: json.dumps(s)[1:-1]), SURROGATE), max_size=20).map(
    lambda parts: str(json.loads('"' + "".join(parts) + '"'))
)

# Sizes that make `_cut_long` and the overlap run on short fuzzed texts.
SMALL = ChunkerConfig(target_chars=20, min_chars=0, max_sentence_chars=20, overlap_sentences=2)

NASTY_PAGES = [
    "",
    "\n\n\n",
    " \u3000\xa0\t\r\n\ufeff",
    "，。！？；：、“”‘’（）《》【】…—" * 3,
    "# #\n正文。",  # a markdown heading with nothing in it
    "正文。\n\n##  ##\n\n更多。",
    "#\x1c\n正文。",  # \x1c is whitespace to `re` but not to the cleaner
    "▲\n↑\n文/图 \n专题",
    "江门市中心医院将不断江门市中心医院将不断\n\n成为全省首批成为全省首批",
    "e\u0301\u0301\u0301。\u202e\u05d0\u05d1。😀\x00\x7f\x9f。",
    "a，" + " " * 30 + "，b。",  # a run of spaces longer than SMALL's sentence limit
    "a，" + " " * 450 + "，b。",  # ... and than the default one
    "标题\n\n" + "很长" * 15 + "。\x1c\u2028",  # a "sentence" of whitespace the splitter keeps
    "第一段\r\n\r\n第二段。\r",
]


def check_document(doc: Document, raw: str) -> None:
    """The cleaned text maps back to `raw`; paragraphs and articles are valid slices."""
    text, pos = doc.text, doc.raw_pos
    assert doc.raw == raw
    assert len(pos) == len(text)
    assert all(0 <= p < len(raw) for p in pos)
    assert all(a <= b for a, b in itertools.pairwise(pos)), "raw offsets go back"
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert raw[pos[i]] == ch, (i, ch, raw[pos[i]])
    end = 0
    for para in doc.paragraphs:
        assert end <= para.start < para.end <= len(text), para
        assert "\n" not in text[para.start : para.end]
        assert 0 <= para.article < len(doc.articles)
        start, stop = doc.raw_span(para.start, para.end)
        assert 0 <= start < stop <= len(raw)
        end = para.end
    for article in doc.articles:
        for start, stop in article.parts:
            assert 0 <= start <= stop <= len(text)


def check_chunks(doc: Document, config: ChunkerConfig | None) -> None:
    """Every chunk and each of its sentences is exactly its slice of the document."""
    chunks = chunk_document(doc, config)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.doc == doc.id
        assert 0 <= chunk.start < chunk.end <= len(doc.text)
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip(), repr(chunk.text)
        doc.raw_span(chunk.start, chunk.end)
        for sentence in chunk.sentences():
            assert chunk.start <= sentence.start < sentence.end <= chunk.end
            assert doc.text[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize("raw", NASTY_PAGES)
def test_nasty_pages(raw: str) -> None:
    doc = parse("nasty.txt", raw)
    check_document(doc, raw)
    check_chunks(doc, None)
    check_chunks(doc, SMALL)


@fuzz(300)
@given(RAW)
def test_cleaned_text_maps_back_to_the_raw_text(raw: str) -> None:
    check_document(parse("fuzz.txt", raw), raw)


@fuzz(200)
@given(RAW)
def test_chunks_and_sentences_are_exact_slices(raw: str) -> None:
    doc = parse("dir/fuzz.md", raw)
    check_chunks(doc, None)
    check_chunks(doc, SMALL)


@fuzz(200)
@given(RAW, st.integers(0, 5))
def test_split_sentences_keeps_offsets(text: str, offset: int) -> None:
    out = split_sentences(text, offset)
    last = offset
    for sentence in out:
        assert last <= sentence.start < sentence.end <= offset + len(text)
        assert text[sentence.start - offset : sentence.end - offset] == sentence.text
        assert "\n" not in sentence.text
        last = sentence.end


@pytest.mark.slow
@fuzz(8)
@given(
    unit=st.lists(PIECE.filter(lambda s: "\n" not in s), min_size=1, max_size=6).map("".join),
    extra=st.integers(0, 3),
)
@example(unit="江门，", extra=0)
@example(unit="。", extra=0)
@example(unit="a" * 7 + " ", extra=0)
def test_very_long_lines(unit: str, extra: int) -> None:
    # An odd number of repeats: a line whose every character occurs an even number of times
    # sends `undouble` down its quadratic search (seconds at 10^4 characters: see the report).
    repeats = 10_000 // len(unit) + 1
    raw = "标题\n\n" + unit * (repeats | 1) + "\n" + "江门。" * extra
    doc = parse("long.txt", raw)
    check_document(doc, raw)
    check_chunks(doc, None)


@fuzz(100)
@given(st.binary(max_size=200), st.sampled_from([b"", "\ud800".encode("utf-8", "surrogatepass")]))
@example(b"\xed\xa0\x80", b"")  # a UTF-8-encoded lone surrogate
@example(b"\xff\xfe\x00\xd8", b"")  # UTF-16 with a lone surrogate
@example("蓬江区".encode() + b"\xff\xfe\x80 broken \xff", b"")
def test_decode_gives_text_or_a_corpus_error(data: bytes, tail: bytes) -> None:
    try:
        text, encoding = decode(data + tail, "fuzz.txt")
    except CorpusError as exc:
        assert "fuzz.txt" in str(exc)
        return
    assert encoding in {"utf-8", "utf-16", "gb18030"}
    text.encode("utf-8")  # no lone surrogate got through


@fuzz(30)
@given(st.one_of(st.binary(max_size=100), RAW.map(str.encode)))
def test_loader_gives_documents_or_a_corpus_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "page.txt").write_bytes(data)
        try:
            docs = load_documents(folder)
        except CorpusError as exc:
            assert "page.txt" in str(exc) or "empty" in str(exc)
            return
    (doc,) = docs
    check_document(doc, doc.raw)


@fuzz(300)
@given(QUERY)
@example("")
@example("\ud800")
@example("蓬江区\udfff有多少？")
@example("薴")  # OpenCC maps 薴 to 苧, which it maps to 苎
@example("，。！？" * 10)
@example("\x00\x1f\x7f\x9f")
def test_tokenize(text: str) -> None:
    tokens = tokenize(text)
    assert tokens == list(_tokens.__wrapped__(text))  # the cache changes nothing
    for token in tokens:
        assert token and not any(ch.isspace() for ch in token), repr(token)
    once = normalize(text)
    assert normalize(once) == once


@fuzz(300)
@given(QUERY)
@example("   \u3000\n")
@example("\ud800")
def test_check_query(query: str) -> None:
    if query.strip():
        assert check_query(query) == query.strip()
    else:
        with pytest.raises(QueryError):
            check_query(query)


@pytest.mark.parametrize("query", [None, 1, b"bytes", ["q"]])
def test_check_query_rejects_what_is_not_text(query: object) -> None:
    with pytest.raises(QueryError, match="must be text"):
        check_query(query)


@fuzz(100)
@given(QUERY, QUERY)
@example("蓬江区有多少支家庭医生团队？", "局长李勇晋2023年在江门市中心医院说")
@example("\ud800谁", "\udfff医院")
def test_question_parsing(question: str, sentence: str) -> None:
    assert language(question) in ("zh", "en")
    assert asked_kind(question) in (*MARKED, "any")
    for code, start, end in marks(sentence):
        assert 0 <= code < len(MARKED)
        assert 0 <= start < end <= len(sentence), (code, start, end)
    for kind in (*MARKED, "any"):
        assert holds(kind, sentence, question) in (True, False)
    assert all(word and not word.isspace() for word in question_words(question))


ROLES = st.sampled_from(["user", "user", "assistant", "system"])


@fuzz(200)
@given(st.lists(st.builds(Turn, ROLES, QUERY), max_size=5))
@example([Turn("user", "蓬江区有多少支家庭医生团队？"), Turn("user", "那江海区呢？")])
@example([Turn("user", "Which hospital?"), Turn("user", "what about (.*)区?")])
@example([Turn("user", "\ud800区"), Turn("user", "那\udfff区呢")])
def test_standalone_question(turns: list[Turn]) -> None:
    question = standalone_question(turns)
    users = [t.content.strip() for t in turns if t.role == "user" and t.content.strip()]
    if not users:
        assert question == ""
    else:
        assert question.strip()
        if len(users) == 1:
            assert question == users[-1]
