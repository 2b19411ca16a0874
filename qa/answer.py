"""The extractive answerer: the sentences of the retrieved passages that answer.

The best-scored sentence is the core of the answer; an adjacent sentence joins
it when it completes it (brings the wanted date, number or name, or scores
nearly as well), and a further sentence joins when it covers a part of the
question the others leave out. Whether to answer at all, and how confident to
be, come from two small logistic models over the evidence's features, fitted
on the dev split of the gold set (``eval/tune.py``).

    >>> sigmoid(0.0)
    0.5
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from index.documents import Document
from qa.candidates import (
    AnswerContext,
    Candidate,
    ScoreWeights,
    content_words,
    refers_back,
    score_candidates,
)
from qa.citations import make_citation
from qa.focus import counts_focus, focus_head
from qa.intent import answer_kind
from qa.short import short_span
from qa.signals import COUNTS, features
from qa.total import total_of
from qa.types import Answer, Citation

__all__ = [
    "ABSTAIN_TEXT",
    "AnswerContext",
    "AnswerSettings",
    "Evidence",
    "extract_answer",
    "features",
    "sigmoid",
]

ABSTAIN_TEXT = "The transcript does not say. The closest passages are shown below."
_FIRST_PERSON = re.compile(r"\b(I|we|my|our|us|me)\b")


@dataclass(frozen=True)
class AnswerSettings:
    """Weights and thresholds of the extractive answerer (fitted on the dev split)."""

    weights: ScoreWeights = field(default_factory=ScoreWeights)
    grow_ratio: float = 0.6
    extra_ratio: float = 0.9
    count_ratio: float = 0.6
    max_quotes: int = 3
    threshold: float = 0.5
    # logistic weights over features(): best dense, best overlap, top passage dense,
    # dense and overlap of the best sentence bringing the wanted kind, question words
    # found in the passages, the number counts (the date dates) what was asked, a name
    # the corpus never uses, share of the question's words the corpus uses; bias
    answerable_weights: tuple[float, ...] = (0, 0, 0, 2.24, 0.98, 0, 1.26, -0.83, 0.9, -2.81)
    correct_weights: tuple[float, ...] = (0, 0, 0, 0.53, 1.07, 0, 0.13, 0, 0, -0.35)


@dataclass(frozen=True)
class Evidence:
    """What the answerer saw: scored sentences and the features of the best."""

    pool: tuple[Candidate, ...]
    features: tuple[float, ...]


def sigmoid(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def _logit(weights: Sequence[float], feats: Sequence[float]) -> float:
    return sum(w * f for w, f in zip(weights[:-1], feats, strict=True)) + weights[-1]


def _adjacent(a: Candidate, b: Candidate, doc: Document) -> bool:
    if a.doc_id != b.doc_id or a.turn != b.turn:
        return False
    gap = doc.text[min(a.end, b.end) : max(a.start, b.start)]
    return len(gap) < 4 and not gap.strip()


def _preceding(core: Candidate, pool: Sequence[Candidate], doc: Document) -> Candidate | None:
    """The pool's sentence just before ``core`` in the same turn, if it was retrieved."""
    return next((c for c in pool if c.end <= core.start and _adjacent(core, c, doc)), None)


def _grow(
    best: Candidate, pool: Sequence[Candidate], doc: Document, settings: AnswerSettings
) -> Candidate | None:
    """An adjacent sentence that completes the best one, if any.

    A neighbour that brings what the question wants (the reason, the date …) joins
    however it scores: it is often worded unlike the question. A sentence that
    refers back ("The latter is in disarray") brings the one it refers to.
    """
    text = doc.text[best.start : best.end]
    # what it refers to must be quoted with it
    if refers_back(text) and (antecedent := _preceding(best, pool, doc)) is not None:
        return antecedent
    short = len(text.split()) < 8
    for other in pool[1:]:
        if not _adjacent(best, other, doc):
            continue
        completes = other.brings_kind and not best.brings_kind
        near = other in pool[1:8]
        if completes or (near and (short or other.score >= settings.grow_ratio * best.score)):
            return other
    return None


def _extras(
    question: str,
    chosen: list[Candidate],
    pool: Sequence[Candidate],
    docs: Mapping[str, Document],
    settings: AnswerSettings,
) -> list[Candidate]:
    """Sentences elsewhere that cover parts of the question the chosen ones miss."""
    wanted = content_words(question)
    covered = set().union(*(content_words(docs[c.doc_id].text[c.start : c.end]) for c in chosen))
    extra: list[Candidate] = []
    for other in pool[1:8]:
        if len(chosen) + len(extra) >= settings.max_quotes or other in chosen:
            continue
        words = content_words(docs[other.doc_id].text[other.start : other.end])
        if (
            (wanted & words) - covered
            and other.score >= settings.extra_ratio * chosen[0].score
            and (other.brings_kind or not chosen[0].brings_kind)
        ):
            extra.append(other)
            covered |= words
    return extra


def _wants_extras(kind: str | None, core: Candidate) -> bool:
    """Whether quotes from elsewhere may join the main one.

    Who said it is told by one quote; a main sentence that brings the date, number
    or name asked for is the answer, and quotes beside it mostly point elsewhere
    (dev citation precision 0.748 -> 0.763, right unchanged). A list's other items
    may stand in other sentences.
    """
    if kind == "speaker":
        return False
    return kind == "list" or not core.brings_kind


