"""What changed since an earlier run: overall and per-type shifts, and the questions that flipped.

Keep a copy of a report before changing the answerer, then compare::

    $ cp eval-report/report.json before.json
    $ qa eval --split dev --against before.json

Configurations are matched by name, questions by id. A question's outcome is
"right" for an answerable one and "declined" for one the transcript cannot answer.

    >>> Shift("right", 0.5, 0.75).delta
    0.25
    >>> Shift("ECE", 0.09, 0.12, higher_is_better=False).worse
    True
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.results import Report
from index.errors import InvalidInputError

__all__ = ["OVERALL", "Comparison", "Shift", "compare", "comparison_lines", "load_previous"]

# (label, summary key, higher is better)
OVERALL = (
    ("full evidence recall@5", "full@5", True),
    ("MRR", "mrr", True),
    ("answer right", "right", True),
    ("citation precision", "citation_precision", True),
    ("unanswerable abstained", "abstain_rate", True),
    ("answerable wrongly abstained", "false_abstain_rate", False),
    ("confidence ECE", "ece", False),
)
_DECLINE_TYPES = ("unanswerable", "out_of_scope")


@dataclass(frozen=True)
class Shift:
    """One figure before and now; ``worse`` knows which direction is better."""

    metric: str
    before: float | None
    now: float | None
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        return round(self.now - self.before, 9)

    @property
    def worse(self) -> bool:
        d = self.delta
        return d is not None and (d < 0 if self.higher_is_better else d > 0)


@dataclass(frozen=True)
class Comparison:
    """One configuration against its earlier run."""

    config: str
    overall: tuple[Shift, ...]
    per_type: tuple[Shift, ...]  # right (declined, for questions to decline) per type
    gained: tuple[str, ...]  # ids whose outcome turned good
    lost: tuple[str, ...]  # ids whose outcome turned bad

    @property
    def fell(self) -> tuple[str, ...]:
        """Question types whose share fell."""
        return tuple(s.metric for s in self.per_type if s.worse)


def load_previous(path: str | Path) -> dict[str, Mapping[str, Any]]:
    """The configurations of an earlier ``report.json``, by name."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        configs = {c["name"]: c for c in data["configs"]}
    except FileNotFoundError:
        raise InvalidInputError(f"{file}: no such file; give a report.json of qa eval") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InvalidInputError(
            f"{file}: not a report.json written by qa eval ({type(err).__name__}: {err})"
        ) from None
    return configs


def _outcome(item: Mapping[str, Any]) -> bool:
    """An earlier item's outcome: right, or (for a question to decline) declined."""
    return bool(item.get("right")) if item.get("answerable") else bool(item.get("abstained"))


def _type_share(per_type: Mapping[str, Any], kind: str) -> float | None:
    row = per_type.get(kind) or {}
    value = row.get("abstain_rate" if kind in _DECLINE_TYPES else "right")
    return None if value is None else float(value)


def compare(report: Report, previous: Mapping[str, Any]) -> Comparison:
    """``report`` against ``previous`` (one configuration of an earlier ``report.json``)."""
    before, now = previous.get("summary", {}), report.summary
    overall = tuple(Shift(label, before.get(key), now.get(key), up) for label, key, up in OVERALL)
    kinds = [k for k in report.per_type if k != "all" and k in previous.get("per_type", {})]
    per_type = tuple(
        Shift(k, _type_share(previous["per_type"], k), _type_share(report.per_type, k))
        for k in kinds
    )
    was = {i["id"]: _outcome(i) for i in previous.get("items", []) if "id" in i}
    is_now = {i.id: i.right if i.answerable else i.abstained for i in report.items}
    common = [i for i in is_now if i in was]
    gained = tuple(i for i in common if is_now[i] and not was[i])
    lost = tuple(i for i in common if was[i] and not is_now[i])
    return Comparison(report.name, overall, per_type, gained, lost)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _row(s: Shift) -> str:
    d = s.delta
    mark = " ▼" if s.worse else ""
    change = "–" if d is None else f"{d:+.3f}{mark}"
    return f"| {s.metric} | {_num(s.before)} | {_num(s.now)} | {change} |"


def comparison_lines(cmps: Sequence[Comparison], label: str) -> list[str]:
    """Markdown: a table per configuration, the flipped questions, the types that fell."""
    out: list[str] = []
    for c in cmps:
        out += [
            f"### {c.config} against {label}",
            "",
            "| figure | before | now | change |",
            "|---|--:|--:|--:|",
        ]
        out += [_row(s) for s in (*c.overall, *c.per_type)]
        out += [
            "",
            f"- turned right (or rightly declined): {', '.join(c.gained) or 'none'}",
            f"- turned wrong (or no longer declined): {', '.join(c.lost) or 'none'}",
            f"- types whose share fell: {', '.join(c.fell) or 'none'}",
            "",
        ]
    return out
