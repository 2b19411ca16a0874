"""Questions and answers told by the turns themselves, when no label says which is which.

Hearings and press conferences label the asker ("Question:"); earnings calls,
interviews and panels name everyone. There a speaker whose turns mostly ask
something is an asker: each of their turns that asks opens an exchange, and the
turns of other speakers that follow answer it until the next question. The
principal speaker (the one who speaks most) is never an asker, and a turn that
only hands over ("… Rafael?") does not make its speaker one. A speaker whose
turns inside the exchanges hand the floor to the next asker (an operator,
a moderator) is the chair, not an answerer.

    >>> from index.parse import parse_document
    >>> text = ("Ann Lee: Welcome. Our results were strong.\\n"
    ...         "Bo Chan: Thanks. What drove the margin?\\n"
    ...         "Ann Lee: Pricing. Costs also fell.\\n"
    ...         "Cy Dee: And the outlook for next year?\\n"
    ...         "Ann Lee: Steady growth.")
    >>> doc = parse_document(doc_id="d", text=text, path="", sha256="")
    >>> [(t.speaker, t.role, t.exchange_id) for t in doc.turns]
    [('Ann Lee', 'statement', None), ('Bo Chan', 'question', 1), ('Ann Lee', 'answer', 1), \
('Cy Dee', 'question', 2), ('Ann Lee', 'answer', 2)]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise

from index.documents import Turn

__all__ = ["infer_exchanges"]

_ASKING_SHARE = 1 / 2  # of a speaker's turns that ask, to count them as an asker
_CHAIR_SHARE = 3 / 4  # of a speaker's answers that hand over to an asker, for the chair
_QUESTION_END = re.compile(r"\?[\"'”’)\]]*\s*$", re.MULTILINE)


def _asks(text: str) -> bool:
    """Whether a turn asks: a sentence (or line) of it ends with a question mark."""
    return bool(_QUESTION_END.search(text)) or "? " in text


def _askers(turns: tuple[Turn, ...], text: str) -> frozenset[str]:
    named = [t for t in turns if t.role == "statement"]
    counts = Counter(t.speaker for t in named)
    if len(counts) < 2:
        return frozenset()
    spoken: Counter[str] = Counter()
    for t in named:  # by words said, not turns: a chair takes many short turns
        spoken[t.speaker] += t.end - t.start
    principal = spoken.most_common(1)[0][0]
    asking = Counter(t.speaker for t in named if _asks(text[t.start : t.end]))
    return frozenset(s for s, n in asking.items()
                     if s != principal and n / counts[s] >= _ASKING_SHARE)


def infer_exchanges(turns: tuple[Turn, ...], text: str) -> tuple[Turn, ...]:
    """``turns`` with questions and answers marked, where no turn is labelled a question
    already (labelled transcripts keep their structure as parsed)."""
    if any(t.role == "question" for t in turns):
        return turns
    askers = _askers(turns, text)
    if not askers:
        return turns
    out: list[Turn] = []
    exchange, question = 0, None
    for t in turns:
        if t.speaker in askers and _asks(text[t.start : t.end]):
            exchange += 1
            question = t.index
            out.append(replace(t, role="question", exchange_id=exchange))
        elif question is not None and t.role == "statement" and t.speaker not in askers:
            out.append(replace(t, role="answer", exchange_id=exchange, question_turn=question))
        else:
            out.append(t)
    return _chairs(out, askers)


def _chairs(turns: list[Turn], askers: frozenset[str]) -> tuple[Turn, ...]:
    """``turns`` with the chair's turns marked: nearly all of a speaker's answers (two or
    more) hand over to an asker; the chair's closing word is one of the rest."""
    answers = Counter(t.speaker for t in turns if t.role == "answer")
    leading = Counter(t.speaker for t, nxt in pairwise(turns)
                      if t.role == "answer" and nxt.speaker in askers)
    chairs = {s for s, n in leading.items()
              if n >= 2 and n >= min(_CHAIR_SHARE * answers[s], answers[s] - 1)}
    return tuple(replace(t, role="chair", exchange_id=None, question_turn=None)
                 if t.role == "answer" and t.speaker in chairs else t for t in turns)
