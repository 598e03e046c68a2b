"""Two-hop questions: a subject described by what it did, not named.

唐聪担任副院长的那家医院牵头成立了一个专科联盟，联动了几家公立基层医疗机构？ names no hospital:
it describes one (唐聪担任副院长的) and asks about it. Such a question is answered in two hops
(`rag.api.RAG`): the describing clause is retrieved first and the hospital's name (the bridge)
is read from the best sentence (`rag.answering.bridge`); then the question is asked again with
the name in place of the description.

`described(text)` finds the description by its grammar, never by its words:

- Chinese: a relative clause before 的那/的这 + classifier + head noun (…的那家医院, …的那个区,
  …的那位专家), the head ending at a comma or at the first head-noun ending;
- English: a head noun with a relative clause (the hospital whose Party secretary is …, the
  district which …, the organisation that …), ``<Name>'s district``, or ``City with …:``.

A description that is the whole question (那位专家叫什么名字？ asks for the subject itself) is
no second hop: it is left to one-hop retrieval.
"""

from __future__ import annotations

import re

from rag.records import DescribedSubject, Kind

# Chinese name endings a bridge of each head may have, longest first (那家医院 may be a 分院 or
# a 卫生院; 那个机构 any of them)
ORGANISATIONS = ("卫生院", "医院", "分院", "中心", "卫生健康局", "局", "站", "所", "院")
ENDINGS_ZH: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("卫生健康局", ("卫生健康局", "卫健局", "局")),
    ("卫生院", ("卫生院", "医院", "院")),
    ("分院", ("分院", "医院", "院")),
    ("医院", ("医院", "分院", "卫生院", "院")),
    ("中心", ("中心",)),
    ("社区", ("社区",)),
    ("街道", ("街道",)),
    ("学校", ("学校", "小学", "中学")),
    ("项目", ("项目",)),
    ("联盟", ("联盟",)),
    ("协会", ("协会",)),
    ("局", ("卫生健康局", "局")),
    ("区", ("区",)),
    ("市", ("市",)),
    ("县", ("县",)),
    ("镇", ("镇",)),
    ("村", ("村",)),
    ("机构", ORGANISATIONS),
    ("单位", ORGANISATIONS),
)
PERSONS_ZH = ("专家", "医生", "院长", "书记", "主任", "局长", "人", "者", "员")
ENDINGS_EN: dict[str, tuple[str, ...]] = {
    "hospital": ("医院", "分院", "卫生院", "院"),
    "branch": ("分院", "医院", "院"),
    "clinic": ("卫生院", "医院", "院"),
    "health centre": ("卫生院", "中心"),
    "health center": ("卫生院", "中心"),
    "centre": ("中心",),
    "center": ("中心",),
    "bureau": ("卫生健康局", "局"),
    "district": ("区",),
    "city": ("市",),
    "county": ("县", "市"),
    "town": ("镇",),
    "township": ("镇",),
    "village": ("村",),
    "community": ("社区",),
    "school": ("学校", "小学", "中学"),
    "project": ("项目",),
    "alliance": ("联盟",),
    "organisation": ORGANISATIONS,
    "organization": ORGANISATIONS,
    "institution": ORGANISATIONS,
    "unit": ORGANISATIONS,
}
PERSONS_EN = ("doctor", "expert", "director", "person", "official", "secretary", "president")

CLASSIFIER = "家个位所名支座间条"
# 江门五邑爱尔新希望眼科医院所在的那家医院 names its subject after all: one hop
NAMED_ZH = re.compile(
    r"[\u4e00-\u9fff]{2,14}(?:医院|分院|卫生院|中心|局|区|市|县|镇|村)(?:所在|所属)"
)
# …的那家医院 / …的这个区: the clause runs back to the previous comma (or the start)
RELATIVE_ZH = re.compile(rf"([^，,。；;：:？?！!]{{2,}}?)的[那这][{CLASSIFIER}]?")
ASKS_ITSELF_ZH = re.compile(
    r"^(?:叫|是)?(?:什么名字|叫什么|名字|谁|哪家|哪个|哪位|哪里)?[？?。！!\s]*$"
)
HEADS_EN = "|".join(sorted(set(ENDINGS_EN) | set(PERSONS_EN), key=len, reverse=True))
RELATIVE_EN = re.compile(
    rf"\b(?:the|a)\s+(?P<pre>(?:[\w'-]+\s+){{0,3}}?)(?P<head>{HEADS_EN})\s+"
    r"(?P<clause>(?:(?:to|in|at|for|from|of)\s+which|that|which|whose|where|who|with|chosen|"
    r"run by|headed by|led by)\b[^—–:;,?]*)",
    re.I,
)
# "Liang Zongwei's district": a name of capitalised words, a head in lower case (People's
# Hospital is a name, not a description)
POSSESSIVE_EN = re.compile(
    rf"(?<![\w'])(?P<clause>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)'s\s+(?P<head>{HEADS_EN})\b"
)
WITH_EN = re.compile(rf"^(?P<head>{HEADS_EN})\s+(?P<clause>with\b[^:—–]*)[:—–]\s*", re.I)
# "…whose Party secretary is Zhen Peilin record in 2023?": the clause ends with the name
NAMED_BY = re.compile(r"\b(?:is|by)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*){1,3})(?!\w|')")


