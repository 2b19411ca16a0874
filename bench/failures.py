"""The failures a side-by-side run leaves, per corpus: counted by kind and question type, with
a few typical questions each, for BENCHMARKS.md (reading test results, never tuning on them).

Every test question that misses is one :func:`miss` of a kind: an answerable question
declined (*wrongly declined*), answered wrong with its evidence not fully in the top 5
(*retrieval miss*) or with it there (*answer miss*), or a question to decline answered
(*answered, should decline*).

    >>> from types import SimpleNamespace as NS
    >>> kind_of(NS(answerable=True, abstained=False, right=False, retrieval={"full@5": 0.0}))
    'retrieval miss'
    >>> kind_of(NS(answerable=False, abstained=True, right=False, retrieval={}))
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["END", "KINDS", "START", "failures_markdown", "kind_of", "misses"]

KINDS = ("answer miss", "retrieval miss", "wrongly declined", "answered, should decline")
START, END = "<!-- stack-failures:start -->", "<!-- stack-failures:end -->"
EXAMPLES = 5  # typical questions shown per corpus
_SPACE = re.compile(r"\s+")


def kind_of(item: Any) -> str | None:
    """The kind of failure of one eval item result, ``None`` when it did what it should."""
    if not item.answerable:
        return None if item.abstained else "answered, should decline"
    if item.right:
        return None
    if item.abstained:
        return "wrongly declined"
    full = item.retrieval.get("full@5")
    return "retrieval miss" if full is not None and full < 1 else "answer miss"


def _short(text: str, limit: int = 90) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def misses(report: Any) -> list[dict[str, str]]:
    """Each failing item of ``report`` (an :class:`eval.results.Report`) as plain JSON."""
    out = []
    for item in report.items:
        kind = kind_of(item)
        if kind is not None:
            out.append({"id": item.id, "type": item.type, "kind": kind,
                        "question": item.question, "answer": _short(item.answer),
                        "gold": _short("; ".join(item.gold_answers), 60)})
    return out


def _corpus_lines(corpus: str, n: int, items: Sequence[Mapping[str, str]]) -> list[str]:
    kinds = Counter(m["kind"] for m in items)
    types = Counter(m["type"] for m in items)
    head = ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k]) or "none"
    by_type = ", ".join(f"{t} {c}" for t, c in types.most_common())
    lines = [f"**{corpus}** ({len(items)} of {n} test questions): {head}."
             + (f" By type: {by_type}." if by_type else "")]
    per_kind = [[m for m in items if m["kind"] == kind] for kind in KINDS]
    # round robin over the kinds, so that a common kind does not hide the others
    shown = [m for rank in range(EXAMPLES) for ms in per_kind for m in ms[rank : rank + 1]]
    for m in shown[:EXAMPLES]:
        said = "declined" if m["kind"] == "wrongly declined" else f"said “{m['answer']}”"
        gold = "" if m["kind"] == "answered, should decline" else f"; gold “{m['gold']}”"
        lines.append(f"- {m['type']}, {m['kind']}: “{m['question']}” — {said}{gold}")
    return lines


def failures_markdown(figures: Sequence[Any]) -> str:
    """The failures section: per corpus, counts by kind and type, and typical questions."""
    lines: list[str] = []
    for fig in figures:
        extra = (fig.extra if hasattr(fig, "extra") else fig.get("extra")) or {}
        if "misses" not in extra:
            continue
        lines += [*_corpus_lines(extra["corpus"], extra["questions"], extra["misses"]), ""]
    return "\n".join(lines).rstrip()
