"""Reading a question, once: `analyse(text, lexical) -> Question`.

Everything later stages need to know about the question is worked out here and nowhere else:
its language, the kind of answer it wants, its BM25 tokens and their IDF over the index, and
the words that name what is asked. 多少/几 → a number with its unit; 哪年/什么时候/何时 → a
date; 谁 → a person; 哪家/哪里 → an organisation or place; English question words likewise.
"""

from __future__ import annotations

import re

from rag.errors import QueryError
from rag.indexing.bilingual import TermLookup
from rag.indexing.lexical import LexicalIndex, single_pairs, tokenize
from rag.indexing.marks import MEASURE_WORDS
from rag.query.comparison import compared
from rag.query.english import english_terms
from rag.query.hops import described
from rag.records import Kind, Lang, Question, Term
from rag.text import is_cjk, normalize

# what a person is called by in a question that asks their name (局长叫什么名字, 作者的名字是
# 什么); not 国家 (a country's name), nor an organisation's (医院叫什么名字)
ROLES = (
    "长|书记|主任|医生|护士|专家|记者|委员|负责人|人|者|员|家|师|手|王|帝|妻子|丈夫|父亲|母亲|"
    "儿子|女儿|哥哥|姐姐|弟弟|妹妹"
)
ASKS: list[tuple[Kind, re.Pattern[str]]] = [
    (
        "date",
        re.compile(
            r"哪一?年|哪一?天|哪个月|几月|几号|什么时候|何时|何年|何月|何日|什么时间|哪一?时间|日期|"
            r"\bwhen\b|what year|which year|what date|what month",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            rf"多少|几[{MEASURE_WORDS}年]|比例|百分之|多大|多高|多长|多久|第几|"
            r"how many|how much|what percentage|what share|what proportion|what rate|"
            r"how long|how old|what number|what was the number|how large|\bnumber of\b",
            re.I,
        ),
    ),
    (
        "person",
        re.compile(
            r"谁|哪一?位|哪一?个?人(?!民)|什么人|何人|姓名|\bwho\b|\bwhom\b|\bwhose\b|"
            # 局长叫什么名字, 作者的名字是什么: a name asked after a role asks for a person
            rf"(?<!国)(?:{ROLES})(?:叫什么|的名字(?:叫什么|是什么))",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"哪家|哪里|哪儿|哪所|在哪|何地|什么地方|哪国|"
            r"哪一?[个座所间]?(?:医院|单位|机构|学校|地方|社区|镇|村|区|市|县|省|国家|城市|地区)|"
            r"\bwhere\b|which (?:hospital|school|institution|organi[sz]ation|county|city|"
            r"district|town|village|center|centre|unit|university)|what hospital|what school",
            re.I,
        ),
    ),
]


LATIN = re.compile(r"[A-Za-z]{2}")
LATIN_WORD = re.compile(r"[A-Za-z]+")


def check_query(query: object) -> str:
    """The query, stripped; `QueryError` when it is not text or holds nothing."""
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    stripped = query.strip()
    if not stripped:
        raise QueryError("the query is empty: type a question or some keywords")
    return stripped


def language(question: str) -> Lang:
    """``zh`` when the question holds Chinese characters, at least as many as English words
    (SCI论文有多少篇 is Chinese; What did 唐聪 do in 2010? is English with a name), else ``en``."""
    chinese = sum(is_cjk(ch) for ch in question)
    return "zh" if chinese and chinese >= len(LATIN_WORD.findall(question)) else "en"


def asked_kind(question: str) -> Kind:
    """The kind of answer the question wants (``any`` when it does not say)."""
    for kind, pattern in ASKS:
        if pattern.search(question):
            return kind
    return "any"


# tokens that ask rather than name (哪一年, 几项, 那家, 叫…名字): no sentence holds them, so in
# the answerer's word weights they would only count against every candidate alike
ASKING = re.compile(r"^(?:哪|几|多少|什么|谁|怎|如何|为何|那家|那个|那位|那名|那所|名字$|叫$)")


def question_words(question: str) -> frozenset[str]:
    """The question's words of two or more characters and its numbers."""
    return _naming(tokenize(question))


def _naming(tokens: tuple[str, ...] | list[str]) -> frozenset[str]:
    return frozenset(w for w in tokens if len(w) >= 2 or w.isdigit())


def analyse(text: str, lexical: LexicalIndex, lookup: TermLookup | None = None) -> Question:
    """The question `text` read against the index whose BM25 side is `lexical`, and, for its
    English words, whose English lookup is `lookup`.

    Raises:
        QueryError: the question is not text, or is empty.
    """
    text = check_query(text)
    # a place name jieba splits in a question (棠/下 in 棠下那家卫生院) that passages hold whole
    tokens = tuple(tokenize(text))
    tokens += tuple(
        p for p in dict.fromkeys(single_pairs(text)) if lexical.has(p) and p not in tokens
    )
    # English words, alone or among Chinese ones ("What did 唐聪 do in 2010?"), get terms
    terms: tuple[Term, ...] = ()
    if lookup is not None and LATIN.search(text):
        terms = english_terms(text, lookup, lexical.idf)
    lang, normalized = language(text), normalize(text)
    comparison = compared(normalized, lang, terms)
    return Question(
        text=text,
        normalized=normalized,
        lang=lang,
        kind=asked_kind(normalized),  # 誰 asks for a person as 谁 does
        tokens=tokens,
        idf=lexical.idf({t for t in tokens if not ASKING.match(t)}),
        words=_naming(tokens) | _naming([t.text for t in terms]),
        terms=terms,
        # read in Simplified script: 那家醫院 is 那家医院; a comparison names what it compares
        subject=None if comparison else described(normalized, lang),
        comparison=comparison,
    )
