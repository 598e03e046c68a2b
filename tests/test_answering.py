"""Template answers on the real seed index: the fact, the cited sentence, honest not-found."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import RAG, Answer, QueryError
from rag.answering.kinds import free_spans
from rag.answering.timeframe import FRAME
from rag.indexing.marks import marks

# Strict: a fix fails here, and the item returns to its list. Since the selector reads the
# answer's shape and its threshold was chosen again (2026-12-06, eval/README.md "The selector
# refitted"): 达到 anchors another sentence (开平市县域医共体建设达到紧密型标准) where the
# evidence says 住院率达86.4%; and a count in the unit asked (新增专科床位30余张, a new centre's
# beds) or a sentence on the subject (人口高质量发展) now answers what the pages do not say.
SHAPE_MISS = pytest.mark.xfail(strict=True, reason="another sentence has the answer's shape")
REFUSAL_MISS = pytest.mark.xfail(strict=True, reason="answered under the refitted selector")

# (question, the fact the answer must contain); written apart from tests/test_retrieval.py's
ANSWERABLE = [
    ("蓬江区有多少支家庭医生团队？", "116支"),
    ("棠下镇卫生院住院大楼什么时候投入使用？", "2023年6月"),
    ("培英小学有多少名卫生委员参加护眼培训？", "30余名"),
    ("唐聪在2010年至2015年间完成了多少台白内障手术？", "6000多台"),
    pytest.param("开平市全市域内住院率达到多少？", "86.4%", marks=SHAPE_MISS),
    ("江海区礼乐颐养院由哪家医院接管？", "江海区中西医结合医院"),
    ("蓬江分院党委书记是谁？", "甄沛林"),
    ("2023年蓬江区双向转诊多少人？", "1549人"),
    ("江门市疾控中心适龄儿童疫苗接种率是多少？", "90%"),
    ("江南街道社区卫生服务中心异地重建项目总投资多少？", "1.25亿元"),
    ("How many family doctor teams does Pengjiang District have?", "116支"),
    (
        "How many first doses of the nine-valent HPV vaccine did the Pengjiang branch give?",
        "7680支",
    ),
]
UNANSWERABLE = [
    "蓬江区卫生健康局局长的电话号码是多少？",
    "明天江门的天气怎么样？",
    "台山市人民医院院长是谁？",
    "培英小学的校长叫什么名字？",
    "新会区有多少家三甲医院？",
    "唐聪的妻子是谁？",
    # answered until the calibrated selector (issue 15): a sentence on the subject (人口
    # 发展; 培英小学 近日) scored over the English threshold, and another hospital's beds
    # answered a question about 江门市中心医院's
    pytest.param("What is the population of Jiangmen?", marks=REFUSAL_MISS),
    "Who is the mayor of Jiangmen?",
    "When was Peiying Primary School founded?",
    pytest.param("How many beds does Jiangmen Central Hospital have?", marks=REFUSAL_MISS),
    # answered with the wrong fact (开平's 2023 sign-up rate; 30余张 beds of one centre) until
    # hybrid search was fused by score: the passages it brings now leave the selector unsure
    "江门市2023年的GDP是多少？",
    pytest.param("江门市中心医院有多少张床位？", marks=REFUSAL_MISS),
    # answered 2026年 (the year the study was shown) until a year was no count
    "张华团队的鼻咽癌新辅助治疗研究共入组了多少例患者？",
]


def check_citations(rag: RAG, answer: Answer) -> None:
    for n, citation in enumerate(answer.citations, start=1):
        assert citation.n == n and f"[{n}]" in answer.text
        doc = rag.document(citation.doc)
        assert doc.text[citation.start : citation.end] == citation.quote
        assert citation.quote in answer.text
        chunk = next(c for c in rag.chunks if c.chunk_id == citation.chunk_id)
        assert chunk.start <= citation.start and citation.end <= chunk.end


@pytest.mark.parametrize(("question", "fact"), ANSWERABLE)
def test_answer_holds_the_fact_and_cites_its_sentence(
    seed_rag: RAG, question: str, fact: str
) -> None:
    answer = seed_rag.ask(question)
    assert answer.found, answer.meta
    assert fact in answer.text
    assert any(fact in c.quote for c in answer.citations)
    check_citations(seed_rag, answer)
    assert answer.lang == ("en" if question.isascii() else "zh")
    if answer.lang == "en":  # what answers, then the Chinese quote
        lead, quoted = answer.text.split("(quoted in Chinese): ")
        assert lead.startswith(f"{fact} — ") or lead == "According to the articles "
        assert fact in quoted


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_questions_are_not_found(seed_rag: RAG, question: str) -> None:
    answer = seed_rag.ask(question)
    assert not answer.found, answer.text
    assert answer.citations == ()
    assert answer.hits, "the closest passages are still offered"
    expected = "The articles don't say" if question.isascii() else "文章中没有找到"
    assert answer.text.startswith(expected)


def test_a_year_is_no_count_but_a_span_of_years_is() -> None:
    sentence = "相关成果在2026年美国临床肿瘤学会年会进行汇报展示，连续保持32年无脊灰。"
    spans = marks(sentence, ("number", "date"))
    counts = [sentence[s:e] for s, e in free_spans("number", sentence, spans, ())]
    assert counts == ["32年"]
    dates = [sentence[s:e] for s, e in free_spans("date", sentence, spans, ())]
    assert dates[0] == "2026年"


def test_stream_yields_the_text_then_the_answer(seed_rag: RAG) -> None:
    items = list(seed_rag.stream("蓬江区有多少支家庭医生团队？"))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert all(isinstance(piece, str) for piece in items[:-1])
    assert "".join(items[:-1]) == answer.text
    assert answer == seed_rag.ask("蓬江区有多少支家庭医生团队？")


def test_a_repeated_caption_is_not_quoted_twice(seed_rag: RAG) -> None:
    answer = seed_rag.ask("棠下镇卫生院住院大楼什么时候投入使用？")
    assert answer.text.count("住院大楼于2023年6月投入使用") == 1


def test_empty_question_is_a_clear_error(seed_rag: RAG) -> None:
    with pytest.raises(QueryError, match="empty"):
        seed_rag.ask("  ")
    with pytest.raises(QueryError, match="k of 0"):
        seed_rag.ask("蓬江区有多少支家庭医生团队？", k=0)


@pytest.mark.parametrize("question", ["a", "hello", "？？", "的"])
def test_questions_that_ask_nothing_are_not_answered(seed_rag: RAG, question: str) -> None:
    # a one-letter query has cosine 0.8 with every sentence: only the margin over the
    # question's own baseline tells it apart
    assert not seed_rag.ask(question).found


def test_markup_in_documents_never_becomes_markup(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile.txt").write_text(
        "<b>蓬江区</b>卫生新闻\n\n"
        "蓬江区家庭医生团队有116支<script>alert(1)</script>。"
        "<img src=x onerror=alert(2)>团队上门服务。\n",
        "utf-8",
    )
    rag = RAG.build(corpus, tmp_path / "index")
    answer = rag.ask("蓬江区有多少支家庭医生团队？")
    assert answer.found
    views = [answer, answer.hits[0], answer.citations[0]]
    for html in (view._repr_html_() for view in views):
        assert "<script" not in html and "<img" not in html and "<b>蓬江区" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;蓬江区" in html
    assert '<a href="#rag-cite-1">[1]</a>' in answer._repr_html_()
    not_found = rag.ask("明天江门的天气怎么样？")
    assert "<script" not in not_found._repr_html_()


@pytest.mark.parametrize(
    ("year", "found"),
    [("2024年", True), ("", True), ("2023年", False)],  # the page reviews 2024
)
def test_a_figure_of_another_years_review_does_not_answer(
    seed_rag: RAG, year: str, found: bool
) -> None:
    # 全区居民健康素养水平达39.1%。 names no year: its article opens 2024年，蓬江区卫生健康局…
    answer = seed_rag.ask(f"{year}蓬江区全区居民健康素养水平是多少？")
    assert answer.found is found, answer.text
    assert ("39.1%" in answer.text) is found


def test_a_time_frame_is_a_year_opening_a_sentence_in_the_article(seed_rag: RAG) -> None:
    frames = seed_rag.answerer.timeframes
    doc = next(d for d in seed_rag.answerer.documents.values() if "39.1%" in d.text)
    text = doc.text
    assert frames.year(doc.id, text.index("全区居民健康素养水平达39.1%")) == "2024"
    # a year opening a sentence or clause frames; one inside a sentence (a title) does not
    framing = [m.group(1) for m in FRAME.finditer("回首2024年，…。2025年，将…；2023年以来，…")]
    assert framing == ["2024", "2025", "2023"]
    assert not FRAME.search("中医科获评“2024年江门市基层特色专科”。新增2023年度项目，")
    # before an article's first framing year, nothing frames it
    headline = doc.articles[0]
    assert frames.year(doc.id, headline.start) is None
    asked = frozenset({"2023"})
    at = text.index("全区居民健康素养水平达39.1%")
    assert frames.conflicts(asked, doc.id, at, "全区居民健康素养水平达39.1%。")
    assert not frames.conflicts(asked, doc.id, at, "2024年全区居民健康素养水平达39.1%。")
    assert not frames.conflicts(frozenset(), doc.id, at, "全区居民健康素养水平达39.1%。")
