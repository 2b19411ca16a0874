"""The transcript panel: each document as escaped HTML, one block per speaker turn,
with the cited character ranges wrapped in ``<mark>`` so a citation link can show them.

Every character of ``doc.text`` is rendered exactly once, in order, so the text of the
marks for a citation is exactly its quote.

    >>> from index.documents import Document
    >>> doc = Document(doc_id="d", text="Hi <there>", path="d.txt", sha256="", title="D")
    >>> html_ = render_documents([doc], [0], [Mark(0, 3, 10, "tqa-c0-3-10")])
    >>> '<mark class="tqa-cite" data-cites="tqa-c0-3-10">&lt;there&gt;</mark>' in html_
    True
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.documents import Document, Turn
from qa import Passage
from qa.citations import document_label
from ui.media import clock, player, turn_time

__all__ = ["EMPTY_PASSAGES", "Mark", "marks_in", "render_documents", "render_passages"]

EMPTY_PASSAGES = '<p class="tqa-muted">Ask a question to see the passages it was answered from.</p>'
_LINK = re.compile(r"\(#(tqa-c(\d{1,6})-(\d{1,9})-(\d{1,9}))\)")
_MAX_MARKS = 500
_MAX_DOCS_SHOWN = 3
# Beyond HTML's own specials, these could be read as template syntax by the page.
_EXTRA = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


@dataclass(frozen=True)
class Mark:
    """Characters ``start:end`` of document number ``doc_index``, anchored at ``anchor``."""

    doc_index: int
    start: int
    end: int
    anchor: str


def _esc(text: str) -> str:
    return html.escape(text, quote=True).translate(_EXTRA)


def marks_in(replies: Iterable[str], docs: Sequence[Document]) -> list[Mark]:
    """The citation links found in the assistant's ``replies``, newest last, deduplicated.

    Only well-formed links to existing ranges count, so a crafted history cannot
    make the panel mark anything else.
    """
    found: dict[str, Mark] = {}
    for reply in replies:
        for m in _LINK.finditer(reply):
            index, start, end = int(m[2]), int(m[3]), int(m[4])
            if index < len(docs) and start < end <= len(docs[index].text):
                found.pop(m[1], None)
                found[m[1]] = Mark(index, start, end, m[1])
    return list(found.values())[-_MAX_MARKS:]


def _marked(text: str, lo: int, hi: int, marks: Sequence[Mark]) -> str:
    """``text[lo:hi]`` escaped, cited pieces wrapped in marks, anchors at each start."""
    inside = [m for m in marks if m.start < hi and m.end > lo]
    cuts = sorted({lo, hi, *(max(lo, m.start) for m in inside), *(min(hi, m.end) for m in inside)})
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        out += [f'<span class="tqa-anchor" id="{m.anchor}"></span>' for m in inside if m.start == a]
        covering = " ".join(m.anchor for m in inside if m.start <= a and b <= m.end)
        piece = _esc(text[a:b])
        out.append(f'<mark class="tqa-cite" data-cites="{covering}">{piece}</mark>'
                   if covering else piece)
    return "".join(out)


def _role_label(turn: Turn) -> str:
    number = f" {turn.exchange_id}" if turn.exchange_id else ""
    if turn.role == "speech":
        return "opening address" if turn.index == 0 else "speech"
    if turn.role in ("question", "answer"):
        return f"{turn.role}{number}"
    return turn.role if turn.role != "unknown" else ""


def _turn_block(doc: Document, di: int, turn: Turn, stop: int, marks: Sequence[Mark]) -> str:
    text = doc.text
    when = turn_time(doc, turn.start, max(stop, turn.start + 1))
    meta = " · ".join(x for x in (_esc(turn.speaker), _esc(_role_label(turn)), when) if x)
    label = _marked(text, turn.label_start, turn.start, marks)
    body = _marked(text, turn.start, stop, marks)
    return (
        f'<div class="tqa-turn tqa-role-{_esc(turn.role)}" id="tqa-t{di}-{turn.index}">'
        f'<div class="tqa-meta">{meta}</div>'
        f'<div class="tqa-text"><span class="tqa-label">{label}</span>{body}</div></div>'
    )


def _document(doc: Document, di: int, marks: Sequence[Mark]) -> str:
    mine = [m for m in marks if m.doc_index == di]
    turns = sorted(doc.turns, key=lambda t: t.label_start)
    first = turns[0].label_start if turns else len(doc.text)
    parts = [f'<h3 class="tqa-title">{_esc(doc.title or doc.doc_id)}</h3>',
             f'<div class="tqa-meta">source: {_esc(doc.origin)}</div>']
    if sound := player(doc):
        parts.append(sound)
    if first > 0:
        preamble = _marked(doc.text, 0, first, mine)
        parts.append(f'<div class="tqa-preamble tqa-text">{preamble}</div>')
    for i, turn in enumerate(turns):
        stop = turns[i + 1].label_start if i + 1 < len(turns) else len(doc.text)
        parts.append(_turn_block(doc, di, turn, stop, mine))
    return f'<section class="tqa-doc" id="tqa-d{di}">{"".join(parts)}</section>'


def render_documents(docs: Sequence[Document], shown: Sequence[int], marks: Sequence[Mark]) -> str:
    """The panel's HTML: documents number ``shown`` (at most three), with ``marks``."""
    if not docs:
        return '<div class="tqa-transcript"><p class="tqa-muted">No transcript loaded.</p></div>'
    keep = [i for i in dict.fromkeys(shown) if 0 <= i < len(docs)][:_MAX_DOCS_SHOWN] or [0]
    body = "".join(_document(docs[i], i, marks) for i in keep)
    return f'<div class="tqa-transcript" id="tqa-transcript">{body}</div>'


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_passages(passages: Sequence[Passage], docs: Sequence[Document]) -> str:
    """The retrieved passages with their fused, dense and lexical scores, best first."""
    index = {d.doc_id: i for i, d in enumerate(docs)}
    rows: list[str] = []
    for rank, p in enumerate(passages, 1):
        head = (
            f"#{rank} · score {_score(p.score)} (dense {_score(p.dense_score)}, "
            f"lexical {_score(p.lexical_score)}) · {_esc(p.speaker)} · "
            f"{_esc(document_label(p.title or p.doc_id, p.source))} · "
            f"{_esc(p.doc_id)} chars {p.start}–{p.end}"
            + (f" · at {clock(p.start_time)}" if p.start_time is not None else "")
        )
        link = f"#tqa-t{index.get(p.doc_id, 0)}-{p.turn}"
        rows.append(
            f'<div class="tqa-passage"><div class="tqa-meta">{head} · '
            f'<a href="{link}">show turn</a></div>'
            f'<div class="tqa-text">{_esc(p.text)}</div></div>'
        )
    return "".join(rows) or '<p class="tqa-muted">No passages were retrieved.</p>'
