"""Comparison questions: two named things and a figure each is given separately.

2024年新会区和鹤山市都新增了达到“优质服务基层行”推荐标准的基层医疗机构，哪一地新增数量更多？
is answered by no one sentence: 新会区's page says 新增4所, 鹤山市's says 新增2家. It is asked as
two look-ups (`rag.answering.comparison`), the question about each entity alone, and the figures
compared. `compared(text, lang, terms)` reads such a question by its grammar:

- Chinese: two names of one sort (区/市/县/镇 alike; 医院/卫生院/中心 alike; 联盟 …) joined by
  和/与/及/、/还是, and a question word (哪…, 谁, 还是) with a comparative (更多, 较少, 更早,
  与…相比…多);
- English: a comparative (more, fewer, higher, earlier …) and two capitalised names joined by
  or (Did Pengjiang or Xinhui have more …?), or by and/versus after which/who; each name is
  read in Chinese by its pinyin term (Xinhui → 新会区), else kept as written.

A look-up is the question with the other entity and the comparison taken out (2024年新会区都
新增了…的基层医疗机构，新增数量多少？), asked for a number (a date for 更早/earlier).
"""

from __future__ import annotations

import re

from rag.records import Comparison, Kind, Term

# sorts of names: a name compared with another of its sort (新会区 with 鹤山市, a 医院 with a
# 卫生院), the longest ending first
SORTS: tuple[tuple[str, ...], ...] = (
    ("区", "市", "县", "镇", "街道"),
    ("卫生院", "医院", "分院", "院", "中心"),  # a 卫生院 or a 社区卫生服务中心
    ("联盟",),
    ("卫生健康局", "局"),
    ("站",),
    ("社区", "村"),
    ("学校", "小学", "中学"),
)
LONGEST = 16  # characters of a name
CONJUNCTION = re.compile(r"和|与|與|及|、|跟|同|还是|還是|以及")
# characters a name never holds on its left: particles, verbs, time words
NOT_NAME = set("的与和及同在由是为对向了将把被从于让使给并也已经曾就都还而且其该这那年月日比较有据")
COMPARATIVE_ZH = re.compile(
    r"(?:更|较|較|比较|比較)(?P<what>多|少|高|低|大|小|早|晚|长|短|强|弱)"
    r"|最(?P<most>多|少|高|低|早|晚)"
    # 与疼痛专科联盟相比，谁吸纳的基层医疗机构多？
    r"|相比[^？?]*?(?P<bare>多|少|高|低|早|晚)(?=[？?]|$)"
)
WHICH_ZH = re.compile(r"哪|谁|誰|还是|還是")
# the question word and the comparative, taken out of a look-up
WHICH_WORD_ZH = re.compile(
    r"哪(?:一|个|個|家|所|位)?(?:地|区|區|市|县|縣|镇|鎮|家|所|个|個|方|边|邊)?|谁|誰"
)
SMALLER = set("少低小短弱")
EARLIER = "早晚"

COMPARATIVE_EN = re.compile(
    r"\b(?P<more>more|higher|larger|bigger|greater|longer|most|highest|largest)\b"
    r"|\b(?P<less>fewer|less|lower|smaller|shorter|fewest|least|lowest|smallest)\b"
    r"|\b(?P<early>earlier|sooner|first)\b|\b(?P<late>later)\b",
    re.I,
)
WHICH_EN = re.compile(r"\b(?:which|who|whose)\b", re.I)
# a name starts a word and runs eight words at most (Jiangmen Wuyi Aier New Hope Eye Hospital):
# a pattern free to start inside a word, or to run on, is quadratic on a long question
CAPITALISED = r"(?<![\w'’-])[A-Z][\w'’-]*(?:\s+(?:of\s+)?[A-Z][\w'’-]*){0,7}"
PAIR_EN = re.compile(rf"(?P<a>{CAPITALISED})\s*,?\s+(?:or|and|vs\.?|versus)\s+(?P<b>{CAPITALISED})")
LEADING_EN = re.compile(r"^(?:Between|In|Did|Does|Do|Was|Were|Has|Have|Had|Is|Which|Who)\s+")


def _sort(name: str) -> tuple[str, ...] | None:
    return next((sort for sort in SORTS if name.endswith(sort)), None)


def _left_name(before: str) -> str:
    """The name `before` ends with: its run of Chinese characters, cut at a character no name
    holds (2024年新会区 → 新会区)."""
    start = len(before)
    while start > 0 and len(before) - start < LONGEST:
        char = before[start - 1]
        if not "\u4e00" <= char <= "\u9fff" or char in NOT_NAME:
            break
        start -= 1
    return before[start:]


