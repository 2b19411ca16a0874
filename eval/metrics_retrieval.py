"""Retrieval metrics over character spans: evidence recall@k, reciprocal rank, nDCG@k.

A gold evidence span counts as *found* when the union of the retrieved spans of its
document covers at least ``min_coverage`` (default 80 %) of its characters, so an
evidence sentence cut in two by chunking is still found when both halves come back.

    >>> ev = [("d", 100, 200)]
    >>> got = [("d", 0, 90), ("d", 90, 190), ("d", 300, 400)]
    >>> evidence_recall(got, ev, k=2).recall
    1.0
    >>> reciprocal_rank(got, ev).rank
    2
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from eval.metrics_spans import Span, SpanLike, as_spans, covered_chars
from index.errors import InvalidInputError

__all__ = [
    "DEFAULT_MIN_COVERAGE",
    "NdcgResult",
    "RankResult",
    "RecallResult",
    "context_chars",
    "evidence_recall",
    "ndcg_at_k",
    "reciprocal_rank",
]

DEFAULT_MIN_COVERAGE = 0.8


@dataclass(frozen=True)
class RecallResult:
    """``recall`` = share of evidence spans found; ``full`` = all of them found."""

    recall: float
    full: bool
    coverage: tuple[float, ...]  # per evidence span, the covered share of its characters
    found: tuple[bool, ...]  # per evidence span


@dataclass(frozen=True)
class RankResult:
    """``rank`` (1-based) at which the first evidence span is found, or None."""

    reciprocal_rank: float
    rank: int | None


@dataclass(frozen=True)
class NdcgResult:
    """``ndcg`` in [0, 1] and the graded gain of each of the top-k passages."""

    ndcg: float
    gains: tuple[float, ...]


def _check(evidence: Sequence[SpanLike], k: int | None, min_coverage: float) -> list[Span]:
    if not evidence:
        raise InvalidInputError(
            "no gold evidence spans: retrieval metrics apply to answerable items only"
        )
    if k is not None and k < 1:
        raise InvalidInputError(f"k must be at least 1, got {k}")
    if not 0.0 < min_coverage <= 1.0:
        raise InvalidInputError(f"min_coverage must be in (0, 1], got {min_coverage}")
    spans = as_spans(evidence)
    empty = [s for s in spans if s[2] == s[1]]
    if empty:
        raise InvalidInputError(f"empty gold evidence span {empty[0]}: it can never be found")
    return spans


def _coverages(retrieved: Sequence[Span], evidence: Sequence[Span]) -> list[float]:
    return [covered_chars(ev, retrieved) / (ev[2] - ev[1]) for ev in evidence]


def evidence_recall(
    retrieved: Sequence[SpanLike],
    evidence: Sequence[SpanLike],
    k: int,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> RecallResult:
    """Share of gold evidence spans covered (≥ ``min_coverage``) by the top ``k`` retrieved.

        >>> r = evidence_recall([("d", 0, 50)], [("d", 0, 10), ("d", 40, 60)], k=5)
        >>> r.recall, r.full, r.coverage
        (0.5, False, (1.0, 0.5))
    """
    ev = _check(evidence, k, min_coverage)
    cov = _coverages(as_spans(retrieved[:k]), ev)
    found = tuple(c >= min_coverage for c in cov)
    return RecallResult(
        recall=sum(found) / len(found), full=all(found), coverage=tuple(cov), found=found
    )


def reciprocal_rank(
    retrieved: Sequence[SpanLike],
    evidence: Sequence[SpanLike],
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> RankResult:
    """1 / the smallest cut-off r at which ``evidence_recall(..., k=r)`` finds any span.

    That is the rank of the passage whose coverage completes the first found evidence
    span (alone or together with passages ranked above it); 0.0 when none is found.

        >>> reciprocal_rank([("d", 50, 60), ("d", 0, 10)], [("d", 0, 10)])
        RankResult(reciprocal_rank=0.5, rank=2)
    """
    ev = _check(evidence, None, min_coverage)
    spans = as_spans(retrieved)
    for r in range(1, len(spans) + 1):
        if any(c >= min_coverage for c in _coverages(spans[:r], ev)):
            return RankResult(reciprocal_rank=1.0 / r, rank=r)
    return RankResult(reciprocal_rank=0.0, rank=None)


def ndcg_at_k(
    retrieved: Sequence[SpanLike], evidence: Sequence[SpanLike], k: int
) -> NdcgResult:
    """nDCG@k with graded gains: every evidence span is worth ``1/n`` of the total, and
    a passage gains the share of each span's characters it *newly* covers (characters
    already covered by higher-ranked passages earn nothing, so duplicates do not pay).

    The ideal ranking returns the ``n`` evidence spans exactly, one per rank; a ranking
    that covers all evidence in fewer passages scores 1.0 (the ratio is capped).

        >>> ndcg_at_k([("d", 0, 10)], [("d", 0, 10)], k=3).ndcg
        1.0
        >>> round(ndcg_at_k([("d", 50, 60), ("d", 0, 10)], [("d", 0, 10)], k=3).ndcg, 4)
        0.6309
    """
    ev = _check(evidence, k, DEFAULT_MIN_COVERAGE)
    spans = as_spans(retrieved[:k])
    gains: list[float] = []
    before = 0.0
    for r in range(1, len(spans) + 1):
        now = sum(_coverages(spans[:r], ev)) / len(ev)
        gains.append(now - before)
        before = now
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(1 / len(ev) / math.log2(i + 2) for i in range(min(k, len(ev))))
    return NdcgResult(ndcg=min(1.0, dcg / idcg), gains=tuple(gains))


def context_chars(retrieved: Sequence[SpanLike], k: int) -> int:
    """Characters handed to the answerer by the top ``k`` passages (overlaps counted twice).

        >>> context_chars([("d", 0, 10), ("d", 5, 25), ("d", 90, 99)], k=2)
        30
    """
    if k < 1:
        raise InvalidInputError(f"k must be at least 1, got {k}")
    return sum(e - s for _, s, e in as_spans(retrieved[:k]))
