"""HTML for Jupyter (`_repr_html_`). Every piece of document or answer text is escaped:
nothing a document contains ever becomes markup."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.records import Answer, Citation, Hit

MARKER = re.compile(r"\[(\d+)\]")


def citation_html(c: Citation) -> str:
    return (
        f'<div id="rag-cite-{c.n}"><b>[{c.n}]</b> <q>{escape(c.quote)}</q> '
        f"<small>— {escape(c.title or c.doc)} · {escape(c.doc)} {c.start}–{c.end}</small></div>"
    )


def hit_html(h: Hit) -> str:
    where = escape(h.title or "(untitled)") + (f" › {escape(h.section)}" if h.section else "")
    return (
        f"<div><b>{where}</b> <small>{escape(h.doc)} {h.start}–{h.end} · score {h.score:.4f} "
        f"(dense {h.dense_score:.3f}, bm25 {h.bm25_score:.2f})</small>"
        f"<blockquote>{escape(h.text)}</blockquote></div>"
    )


def answer_html(a: Answer) -> str:
    # Escape first, then turn the (escaped-safe) markers into links to the citations below.
    numbers = {c.n for c in a.citations}
    body = MARKER.sub(
        lambda m: f'<a href="#rag-cite-{m[1]}">[{m[1]}]</a>' if int(m[1]) in numbers else m[0],
        escape(a.text),
    )
    status = "" if a.found else ' style="color:#8a6d3b"'
    parts = [f"<div><p{status}>{body}</p>"]
    parts.extend(citation_html(c) for c in a.citations)
    if not a.found and a.hits:
        parts.append("<details><summary>closest passages</summary>")
        parts.extend(hit_html(h) for h in a.hits)
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)
