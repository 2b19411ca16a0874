"""Candidate answer sentences of the retrieved passages, scored against the question.

A sentence's score adds its embedding similarity to the question (vectors come
precomputed from the index), the share of the question's words it holds (words
only in the question a turn answers count half), whether it brings the kind of
answer wanted (an entity of the wanted label, a reason, a list of items: read
from the index's stored linguistics), and a small prior for the passage's rank.
A sentence of a question turn is evidence only when the question is about what
was asked or who spoke.

    >>> overlap_score(frozenset({"plant", "ohio"}), "Plants will open in Ohio.")
    1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.documents import Document, Turn
from index.linguistics import Linguistics
from index.nlp import SentenceInfo
from index.sentvec import SentenceTable
from index.terms import stem, terms
from qa.question import Kind, QuestionAnalysis
from qa.short import asked_already, counting_entities
from qa.types import Passage

__all__ = [
    "FEATURES",
    "AnswerContext",
    "Candidate",
    "ScoreWeights",
    "attaches",
    "brings_kind",
    "novel_entities",
    "overlap_score",
    "score_candidates",
]

FEATURES = ("dense", "overlap", "brings_kind", "question_turn", "rank_prior", "focus", "attach")
_NEAR = 5  # words either side of a thing that say what it is about


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of a sentence's features (:data:`FEATURES`), last one the bias (fitted on
    the dev splits by ``python -m eval.tune --fit-ranker``)."""

    weights: tuple[float, ...] = (0.35, 2.45, 0.2, -0.05, 1.7, 0.85, 0.3, 0.0)

    def score(self, feats: Sequence[float]) -> float:
        return sum(w * f for w, f in zip(self.weights, feats, strict=False)) + self.weights[-1]


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with its analysis and scores."""

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
    info: SentenceInfo | None = None
    row: int = -1  # its row in the sentence table


@dataclass(frozen=True, eq=False)
class AnswerContext:
    """What the answerer reads: the analysed question, its search vector, the retrieved
    passages and the corpus they come from (documents, sentence vectors, linguistics).

    ``qvec`` embeds the search query, which for a follow-up carries the earlier
    question along.
    """

    q: QuestionAnalysis
    qvec: np.ndarray
    passages: tuple[Passage, ...]
    docs: Mapping[str, Document]
    table: SentenceTable
    linguistics: Linguistics
    # every content stem of ``docs``; None computes it (a bot passes its own, made once)
    vocabulary: frozenset[str] | None = None

    @property
    def question(self) -> str:
        return self.q.text

    def sentence(self, row: int) -> tuple[Document, SentenceInfo]:
        """The document and analysis of sentence ``row`` (absolute offsets)."""
        doc_id, start, end = self.table.spans[row]
        info = self.linguistics.get(self.table.keys[row], end - start)
        return self.docs[doc_id], info.shifted(start)


def overlap_score(wanted: frozenset[str], sentence: str, context: str = "") -> float:
    """Share of the ``wanted`` stems the sentence holds; those only in ``context`` (the
    question a sentence answers) count half."""
    if not wanted:
        return 0.0
    own = wanted & terms(sentence)
    borrowed = (wanted & terms(context)) - own if context else frozenset()
    return (len(own) + 0.5 * len(borrowed)) / len(wanted)


def novel_entities(q: QuestionAnalysis, info: SentenceInfo, text: str) -> list[tuple[int, int]]:
    """Spans (relative to the sentence) of its entities of the wanted kind that the
    question does not name itself."""
    return [
        (e.start, e.end)
        for e in info.entities
        if e.label in q.labels and not asked_already(q, text[e.start : e.end], e.label)
    ]


def brings_kind(q: QuestionAnalysis, info: SentenceInfo, text: str) -> bool:
    """Whether the sentence holds the kind of thing asked for, new to the question."""
    if q.kind is Kind.REASON:
        return info.reason
    if q.is_list:
        items = [g for g in info.lists
                 if sum(not asked_already(q, text[s:e]) for s, e in g) >= 2]
        return bool(items) or len(novel_entities(q, info, text)) >= 2
    return bool(q.labels) and bool(novel_entities(q, info, text))


def attaches(q: QuestionAnalysis, info: SentenceInfo | None, text: str) -> bool:
    """Whether the thing the sentence brings belongs to what was asked: a number counts
    the focus, a date belongs to the question's verb, a name stands by its title, or the
    thing stands within a few words of the question's words."""
    if info is None:
        return True
    if q.kind in (Kind.NUMBER, Kind.MONEY) and q.focus_stems:
        if counting_entities(q, info, text):
            return True
        # a number counting some other noun ("300,000 sensors" for "how many people")
        # does not answer; a bare number may, beside the thing asked about
        bare = [e for e in info.entities if e.label in q.labels and e.head_start < 0]
        return bool(bare) and _near(q, info, text, q.focus_stems)
    if q.kind is Kind.DATE:
        dated = [e for e in info.entities if e.label in q.labels]
        if q.verb and any(stem(e.governor) == q.verb for e in dated):
            return True
        # a date of some other event beside the question's words ("in force as of today"
        # for "when was it signed") does not say when the thing asked happened
        return (not q.verb or q.verb in terms(text)) and _near(q, info, text)
    if q.kind in (Kind.PERSON, Kind.NAME) and q.focus_stems:
        return bool(q.focus_stems & terms(text))
    return True


