"""The extractive answerer: the sentences of the retrieved passages that answer.

Each candidate sentence is scored by its embedding similarity to the question
and by how many of the question's content words it holds; the best sentence
(grown to a neighbour when that completes it) becomes the answer and its
citation. Weak evidence means an honest abstention instead.

    >>> overlap_score("Which embassies open in Africa?", "Embassies will open in Africa.")
    1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.documents import Document
from index.embed import Embedder
from index.sentences import sentence_spans
from qa.citations import make_citation
from qa.intent import answer_kind, asks_about_questioner, has_kind
from qa.types import Answer, Citation, Passage

__all__ = ["ABSTAIN_TEXT", "AnswerSettings", "Candidate", "extract_answer", "overlap_score"]

ABSTAIN_TEXT = "The transcript does not say. The closest passages are shown below."
_WORD = re.compile(r"[\w’']+")
_STOPWORDS = frozenset(
    """
    a an the of to in on at for by with from and or but is are was were be been being do does
    did what which who whom whose when where why how that this these those it its he she they
    them his her their our we you your i me my mr ms will would could should can may might shall
    has have had about as into than then there here any some all not no so if also did say said
    tell lavrov sergey minister russia russian
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class AnswerSettings:
    """Weights and threshold of the extractive answerer."""

    dense_weight: float = 0.6
    overlap_weight: float = 0.4
    rank_weight: float = 0.05
    kind_bonus: float = 0.08
    question_turn_penalty: float = 0.15
    grow_ratio: float = 0.9
    threshold: float = 0.5
    slope: float = 12.0
    center: float = 0.42


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with its scores."""

    doc_id: str
    start: int
    end: int
    passage_rank: int
    dense: float
    overlap: float
    score: float


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Stemmed words of ``text`` that carry meaning (cut to 5 letters: Tajik ~ Tajikistan)."""
    return {
        _stem(w)[:5] for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and len(w) > 1
    }


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


def _context(doc: Document, start: int) -> str:
    """The deputy's question that the sentence at ``start`` answers, if any."""
    turn = doc.turn_at(start)
    if turn is None or turn.question_turn is None:
        return ""
    asked = doc.turns[turn.question_turn]
    return doc.text[asked.start : asked.end]


def _spans(
    passages: Sequence[Passage], docs: Mapping[str, Document]
) -> list[tuple[str, int, int, int]]:
    seen: dict[tuple[str, int, int], int] = {}
    for rank, p in enumerate(passages):
        for s, e in sentence_spans(docs[p.doc_id].text, p.start, p.end):
            seen.setdefault((p.doc_id, s, e), rank)
    return [(d, s, e, r) for (d, s, e), r in seen.items()]


def score_candidates(
    question: str,
    passages: Sequence[Passage],
    docs: Mapping[str, Document],
    embedder: Embedder,
    settings: AnswerSettings,
) -> list[Candidate]:
    """Every sentence of ``passages`` scored against ``question``, best first."""
    spans = _spans(passages, docs)
    if not spans:
        return []
    texts = [docs[d].text[s:e] for d, s, e, _ in spans]
    vectors = embedder.encode([question, *texts])
    dense = vectors[1:] @ vectors[0]
    out = []
    for (d, s, e, rank), text, cos in zip(spans, texts, dense, strict=True):
        lap = overlap_score(question, text, _context(docs[d], s))
        score = (
            settings.dense_weight * float(cos)
            + settings.overlap_weight * lap
            + settings.rank_weight / (1 + rank)
            + _priors(question, docs[d], s, text, settings)
        )
        out.append(Candidate(d, s, e, rank, float(cos), lap, score))
    return sorted(out, key=lambda c: -c.score)


def _priors(question: str, doc: Document, start: int, text: str, settings: AnswerSettings) -> float:
    """Bonus for holding the wanted kind of answer; a deputy's words rarely answer."""
    bonus = 0.0
    kind = answer_kind(question)
    if kind is not None and has_kind(kind, text):
        bonus += settings.kind_bonus
    turn = doc.turn_at(start)
    if turn is not None and turn.role == "question" and not asks_about_questioner(question):
        bonus -= settings.question_turn_penalty
    return bonus


def _neighbour(
    best: Candidate, pool: Sequence[Candidate], doc: Document, settings: AnswerSettings
) -> Candidate | None:
    """A next or previous sentence of the same turn that completes the best one."""
    turn = doc.turn_at(best.start)
    for other in pool:
        if other.doc_id != best.doc_id or other is best or doc.turn_at(other.start) != turn:
            continue
        gap = doc.text[min(best.end, other.end) : max(best.start, other.start)]
        adjacent = gap.strip() == "" and len(gap) < 4
        short = len(_WORD.findall(doc.text[best.start : best.end])) < 8
        if adjacent and (short or other.score >= settings.grow_ratio * best.score):
            return other
    return None


def confidence(best: Candidate, top_dense: float, settings: AnswerSettings) -> float:
    """A score in [0, 1] from the evidence's strength (a logistic of its features)."""
    strength = 0.5 * best.dense + 0.3 * best.overlap + 0.2 * top_dense
    return 1.0 / (1.0 + math.exp(-settings.slope * (strength - settings.center)))


def _abstain(question: str, conf: float, passages: Sequence[Passage]) -> Answer:
    return Answer(
        question=question,
        text=ABSTAIN_TEXT,
        abstained=True,
        confidence=conf,
        citations=[],
        passages=list(passages),
    )


def extract_answer(
    question: str,
    passages: Sequence[Passage],
    docs: Mapping[str, Document],
    embedder: Embedder,
    settings: AnswerSettings | None = None,
    *,
    query: str | None = None,
) -> Answer:
    """Answer ``question`` from ``passages`` with verbatim citations, or abstain.

    ``query`` (the question with any follow-up context) is what sentences are scored against.
    """
    settings = settings or AnswerSettings()
    pool = score_candidates(query or question, passages, docs, embedder, settings)
    if not pool:
        return _abstain(question, 0.0, passages)
    best = pool[0]
    top_dense = max((p.dense_score or 0.0) for p in passages)
    conf = confidence(best, top_dense, settings)
    if conf < settings.threshold:
        return _abstain(question, conf, passages)
    doc = docs[best.doc_id]
    chosen = [best]
    if (extra := _neighbour(best, pool[1:6], doc, settings)) is not None:
        chosen.append(extra)
    start, end = min(c.start for c in chosen), max(c.end for c in chosen)
    citation: Citation = make_citation(doc, start, end)
    return Answer(
        question=question,
        text=citation.quote,
        abstained=False,
        confidence=conf,
        citations=[citation],
        passages=list(passages),
    )
