"""Sentence spans with character offsets, from spaCy's parse (:mod:`index.nlp`).

A line break always ends a sentence (transcripts put paragraphs on lines); within
a line the parser decides, so "Mr. Smith" or "5 p.m." do not end one. Each line
is parsed once per process and cached by its text: the chunker, the sentence
table and the stored linguistics all read the same parse. A build parses its
documents in bulk first (:func:`prepare`), which is several times faster than
line by line.

    >>> text = "Mr. Smith came. He left!\\nThen?"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Mr. Smith came.', 'He left!', 'Then?']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.nlp import SentenceInfo, analyse_texts

__all__ = ["prepare", "sentence_infos", "sentence_spans"]

_LINE = re.compile(r"[^\r\n]+")
_CACHE: dict[str, tuple[SentenceInfo, ...]] = {}
_CACHE_LIMIT = 400_000  # lines; a whole 12 MB archive is about 60,000


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-blank pieces of the lines in ``text[start:end]``, without outer spaces."""
    out = []
    for line in _LINE.finditer(text, start, end):
        s, e = line.start(), line.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _analyse(pieces: list[str]) -> None:
    todo = list(dict.fromkeys(p for p in pieces if p not in _CACHE))
    if not todo:
        return
    if len(_CACHE) + len(todo) > _CACHE_LIMIT:
        _CACHE.clear()
    for piece, sents in zip(todo, analyse_texts(todo), strict=True):
        _CACHE[piece] = tuple(sents) or (SentenceInfo(0, len(piece), surface=piece),)


def prepare(ranges: Iterable[tuple[str, int, int]]) -> None:
    """Parse every line of the ``(text, start, end)`` ranges now, in bulk."""
    pieces = [text[s:e] for text, start, end in ranges for s, e in _segments(text, start, end)]
    _analyse(pieces)


def sentence_infos(text: str, start: int = 0, end: int | None = None) -> list[SentenceInfo]:
    """Every sentence of ``text[start:end]`` with its analysis, offsets into ``text``."""
    stop = len(text) if end is None else end
    segments = _segments(text, start, stop)
    _analyse([text[s:e] for s, e in segments])
    return [info.shifted(s) for s, e in segments for info in _CACHE[text[s:e]]]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-empty sentence in ``text[start:end]``."""
    return [(i.start, i.end) for i in sentence_infos(text, start, end)]
