"""The extractive answerer: the sentences of the retrieved passages that answer.

The best-scored sentence is the core of the answer; an adjacent sentence joins it
when it completes it (brings the wanted thing, gives the ground of a claim,
carries on a list, or is what a sentence opening "That is why …" refers to), and
a further sentence joins when it covers a part of the question the others leave
out. Whether to answer at all, and how confident to be, come from two small
logistic models over the evidence's features (:mod:`qa.abstain`), fitted on the
dev splits (``eval/tune.py``); a declined question is told what the transcript
does say.

    >>> AnswerSettings().max_quotes
    3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from index.documents import Document
from index.terms import terms
from qa.abstain import features, reason, sigmoid
from qa.citations import make_citation
from qa.evidence import AnswerContext, Candidate, ScoreWeights, score_candidates
from qa.follow import following
from qa.question import Kind, QuestionAnalysis
from qa.short import counting_entities, short_span, total_of
from qa.speakers import attribution, matches_speaker
from qa.types import Answer, Citation
from qa.verdict import verdict

__all__ = ["ABSTAIN_TEXT", "AnswerContext", "AnswerSettings", "Evidence", "evidence",
           "extract_answer", "select"]

ABSTAIN_TEXT = "The transcript does not say. The closest passages are shown below."


@dataclass(frozen=True)
class AnswerSettings:
    """Weights and thresholds of the extractive answerer (fitted on the dev splits)."""

    weights: ScoreWeights = field(default_factory=ScoreWeights)
    grow_ratio: float = 0.6
    extra_ratio: float = 0.9
    count_ratio: float = 0.6
    max_quotes: int = 3
    threshold: float = 0.49
    # logistic weights over qa.abstain.FEATURES, last the bias
    answerable_weights: tuple[float, ...] = (0, 0, 0, 1.78, 0.39, 0, 0.12, -0.66, 1.66, -1.24,
                                             -1.51)
    correct_weights: tuple[float, ...] = (0, 0, 0, 2.72, 0.89, 0, -0.13, 0, 0, 0, -1.7)


@dataclass(frozen=True)
class Evidence:
    """What the answerer saw: scored sentences and the features of the best."""

    pool: tuple[Candidate, ...]
    features: tuple[float, ...]


def _logit(weights: Sequence[float], feats: Sequence[float]) -> float:
    return sum(w * f for w, f in zip(weights[:-1], feats, strict=True)) + weights[-1]


def _adjacent(a: Candidate, b: Candidate, doc: Document) -> bool:
    if a.doc_id != b.doc_id or a.turn != b.turn:
        return False
    gap = doc.text[min(a.end, b.end) : max(a.start, b.start)]
    return len(gap) < 4 and not gap.strip()


def _text(c: Candidate, docs: Mapping[str, Document]) -> str:
    return docs[c.doc_id].text[c.start : c.end]


def _preceding(core: Candidate, pool: Sequence[Candidate], doc: Document) -> Candidate | None:
    """The pool's sentence just before ``core`` in the same turn, if it was retrieved."""
    return next((c for c in pool if c.end <= core.start and _adjacent(core, c, doc)), None)


def _following(core: Candidate, pool: Sequence[Candidate], doc: Document) -> Candidate | None:
    """The pool's sentence just after ``core`` in the same turn, if it was retrieved."""
    return next((c for c in pool if c.start >= core.end and _adjacent(core, c, doc)), None)


def _grow(best: Candidate, pool: Sequence[Candidate], doc: Document,
          settings: AnswerSettings, q: QuestionAnalysis) -> Candidate | None:
    """An adjacent sentence that completes the best one, if any: what it refers back to,
    the wanted thing it lacks, the rest of a list, or a close second."""
    refers = best.info is not None and best.info.refers_back
    if refers and (antecedent := _preceding(best, pool, doc)) is not None:
        return antecedent
    short = len(doc.text[best.start : best.end].split()) < 8
    for other in pool[1:]:
        if not _adjacent(best, other, doc):
            continue
        completes = other.brings_kind and (not best.brings_kind or q.is_list)
        near = other in pool[1:8]
        if completes or (near and (short or other.score >= settings.grow_ratio * best.score)):
            return other
    return None


