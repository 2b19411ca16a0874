"""Citation metrics: are quotes verbatim, do they point at gold evidence, do they cover it?

    >>> from types import SimpleNamespace as C
    >>> cites = [C(doc_id="d", start=0, end=3, quote="Ann")]
    >>> verbatim_rate(cites, {"d": "Ann said hi"}).rate
    1.0
    >>> citation_precision(cites, [("d", 0, 8)]).precision
    1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eval.metrics_retrieval import DEFAULT_MIN_COVERAGE, RecallResult, evidence_recall
from eval.metrics_spans import HasQuote, SpanLike, as_span, as_spans, overlaps

__all__ = [
    "PrecisionResult",
    "VerbatimResult",
    "citation_evidence_recall",
    "citation_precision",
    "verbatim_rate",
]


@dataclass(frozen=True)
class VerbatimResult:
    """``rate`` = share of citations whose quote is exactly the source text at its offsets.

    ``None`` when there are no citations (nothing to check).
    """

    rate: float | None
    per_citation: tuple[bool, ...]


@dataclass(frozen=True)
class PrecisionResult:
    """``precision`` = share of citations overlapping gold evidence; ``None`` with no citations."""

    precision: float | None
    per_citation: tuple[bool, ...]


def _is_verbatim(citation: HasQuote, texts: Mapping[str, str]) -> bool:
    text = texts.get(citation.doc_id)
    if text is None or not 0 <= citation.start <= citation.end <= len(text):
        return False
    return text[citation.start : citation.end] == citation.quote


def verbatim_rate(citations: Sequence[HasQuote], texts: Mapping[str, str]) -> VerbatimResult:
    """Check ``texts[c.doc_id][c.start:c.end] == c.quote`` for each citation.

    An unknown document or offsets outside the text count as not verbatim.

        >>> from types import SimpleNamespace as C
        >>> verbatim_rate([C(doc_id="d", start=0, end=3, quote="Bob")], {"d": "Ann"}).rate
        0.0
    """
    per = tuple(_is_verbatim(c, texts) for c in citations)
    return VerbatimResult(rate=sum(per) / len(per) if per else None, per_citation=per)


def citation_precision(
    citations: Sequence[SpanLike], evidence: Sequence[SpanLike]
) -> PrecisionResult:
    """Share of citations that share at least one character with some gold evidence span.

        >>> citation_precision([("d", 0, 5), ("d", 50, 60)], [("d", 3, 20)]).precision
        0.5
    """
    ev = as_spans(evidence)
    per = tuple(any(overlaps(as_span(c), e) for e in ev) for c in citations)
    return PrecisionResult(precision=sum(per) / len(per) if per else None, per_citation=per)


def citation_evidence_recall(
    citations: Sequence[SpanLike],
    evidence: Sequence[SpanLike],
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> RecallResult:
    """Share of gold evidence spans covered (≥ ``min_coverage``) by the union of citations.

    The same rule as :func:`~eval.metrics_retrieval.evidence_recall` over all citations;
    no citations means nothing is found.

        >>> citation_evidence_recall([("d", 0, 9)], [("d", 0, 10), ("d", 20, 30)]).recall
        0.5
    """
    return evidence_recall(citations, evidence, k=max(len(citations), 1), min_coverage=min_coverage)
