"""Candidate answer sentences of the retrieved passages, scored against the question.

A sentence's score adds its embedding similarity to the question (vectors come
precomputed from the index), the share of the question's content words it
holds (words of the question it answers count half), whether it brings the
kind of answer wanted, and a small prior for the passage's rank.

    >>> overlap_score("Which embassies open in Africa?", "Embassies will open in Africa.")
    1.0
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.documents import Document, Turn
from index.sentvec import SentenceTable
from qa.intent import answer_kind, asks_about_questioner, brings_kind
from qa.types import Passage

__all__ = [
    "FEATURES",
    "AnswerContext",
    "Candidate",
    "ScoreWeights",
    "content_words",
    "overlap_score",
    "refers_back",
    "score_candidates",
]

_WORD = re.compile(r"[\w’']+(?:\+[\w’']+)*")
# a sentence opening like this goes on from the one before it
_ANAPHORA = re.compile(
    r"^(?:the latter|the former|this|that|these|those|such|it|he|she|they|therefore|hence|"
    r"thus|as a result|for this reason|consequently)\b|"
    r"^(?:\w+ ){1,3}(?:it|them|him|her)\b(?! (?:is|was|would be|will be|seems) )",
    re.I,
)
_STOPWORDS = frozenset(
    """
    a an the of to in on at for by with from and or but is are was were be been being do does
    did what which who whom whose when where why how that this these those it its he she they
    them his her their our we you your i me my mr ms will would could should can may might shall
    has have had about as into than then there here any some all not no so if also did say said
    tell lavrov sergey minister russia russian according view think believe
    """.split()  # noqa: SIM905
)


FEATURES = (
    "dense",
    "overlap",
    "own_overlap",
    "brings_kind",
    "question_turn",
    "rank_prior",
    "neighbour_dense",
)


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of a sentence's features (:data:`FEATURES`), last one the bias.

    Chosen on the dev split: ``python -m eval.tune --fit-ranker`` searches them for
    the best top-1 sentence, but the hand-set ones below answer more dev questions
    right once neighbouring sentences join the answer.
    """

    weights: tuple[float, ...] = (0.6, 0.6, 0.0, 0.2, -0.3, 0.05, 0.0, 0.0)

    def score(self, feats: tuple[float, ...]) -> float:
        return sum(w * f for w, f in zip(self.weights, feats, strict=False)) + self.weights[-1]


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
    features: tuple[float, ...] = ()


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """Stemmed words of ``text`` that carry meaning (cut to 5 letters: Tajik ~ Tajikistan).

    Cached: the same sentences come back question after question.
    """
    words = (w.lower().replace("’", "'").removesuffix("'s") for w in _WORD.findall(text))
    return frozenset(_stem(w)[:5] for w in words if w not in _STOPWORDS and len(w) > 1)


def overlap_score(question: str, sentence: str, context: str = "") -> float:
    """Share of the question's content words that the sentence holds.

    Words found only in ``context`` (the question a sentence answers) count half.
    """
    wanted = content_words(question)
    if not wanted:
        return 0.0
    own = wanted & content_words(sentence)
    borrowed = (wanted & content_words(context)) - own if context else frozenset()
    return (len(own) + 0.5 * len(borrowed)) / len(wanted)


def question_context(doc: Document, turn_index: int) -> str:
    """The text of the question that turn ``turn_index`` answers ("" for other turns)."""
    turn = doc.turns[turn_index]
    if turn.question_turn is None:
        return ""
    asked = doc.turns[turn.question_turn]
    return doc.text[asked.start : asked.end]


def refers_back(sentence: str) -> bool:
    """Whether a sentence goes on from the one before it ("The latter …", "That is why …").

        >>> refers_back("That is why we support it."), refers_back("We support the plan.")
        (True, False)
    """
    return bool(_ANAPHORA.match(sentence))


def _before(table: SentenceTable, row: int, doc: Document, text: str) -> str:
    """The sentence just before, in the same turn, when this one refers back to it."""
    if not refers_back(text) or row == 0 or table.spans[row - 1][0] != doc.doc_id:
        return ""
    _, s, e = table.spans[row - 1]
    same = doc.turn_at(s) == doc.turn_at(table.spans[row][1])
    return doc.text[s:e] if same else ""


def _rows(passages: Sequence[Passage], table: SentenceTable) -> list[tuple[int, int]]:
    """(sentence row, rank of the first passage holding it), in passage order."""
    seen: dict[int, int] = {}
    for rank, p in enumerate(passages):
        for row in table.within(p.doc_id, p.start, p.end):
            seen.setdefault(row, rank)
    return list(seen.items())


def _neighbour_dense(table: SentenceTable, row: int, qvec: np.ndarray) -> float:
    """Best similarity of the sentences just before and after (same document)."""
    doc_id = table.spans[row][0]
    near = [r for r in (row - 1, row + 1) if 0 <= r < len(table) and table.spans[r][0] == doc_id]
    return max((float(table.vectors[r] @ qvec) for r in near), default=0.0)


def _context(doc: Document, turn: Turn | None, before: str) -> str:
    asked = question_context(doc, turn.index) if turn else ""
    return f"{before} {asked}" if before else asked


@dataclass(frozen=True, eq=False)
class AnswerContext:
    """What the answerer reads: the question, its search vector, the retrieved passages
    and the corpus they come from (documents and their sentence vectors).

    ``qvec`` embeds the search query, which for a follow-up carries the earlier
    question along; ``question`` is the question itself.
    """

    question: str
    qvec: np.ndarray
    passages: tuple[Passage, ...]
    docs: Mapping[str, Document]
    table: SentenceTable
    # every content word of ``docs``; None computes it (a bot passes its own, made once)
    vocabulary: frozenset[str] | None = None


def score_candidates(ctx: AnswerContext, weights: ScoreWeights | None = None) -> list[Candidate]:
    """Every sentence of the passages scored against the question, best first."""
    w = weights or ScoreWeights()
    question, table, qvec = ctx.question, ctx.table, ctx.qvec
    kind = answer_kind(question)
    about_asker = kind == "speaker" or asks_about_questioner(question)
    out = []
    for row, rank in _rows(ctx.passages, table):
        doc_id, s, e = table.spans[row]
        doc = ctx.docs[doc_id]
        turn = doc.turn_at(s)
        text = doc.text[s:e]
        has = kind is not None and brings_kind(kind, question, text)
        in_question = turn is not None and turn.role == "question" and not about_asker
        feats = (
            float(table.vectors[row] @ qvec),
            overlap_score(question, text, _context(doc, turn, _before(table, row, doc, text))),
            overlap_score(question, text),
            float(has),
            float(in_question),
            1.0 / (1 + rank),
            _neighbour_dense(table, row, qvec),
        )
        t = turn.index if turn else 0
        out.append(Candidate(doc_id, s, e, t, rank, feats[0], feats[1], has, w.score(feats), feats))
    return sorted(out, key=lambda c: (-c.score, c.doc_id, c.start))
