"""The short answer inside a quote: the entity, count, sum or list a question asks for.

"How many new plants has the company opened?" is answered by "three new plants"
inside "We have opened three new plants in Ohio …": the number is an entity
of the wanted kind (from the index's stored parse) and the noun it counts is the
question's focus. Entities keep their qualifiers ("more than 6,000"). Several
equally good candidates give no short answer: which one is meant takes reading,
and the quote has them all. Spans are offsets into the sentence, so the short
answer is as verbatim as the quote.

    >>> from index.nlp import analyse_texts
    >>> from qa.question import analyse
    >>> s = "We have opened three new plants in Ohio and plan to open seven more."
    >>> info = analyse_texts([s])[0][0]
    >>> a, b = short_span(analyse("How many new plants has the company opened?"), info, s)
    >>> s[a:b]
    'three new plants'
    >>> total_of(analyse("How many plants in total?"), info, s)
    (10, ['three new plants', 'seven more'])
"""

from __future__ import annotations

import re

from index.nlp import Entity, SentenceInfo
from index.terms import stem, terms, words
from qa.question import Kind, QuestionAnalysis

__all__ = ["asked_already", "counting_entities", "list_span", "number_value", "short_span",
           "total_of"]

_NUMBERS = dict(
    zip(
        [
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen", "twenty",
        ],
        range(1, 21),
        strict=True,
    )
) | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
     "ninety": 90, "hundred": 100, "dozen": 12}
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_AGAIN = frozenset({"more", "additional", "other", "others", "further", "new"})
_NEAR = 5  # words either side of an entity that say what it is about
_ITEM_WORDS = 6  # a list item longer than this is a clause, not an item
_DAY = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)")
_YEAR = re.compile(r"\b\d{4}s?\b")
_YEAR_STEM = stem("year")


def asked_already(q: QuestionAnalysis, span: str, label: str = "") -> bool:
    """Whether the question names this thing itself: its words are all in the question, or,
    for a person, the surname is ("Jane Smith's" for a question about "Smith's team"; a
    body's last word is a common noun: "Norvik Telecom" answers "which telecom"). What was
    asked about is never the answer.

    >>> from qa.question import analyse
    >>> asked_already(analyse("What did Smith's team want?"), "Jane Smith’s", "PERSON")
    True
    """
    if span.lower() in q.text.lower():
        return True
    own, asked = terms(span), terms(q.text)
    if own and own <= asked:
        return True
    last = words(span)[-1:] if label == "PERSON" else []
    return bool(last) and stem(last[0]) in asked


def number_value(text: str) -> int | None:
    """The whole number a count starts with ("seven more" → 7, "1,200 people" → 1200)."""
    first = text.split()[0].lower() if text.split() else ""
    if _DIGITS.fullmatch(first):
        return int(first.replace(",", ""))
    return _NUMBERS.get(first)


def _counts_focus(q: QuestionAnalysis, e: Entity, text: str) -> bool:
    if e.head_start < 0 or not q.focus_stems:
        return False
    return stem(text[e.head_start : e.head_end]) in q.focus_stems


def counting_entities(
    q: QuestionAnalysis, info: SentenceInfo, text: str
) -> list[tuple[int, int]]:
    """Spans of the numbers that count the question's focus, through the counted noun
    ("three new plants"), and of those counting it again ("seven more")."""
    out = []
    for e in info.entities:
        counts = e.label in ("CARDINAL", "QUANTITY", "MONEY")
        if not counts or asked_already(q, text[e.start : e.end], e.label):
            continue
        if _counts_focus(q, e, text):
            out.append((e.start, e.head_end))
        elif (after := words(text[e.end : e.end + 12])[:1]) and after[0] in _AGAIN:
            out.append((e.start, e.end + text[e.end :].lower().index(after[0]) + len(after[0])))
    return out


def total_of(q: QuestionAnalysis, info: SentenceInfo, text: str) -> tuple[int, list[str]] | None:
    """The sum of the counts of the focus in the sentence and the counts added, when the
    question asks for a total and there are two or more plain counts."""
    if not q.total:
        return None
    counts = [text[a:b] for a, b in counting_entities(q, info, text)]
    values = [number_value(c) for c in counts]
    if len(counts) < 2 or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None), counts


def _closeness(q: QuestionAnalysis, e: Entity, text: str) -> float:
    """How well an entity sits with what the question names: its verb, nearby words."""
    before = " ".join(text[: e.start].split()[-_NEAR:])
    after = " ".join(text[e.end :].split()[:_NEAR])
    near = terms(f"{before} {after}")
    score = len(near & (q.terms | q.focus_stems)) / max(1, len(q.terms))
    return score + (0.5 if q.verb and stem(e.governor) == q.verb else 0.0)


def _wanted(q: QuestionAnalysis, info: SentenceInfo, text: str) -> list[Entity]:
    found = [e for e in info.entities
             if e.label in q.labels and not asked_already(q, text[e.start : e.end], e.label)]
    if q.kind is Kind.DATE and q.exact:
        found = [e for e in found if _DAY.search(text[e.start : e.end])]
    elif q.kind is Kind.DATE and _YEAR_STEM in q.focus_stems:
        found = [e for e in found if _YEAR.search(text[e.start : e.end])]  # "in what year"
    if q.kind is Kind.PERSON:
        # a people ("the Danes") is no answer to "who"; a person comes before a body
        found = [e for e in found if e.label != "NORP"]
        if any(e.label == "PERSON" for e in found):
            found = [e for e in found if e.label == "PERSON"]
    return found


def short_span(q: QuestionAnalysis, info: SentenceInfo, text: str) -> tuple[int, int] | None:
    """Offsets in the sentence ``text`` of the short answer to ``q``, or None when there is
    no thing of the wanted kind to pick out with confidence."""
    if q.is_list:
        return list_span(q, info, text)
    if not q.labels or q.polar:
        return None
    if q.kind in (Kind.NUMBER, Kind.MONEY):
        counting = [s for s in counting_entities(q, info, text)
                    if words(text[s[0] : s[1]])[-1] not in _AGAIN]
        if len(counting) == 1:
            return counting[0]
    found = _wanted(q, info, text)
    if q.kind in (Kind.NUMBER, Kind.MONEY) and q.focus_stems:
        # a number counting another noun ("120 countries" for "how many members") is no answer
        found = [e for e in found if e.head_start < 0]
    if len(found) <= 1:
        return (found[0].start, found[0].end) if found else None
    ranked = sorted(found, key=lambda e: -_closeness(q, e, text))
    best, second = (_closeness(q, e, text) for e in ranked[:2])
    return (ranked[0].start, ranked[0].end) if best > second else None


def list_span(q: QuestionAnalysis, info: SentenceInfo, text: str) -> tuple[int, int] | None:
    """The span from the first to the last item of the sentence's best list: the one with
    most items new to the question, entities of the wanted kind counting double."""
    wanted = {(e.start, e.end) for e in info.entities if e.label in q.labels}

    def worth(group: tuple[tuple[int, int], ...]) -> float:
        if any(len(text[s:e].split()) > _ITEM_WORDS for s, e in group):
            return 0.0
        new = [s for s in group if not asked_already(q, text[s[0] : s[1]])]
        return len(new) + sum(1 for s in new if s in wanted) if len(new) >= 2 else 0.0

    groups = sorted(info.lists, key=worth, reverse=True)
    if not groups or worth(groups[0]) == 0:
        return None
    return groups[0][0][0], groups[0][-1][1]
