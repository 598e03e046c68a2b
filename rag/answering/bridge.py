"""The bridge of a two-hop question: the name a described subject has in the articles.

For 唐聪担任副院长的那家医院…, the first hop retrieves 唐聪担任副院长 and ranks its sentences
(`TemplateAnswerer.score`); the bridge is the first name of the head's kind in the best of
them: a span ending in one of the subject's endings (医院, 分院, 院 …), reaching left over
Chinese characters to a particle or a linking verb (江门五邑爱尔新希望眼科医院, not
是江门五邑爱尔新希望眼科医院; 恩平市人民医院, not 推动恩平市人民医院), and not already named by
the question (与蓬江区潮连医院签约的那家医院 is not 潮连医院); a district or city may be
written without its ending (落户开平仁亲村: 开平市). A sentence that names no one and nothing of
the kind, or names its subject only as 我局/该院/本院, speaks of its article's subject: the
name another first-hop sentence of the article gives, else its kicker, headline or byline
(the article signed 恩平市卫生健康局党组书记、局长刘斌云). A person is read from the sentence's
stored marks, or from the title before a name in the headline (副院长唐聪：…).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass

from rag.indexing.marks import SURNAMES, TITLE_BEFORE_NAME
from rag.records import Article, DescribedSubject, Document, Question
from rag.text import is_cjk

LONGEST = 16  # characters of a name
# characters that end a name on its left: particles, prepositions, verbs of linking, and 强
# (人才强院, 建设强医院 are slogans, not names)
STOPS = set(
    "的与和及同在由是为对向往了将把被从于让使给并也已经曾就都还而且其该个家位名所等至到全两各此本我强"
)
# verbs news writes before a name (推动恩平市人民医院, 联合雅怡社区): the name starts after them
VERBS = re.compile(
    "联合|开展|推动|签约|签订|举行|成为|通过|获评|加快|推进|打造|依托|携手|接管|牵头|成立|创建|"
    "指导|帮扶|支持|完成|提升|实现|入选|获批|选定|表示|介绍|来到|走进|前往|组织|带领|领导|融入|启动|派驻|委派|派出|引领|带动|做实"
)
# an ending that is part of a longer word: 院长, 局长, 市民, 市场, 区域
NOT_ENDING = set("长民场域")
LARGER = ("医院", "卫生院", "分院", "卫生健康局")  # a name's ending that an ending may stand in
ADMINISTRATIVE = ("区", "市", "县", "镇", "村")
# words that end like a place and name none (紧密型城市医疗集团: 城市 is "city", no city)
_COMMON = "城市都市城区市区辖区社区地区园区小区片区山区郊区城镇乡镇村镇乡村农村"
COMMON_PLACES = frozenset(_COMMON[i : i + 2] for i in range(0, len(_COMMON), 2))
# what stands before an ending in a common noun, not a name: 公立医院, 基层医疗机构, 上级医院
GENERIC = re.compile(
    r"^(?:公立|基层|上级|下级|各级|县级|市级|区级|省级|乡镇|民营|定点|综合|专科|全市|全区|全县|该|本|"
    r"三甲|二甲|三级|二级|一级)"
)
SELF = re.compile(r"我局|我院|本院|该院|该局|我市|我区|本市|本区")


@dataclass(frozen=True)
class Bridge:
    """The name found, and the sentence it was read from."""

    name: str
    doc: str
    start: int  # the sentence's offsets in its document
    end: int

    @property
    def at(self) -> tuple[str, int]:
        return self.doc, self.start


def names_in(text: str, endings: Sequence[str], known: Container[str]) -> list[str]:
    """The names in `text` that end in one of `endings`, by ending (医院 before 院), then in
    reading order (see the module);
    a district, city or town (蓬江区, 开平市) only when the index knows it as a word."""
    out: list[str] = []
    for ending in endings:
        for match in re.finditer(re.escape(ending), text):
            end = match.end()
            if text[end : end + 1] in NOT_ENDING or text[match.start() - 1 : end] == "住院":
                continue  # 院长, 市民; 住院 (inpatient) is no 院 either
            if ending not in ADMINISTRATIVE and text.startswith(LARGER, end):
                continue  # 中心 of 江门市中心医院 or 沙湖镇中心卫生院 ends no name
            left = match.start()
            while left > 0 and end - left < LONGEST and is_cjk(text[left - 1]):
                if text[left - 1] in STOPS:
                    break
                left -= 1
            if text[left - 1 : left + 1] == "其中":
                left += 1  # 其中杜阮镇卫生院: 其中 is "among them", not part of the name
            verbs = list(VERBS.finditer(text, left, match.start()))
            name = text[verbs[-1].end() if verbs else left : end]
            if len(name) <= max(len(ending), 2) or GENERIC.match(name):
                continue  # 院, 市, 建院 name nothing; nor does 公立医院
            if ending in ADMINISTRATIVE:
                name = next((name[i:] for i in range(len(name) - 1) if name[i:] in known), "")
                if name in COMMON_PLACES:
                    continue
            if name and name not in out:
                out.append(name)
    return out


def named_by(
    question: Question, endings: Sequence[str], known: Container[str] = ()
) -> Callable[[str], bool]:
    """Whether the question names `name` already: it holds it, or (in English) one of its
    Chinese terms is the name without its ending ("the Pengjiang branch" names 蓬江分院)."""
    terms = {t.text for t in question.terms}

    def named(name: str) -> bool:
        if name in question.text or name in terms:
            return True
        # 江门市直医院 when the question says 往市直医院跑: the name less a place before it, held
        # as a name of its own (not 人民医院 of 蓬江区人民医院), and more than the head's ending
        # (not 江海区卫生健康局 when it asks of 那个区卫生健康局)
        if any(
            name[:i] in known
            and name[i:].lstrip("市区县镇村") not in endings  # 江海 + 区卫生健康局 is no split
            and alone(name[i:], question.text)
            for i in range(2, len(name) - 2)
        ):
            return True
        return any(name.endswith(e) and name[: -len(e)] in terms for e in endings)

    return named


def alone(word: str, text: str) -> bool:
    """Whether `text` holds `word` not as the end of a longer name (往市直医院跑 holds 市直医院;
    与蓬江区人民医院 holds 人民医院 only as part of 蓬江区人民医院)."""
    return any(
        at == 0 or not is_cjk(text[at - 1]) or text[at - 1] in STOPS
        for at in (m.start() for m in re.finditer(re.escape(word), text))
    )


def find_bridge(
    subject: DescribedSubject,
    named: Callable[[str], bool],
    sentences: Sequence[tuple[str, int, int, str]],
    documents: dict[str, Document],
    known: Container[str] = (),
    persons: Sequence[Sequence[str]] = (),
    clause_idf: dict[str, float] | None = None,
) -> Bridge | None:
    """The bridge read from the first-hop `sentences` ``(doc, start, end, title)``, best first,
    that the question has not `named` already (`known`: the index's words; `persons`: each
    sentence's marked person names: the bridge when a person is asked about, and else what
    tells a sentence about someone from one that names no one); of several names in one
    sentence, the one nearest the rarest word of the clause it holds (`clause_idf`)."""

    def names_at(i: int) -> tuple[list[str], bool]:
        """The names of the kind sentence `i` holds that the question does not name, and
        whether it names no one and nothing of the kind."""
        doc, start, end, _ = sentences[i]
        text = documents[doc].text[start:end]
        # a person of a common surname and a name's length: jieba tags 荣获, 爱岗敬业 and
        # 严于律己 names, and no one is named there
        marked = persons[i] if i < len(persons) else ()
        people = [p for p in marked if p[0] in SURNAMES and len(p) <= 3]
        if subject.kind == "person":
            names = people
        else:
            names = names_in(text, subject.endings, known)
            if all(named(n) for n in names):
                names += bare_places(text, subject.endings, known)
        return [n for n in names if not named(n)], not names and not people

    found_in = [names_at(i) for i in range(len(sentences))]
    for i, (doc, start, end, title) in enumerate(sentences):
        found, subjectless = found_in[i]
        text = documents[doc].text[start:end]
        # a sentence that names no one and nothing of the kind speaks of its article's subject
        # (实现省级卫生镇全覆盖… in the article signed 恩平市卫生健康局…; “我个人完成了…” under
        # the headline 副院长唐聪：…); one naming a person is about that person (甄沛林表示).
        # Another first-hop sentence of the article that names it says who first, then the
        # article's kicker, headline or byline; the sentence cited is this one, which matched
        # the description.
        if not found and (subjectless or SELF.search(text)):
            article = documents[doc].article_at(start)
            same = next(
                (
                    j
                    for j in range(i + 1, len(sentences))
                    if found_in[j][0]
                    and sentences[j][0] == doc
                    and documents[doc].article_at(sentences[j][1]) is article
                ),
                None,
            )
            if same is not None:
                found = found_in[same][0]
            else:
                found = [n for n in masthead(article, title, subject, known) if not named(n)]
        if found:
            # 那家开平医院: a name holding the head's qualifier (开平) before any other
            qualifier = next(
                (subject.head[: -len(e)] for e in subject.endings if subject.head.endswith(e)), ""
            )
            held = [n for n in found if qualifier and qualifier in n]
            found = held or found
            if len(found) > 1 and clause_idf:
                found = nearest(text, found, clause_idf)
            return Bridge(found[0], doc, start, end)
    return None


# what follows a bare place name: a place or institution within it (开平仁亲村, 恩平分院), not
# more of a word (医疗卫生领域 holds 卫生, and 卫生镇 is a word, but no place)
WITHIN = re.compile(r"[\u4e00-\u9fff]{0,3}?(?:村|镇|街道|社区|分院|医院|卫生院|中心)")


def bare_places(text: str, endings: Sequence[str], known: Container[str]) -> list[str]:
    """Districts and cities written without their ending (落户开平仁亲村: 开平 is 开平市), named
    with it: two or three characters that, with the ending, make a word the index knows,
    followed by a place or institution within it (`WITHIN`) or by no Chinese at all."""
    out: list[str] = []
    for ending in endings:
        if ending not in ADMINISTRATIVE:
            continue
        for size in (3, 2):
            for at in range(len(text) - size + 1):
                name = text[at : at + size] + ending
                after = text[at + size : at + size + 6]
                if (
                    after[:1] != ending
                    and (not after[:1] or not is_cjk(after[0]) or WITHIN.match(after))
                    and all(is_cjk(c) for c in text[at : at + size])
                    and name in known
                    and name not in COMMON_PLACES
                    and name not in out
                    and not any(name[:-1] in n for n in out)  # a stem of one found already
                ):
                    out.append(name)
    return out


def masthead(
    article: Article | None, title: str, subject: DescribedSubject, known: Container[str]
) -> list[str]:
    """The names of the subject's kind that the article of a sentence naming none carries
    above its text: its kicker (江门市中心医院 over 奋力开创“双高”发展新局面), headline and byline
    (江海区卫生健康局党组书记、局长杨家慧); a person by the title before the name in the
    headline (副院长唐聪：…), as a reporter's byline names no subject."""
    if article is None:
        lines = [title]
    elif subject.kind == "person":
        lines = [article.kicker, article.headline]
    else:
        lines = [article.kicker, article.headline, article.byline]
    text = " ".join(line for line in lines if line)
    if subject.kind != "person":
        return names_in(text, subject.endings, known)
    return [
        m.group(1)
        for m in TITLE_BEFORE_NAME.finditer(text)
        if m.group(1) and m.group(1)[0] in SURNAMES
    ]


def nearest(text: str, names: list[str], idf: dict[str, float]) -> list[str]:
    """`names`, the one nearest the rarest clause word `text` holds outside them first
    (启动恩平市妇幼保健院PICU建设: the PICU the clause names stands by 恩平市妇幼保健院, not by
    恩平市人民医院 before it); the order as given on ties, or when `text` holds no clause word."""
    spans = {n: (text.find(n), text.find(n) + len(n)) for n in names}
    lowered = text.lower()  # the clause's tokens are lower case: picu for PICU
    held = [
        (w, at)
        for w in idf
        if (at := lowered.find(w)) >= 0 and not any(s <= at < e for s, e in spans.values())
    ]
    if not held:
        return names
    rarest = max(idf[w] for w, _ in held)
    marks = [at for w, at in held if idf[w] >= rarest]

    def distance(name: str) -> int:
        s, e = spans[name]
        return min(max(s - at, at - e, 0) for at in marks)

    return sorted(names, key=distance)