def _extras(q: QuestionAnalysis, chosen: list[Candidate], pool: Sequence[Candidate],
            docs: Mapping[str, Document], settings: AnswerSettings) -> list[Candidate]:
    """Sentences elsewhere that cover parts of the question the chosen ones miss."""
    covered = set().union(*(terms(_text(c, docs)) for c in chosen))
    extra: list[Candidate] = []
    for other in pool[1:8]:
        if len(chosen) + len(extra) >= settings.max_quotes or other in chosen:
            continue
        words = terms(_text(other, docs))
        if ((q.terms & words) - covered and other.score >= settings.extra_ratio * chosen[0].score
                and (other.brings_kind or not chosen[0].brings_kind)):
            extra.append(other)
            covered |= words
    return extra


def _core(q: QuestionAnalysis, pool: Sequence[Candidate], docs: Mapping[str, Document],
          settings: AnswerSettings) -> Candidate:
    """The best sentence, or for "how many X" a nearly as good one whose number counts X."""
    best = pool[0]
    if q.kind not in (Kind.NUMBER, Kind.MONEY) or not q.focus_stems or best.info is None:
        return best
    if counting_entities(q, best.info, _text(best, docs)):
        return best
    near = [c for c in pool[1:10] if c.brings_kind and c.score >= settings.count_ratio * best.score]
    counting = (c for c in near if c.info and counting_entities(q, c.info, _text(c, docs)))
    return next(counting, best)


def select(q: QuestionAnalysis, core: Candidate, pool: Sequence[Candidate],
           docs: Mapping[str, Document], settings: AnswerSettings) -> list[Candidate]:
    """The sentences that make the answer around its ``core`` sentence, in document order."""
    chosen = [core]
    if (grown := _grow(core, pool, docs[core.doc_id], settings, q)) is not None:
        chosen.append(grown)
    if q.kind is Kind.REASON and not core.brings_kind:
        # a claim without its reason: speakers give the ground just before it, or say
        # why in the sentence after
        ground = _preceding(core, pool, docs[core.doc_id])
        if ground is None or not ground.brings_kind:
            ground = _following(core, pool, docs[core.doc_id]) or ground
        if ground is not None and ground not in chosen:
            chosen.append(ground)
    # who said it is told by one quote; a core bringing the thing asked is the answer
    if q.asks not in ("speaker", "asker") and (q.is_list or not core.brings_kind):
        chosen += _extras(q, chosen, pool, docs, settings)
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


def _by_speaker(q: QuestionAnalysis, pool: list[Candidate],
                docs: Mapping[str, Document]) -> list[Candidate]:
    """For "What did the CFO say …": the sentences of that speaker, when there are any."""
    if not q.subject:
        return pool
    theirs = [c for c in pool
              if matches_speaker(q.subject, docs[c.doc_id], docs[c.doc_id].turns[c.turn]
                                 if docs[c.doc_id].turns else None)]
    return theirs or pool


def _answering(q: QuestionAnalysis, pool: list[Candidate],
               docs: Mapping[str, Document]) -> list[Candidate]:
    """The sentences that may answer: a question turn is evidence only for who asked or
    what was asked, who said something, or what a named speaker said ("What did the
    analyst say about …")."""
    if q.asks or q.subject:
        return pool

    def asking(c: Candidate) -> bool:
        # its turn asks (a rhetorical question inside a speech may still hold the answer)
        turns = docs[c.doc_id].turns
        return bool(turns) and turns[c.turn].role == "question"

    return [c for c in pool if not asking(c)] or pool


