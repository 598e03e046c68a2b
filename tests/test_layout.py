"""Articles, headlines, kickers and sections of the seed pages, as read by a person."""

from __future__ import annotations

from rag import Chunk, Document
from tests.conftest import chunk_with

HEADLINES = {
    "000_1819edee12feb59a.txt": [
        "蓬江区卫生健康局以实干实绩树立和践行正确政绩观 把优质医疗送到家门口",
        "江门市疾控中心走进培英小学举办“护眼卫士训练营” 守护全校学生视力健康",
        "江门市中心医院蓬江分院党建引领高质量发展 党旗领航“三强” 仁心浇灌“三好”",
    ],
    "001_8ed587983628aeb3.txt": [
        "构建优质高效医疗卫生服务体系",
        "同织一张就医网 共筑百姓健康路",
    ],
    "002_fd6da8904549c7d5.txt": [
        # the series introduction: its title is lost in the page's mangled logo, so it is
        # named after the series its prose announces (推出“健康江门 向‘新’而行”系列报道)
        "健康江门 向‘新’而行",
        "奋力开创“双高”发展新局面",
        "向“新”提质赋能高质量发展",
        "赓续前行护佑人民健康",
        "全心全意绘就妇幼幸福底色",
        "接续奋斗谱写疾控事业新篇章",
        "用心用情守护百姓健康",
        "擘画健康蓬江新蓝图",
        "书写健康江海新画卷",
        "解决好群众急难愁盼问题",
        "提质增效开新局",
        "让老百姓家门口就医更便捷",
        "“三大行动”让群众更有“医”靠",
        "构建更优质高效医疗服务体系",
    ],
    "003_1282c769fd2c232a.txt": [
        "江海区卫生健康局坚持“四强”增“四力” 党建引领卫健事业高质量发展",
        "江门五邑爱尔新希望眼科医院副院长唐聪： 使命呼唤担当 用爱传递光明",
        "江门五邑爱尔新希望眼科医院：党建兴院 支部先行",
    ],
    "004_1e5585c78672c95c.txt": [
        "求真务实 奋力推动健康蓬江再上新台阶",
        "锐意创新 切实提升健康服务能力和质量",
        "聚力前行 为人民群众提供全生命周期健康服务",
        "稳中求进 全力推进健康台山建设",
        "奋发图强 推动卫生健康事业高质量发展",
        "快马加鞭 办好群众可感可及的身边事",
        "凝心聚力 解决群众急难愁盼问题",
    ],
}


def test_every_headline_is_found(docs: dict[str, Document]) -> None:
    for doc_id, expected in HEADLINES.items():
        assert [a.headline for a in docs[doc_id].articles] == expected, doc_id


def test_kickers_and_bylines(docs: dict[str, Document]) -> None:
    kickers = [a.kicker for a in docs["002_fd6da8904549c7d5.txt"].articles[1:]]
    assert kickers[:3] == ["江门市中心医院", "江门市五邑中医院", "江门市人民医院"]
    assert docs["001_8ed587983628aeb3.txt"].articles[1].kicker == "江门市中心医院蓬江分院"
    assert docs["003_1282c769fd2c232a.txt"].articles[2].kicker == "延伸阅读"
    assert docs["000_1819edee12feb59a.txt"].articles[0].byline == "文/图 梁爽 陈舒畅"
    assert (
        docs["004_1e5585c78672c95c.txt"].articles[1].byline
        == "江海区卫生健康局党组书记、局长杨家慧"
    )


def test_sections_of_an_article(docs: dict[str, Document]) -> None:
    doc = docs["001_8ed587983628aeb3.txt"]
    sections = list(dict.fromkeys(p.section for p in doc.paragraphs if p.article == 0))
    assert sections == [
        "",
        "设施提档升级 改善群众就医环境",
        "加强医联体建设 补齐医疗服务短板",
        "强化特色专科建设 提升综合服务能力",
        "聚焦“一老一少” 让群众健康有“医”靠",
    ]


def test_chunks_carry_their_article_and_section(chunks: list[Chunk]) -> None:
    c = chunk_with(chunks, "家庭医生团队有116支")
    assert (c.title, c.section) == (
        "构建优质高效医疗卫生服务体系",
        "聚焦“一老一少” 让群众健康有“医”靠",
    )
    c = chunk_with(chunks, "二年级卫生委员梁嘉雯表示")
    assert c.title.startswith("江门市疾控中心走进培英小学")
    c = chunk_with(chunks, "江门市人民医院勇毅前行")
    assert (c.kicker, c.title) == ("江门市人民医院", "赓续前行护佑人民健康")
    c = chunk_with(chunks, "荷塘镇卫生院组建13人中医团队")
    assert c.title == "蓬江区卫生健康局以实干实绩树立和践行正确政绩观 把优质医疗送到家门口"
    c = chunk_with(chunks, "开平市县域医共体建设达到紧密型标准")
    assert c.title == "奋发图强 推动卫生健康事业高质量发展"


def test_sections_printed_after_a_brief_or_sidebar_go_back_to_their_article(
    docs: dict[str, Document], chunks: list[Chunk]
) -> None:
    # 000: the eye-care brief sits between the lead and the sections of the 蓬江区 article
    c = chunk_with(chunks, "推动精准结对帮扶落地见效")
    assert c.title.startswith("蓬江区卫生健康局以实干实绩")
    assert c.section == "精准结对帮扶 靶向破解基层医疗痛点"
    # 003: the 延伸阅读 sidebar sits between two sections of the 唐聪 profile
    c = chunk_with(chunks, "唐聪经常参与党支部组织的学习活动")
    assert c.title.startswith("江门五邑爱尔新希望眼科医院副院长唐聪")
    profile = docs["003_1282c769fd2c232a.txt"].articles[1]
    assert len(profile.parts) == 2
    assert profile.parts[0][1] < docs["003_1282c769fd2c232a.txt"].articles[2].start


def test_every_chunk_lies_inside_its_article(
    docs: dict[str, Document], chunks: list[Chunk]
) -> None:
    for chunk in chunks:
        article = docs[chunk.doc].article_at(chunk.start)
        assert article is not None and article.headline == chunk.title
        assert any(s <= chunk.start and chunk.end <= e for s, e in article.parts)


def test_author_lines_stay_in_the_text_and_their_article(
    docs: dict[str, Document], chunks: list[Chunk]
) -> None:
    # who holds which post is news: the signed articles' author lines stay quotable
    c = chunk_with(chunks, "鹤山市卫生健康局党组书记、局长罗超华")
    assert c.title == "快马加鞭 办好群众可感可及的身边事"
    assert "文/图" not in docs["000_1819edee12feb59a.txt"].text.split("\n\n")[2]
