"""Questions that ask two things, split into parts that are answered one by one.

"When was the meeting, and where?" asks for a date and a place; the sentence
that holds the one rarely holds the other. Each part is answered on its own
and the answers are joined, so every part gets its own quote.

    >>> split_question("When was the last 3+3 meeting, and where?")
    ['When was the last 3+3 meeting?', 'Where was the last 3+3 meeting?']
    >>> split_question("What did he do in Ohio and in the Great Plains?")
    ['What did he do in Ohio?', 'What did he do in the Great Plains?']
    >>> split_question("Which pact do Spain and Peru have?")
    ['Which pact do Spain and Peru have?']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa.types import Answer, Citation, Passage

__all__ = ["interleave", "join_answers", "part_queries", "split_question"]

_WH = r"what|where|when|who|whom|why|how|which"
_CLAUSE = re.compile(rf"^(?P<first>.+?),?\s+and\s+(?P<second>(?:{_WH})\b.*)$", re.I)
_LEAD_PREP = r"(?:(?:in|on|at|for|by|from|to|with|under|since) )?"  # "In how many …"
_LEAD_WH = re.compile(rf"^\s*{_LEAD_PREP}(?:{_WH})\b\s*", re.I)
_PREP = r"in|on|at|for|with|to|about|from|over|towards?"
_TWO_PLACES = re.compile(
    rf"^(?P<frame>.+?\b(?P<prep>{_PREP}))\s+(?P<a>[^,?]+?)\s+and\s+(?P=prep)\s+(?P<b>[^,?]+?)"
    r"(?P<tail>(?:[,;][^?]*)?)\?*$",
    re.I,
)


def _question(text: str) -> str:
    text = text.strip().rstrip("?,;. ")
    return text[:1].upper() + text[1:] + "?"


def split_question(question: str) -> list[str]:
    """The parts of a question that asks several things; ``[question]`` when it asks one."""
    found = _CLAUSE.match(question.strip())
    if found and _LEAD_WH.match(found.group("first")) and len(found.group("first").split()) > 2:
        first, second = found.group("first"), found.group("second").strip().rstrip("?")
        if _LEAD_WH.fullmatch(second):  # "…, and where?": the same frame, another wh-word
            second = f"{second} {_LEAD_WH.sub('', first, count=1)}"
        return [_question(first), _question(second)]
    found = _TWO_PLACES.match(question.strip())
    if found:
        frame, tail = found.group("frame"), found.group("tail")
        return [_question(f"{frame} {found.group(part)}{tail}") for part in ("a", "b")]
    return [question]


def part_queries(question: str) -> list[tuple[str, str]]:
    """Each part of ``question`` with the text to search for it; a later part carries the
    first along, since it leans on it ("…, and what has the city promised it?").

        >>> part_queries("Which country stayed away, and what was it promised?")[1]
        ('What was it promised?', 'Which country stayed away? What was it promised?')
    """
    parts = split_question(question)
    return [(p, p if i == 0 else f"{parts[0]} {p}") for i, p in enumerate(parts)]


def interleave(rankings: Sequence[Sequence[Passage]], k: int) -> list[Passage]:
    """The first of each ranking, then the second of each …, without repeats, ``k`` at most.

        >>> p = [Passage("d", i, i + 1, "x", 1.0, "S", chunk_id=str(i)) for i in range(4)]
        >>> [x.start for x in interleave([[p[0], p[1]], [p[2], p[0], p[3]]], 3)]
        [0, 2, 1]
    """
    out: dict[tuple[str, int, int], Passage] = {}
    for rank in range(max((len(r) for r in rankings), default=0)):
        for ranking in rankings:
            if rank < len(ranking) and len(out) < k:
                p = ranking[rank]
                out.setdefault((p.doc_id, p.start, p.end), p)
    return list(out.values())


def _contains(outer: Citation, inner: Citation) -> bool:
    return outer.doc_id == inner.doc_id and outer.start <= inner.start and inner.end <= outer.end


def _citations(answers: Sequence[Answer]) -> list[Citation]:
    """Every part's citations once, a quote inside another dropped, in reading order."""
    cites = [c for a in answers for c in a.citations]
    kept = [
        c
        for i, c in enumerate(cites)
        if not any(_contains(o, c) and (o != c or j < i) for j, o in enumerate(cites) if j != i)
    ]
    return sorted(kept, key=lambda c: (c.doc_id, c.start))


def _passages(answers: Sequence[Answer]) -> list[Passage]:
    seen: dict[tuple[str, int, int], Passage] = {}
    for a in answers:
        for p in a.passages:
            seen.setdefault((p.doc_id, p.start, p.end), p)
    return list(seen.values())


def join_answers(question: str, answers: Sequence[Answer]) -> Answer:
    """One answer to ``question`` from the answers to its parts.

    It abstains only when every part does; its confidence is that of its weakest
    answered part, since a wrong part makes the whole answer wrong.
    """
    answered = [a for a in answers if not a.abstained]
    if not answered:
        weakest = min(answers, key=lambda a: a.confidence)
        return replace(weakest, question=question, passages=_passages(answers))
    texts: list[str] = []
    quoted: list[Citation] = []
    for a in answered:  # a part whose quotes an earlier part already gave adds nothing
        if not quoted or any(not any(_contains(q, c) for q in quoted) for c in a.citations):
            texts.append(a.text)
        quoted += a.citations
    return Answer(
        question=question,
        text=" … ".join(texts),
        abstained=False,
        confidence=min(a.confidence for a in answered),
        citations=_citations(answered),
        passages=_passages(answers),
    )
