"""Citations are made from offsets by code and checked against the source.

>>> from index.parse import parse_document
>>> doc = parse_document(doc_id="d", text="A: Hi there.", path="talks/d.txt", sha256="")
>>> c = make_citation(doc, 3, 12)
>>> c.quote, c.title, c.source
('Hi there.', 'd', 'd.txt')
"""

from __future__ import annotations

from collections.abc import Mapping

from index.documents import Document
from index.errors import QAError
from qa.types import Citation

__all__ = ["CitationError", "check_citation", "document_label", "make_citation"]


class CitationError(QAError):
    """A citation whose quote is not the source text at its offsets (a bug, never shown as fact)."""


def make_citation(doc: Document, start: int, end: int) -> Citation:
    """The verbatim citation of ``doc.text[start:end]``, with its speaker turn."""
    if not 0 <= start < end <= len(doc.text):
        raise CitationError(f"span {start}:{end} is outside {doc.doc_id} ({len(doc.text)} chars)")
    turn = doc.turn_at(start)
    start_time, end_time = doc.times(start, end)
    citation = Citation(
        doc_id=doc.doc_id,
        start=start,
        end=end,
        quote=doc.text[start:end],
        speaker=turn.speaker if turn else "unknown",
        turn=turn.index if turn else 0,
        role=turn.role if turn else "unknown",
        exchange_id=turn.exchange_id if turn else None,
        title=doc.title,
        source=doc.origin,
        start_time=start_time,
        end_time=end_time,
    )
    check_citation(citation, {doc.doc_id: doc})
    return citation


def check_citation(citation: Citation, docs: Mapping[str, Document]) -> None:
    """Raise :class:`CitationError` unless the quote is the source text at its offsets."""
    doc = docs.get(citation.doc_id)
    if doc is None or doc.text[citation.start : citation.end] != citation.quote:
        raise CitationError(
            f"citation {citation.doc_id}:{citation.start}-{citation.end} does not match its source"
        )


def document_label(title: str, source: str) -> str:
    """Which transcript a quote is from and where that came from, said once.

    >>> document_label("Ann Lee (example.org)", "example.org")
    'Ann Lee (example.org)'
    >>> document_label("1913-Wilson-1", "sotu/1913-Wilson-1.txt")
    '1913-Wilson-1 (source: sotu/1913-Wilson-1.txt)'
    """
    if not source or source in title:
        return title or source
    return f"{title} (source: {source})" if title else f"source: {source}"
