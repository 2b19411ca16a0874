"""Questions as typed by people: cleaned, checked, and read in the conversation's context.

>>> clean_question("  Who\\x00 spoke?  ")
'Who spoke?'
>>> followup_query("And what about Texas?", ["What did he say about Ohio?"])
'What did he say about? And what about Texas?'
>>> followup_query("Why?", ["What did he say about Ohio?"])
'What did he say about Ohio? Why?'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from index.errors import InvalidInputError

__all__ = ["MAX_QUESTION_CHARS", "clean_question", "followup_query", "is_followup"]

MAX_QUESTION_CHARS = 2000
_FOLLOWUP_START = re.compile(
    r"^(and|but|also|what about|how about|and what|what of|why|how so|same for|then)\b", re.I
)
_NAME = re.compile(r"\b[A-Z][\w’'-]*")
_NOT_NAMES = frozenset({"And", "But", "What", "How", "Why", "When", "Who", "Which", "I", "Mr"})
_PRONOUN = re.compile(r"\b(it|its|they|them|their|that|this|those|these|he|she|him|her)\b", re.I)


def clean_question(question: object) -> str:
    """The question with control characters removed and space folded; checked for sense."""
    if not isinstance(question, str):
        raise InvalidInputError(f"the question must be text, not {type(question).__name__}")
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in question)
    text = " ".join(kept.split())
    if not text:
        raise InvalidInputError("the question is empty; type a question about the transcript")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidInputError(
            f"the question is {len(text):,} characters long; keep it under "
            f"{MAX_QUESTION_CHARS:,} (ask about one thing at a time)"
        )
    return text


def is_followup(question: str) -> bool:
    """Whether a short question leans on an earlier one ("And Texas?", "Why did he say that?")."""
    words = question.split()
    return len(words) <= 8 and bool(_FOLLOWUP_START.match(question) or _PRONOUN.search(question))


def _names(text: str) -> list[str]:
    """Capitalised words after the first: the question's named subjects."""
    words = _NAME.findall(text)
    return [w for i, w in enumerate(words) if i > 0 and w not in _NOT_NAMES]


def _without_names(text: str) -> str:
    first, _, rest = text.partition(" ")
    for name in set(_names(text)):
        rest = re.sub(rf"\b{re.escape(name)}\b", "", rest)
    return re.sub(r"\s+([?.!,])", r"\1", " ".join(f"{first} {rest}".split()))


def followup_query(question: str, history: Sequence[str]) -> str:
    """The text to search with: a follow-up carries the previous question along.

    When the follow-up names its own subject ("And what about Texas?"), the
    earlier question's subject ("Ohio") is dropped and its frame kept.
    """
    earlier = [h for h in history if isinstance(h, str) and h.strip()]
    if not earlier or not is_followup(question):
        return question
    previous = clean_question(earlier[-1])
    if _names(question):
        previous = _without_names(previous)
    return f"{previous} {question}"
