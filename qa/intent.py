"""What kind of answer a question wants, and whether a sentence has that kind.

A "when" question wants a date, "how many" a number, "who" a name; a sentence
that holds such a thing is a likelier answer than one that only shares words.

    >>> answer_kind("When was the agreement signed?")
    'date'
    >>> has_kind("date", "It was signed in 1996.")
    True
"""

from __future__ import annotations

import re

__all__ = ["answer_kind", "asks_about_questioner", "has_kind"]

_KINDS = (
    ("date", re.compile(r"^\s*(when|what year|what date|since when|by when|in what year)\b", re.I)),
    ("number", re.compile(r"\b(how many|how much|what number|what share|what percentage)\b", re.I)),
    ("person", re.compile(r"^\s*(who|whom|whose)\b", re.I)),
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_PATTERNS = {
    "date": re.compile(rf"\b(1[89]\d\d|20\d\d|{_MONTHS})\b"),
    "number": re.compile(
        r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|"
        r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|"
        r"billion|dozens?|half)\b",
        re.I,
    ),
    "person": re.compile(
        r"\b(President|Minister|Secretary|Mr|Ms|Prime|Aide|Chancellor|"
        r"[A-Z][a-z]+ [A-Z][a-z]+)\b"
    ),
}
_ABOUT_ASKER = re.compile(
    r"\b(ask|asked|asking|deputy|deputies|questioner|question|raised)\b", re.I
)


def answer_kind(question: str) -> str | None:
    """``"date"``, ``"number"``, ``"person"`` or ``None`` for other questions."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return None


def has_kind(kind: str, sentence: str) -> bool:
    """Whether ``sentence`` holds something of the wanted ``kind``."""
    return bool(_PATTERNS[kind].search(sentence))


def asks_about_questioner(question: str) -> bool:
    """Whether the question is about what was asked rather than what was answered."""
    return bool(_ABOUT_ASKER.search(question))
