"""Abstention and calibration: does the bot decline the right questions, and does its
confidence mean what it says?

    >>> abstention_scores([True, True, False, False], [True, False, True, False]).abstain_rate
    0.5
    >>> round(expected_calibration_error([0.9, 0.1], [True, False], bins=2).ece, 6)
    0.1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.errors import InvalidInputError

__all__ = [
    "AbstentionResult",
    "CalibrationResult",
    "ReliabilityBin",
    "abstention_scores",
    "expected_calibration_error",
]


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class AbstentionResult:
    """Abstaining treated as the positive class; ``None`` where a denominator is zero.

    ``abstain_rate`` is the recall of abstaining on items that should be declined
    (unanswerable, out of scope); ``false_abstain_rate`` is the share of answerable items
    declined; ``outcomes`` labels each item "tp", "fp", "fn" or "tn".
    """

    abstain_rate: float | None
    false_abstain_rate: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    outcomes: tuple[str, ...]


def abstention_scores(
    should_abstain: Sequence[bool], abstained: Sequence[bool]
) -> AbstentionResult:
    """Score per-item (should_abstain, abstained) pairs.

        >>> r = abstention_scores([True, False, False], [True, True, False])
        >>> r.precision, r.recall, r.false_abstain_rate, r.outcomes
        (0.5, 1.0, 0.5, ('tp', 'fp', 'tn'))
    """
    if len(should_abstain) != len(abstained):
        raise InvalidInputError(
            f"{len(should_abstain)} should_abstain flags but {len(abstained)} abstained flags"
        )
    labels = {(True, True): "tp", (False, True): "fp", (True, False): "fn", (False, False): "tn"}
    pairs = zip(should_abstain, abstained, strict=True)
    outcomes = tuple(labels[(bool(s), bool(a))] for s, a in pairs)
    n = {k: outcomes.count(k) for k in ("tp", "fp", "fn", "tn")}
    precision = _ratio(n["tp"], n["tp"] + n["fp"])
    recall = _ratio(n["tp"], n["tp"] + n["fn"])
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return AbstentionResult(
        abstain_rate=recall,
        false_abstain_rate=_ratio(n["fp"], n["fp"] + n["tn"]),
        precision=precision,
        recall=recall,
        f1=f1,
        outcomes=outcomes,
    )


@dataclass(frozen=True)
class ReliabilityBin:
    """One confidence bin ``[lower, upper)`` (the last includes 1.0) for a reliability plot."""

    lower: float
    upper: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class CalibrationResult:
    """``ece`` = sum over bins of (bin share) x |accuracy - mean confidence|.

    ``mce`` is the largest gap of any non-empty bin; ``bins`` feed a reliability plot.
    """

    ece: float
    mce: float
    bins: tuple[ReliabilityBin, ...]


def _bin_of(confidence: float, bins: int) -> int:
    return min(int(confidence * bins), bins - 1)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> CalibrationResult:
    """Expected calibration error over ``bins`` equal-width confidence bins.

        >>> r = expected_calibration_error([0.8, 0.8, 0.3, 0.2], [True, False, False, False], 2)
        >>> round(r.ece, 3), [(b.count, b.accuracy) for b in r.bins]
        (0.275, [(2, 0.0), (2, 0.5)])
    """
    if len(confidences) != len(correct):
        raise InvalidInputError(f"{len(confidences)} confidences but {len(correct)} outcomes")
    if not confidences or bins < 1:
        raise InvalidInputError("need at least one confidence and at least one bin")
    if any(not 0.0 <= c <= 1.0 for c in confidences):
        raise InvalidInputError("confidences must lie in [0, 1]")
    members: list[list[int]] = [[] for _ in range(bins)]
    for i, c in enumerate(confidences):
        members[_bin_of(c, bins)].append(i)
    out: list[ReliabilityBin] = []
    ece = mce = 0.0
    for b, idx in enumerate(members):
        conf = sum(confidences[i] for i in idx) / len(idx) if idx else None
        acc = sum(bool(correct[i]) for i in idx) / len(idx) if idx else None
        if conf is not None and acc is not None:
            ece += len(idx) / len(confidences) * abs(acc - conf)
            mce = max(mce, abs(acc - conf))
        out.append(ReliabilityBin(b / bins, (b + 1) / bins, len(idx), conf, acc))
    return CalibrationResult(ece=ece, mce=mce, bins=tuple(out))