def _near(q: QuestionAnalysis, info: SentenceInfo, text: str,
          wanted: frozenset[str] | None = None) -> bool:
    """A new entity of the wanted kind within a few words of the question's words (of
    ``wanted`` when given)."""
    spans = novel_entities(q, info, text)
    if wanted is None:
        wanted = (q.terms | q.focus_stems) - terms(" ".join(n for n, _ in q.names))
    for s, e in spans:
        window = " ".join(text[:s].split()[-_NEAR:] + text[e:].split()[:_NEAR])
        if wanted & terms(window):
            return True
    return False


def _asked_text(doc: Document, turn: Turn | None) -> str:
    """The question a turn answers ("" for other turns)."""
    if turn is None or turn.question_turn is None:
        return ""
    asked = doc.turns[turn.question_turn]
    return doc.text[asked.start : asked.end]


_POSED = 2  # sentences after a question asked inside a statement that may answer it


def _posed_text(ctx: AnswerContext, row: int, turn: Turn | None) -> str:
    """A question the speaker asks and answers in one turn ("What keeps us going? Two
    things."): the nearest of the previous sentences of the same statement that ends in a
    question mark, read as the question the sentence answers ("" if none)."""
    if turn is None or turn.role == "question":
        return ""
    doc_id = ctx.table.spans[row][0]
    for back in range(row - 1, max(row - 1 - _POSED, -1), -1):
        other, start, end = ctx.table.spans[back]
        if other != doc_id or start < turn.start:
            return ""
        text = ctx.docs[doc_id].text[start:end]
        if text.rstrip().endswith("?"):
            return text
    return ""


def _rows(passages: Sequence[Passage], table: SentenceTable) -> list[tuple[int, int]]:
    """(sentence row, rank of the first passage holding it), in passage order."""
    seen: dict[int, int] = {}
    for rank, p in enumerate(passages):
        for row in table.within(p.doc_id, p.start, p.end):
            seen.setdefault(row, rank)
    return list(seen.items())


def _about_questions(q: QuestionAnalysis) -> bool:
    return q.asks in ("asker", "asked", "speaker")


def score_candidates(ctx: AnswerContext, weights: ScoreWeights | None = None) -> list[Candidate]:
    """Every sentence of the passages scored against the question, best first."""
    w = weights or ScoreWeights()
    q, table = ctx.q, ctx.table
    out = []
    for row, rank in _rows(ctx.passages, table):
        doc, info = ctx.sentence(row)
        turn = doc.turn_at(info.start)
        text = doc.text[info.start : info.end]
        # who said or asked something is told by the turn, not by a name in the sentence
        has = q.asks not in ("speaker", "asker") and brings_kind(q, info, text)
        # a sentence that is itself a question asks rather than answers, whatever its turn
        asked = (turn is not None and turn.role == "question") or text.rstrip().endswith("?")
        in_question = asked and not _about_questions(q)
        if q.asks == "asker" and not asked:
            in_question = True  # "who asked …" is answered by a question turn only
        feats = (
            float(table.vectors[row] @ ctx.qvec),
            # who said it is told by the words themselves, not by the question answered
            overlap_score(q.terms, text, "" if q.asks else
                          _asked_text(doc, turn) + " " + _posed_text(ctx, row, turn)),
            float(has),
            float(in_question),
            1.0 / (1 + rank),
            overlap_score(q.focus_stems, text) if q.focus_stems else 0.0,
            float(has and attaches(q, info, text)),
        )
        t = turn.index if turn else 0
        out.append(Candidate(doc.doc_id, info.start, info.end, t, rank, feats[0], feats[1], has,
                             w.score(feats), feats, info, row))
    return sorted(out, key=lambda c: (-c.score, c.doc_id, c.start))