def _zh(text: str) -> DescribedSubject | None:
    for match in RELATIVE_ZH.finditer(text):
        clause, begins = match.group(1).strip(), match.start(1)
        opened = text.rfind("“", 0, begins)
        if clause.count("”") > clause.count("“") and opened >= 0:
            # a quotation holding a comma (提出“抓党建就是抓发展，抓发展必须抓党建”的那家医院):
            # the clause runs back over it, to the comma before the quotation
            begins = max(text.rfind(c, 0, opened) for c in "，,。；;：:？?！!") + 1
            clause = text[begins : match.end(1)].strip()
        tail = text[match.end() :]
        comma = re.search(r"[，,]", tail)
        head = ""
        if comma and comma.start() <= 10:  # 社区卫生服务中心，; not 医院牵头成立了一个专科联盟，
            head, after = tail[: comma.start()], tail[comma.end() :]
        else:
            person_asked = match.group(0).endswith(("位", "名"))
            ends = list(PERSONS_ZH) if person_asked else [e for e, _ in ENDINGS_ZH]
            found = [(tail.find(e), e) for e in ends if 0 <= tail.find(e) <= 12]
            if found:
                at, ending = min(found, key=lambda f: (f[0] + len(f[1]), -len(f[1])))
                head, after = tail[: at + len(ending)], tail[at + len(ending) :]
        if not head or ASKS_ITSELF_ZH.match(after) or NAMED_ZH.fullmatch(clause):
            continue
        before = text[:begins]
        endings = next((e for h, e in ENDINGS_ZH if head.endswith(h)), ())
        # 那位局长所在的卫生健康局 asks of the bureau, though 那位 describes its head
        asks_person = match.group(0).endswith(("位", "名"))
        person = head.endswith(PERSONS_ZH) or (asks_person and not endings)
        if not person and not endings:
            continue
        kind: Kind = "person" if person else "place"
        return DescribedSubject(clause, head, kind, () if person else endings, before, after)
    return None


def _en(text: str) -> DescribedSubject | None:
    match = WITH_EN.match(text)
    if match:
        head, clause = match.group("head").lower(), match.group("clause").strip()
        before, after = "", text[match.end() :]
    else:
        match = RELATIVE_EN.search(text) or POSSESSIVE_EN.search(text)
        if not match:
            return None
        head, clause = match.group("head").lower(), match.group("clause").strip()
        end = match.end()
        if match.re is RELATIVE_EN:
            end = past_commas(text, match.start("clause"), end)
            clause = text[match.start("clause") : end].strip()
        named = NAMED_BY.search(clause)
        if named and match.re is RELATIVE_EN:
            cut = match.start("clause") + named.end(1)
            clause, end = text[match.start("clause") : cut].strip(), cut
        start = match.start()
        before, after = text[:start], text[end:]
        if match.re is RELATIVE_EN and match.group("pre"):
            clause = f"{match.group('pre').strip()} {head} {clause}"
        else:
            clause = f"{head} {clause}"
    if not re.search(r"[A-Za-z0-9]{2,}", RELATIVE_WORD.sub("", clause[len(head) :])):
        return None  # "the hospital that, ?" describes nothing
    after = re.sub(r"^\s*[—–:,-]+\s*", " ", after)
    # a bare head described last (Which … at the hospital that, in 2024, took …?) is asked
    # about; a qualified one (Who leads the stoma center that …?) names its subject
    bare_head = match.re is RELATIVE_EN and not match.group("pre")
    if not re.search(r"[A-Za-z]{3,}", after) and not (bare_head and ASKS_EN.search(before)):
        return None  # the description is all that is asked
    person = head in PERSONS_EN
    endings = () if person else ENDINGS_EN[head]
    return DescribedSubject(clause, head, "person" if person else "place", endings, before, after)


# text up to a colon or dash, before any question mark
COLON_AHEAD = re.compile(r"[^?:—–]*?(?::|—|–|\s-\s)")
CLAUSE_STOP = re.compile(r"[—–:;,?]")  # where an English description stops (`RELATIVE_EN`)
CLAUSE_END = re.compile(r"[—–:;?]")  # … past its commas
RELATIVE_WORD = re.compile(r"\b(?:that|which|whose|where|who|with|to|in|at|for|from|of)\b", re.I)
ASKS_EN = re.compile(r"\b(?:what|which|how|who|whom|when|where|why)\b", re.I)


def past_commas(text: str, start: int, end: int) -> int:
    """Where an English description that stopped at a comma really ends: past the commas of
    a parenthesis it opened (… three departments (an interventional centre, cardiology and
    oncology), which …), and on to a colon or dash before the question when one follows
    (the eye doctor who travelled to Qingyuan, Shaoguan and Zhanjiang: in which year …)."""
    if text[end : end + 1] != ",":
        return end
    if text[start:end].strip().lower() in ("that", "which", "who", "where"):
        # the hospital that, in 2024, took … as its lever: an aside, then the description
        stop = CLAUSE_END.search(text, end + 1)
        return stop.start() if stop else len(text)
    if text.count("(", start, end) > text.count(")", start, end):
        close = text.find(")", end)
        if close >= 0:
            stop = CLAUSE_STOP.search(text, close + 1)
            end = stop.start() if stop else len(text)
    colon = COLON_AHEAD.match(text, end)
    return end if colon is None else end + len(colon.group().rstrip(":—–- "))


def described(text: str, lang: str) -> DescribedSubject | None:
    """The subject `text` describes instead of naming, when it does (see the module)."""
    return _en(text) if lang == "en" else _zh(text)


def rewritten(subject: DescribedSubject, bridge: str) -> str:
    """The question with the bridge named in place of its description."""
    if re.search(r"[A-Za-z]", subject.after[:3] + subject.before[-3:]):
        return f"{subject.before}{bridge} {subject.after.strip()}".strip()
    return (
        f"{subject.before}{bridge}，{subject.after}"
        if subject.after
        else f"{subject.before}{bridge}"
    )
