"""Candidate answer sentences of the retrieved passages, scored against the question.

A sentence's score adds its embedding similarity to the question (vectors come
precomputed from the index), the share of the question's content words it
holds (words of the question it answers count half), whether it brings the
kind of answer wanted, and a small prior for the passage's rank.

    >>> overlap_score("Which embassies open in Africa?", "Embassies will open in Africa.")
    1.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.documents import Document
from index.sentvec import SentenceTable
from qa.intent import answer_kind, asks_about_questioner, brings_kind
from qa.types import Passage

__all__ = ["Candidate", "ScoreWeights", "content_words", "overlap_score", "score_candidates"]

_WORD = re.compile(r"[\w’']+")
_STOPWORDS = frozenset(
    """
    a an the of to in on at for by with from and or but is are was were be been being do does
    did what which who whom whose when where why how that this these those it its he she they
    them his her their our we you your i me my mr ms will would could should can may might shall
    has have had about as into than then there here any some all not no so if also did say said
    tell lavrov sergey minister russia russian according view think believe
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class ScoreWeights:
    """How a sentence's signals add up (chosen on the dev split)."""

    dense: float = 0.6
    overlap: float = 0.4
    rank: float = 0.05
    kind: float = 0.1
    question_turn: float = 0.15


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with its scores."""

    doc_id: str
    start: int
    end: int
    turn: int
    passage_rank: int
    dense: float
    overlap: float
    brings_kind: bool
    score: float


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Stemmed words of ``text`` that carry meaning (cut to 5 letters: Tajik ~ Tajikistan)."""
    return {_stem(w)[:5] for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and len(w) > 1}


def overlap_score(question: str, sentence: str, context: str = "") -> float:
    """Share of the question's content words that the sentence holds.

    Words found only in ``context`` (the question a sentence answers) count half.
    """
    wanted = content_words(question)
    if not wanted:
        return 0.0
    own = wanted & content_words(sentence)
    borrowed = (wanted & content_words(context)) - own if context else set()
    return (len(own) + 0.5 * len(borrowed)) / len(wanted)


def question_context(doc: Document, turn_index: int) -> str:
    """The text of the question that turn ``turn_index`` answers ("" for other turns)."""
    turn = doc.turns[turn_index]
    if turn.question_turn is None:
        return ""
    asked = doc.turns[turn.question_turn]
    return doc.text[asked.start : asked.end]


def _rows(passages: Sequence[Passage], table: SentenceTable) -> list[tuple[int, int]]:
    """(sentence row, rank of the first passage holding it), in passage order."""
    seen: dict[int, int] = {}
    for rank, p in enumerate(passages):
        for row in table.within(p.doc_id, p.start, p.end):
            seen.setdefault(row, rank)
    return list(seen.items())


def score_candidates(
    question: str,
    qvec: np.ndarray,
    passages: Sequence[Passage],
    docs: Mapping[str, Document],
    table: SentenceTable,
    weights: ScoreWeights | None = None,
) -> list[Candidate]:
    """Every sentence of ``passages`` scored against ``question``, best first."""
    w = weights or ScoreWeights()
    kind = answer_kind(question)
    penalise_questions = kind != "speaker" and not asks_about_questioner(question)
    out = []
    for row, rank in _rows(passages, table):
        doc_id, s, e = table.spans[row]
        doc = docs[doc_id]
        turn = doc.turn_at(s)
        t = turn.index if turn else 0
        text = doc.text[s:e]
        cos = float(table.vectors[row] @ qvec)
        lap = overlap_score(question, text, question_context(doc, t) if turn else "")
        has = kind is not None and brings_kind(kind, question, text)
        score = w.dense * cos + w.overlap * lap + w.rank / (1 + rank) + (w.kind if has else 0.0)
        if penalise_questions and turn is not None and turn.role == "question":
            score -= w.question_turn
        out.append(Candidate(doc_id, s, e, t, rank, cos, lap, has, score))
    return sorted(out, key=lambda c: (-c.score, c.doc_id, c.start))
