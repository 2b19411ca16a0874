"""Character spans and how much of one span a set of others covers.

Metrics take spans as plain ``(doc_id, start, end)`` tuples or as anything with
``doc_id``/``start``/``end`` attributes (``qa.types.Passage``, ``Citation``), so
they never import the answering code.

    >>> coverage(("d", 0, 10), [("d", 0, 4), ("d", 2, 8), ("e", 0, 10)])
    0.8
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeAlias, runtime_checkable

from index.errors import InvalidInputError

__all__ = [
    "HasQuote",
    "HasSpan",
    "Span",
    "SpanLike",
    "as_span",
    "as_spans",
    "coverage",
    "covered_chars",
    "merge_intervals",
    "overlaps",
]

Span: TypeAlias = tuple[str, int, int]


@runtime_checkable
class HasSpan(Protocol):
    """Anything with a document id and ``[start, end)`` character offsets."""

    @property
    def doc_id(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class HasQuote(HasSpan, Protocol):
    """A span that also claims its own text, like ``qa.types.Citation``."""

    @property
    def quote(self) -> str: ...


SpanLike: TypeAlias = HasSpan | Span


def as_span(obj: SpanLike) -> Span:
    """``(doc_id, start, end)`` of a tuple or span-like object, checked.

        >>> as_span(("d", 3, 7))
        ('d', 3, 7)
    """
    if isinstance(obj, tuple):
        if len(obj) != 3:
            raise InvalidInputError(f"bad span {obj!r}: need a (doc_id, start, end) triple")
        doc_id, start, end = obj
    else:
        doc_id, start, end = obj.doc_id, obj.start, obj.end
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end:
        raise InvalidInputError(
            f"bad span {doc_id!r} {start!r}:{end!r}: need integers with 0 <= start <= end"
        )
    return (str(doc_id), start, end)


def as_spans(objs: Iterable[SpanLike]) -> list[Span]:
    """:func:`as_span` of each, in order."""
    return [as_span(o) for o in objs]


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted union of ``[start, end)`` intervals; empty ones vanish.

        >>> merge_intervals([(5, 9), (0, 3), (2, 4), (9, 9)])
        [(0, 4), (5, 9)]
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covered_chars(target: SpanLike, spans: Iterable[SpanLike]) -> int:
    """Characters of ``target`` inside the union of ``spans`` of the same document.

        >>> covered_chars(("d", 0, 10), [("d", 8, 20), ("d", 0, 2), ("x", 0, 10)])
        4
    """
    doc_id, start, end = as_span(target)
    clipped = [
        (max(s, start), min(e, end)) for d, s, e in as_spans(spans) if d == doc_id
    ]
    return sum(e - s for s, e in merge_intervals(clipped))


def coverage(target: SpanLike, spans: Iterable[SpanLike]) -> float:
    """Share of ``target``'s characters covered by ``spans`` (0.0 for an empty target)."""
    _, start, end = as_span(target)
    return covered_chars(target, spans) / (end - start) if end > start else 0.0


def overlaps(a: SpanLike, b: SpanLike) -> bool:
    """True when the two spans share at least one character of the same document.

        >>> overlaps(("d", 0, 5), ("d", 4, 9)), overlaps(("d", 0, 5), ("d", 5, 9))
        (True, False)
    """
    da, sa, ea = as_span(a)
    db, sb, eb = as_span(b)
    return da == db and sa < eb and sb < ea
