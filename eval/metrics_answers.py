"""Answer metrics in the SQuAD tradition: normalize, then exact match, token F1, containment.

Every scorer takes one prediction and the gold item's acceptable answers and keeps
the best score over them.

    >>> s = score_answer("The Second African Department.", ["Second African Department"])
    >>> s.exact_match, s.token_f1, s.contains
    (1.0, 1.0, 1.0)
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AnswerScore",
    "answer_words",
    "contains_answer",
    "exact_match",
    "normalize_answer",
    "score_answer",
    "token_f1",
]

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}]")
_ARTICLES = frozenset({"a", "an", "the"})
_SMALL = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)
_TENS = ("thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBERS = (
    {w: str(i) for i, w in enumerate(_SMALL)}
    | {w: str(30 + 10 * i) for i, w in enumerate(_TENS)}
    | {"hundred": "100", "dozen": "12"}
)


@dataclass(frozen=True)
class AnswerScore:
    """Best scores of one prediction against its acceptable answers."""

    exact_match: float
    token_f1: float
    contains: float
    best_answer: str  # the acceptable answer that gave the best token F1


def normalize_answer(text: str) -> str:
    """Lowercase, fold quotes/dashes and number words, drop punctuation and articles.

    Thousands separators vanish ("200,000" → "200000"), decimal points between digits
    stay, other punctuation becomes a space.

        >>> normalize_answer("  The Comoros, Niger – and SEVEN more (200,000’s)! ")
        'comoros niger and 7 more 200000 s'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL.sub("\0", text)
    text = _PUNCT.sub(" ", text).replace("\0", ".")
    words = [_NUMBERS.get(w, w) for w in text.split() if w not in _ARTICLES]
    return " ".join(words)


def _best(scores: Sequence[float]) -> float:
    return max(scores, default=0.0)


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the normalized prediction equals some normalized answer.

        >>> exact_match("Seven", ["7", "seven embassies"])
        1.0
    """
    pred = normalize_answer(prediction)
    return _best([float(pred == normalize_answer(a)) for a in answers])


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)
    common = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred_tokens), common / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    """Best bag-of-tokens F1 between the normalized prediction and an answer.

        >>> round(token_f1("Mikhail Bogdanov, deputy minister", ["Bogdanov"]), 3)
        0.4
    """
    pred = normalize_answer(prediction).split()
    return _best([_f1(pred, normalize_answer(a).split()) for a in answers])


def contains_answer(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when some normalized answer appears in the normalized prediction as whole words.

    Whole words, so "7" is not found in "1970"; empty answers never match. A gold
    answer of several parts ("Georgia; a seat is kept for it") matches when every
    part appears, in any order: the parts of a multi-part answer come from different quotes.

        >>> contains_answer("He met Marco Rubio in Riyadh.", ["Rubio"])
        1.0
        >>> contains_answer("In 1970.", ["7"])
        0.0
        >>> contains_answer("A 3+1 format … a Kurdish quasi-state", ["Kurdish quasi-state; 3+1"])
        1.0
    """
    pred = f" {normalize_answer(prediction)} "
    golds = [[normalize_answer(p) for p in a.split(";")] for a in answers]
    return _best([float(all(f" {p} " in pred for p in g)) for g in golds if all(g)])


def answer_words(text: str) -> int:
    """Length of an answer in words, to watch verbosity.

        >>> answer_words("In Volgograd, on 7 November 2024.")
        6
    """
    return len(text.split())


def score_answer(prediction: str, answers: Sequence[str]) -> AnswerScore:
    """Exact match, token F1 and containment of one prediction at once."""
    f1s = [token_f1(prediction, [a]) for a in answers]
    best = max(range(len(f1s)), key=f1s.__getitem__) if f1s else -1
    return AnswerScore(
        exact_match=exact_match(prediction, answers),
        token_f1=f1s[best] if f1s else 0.0,
        contains=contains_answer(prediction, answers),
        best_answer=answers[best] if f1s else "",
    )