def _core(
    question: str, pool: Sequence[Candidate], docs: Mapping[str, Document], settings: AnswerSettings
) -> Candidate:
    """The best sentence, or for "how many X" a nearly as good one whose number counts X."""
    best = pool[0]
    if answer_kind(question) not in COUNTS:
        return best
    head = focus_head(question)
    if not head or counts_focus(head, docs[best.doc_id].text[best.start : best.end]):
        return best
    near = [c for c in pool[1:10] if c.brings_kind and c.score >= settings.count_ratio * best.score]
    counting = (c for c in near if counts_focus(head, docs[c.doc_id].text[c.start : c.end]))
    return next(counting, best)


def select(
    question: str,
    core: Candidate,
    pool: Sequence[Candidate],
    docs: Mapping[str, Document],
    settings: AnswerSettings,
) -> list[Candidate]:
    """The sentences that make the answer around its ``core`` sentence, in document order."""
    chosen = [core]
    if (grown := _grow(core, pool, docs[core.doc_id], settings)) is not None:
        chosen.append(grown)
    if answer_kind(question) == "reason" and not core.brings_kind:
        # a claim without its reason: speakers give the ground just before it
        ground = _preceding(core, pool, docs[core.doc_id])
        if ground is not None and ground not in chosen:
            chosen.append(ground)
    if _wants_extras(answer_kind(question), core):
        chosen += _extras(question, chosen, pool, docs, settings)
    return sorted(chosen, key=lambda c: (c.doc_id, c.start))


def _citations(chosen: Sequence[Candidate], docs: Mapping[str, Document]) -> list[Citation]:
    """One citation per run of adjacent sentences."""
    groups: list[list[Candidate]] = []
    for c in chosen:
        if groups and _adjacent(groups[-1][-1], c, docs[c.doc_id]):
            groups[-1].append(c)
        else:
            groups.append([c])
    return [make_citation(docs[g[0].doc_id], g[0].start, g[-1].end) for g in groups]


def attribution(c: Citation) -> str:
    """Who said a quote and where: "A deputy (question of exchange 7)"."""
    if c.role == "question":
        return f"A {c.speaker.lower()} asked this (question of exchange {c.exchange_id})"
    if c.role == "answer":
        return f"{c.speaker} said this (answer in exchange {c.exchange_id})"
    if c.role == "speech":
        return f"{c.speaker} said this (opening speech)"
    return f"{c.speaker} said this"


def _text(question: str, citations: Sequence[Citation], core: Candidate) -> str:
    """The quotes; for "who" questions with who said the main one.

    "Who gave the opening address?" is answered by "I am happy to address …" only
    together with its speaker: a first-person quote names its author by attribution.
    """
    quotes = " … ".join(c.quote for c in citations)
    main = next(c for c in citations if c.doc_id == core.doc_id and c.start <= core.start < c.end)
    kind = answer_kind(question)
    if kind == "speaker" or (kind == "person" and _FIRST_PERSON.search(main.quote)):
        return f"{attribution(main)}: “{quotes}”"
    return quotes


def _short(question: str, core: Candidate, doc: Document) -> Citation | None:
    """The short answer inside the main sentence, as a checked verbatim citation."""
    span = short_span(question, doc.text[core.start : core.end])
    return make_citation(doc, core.start + span[0], core.start + span[1]) if span else None


def evidence(ctx: AnswerContext, settings: AnswerSettings | None = None) -> Evidence | None:
    """The scored pool and features behind an answer (for tuning and the eval suite)."""
    settings = settings or AnswerSettings()
    pool = score_candidates(ctx, settings.weights)
    if not pool:
        return None
    feats = features(ctx.question, pool, ctx.passages, ctx.docs, ctx.vocabulary)
    return Evidence(tuple(pool), feats)


def extract_answer(ctx: AnswerContext, settings: AnswerSettings | None = None) -> Answer:
    """Answer the question from the retrieved passages with verbatim citations, or abstain."""
    settings = settings or AnswerSettings()
    question, docs, passages = ctx.question, ctx.docs, list(ctx.passages)
    found = evidence(ctx, settings)
    if found is None:
        return Answer(question, ABSTAIN_TEXT, True, 0.0, [], passages)
    answerable = sigmoid(_logit(settings.answerable_weights, found.features))
    confidence = sigmoid(_logit(settings.correct_weights, found.features))
    if answerable < settings.threshold:
        # the withheld guess is right only if the question is answerable and the guess right
        return Answer(question, ABSTAIN_TEXT, True, confidence * answerable, [], passages)
    core = _core(question, found.pool, docs, settings)
    citations = _citations(select(question, core, found.pool, docs, settings), docs)
    short = _short(question, core, docs[core.doc_id])
    text = _text(question, citations, core)
    if (summed := total_of(question, docs[core.doc_id].text[core.start : core.end])) is not None:
        short = None  # the answer is the sum, not one of the counts it adds
        text = f"{summed[0]} in all ({' + '.join(summed[1])}) — {text}"
    elif short is not None:
        text = f"{short.quote} — {text}"
    return Answer(question, text, False, confidence, citations, passages, short)
