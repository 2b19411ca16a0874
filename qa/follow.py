"""Sentences that join an answer because of what the chosen ones say, not their scores.

A chosen sentence may promise what follows it in the same turn: after a colon the
list or statement it announces ("I urge three measures:"), after a question asked
inside a statement its answer ("What would make you buy more? Three things."), for
a list question the items of a count it names unlisted ("the five priorities I set
out"). And
a "why" answered by sentences that give no reason takes the reason the speaker goes
on to give ("We stopped the program. Its returns did not clear the hurdle, so …").
These sentences join whether or not retrieval scored them.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.evidence import AnswerContext, Candidate
from qa.question import Kind
from qa.short import number_value

__all__ = ["following"]

_ANNOUNCED = 3  # sentences a colon may announce
_ANSWERED = 2  # sentences that may answer a question asked inside a statement
_MAX_COUNT = 12  # a larger count is a figure, not a promise of items
# determiners that point to a known set ("the five priorities"), closed-class English
_POINTING = frozenset({"the", "these", "those", "our", "my", "its", "their", "following"})
_REASON_AHEAD = 3  # sentences ahead in which a "why" may find the reason given


def _text(ctx: AnswerContext, c: Candidate) -> str:
    return ctx.docs[c.doc_id].text[c.start : c.end]


def _announces(ctx: AnswerContext, c: Candidate) -> int:
    """How many of the next sentences of its turn a chosen sentence promises."""
    text = _text(ctx, c).rstrip()
    if text.endswith(":"):
        return _ANNOUNCED
    turns = ctx.docs[c.doc_id].turns
    if text.endswith("?") and turns and turns[c.turn].role != "question" and not ctx.q.asks:
        return _ANSWERED
    return min(_counted(ctx, c, text), _ANNOUNCED)


def _counted(ctx: AnswerContext, c: Candidate, text: str) -> int:
    """For a list question, the count a sentence names without listing: a set it points
    to ("the five priorities I set out", "a four-part plan") has its items in what
    follows; a bare count reports a figure ("we opened three embassies")."""
    if not ctx.q.is_list or c.info is None or c.info.lists:
        return 0
    for e in c.info.entities:
        said = text[e.start : e.end]
        before = text[: e.start].split()[-1:]
        pointed = "-" in text[e.start : e.end + 1] or (before and before[0].lower() in _POINTING)
        n = number_value(said.replace("-", " ")) if e.label == "CARDINAL" and pointed else None
        if n is not None and 2 <= n <= _MAX_COUNT:
            return n
    return 0


def _after(ctx: AnswerContext, c: Candidate, n: int) -> list[Candidate]:
    """Up to ``n`` sentences after ``c`` in its turn, as candidates."""
    out: list[Candidate] = []
    if c.row < 0:
        return out
    doc = ctx.docs[c.doc_id]
    for row in range(c.row + 1, min(c.row + 1 + n, len(ctx.table))):
        doc_id, start, end = ctx.table.spans[row]
        turn = doc.turn_at(start)
        if doc_id != c.doc_id or turn is None or turn.index != c.turn:
            break
        _, info = ctx.sentence(row)
        out.append(Candidate(doc_id, start, end, c.turn, c.passage_rank, 0.0, 0.0,
                             False, 0.0, (), info, row))
    return out


def _reason_after(ctx: AnswerContext, chosen: Sequence[Candidate],
                  last: Candidate) -> list[Candidate]:
    """For a "why" none of whose chosen sentences gives a reason: the first sentence
    giving one a little further on in the last chosen sentence's turn."""
    if ctx.q.kind is not Kind.REASON or any(c.info is not None and c.info.reason
                                            for c in chosen):
        return []
    ahead = _after(ctx, last, _REASON_AHEAD)
    return next(([c] for c in ahead if c.info is not None and c.info.reason), [])


def following(ctx: AnswerContext, core: Candidate, chosen: Sequence[Candidate]) -> list[Candidate]:
    """The sentences the chosen ones bring with them (see the module's text)."""
    last = max((c for c in chosen if c.doc_id == core.doc_id and c.turn == core.turn),
               key=lambda c: c.start, default=core)
    out = _after(ctx, core, _announces(ctx, core))
    if last is not core:
        out += _after(ctx, last, _announces(ctx, last))
    return out + _reason_after(ctx, chosen, last)
