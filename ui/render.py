"""Answers as safe chat markdown: the short answer, then verbatim quotes with who said them.

Everything that comes from a transcript or a person is escaped, for HTML and for
markdown, before it reaches the page: no tag, script or formatting in either runs.

    >>> escape_text("<b>*hi*</b>")
    '&lt;b&gt;\\\\*hi\\\\*&lt;/b&gt;'
    >>> unescape_text(escape_text("<b>*hi*</b> & more")) == "<b>*hi*</b> & more"
    True
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import qa
from index.documents import Document, Turn
from qa.citations import document_label
from qa.overview import BACKEND as OVERVIEW
from ui.media import clock, media_url

__all__ = [
    "ABSTAIN_HEADLINE",
    "anchor_id",
    "describe_turn",
    "escape_text",
    "format_answer",
    "format_quote",
    "opening_words",
    "quote_time",
    "stream_steps",
    "unescape_text",
]

ABSTAIN_HEADLINE = "The transcript does not answer this question."
# Markdown punctuation that could start formatting; `&` is never escaped because the
# HTML entities made by html.escape must stay entities.
_MD_SPECIAL = r"\\`*_{}\[\]()#+\-!|~$<>"
_MD_ESCAPE = re.compile(f"([{_MD_SPECIAL}])")
_MD_UNESCAPE = re.compile(f"\\\\([{_MD_SPECIAL}])")
_SCHEME = re.compile(r"(https?|ftps?|mailto|xmpp):", re.I)
_WWW = re.compile(r"(www)\.", re.I)
_GENERIC_ASKERS = {"questioner", "audience", "journalist", "reporter", "participant"}
_MAX_ABSTAIN_PASSAGES = 3
_MAX_SNIPPET = 320
_FILLER = re.compile(r"[\s…]+")
_FIRST_BLOCK = re.compile(r"\n>\n|\n\n")


def escape_text(text: str) -> str:
    """``text`` made inert for the chat: HTML-escaped, then markdown-escaped.

    >>> escape_text("a_b [x](y)")
    'a\\\\_b \\\\[x\\\\]\\\\(y\\\\)'
    >>> escape_text("see http://x.org or www.x.org")
    'see http&#58;//x.org or www&#46;x.org'
    """
    escaped = _MD_ESCAPE.sub(r"\\\1", html.escape(text, quote=False))
    # GFM would turn bare URLs into live links: an entity in the scheme or "www." stops it
    return _WWW.sub(r"\1&#46;", _SCHEME.sub(r"\1&#58;", escaped))


def unescape_text(text: str) -> str:
    """The exact inverse of :func:`escape_text` (to recover what a person typed).

    >>> unescape_text("a\\\\_b &amp;lt;")
    'a_b &lt;'
    """
    return html.unescape(_MD_UNESCAPE.sub(r"\1", text))


def anchor_id(doc_index: int, start: int, end: int) -> str:
    """The transcript anchor for characters ``start:end`` of document number ``doc_index``.

    >>> anchor_id(0, 18241, 18331)
    'tqa-c0-18241-18331'
    """
    return f"tqa-c{doc_index}-{start}-{end}"


def opening_words(text: str, *, words: int = 10) -> str:
    """The first ``words`` words of ``text``, with an ellipsis when it goes on.

    >>> opening_words("Ours is the deepest harbour on the coast, and the oldest.", words=6)
    'Ours is the deepest harbour on…'
    """
    parts = text.split()
    head = " ".join(parts[:words])
    return head.rstrip(",;:–-") + "…" if len(parts) > words else head


def _turn(doc: Document, index: int) -> Turn | None:
    if 0 <= index < len(doc.turns) and doc.turns[index].index == index:
        return doc.turns[index]
    return next((t for t in doc.turns if t.index == index), None)


def _whose(speaker: str, label: str = "") -> str:
    """Whose question: "a deputy’s" for a role, "Ann Lee’s" for a name.

    A role is an asker the file does not name: its label ("Question:") is not the
    speaker, who was read from the setting.
    """
    name = speaker.strip() or "someone"
    unnamed = bool(label.strip()) and name.lower() not in label.lower()
    if unnamed or name.lower() in _GENERIC_ASKERS:
        return f"a {name.lower()}’s"
    if name.lower() == "question":
        return "a"
    return f"{name}’s"


def describe_turn(doc: Document, turn_index: int, speaker: str) -> str:
    """Who says it and in what part of the transcript, in words.

    e.g. "Ann Lee, answering a member’s question “Our harbour is the deepest…”".
    """
    turn = _turn(doc, turn_index)
    who = speaker.strip() or (turn.speaker if turn else "") or "Unknown speaker"
    if turn is None:
        return who
    if turn.role == "answer" and turn.question_turn is not None:
        asked = _turn(doc, turn.question_turn)
        if asked is not None:
            opening = opening_words(doc.text[asked.start : asked.end])
            label = doc.text[asked.label_start : asked.start]
            return f"{who}, answering {_whose(asked.speaker, label)} question “{opening}”"
        return f"{who}, answering a question"
    if turn.role == "question":
        number = f" (exchange {turn.exchange_id})" if turn.exchange_id else ""
        return f"{who}, asking a question{number}"
    if turn.role == "speech":
        return f"{who}, in the opening address" if turn.index == 0 else f"{who}, in a speech"
    if turn.role == "statement":
        return f"{who}, in a statement"
    if turn.role == "chair":
        return f"{who}, chairing"
    return who


def format_quote(text: str, attribution: str, link: str, when: str = "") -> str:
    """A markdown blockquote of ``text`` (escaped, line by line) with its attribution line;
    ``when`` (from :func:`quote_time`) is the time it was said."""
    lines = [escape_text(line) for line in text.strip().split("\n")] or [""]
    lines[0] = "“" + lines[0]
    lines[-1] = lines[-1] + "”"
    body = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"{body}\n>\n> — {escape_text(attribution)}{when} · [show in transcript](#{link})"


def quote_time(item: qa.Citation | qa.Passage, doc: Document | None) -> str:
    """" · at m:ss" for a timed quote ("" untimed), linked to the recording at that moment
    when its URL is known (``url#t=SECONDS``).

    >>> c = qa.Citation("d", 0, 2, "Hi", "Ann", start_time=83.4)
    >>> doc = Document("d", "Hi", "", "", "d", media="https://x.org/a (1).mp3")
    >>> quote_time(c, doc)
    ' · at [1:23](https://x.org/a%20%281%29.mp3#t=83)'
    >>> quote_time(c, None), quote_time(qa.Citation("d", 0, 2, "Hi", "Ann"), doc)
    (' · at 1:23', '')
    """
    if item.start_time is None:
        return ""
    label = clock(item.start_time)
    url = media_url(doc)
    if url is not None:
        return f" · at [{label}]({url}#t={int(item.start_time)})"
    # a recording named but not found beside the transcript: said, not linked
    media = doc.media if doc else None
    return f" · at {label}" + (f" ({escape_text(media)})" if media else "")


def _doc_index(docs: Sequence[Document], doc_id: str) -> int | None:
    return next((i for i, d in enumerate(docs) if d.doc_id == doc_id), None)


def _cited(docs: Sequence[Document], item: qa.Citation | qa.Passage, text: str) -> str:
    """A quote of ``item`` (a citation, or a passage shown when abstaining) with who and where."""
    start, end = item.start, item.end
    index = _doc_index(docs, item.doc_id)
    if index is None:  # cannot happen with a consistent bot; keep the words anyway
        return format_quote(text, item.speaker or "Unknown speaker", anchor_id(0, start, end),
                            quote_time(item, None))
    who = describe_turn(docs[index], item.turn, item.speaker)
    if len(docs) > 1:  # with one transcript, naming it on every quote says nothing
        who = f"{who} — {document_label(item.title or item.doc_id, item.source)}"
    return format_quote(text, who, anchor_id(index, start, end), quote_time(item, docs[index]))


def _confidence_line(answer: qa.Answer) -> str:
    level = "high" if answer.confidence >= 0.7 else "medium" if answer.confidence >= 0.4 else "low"
    return f"<sub>confidence {answer.confidence:.2f} ({level})</sub>"


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _MAX_SNIPPET:
        return flat
    return flat[:_MAX_SNIPPET].rsplit(" ", 1)[0] + " …"


def _same_words(a: str, b: str) -> bool:
    return _FILLER.sub(" ", a).strip() == _FILLER.sub(" ", b).strip()


def format_answer(answer: qa.Answer, docs: Sequence[Document]) -> str:
    """The whole chat reply: answer, quotes with speakers and links, or an honest abstention."""
    if answer.backend == OVERVIEW:  # a whole transcript's speakers, topics and exchanges
        from ui.overview import format_overview

        return format_overview(answer, docs)
    if answer.abstained:
        parts = [f"**{ABSTAIN_HEADLINE}**"]
        if answer.reason:
            parts.append(escape_text(answer.reason))
        nearest = answer.passages[:_MAX_ABSTAIN_PASSAGES]
        if nearest:
            parts.append("These are the closest passages; they may still help:")
            parts += [_cited(docs, p, _snippet(p.text)) for p in nearest]
        else:
            parts.append("Nothing in the transcript came close. Try other words.")
        return "\n\n".join(parts)
    quotes = " ".join(c.quote for c in answer.citations)
    # an extractive answer often is its quote: then the quote alone says it, once
    lead, _, rest = answer.text.partition(" — ")
    if answer.short is not None:  # the number, sum or date asked for leads
        parts = [f"**{escape_text(answer.short.quote)}**"]
    elif rest and _same_words(rest, quotes):  # "lead — quotes", e.g. a total: "10 in all …"
        parts = [f"**{escape_text(lead)}**"]
    elif _same_words(answer.text, quotes):
        parts = []
    else:
        parts = [f"**{escape_text(answer.text)}**"]
    parts += [_cited(docs, c, c.quote) for c in answer.citations]
    parts.append(_confidence_line(answer))
    return "\n\n".join(parts)


def stream_steps(answer: qa.Answer, docs: Sequence[Document], *, steps: int = 6) -> list[str]:
    """Growing prefixes of the reply's first block, for showing it progressively, then the
    whole reply. Cuts fall between words of already escaped text, so each is safe.
    """
    full = format_answer(answer, docs)
    lead = _FIRST_BLOCK.split(full, maxsplit=1)[0]
    words = lead.split(" ")
    size = max(1, -(-len(words) // max(1, steps)))
    bold = "**" if lead.startswith("**") else ""
    partial = [" ".join(words[:n]) for n in range(size, len(words), size)]
    return [*(p if p.endswith("**") else p + bold for p in partial), full]
