"""What an evaluation run produces: one :class:`ItemResult` per gold question, one
:class:`Report` per configuration. Plain frozen values, JSON-ready through ``to_dict``.

    >>> t = TargetResult("MRR", "mrr", ">=", 0.9, 0.95)
    >>> t.passed, t.mark
    (True, '✅')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ItemResult", "Report", "TargetResult"]


@dataclass(frozen=True)
class ItemResult:
    """The bot's response to one gold question and every score of it.

    Scores that do not apply are ``None``: answer scores for items that should be
    declined, retrieval scores for items without evidence, citation scores without
    citations. ``retrieval`` maps names like ``"full@5"``, ``"recall@5"``,
    ``"context@5"``, ``"ndcg@10"`` and ``"rr"`` to numbers.
    """

    id: str
    type: str
    split: str
    question: str
    gold_answers: tuple[str, ...]
    answerable: bool
    answer: str
    abstained: bool
    confidence: float
    latency_ms: float
    right: bool
    right_by: str  # "contains", "f1", "cited_reason", "speaker", or "" when not right
    exact_match: float | None
    token_f1: float | None
    words: int | None
    n_citations: int
    verbatim: float | None
    citation_precision: float | None
    citation_recall: float | None
    citations: tuple[Mapping[str, Any], ...] = ()
    retrieval: Mapping[str, float] = field(default_factory=dict)
    # with the user's model (qa eval --llm-url): whether its answer was shown (False: the
    # extractive one, as a fallback), and the quotes it wrote and how many were verbatim
    generated: bool | None = None
    model_quotes: int = 0
    verified_quotes: int = 0

    def row(self) -> dict[str, Any]:
        """Flat numeric view for :func:`eval.metrics.aggregate` (per-type means)."""
        answered = not self.abstained
        return {
            "type": self.type,
            "right": self.right if self.answerable else None,
            "exact_match": self.exact_match,
            "token_f1": self.token_f1,
            "words": self.words,
            "abstained": self.abstained,
            "answered": answered,
            "confidence": self.confidence,
            "latency_ms": self.latency_ms,
            "verbatim": self.verbatim,
            "citation_precision": self.citation_precision,
            "citation_recall": self.citation_recall,
            **self.retrieval,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, as plain JSON values."""
        out = asdict(self)
        out["citations"] = [dict(c) for c in self.citations]
        out["retrieval"] = dict(self.retrieval)
        return out


@dataclass(frozen=True)
class TargetResult:
    """One quality target: ``value`` compared with ``goal``; ``None`` value = not measured."""

    label: str
    metric: str
    op: str  # ">=" or "<=" or "=="
    goal: float
    value: float | None

    @property
    def passed(self) -> bool | None:
        """True/False, or None when the metric could not be measured."""
        if self.value is None:
            return None
        v = round(self.value, 9)
        return {">=": v >= self.goal, "<=": v <= self.goal, "==": v == self.goal}[self.op]

    @property
    def mark(self) -> str:
        """✅, ❌ or – for the report."""
        return {True: "✅", False: "❌", None: "–"}[self.passed]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values, with ``passed``."""
        return {**asdict(self), "passed": self.passed}


@dataclass(frozen=True)
class Report:
    """The evaluation of one configuration on one gold set (see :func:`eval.run`).

    ``summary`` holds the overall metrics (keys such as ``"full@5"``, ``"mrr"``,
    ``"right"``, ``"abstain_rate"``, ``"ece"``, ``"latency_p95_ms"``), ``per_type``
    the same per question type, ``targets`` the quality targets (issues 14 and 5).
    """

    name: str
    settings: Mapping[str, Any]
    ks: tuple[int, ...]
    threshold: float
    items: tuple[ItemResult, ...]
    summary: Mapping[str, float | None]
    per_type: Mapping[str, Mapping[str, float | None]]
    targets: tuple[TargetResult, ...]
    reliability: tuple[Mapping[str, float | None], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Everything, per item too, as plain JSON values."""
        return {
            "name": self.name,
            "settings": dict(self.settings),
            "ks": list(self.ks),
            "threshold": self.threshold,
            "summary": dict(self.summary),
            "per_type": {t: dict(m) for t, m in self.per_type.items()},
            "targets": [t.to_dict() for t in self.targets],
            "reliability": [dict(b) for b in self.reliability],
            "items": [i.to_dict() for i in self.items],
        }
