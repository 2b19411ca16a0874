"""Totals: "counting those opened and those planned, how many embassies …" adds counts up.

A sum is the one part of an answer that is no quote, so it is only given when the
question asks for one and the main sentence holds two or more plain counts of the
thing asked; the counts it adds are shown verbatim, and the sentence is cited.

    >>> total_of("Counting those opened and planned, how many embassies in all?",
    ...          "We have opened three new embassies and plan to open seven more.")
    (10, ['three new embassies', 'seven more'])
"""

from __future__ import annotations

import re

from qa.intent import CARDINALS, answer_kind
from qa.short import counted_spans

__all__ = ["asks_total", "total_of"]

_TOTAL = re.compile(
    r"\b(in total|in all|altogether|all together|all told|combined|counting|total|sum)\b", re.I
)
_WORDS = dict(zip(CARDINALS.split("|"), [*range(1, 13), 20, 30, 40, 50], strict=True))
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})*|\d+")


def asks_total(question: str) -> bool:
    """Whether the question asks how many there are in all.

    >>> asks_total("How many embassies will there be in total?")
    True
    """
    return answer_kind(question) == "number" and bool(_TOTAL.search(question))


def _value(count: str) -> int | None:
    """The whole number a count starts with ("seven more" → 7, "1,200 people" → 1200)."""
    first = count.split()[0].lower()
    if _DIGITS.fullmatch(first):
        return int(first.replace(",", ""))
    return _WORDS.get(first)


def total_of(question: str, sentence: str) -> tuple[int, list[str]] | None:
    """The sum of the counts of the thing asked in ``sentence`` and the counts added, or
    None when the question asks for no total or there are fewer than two plain counts."""
    if not asks_total(question):
        return None
    counts = [sentence[a:b] for a, b in counted_spans(question, sentence, more=True)]
    values = [_value(c) for c in counts]
    if len(counts) < 2 or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None), counts
