"""Every evaluation metric in one place: small pure functions returning frozen results.

Retrieval (evidence recall@k, reciprocal rank, nDCG@k, context size), answers (exact
match, token F1, containment), citations (verbatim, precision, evidence recall),
abstention, calibration and summaries. Spans are ``(doc_id, start, end)`` tuples or
anything with those attributes, such as ``qa.types.Passage`` and ``Citation``.

    >>> from eval.metrics import evidence_recall, token_f1
    >>> evidence_recall([("d", 0, 100)], [("d", 10, 50)], k=1).full
    True
    >>> token_f1("the Kazan summit", ["Kazan"])
    0.6666666666666666
"""

from __future__ import annotations

from eval.metrics_abstain import (
    AbstentionResult,
    CalibrationResult,
    ReliabilityBin,
    abstention_scores,
    expected_calibration_error,
)
from eval.metrics_answers import (
    AnswerScore,
    answer_words,
    contains_answer,
    exact_match,
    normalize_answer,
    score_answer,
    token_f1,
)
from eval.metrics_citations import (
    PrecisionResult,
    VerbatimResult,
    citation_evidence_recall,
    citation_precision,
    verbatim_rate,
)
from eval.metrics_retrieval import (
    DEFAULT_MIN_COVERAGE,
    NdcgResult,
    RankResult,
    RecallResult,
    context_chars,
    evidence_recall,
    ndcg_at_k,
    reciprocal_rank,
)
from eval.metrics_spans import (
    HasQuote,
    HasSpan,
    Span,
    SpanLike,
    as_span,
    as_spans,
    coverage,
    covered_chars,
    merge_intervals,
    overlaps,
)
from eval.metrics_stats import aggregate, percentiles

__all__ = [
    "DEFAULT_MIN_COVERAGE",
    "AbstentionResult",
    "AnswerScore",
    "CalibrationResult",
    "HasQuote",
    "HasSpan",
    "NdcgResult",
    "PrecisionResult",
    "RankResult",
    "RecallResult",
    "ReliabilityBin",
    "Span",
    "SpanLike",
    "VerbatimResult",
    "abstention_scores",
    "aggregate",
    "answer_words",
    "as_span",
    "as_spans",
    "citation_evidence_recall",
    "citation_precision",
    "contains_answer",
    "context_chars",
    "coverage",
    "covered_chars",
    "evidence_recall",
    "exact_match",
    "expected_calibration_error",
    "merge_intervals",
    "ndcg_at_k",
    "normalize_answer",
    "overlaps",
    "percentiles",
    "reciprocal_rank",
    "score_answer",
    "token_f1",
    "verbatim_rate",
]