def evidence(ctx: AnswerContext, settings: AnswerSettings | None = None) -> Evidence | None:
    """The scored pool and features behind an answer (for tuning and the eval suite)."""
    settings = settings or AnswerSettings()
    pool = _answering(ctx.q, score_candidates(ctx, settings.weights), ctx.docs)
    pool = _by_speaker(ctx.q, pool, ctx.docs)
    if not pool:
        return None
    vocabulary = ctx.vocabulary if ctx.vocabulary is not None else frozenset()
    feats = features(ctx.q, pool, ctx.passages, ctx.docs, vocabulary)
    return Evidence(tuple(pool), feats)


def _short(q: QuestionAnalysis, core: Candidate, doc: Document) -> Citation | None:
    """The short answer inside the main sentence, as a checked verbatim citation."""
    if core.info is None or q.asks in ("speaker", "asker"):
        return None
    span = short_span(q, core.info, doc.text[core.start : core.end])
    return make_citation(doc, core.start + span[0], core.start + span[1]) if span else None


def _text_of(q: QuestionAnalysis, citations: Sequence[Citation], core: Candidate,
             docs: Mapping[str, Document]) -> str:
    """The quotes, led by who said the main one when that is what was asked."""
    quotes = " … ".join(c.quote for c in citations)
    if q.asks in ("speaker", "asker") or (q.kind is Kind.PERSON and _first_person(core, docs)):
        main = next(c for c in citations
                    if c.doc_id == core.doc_id and c.start <= core.start < c.end)
        return f"{attribution(main, docs[main.doc_id])}: “{quotes}”"
    return quotes


def _first_person(core: Candidate, docs: Mapping[str, Document]) -> bool:
    """A first-person quote names its author by attribution ("I am happy to address …")."""
    return bool({"i", "we", "my", "our"} & set(_text(core, docs).lower().split()))


def _declined(ctx: AnswerContext, found: Evidence, confidence: float) -> Answer:
    why = reason(ctx.q, found.pool, ctx.docs, ctx.vocabulary or frozenset())
    text = f"The transcript does not say. {why} The closest passages are shown below." if why \
        else ABSTAIN_TEXT
    return Answer(ctx.question, text, True, confidence, [], list(ctx.passages), reason=why)


def extract_answer(ctx: AnswerContext, settings: AnswerSettings | None = None) -> Answer:
    """Answer the question from the retrieved passages with verbatim citations, or abstain."""
    settings = settings or AnswerSettings()
    q, docs = ctx.q, ctx.docs
    found = evidence(ctx, settings)
    if found is None:
        return Answer(q.text, ABSTAIN_TEXT, True, 0.0, [], list(ctx.passages))
    answerable = sigmoid(_logit(settings.answerable_weights, found.features))
    confidence = sigmoid(_logit(settings.correct_weights, found.features))
    if answerable < settings.threshold:
        # the withheld guess is right only if the question is answerable and the guess right
        return _declined(ctx, found, confidence * answerable)
    core = _core(q, found.pool, docs, settings)
    chosen = select(q, core, found.pool, docs, settings)
    chosen += following(ctx, core, chosen)
    citations = _citations(sorted(set(chosen), key=lambda c: (c.doc_id, c.start)), docs)
    short = _short(q, core, docs[core.doc_id])
    text = _text_of(q, citations, core, docs)
    sentence = _text(core, docs)
    if core.info is not None and (summed := total_of(q, core.info, sentence)) is not None:
        short = None  # the answer is the sum, not one of the counts it adds
        text = f"{summed[0]} in all ({' + '.join(summed[1])}) — {text}"
    elif short is not None:
        text = f"{short.quote} — {text}"
    elif q.polar and not q.asks and core.info is not None and (
        said := verdict(q, core.info, sentence)
    ):
        text = f"{said} — {text}"
    return Answer(q.text, text, False, confidence, citations, list(ctx.passages), short)
