"""The short answer inside a quote: the number, sum or date a question asks for.

"How many new embassies has Russia opened in Africa?" is answered by "three new
embassies" inside the quote "We have opened three new embassies in Africa …".
Only kinds that can be picked out reliably get one (numbers, sums, dates); for
the rest the quote itself is the answer: a capitalised phrase may be a person, a
place or a festival, and a pattern cannot tell which. Spans are offsets into the
sentence, so the short answer is as verbatim as the quote.

    >>> s = "We have opened three new embassies in Africa and plan to open seven more."
    >>> start, end = short_span("How many new embassies has Russia opened?", s)
    >>> s[start:end]
    'three new embassies'
    >>> start, end = short_span("How many embassies will Russia open?", s)
    >>> s[start:end]
    'seven more'
    >>> s = "It was signed on July 14, 2023, in Moscow."
    >>> start, end = short_span("When was it signed?", s)
    >>> s[start:end]
    'July 14, 2023'
"""

from __future__ import annotations

import re

from qa.candidates import content_words
from qa.focus import focus_head, with_synonyms
from qa.intent import CARDINALS, MONTHS, YEAR, answer_kind

__all__ = ["counted_spans", "short_span"]

_DATE = re.compile(
    rf"\b(?:(?:{MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?(?:, \d{{4}})?|"
    rf"\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{MONTHS})(?: \d{{4}})?|"
    rf"(?:{MONTHS}) \d{{4}}|(?:19|20)\d\d)\b"
)
_EXACT = re.compile(rf"\b(?:{MONTHS}) \d{{1,2}}|\d{{1,2}} (?:{MONTHS})\b")
_NUM = rf"(?:\d[\d,.]*\d|\d|{CARDINALS}|a hundred|hundreds|a thousand|thousands|dozens)"
_SCALE = r"(?: (?:hundred|thousand|million|billion|trillion))?"
# "four out of the five states": the count is the four, the five only its whole
_COUNT = re.compile(
    rf"(?:[$€£] ?|\b){_NUM}{_SCALE}(?: (?:to|or|and|-|–|out of(?: the)?) {_NUM}{_SCALE})?"
    r"(?: ?(?:per ?cent|percent|%|roubles?|rubles?|dollars?|euros?|yuan))?\b",
    re.I,
)
_WORD = re.compile(r"[\w’'-]+")
_MORE = re.compile(r" (?:more|others|additional)\b")
_FOLLOW = 3  # words after a number that may name what it counts
# a question about what is still to come ("how many will open", "how many more")
_AHEAD = re.compile(r"\b(?:will|plan(?:s|ned)?|going to|more)\b", re.I)


def _novel(match: re.Match[str], question: str) -> bool:
    return match.group(0).lower() not in question.lower()


def _with_counted_noun(sentence: str, end: int, head: frozenset[str]) -> int:
    """End of the span through the counted noun when it follows within a few words, else -1."""
    pos = end
    for i, word in enumerate(_WORD.finditer(sentence, end)):
        if i >= _FOLLOW or sentence[pos : word.start()].strip():
            return -1  # too far, or punctuation ends the noun phrase
        if content_words(word.group(0)) & head:
            return word.end()
        pos = word.end()
    return -1


def counted_spans(
    question: str, sentence: str, *, more: bool = False
) -> list[tuple[int, int]]:
    """Spans of the new numbers in ``sentence`` that count the question's thing, with its
    noun ("three new embassies"); with ``more``, also "seven more" (which counts it again:
    a total adds it, a short answer does not pick between the two).

        >>> s = "We opened three new embassies and plan seven more within two years."
        >>> [s[a:b] for a, b in counted_spans("How many embassies?", s, more=True)]
        ['three new embassies', 'seven more']
    """
    head = with_synonyms(focus_head(question))
    spans = []
    for m in _COUNT.finditer(sentence):
        if not _novel(m, question):
            continue
        if head and (stop := _with_counted_noun(sentence, m.end(), head)) > 0:
            spans.append((m.start(), stop))
        elif more and (again := _MORE.match(sentence, m.end())):
            spans.append((m.start(), again.end()))
    return spans


def _count(question: str, sentence: str) -> tuple[int, int] | None:
    """The number that counts the thing asked, with its noun; a lone number if only one.

    A sentence with two counts of the thing ("234 stations abroad, only two in Russia")
    gets no short answer: which one is meant takes reading, and the quote has both.
    """
    spans = counted_spans(question, sentence)
    if spans and _AHEAD.search(question):
        # "how many will open": "three opened … seven more planned" answers with the seven
        ahead = [s for s in counted_spans(question, sentence, more=True) if s not in spans]
        if len(ahead) == 1:
            return ahead[0]
    if spans:
        return spans[0] if len(spans) == 1 else None
    lone = _only(_COUNT, question, sentence)
    # a lone year ("in 2024") dates something; it is no answer to "how many"
    return None if lone and YEAR.fullmatch(sentence[lone[0] : lone[1]]) else lone


def _only(pattern: re.Pattern[str], question: str, sentence: str) -> tuple[int, int] | None:
    """The one new match of ``pattern``; None when there are several ("since 2021 … the last
    one in October 2024": which date is meant takes reading)."""
    found = [m for m in pattern.finditer(sentence) if _novel(m, question)]
    return (found[0].start(), found[0].end()) if len(found) == 1 else None


def short_span(question: str, sentence: str) -> tuple[int, int] | None:
    """Offsets in ``sentence`` of the short answer to ``question``, or None when there is
    no thing of the wanted kind to pick out with confidence."""
    kind = answer_kind(question)
    if kind in ("number", "money"):
        return _count(question, sentence)
    if kind == "exact_date":
        return _only(_DATE, question, sentence) if _EXACT.search(sentence) else None
    if kind == "date":
        return _only(_DATE, question, sentence)
    return None