def _right_name(after: str, sort: tuple[str, ...]) -> str:
    """The shortest start of `after` that ends a name of `sort` (鹤山市都新增了 → 鹤山市), and
    the ending after it when one follows at once (江门市中心 + 医院)."""
    for end in range(2, min(len(after), LONGEST) + 1):
        if not "\u4e00" <= after[end - 1] <= "\u9fff":
            return ""
        if after[:end].endswith(sort) and after[end : end + 1] not in ("长", "民"):
            more = next((e for e in sort if after.startswith(e, end)), "")
            return after[: end + len(more)]
    return ""


def _pair_zh(text: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The spans of the two names the question joins, of one sort."""
    for conj in CONJUNCTION.finditer(text):
        first = _left_name(text[: conj.start()])
        sort = _sort(first)
        if sort is None or len(first) <= len(next(e for e in sort if first.endswith(e))):
            continue  # 市 alone names nothing
        second = _right_name(text[conj.end() :], sort)
        if len(second) < 2 or second == first:
            continue
        return (conj.start() - len(first), conj.start()), (conj.end(), conj.end() + len(second))
    return None


def _lookup_zh(text: str, keep: tuple[int, int], drop: tuple[int, int], ask: str) -> str:
    """The question about the kept name alone: the other name, the question word and the
    comparative taken out, `ask` (多少, 什么时候) asked instead."""
    first, second = sorted((keep, drop))
    if keep == first:  # 新会区和鹤山市 → 新会区
        out = text[: first[1]] + text[second[1] :]
    else:  # 新会区和鹤山市 → 鹤山市
        out = text[: first[0]] + text[second[0] :]
    out = WHICH_WORD_ZH.sub("", out, count=1)
    comparative = COMPARATIVE_ZH.search(out)
    if comparative is None:
        return out
    if comparative.group("bare"):  # 相比，吸纳的基层医疗机构多 → 吸纳的基层医疗机构多少
        at = comparative.start("bare")
        return out[: comparative.start()] + out[comparative.start() + 2 : at] + ask + out[at + 1 :]
    return out[: comparative.start()] + ask + out[comparative.end() :]


def _zh(text: str) -> Comparison | None:
    comparative = COMPARATIVE_ZH.search(text)
    if comparative is None or not WHICH_ZH.search(text):
        return None
    pair = _pair_zh(text)
    if pair is None:
        return None
    a, b = (text[s:e] for s, e in pair)
    what = next(g for g in comparative.groups() if g)
    kind: Kind = "date" if what in EARLIER else "number"
    larger = what not in SMALLER and what != "早"
    ask = "什么时候" if kind == "date" else "多少"
    lookups = (_lookup_zh(text, *pair, ask), _lookup_zh(text, pair[1], pair[0], ask))
    return Comparison((a, b), (a, b), larger, kind, lookups)


def _chinese_name(phrase: str, terms: tuple[Term, ...]) -> str:
    """The Chinese of an English name: the longest pinyin term read from its words."""
    names = [t.text for t in terms if t.source == "pinyin" and t.english in phrase]
    return max(names, key=len, default=phrase)


def _en(text: str, terms: tuple[Term, ...]) -> Comparison | None:
    comparative = COMPARATIVE_EN.search(text)
    pair = PAIR_EN.search(text) if comparative else None
    if comparative is None or pair is None:
        return None
    if not WHICH_EN.search(text) and not re.search(r"\bor\b", pair.group(0)):
        return None  # "Did Pengjiang or Xinhui have more …?" asks which, too
    names = tuple(LEADING_EN.sub("", pair.group(g)).strip() for g in ("a", "b"))
    entities = (_chinese_name(names[0], terms), _chinese_name(names[1], terms))
    if entities[0] == entities[1]:
        return None
    kind: Kind = "date" if comparative.group("early") or comparative.group("late") else "number"
    larger = bool(comparative.group("more") or comparative.group("late"))
    start_b = pair.start("b")
    without_b = text[: pair.end("a")] + text[pair.end("b") :]
    without_a = text[: pair.start("a")] + text[start_b:]
    lookups = (_lookup_en(without_b), _lookup_en(without_a))
    return Comparison(entities, (names[0], names[1]), larger, kind, lookups)


def _lookup_en(text: str) -> str:
    """An English look-up without its comparative and question word: "more" and "earlier"
    would be looked up as words (更多, 早) the sentence giving the figure need not hold."""
    text = COMPARATIVE_EN.sub("", text, count=1)
    text = WHICH_EN.sub("", text, count=1)
    return re.sub(r"\s{2,}", " ", re.sub(r"\s+([,?.!])", r"\1", text)).strip(" ,")


def compared(text: str, lang: str, terms: tuple[Term, ...] = ()) -> Comparison | None:
    """The comparison `text` asks for, when it asks one (see the module)."""
    return _en(text, terms) if lang == "en" else _zh(text)
