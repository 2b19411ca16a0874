"""Score one gold question: its retrieved passages, its answer, its citations.

What counts as a **right answer** (for answerable items only; an abstention is never right):

1. ``contains``: the normalized answer contains a normalized gold answer as whole words;
2. ``f1``: else its token F1 against the best gold answer is ≥ 0.8;
3. ``cited_reason``: else, for a "why" question, the citations cover the gold evidence
   (citation evidence recall ≥ 0.8: the cited span holds the reason);
4. ``speaker``: else, for a "speaker" question, the *first* citation (the one the answer
   attributes) names the right side: every word of a normalized gold answer is a word of
   its ``speaker`` ("Lavrov" ~ "Sergey Lavrov"), or the gold answer names the questioner
   ("deputy", "questioner") and the citation's ``role`` is ``"question"``.

A speaker answer is right by any rule only when its first citation overlaps the gold
evidence: "Lavrov said it" over the wrong quote names neither the statement nor its
exchange, and in a transcript where one man speaks most, the name alone is a guess.

    >>> from types import SimpleNamespace as C
    >>> cite = C(speaker="Deputy", role="question")
    >>> speaker_matches(cite, ["a State Duma deputy"]), speaker_matches(cite, ["Lavrov"])
    (True, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from eval.gold import GoldItem, locate_evidence
from eval.metrics import (
    AnswerScore,
    Span,
    answer_words,
    citation_evidence_recall,
    citation_precision,
    context_chars,
    evidence_recall,
    ndcg_at_k,
    normalize_answer,
    reciprocal_rank,
    score_answer,
    verbatim_rate,
)
from eval.results import ItemResult
from qa.types import Answer, Citation, Passage

__all__ = [
    "RIGHT_F1", "RIGHT_REASON_RECALL", "retrieval_scores", "role_words", "score_item",
    "speaker_matches",
]

RIGHT_F1 = 0.8
RIGHT_REASON_RECALL = 0.8
# Words in a gold answer that name whoever asks, matched by a citation's role.
_ROLE_WORDS: dict[str, frozenset[str]] = {"question": frozenset({"deputy", "questioner"})}


def role_words(role: str) -> tuple[str, ...]:
    """The gold-answer words that name the side of a turn of ``role``, sorted.

        >>> role_words("question")
        ('deputy', 'questioner')
    """
    return tuple(sorted(_ROLE_WORDS.get(role, frozenset())))


def speaker_matches(citation: Any, answers: Sequence[str]) -> bool:
    """True when ``citation.speaker`` or ``citation.role`` names one of ``answers``."""
    speaker = set(normalize_answer(str(citation.speaker)).split())
    role_words = _ROLE_WORDS.get(str(citation.role), frozenset())
    for gold in answers:
        words = set(normalize_answer(gold).split())
        if words and (words <= speaker or words & role_words):
            return True
    return False


def retrieval_scores(
    passages: Sequence[Passage],
    evidence: Sequence[Span],
    ks: Sequence[int],
    at_k: Mapping[int, Sequence[Passage]] | None = None,
) -> dict[str, float]:
    """``full@k``, ``recall@k``, ``context@k``, ``ndcg@k`` for each k, and ``rr``.

    ``at_k`` holds what a call for exactly k passages returned: a retriever's ranking
    need not be nested (hybrid's candidate pool grows with k beyond ten), and a call
    for k is what a caller and the answerer get.
    """
    out: dict[str, float] = {}
    for k in ks:
        got = (at_k or {}).get(k, passages)
        rec = evidence_recall(got, evidence, k=k)
        out[f"full@{k}"] = float(rec.full)
        out[f"recall@{k}"] = rec.recall
        out[f"context@{k}"] = float(context_chars(got, k))
        out[f"ndcg@{k}"] = ndcg_at_k(got, evidence, k).ndcg
    out["rr"] = reciprocal_rank(passages[: max(ks)], evidence).reciprocal_rank
    return out


def _attributes_evidence(ans: Answer, evidence: Sequence[Span]) -> bool:
    """Whether the answer's first (attributed) citation overlaps gold evidence."""
    return bool(ans.citations) and bool(citation_precision(ans.citations[:1], evidence).precision)


def _right_by(
    item: GoldItem,
    ans: Answer,
    scores: tuple[float, float, float | None],
    evidence: Sequence[Span],
) -> str:
    f1, contains, cite_recall = scores
    if ans.abstained or not item.answerable:
        return ""
    if item.type == "speaker" and evidence and not _attributes_evidence(ans, evidence):
        return ""
    if contains:
        return "contains"
    if f1 >= RIGHT_F1:
        return "f1"
    if item.type == "why" and cite_recall is not None and cite_recall >= RIGHT_REASON_RECALL:
        return "cited_reason"
    if item.type == "speaker" and ans.citations and speaker_matches(ans.citations[0], item.answers):
        return "speaker"
    return ""


def _citation(c: Citation) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "start": c.start, "end": c.end, "speaker": c.speaker,
            "role": c.role, "quote": c.quote}


def _score(ans: Answer, answers: Sequence[str]) -> AnswerScore:
    """Containment of the whole answer text; exact match and F1 of the short answer when
    there is one (a quote is never an exact match), else of the text."""
    whole = score_answer(ans.text, answers)
    if ans.short is None:
        return whole
    short = score_answer(ans.short.quote, answers)
    return replace(
        whole, exact_match=short.exact_match, token_f1=max(short.token_f1, whole.token_f1)
    )


def score_item(
    item: GoldItem,
    passages: Sequence[Passage],
    ans: Answer,
    latency_ms: float,
    texts: Mapping[str, str],
    ks: Sequence[int],
    at_k: Mapping[int, Sequence[Passage]] | None = None,
) -> ItemResult:
    """Every score of one item; ``passages`` are the top ``max(ks)`` retrieved for it,
    ``at_k`` what calls for fewer returned (see :func:`retrieval_scores`)."""
    evidence = locate_evidence(item, texts) if item.evidence else []
    cites = ans.citations
    score = _score(ans, item.answers) if item.answerable else None
    cite_recall = (
        citation_evidence_recall(cites, evidence).recall if evidence and not ans.abstained else None
    )
    right_by = _right_by(
        item,
        ans,
        (score.token_f1 if score else 0.0, score.contains if score else 0.0, cite_recall),
        evidence,
    )
    return ItemResult(
        id=item.id, type=item.type, split=item.split, question=item.question,
        gold_answers=item.answers, answerable=item.answerable, answer=ans.text,
        abstained=ans.abstained, confidence=float(ans.confidence), latency_ms=latency_ms,
        right=bool(right_by), right_by=right_by,
        exact_match=(0.0 if ans.abstained else score.exact_match) if score else None,
        token_f1=(0.0 if ans.abstained else score.token_f1) if score else None,
        words=answer_words(ans.text) if not ans.abstained else None,
        n_citations=len(cites),
        verbatim=verbatim_rate(cites, texts).rate,
        citation_precision=citation_precision(cites, evidence).precision if evidence else None,
        citation_recall=cite_recall,
        citations=tuple(_citation(c) for c in cites),
        retrieval=retrieval_scores(passages, evidence, ks, at_k) if evidence else {},
    )
