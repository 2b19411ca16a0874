"""Sentence spans with character offsets, by a small rule-based splitter.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes or
brackets) before white space and a capital, digit or opening quote, unless the
word before the stop is a known abbreviation ("Mr.", "U.S.") or an initial.
Line breaks always end a sentence: transcripts put paragraphs on lines.

    >>> text = "Mr. Smith came. He left! Then?"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Mr. Smith came.', 'He left!', 'Then?']
"""

from __future__ import annotations

import re

__all__ = ["sentence_spans"]

_ABBREV = frozenset(
    """
    mr mrs ms dr prof st jr sr gen col lt sgt rev hon sen rep gov pres vs etc e.g i.e no nos
    inc ltd co corp dept est approx fig u.s u.k u.n a.m p.m jan feb mar apr jun jul aug sep
    sept oct nov dec
    """.split()  # noqa: SIM905
)
_STOP = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9А-ЯЁ])")
_LINE = re.compile(r"[^\r\n]+")


def _ends_sentence(text: str, stop: int, line_start: int) -> bool:
    if text[stop] != ".":
        return True
    word_start = stop
    while word_start > line_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:stop].lower().strip("\"'“‘([")
    if word in _ABBREV:
        return False
    return not (len(word) == 1 and word.isalpha())


def _line_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _STOP.finditer(text, start, end):
        if _ends_sentence(text, match.start(), start):
            spans.append((cursor, match.end()))
            cursor = match.end()
    spans.append((cursor, end))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-empty sentence in ``text[start:end]``."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, stop):
        for s, e in _line_sentences(text, line.start(), line.end()):
            s, e = _strip(text, s, e)
            if e > s:
                spans.append((s, e))
    return spans
