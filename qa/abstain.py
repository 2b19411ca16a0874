"""Whether the evidence answers the question: its strength as numbers, and why not in words.

For a question that wants a thing (a date, a number, a name …) the evidence's
strength is that of the best sentence bringing one; the thing must attach to
what was asked (a number counts the focus, a date belongs to the question's
verb or stands beside its words); a name the corpus never uses points to a
question about something else. ``eval/tune.py`` fits the two small logistic
models over these features on the dev splits. When the answerer declines, it
says what the transcript does say: "It mentions the signing but gives no date
for the ratification".

    >>> sigmoid(0.0)
    0.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from index.documents import Document
from index.terms import stem, terms
from qa.evidence import Candidate, attaches
from qa.question import Kind, QuestionAnalysis
from qa.types import Passage

__all__ = ["FEATURES", "corpus_vocabulary", "features", "reason", "sigmoid", "unknown"]

FEATURES = ("dense", "overlap", "top_passage", "kind_dense", "kind_overlap", "found",
            "attach", "absent", "known", "uncounted")
_COUNTED = (Kind.NUMBER, Kind.MONEY, Kind.PERCENT)
_PREFIX = 5  # a shorter stem is not read as a form of a longer one
_KIND_WORDS = {
    Kind.PERSON: "name of a person or body", Kind.PLACE: "place", Kind.ORG: "organisation",
    Kind.DATE: "date", Kind.NUMBER: "number", Kind.MONEY: "sum of money",
    Kind.PERCENT: "percentage", Kind.NAME: "name", Kind.REASON: "reason",
}


def sigmoid(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def corpus_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Every content stem of a corpus (compute once per corpus)."""
    return frozenset().union(*(terms(t) for t in texts))


def unknown(stems: frozenset[str], vocabulary: frozenset[str]) -> frozenset[str]:
    """The stems the corpus never uses, in any form: a demonym or a plural the stemmer
    leaves apart from its name ("icelandic" beside "iceland") counts as used.

    >>> sorted(unknown(frozenset({"iceland", "lunar"}), frozenset({"icelandic", "moon"})))
    ['lunar']
    """
    def used(s: str) -> bool:
        return s in vocabulary or (len(s) >= _PREFIX and any(
            len(v) >= _PREFIX and (v.startswith(s) or s.startswith(v)) for v in vocabulary))

    return frozenset(s for s in stems if not used(s))


def _text(c: Candidate, docs: Mapping[str, Document]) -> str:
    return docs[c.doc_id].text[c.start : c.end]


def _bearing(q: QuestionAnalysis, pool: Sequence[Candidate]) -> list[Candidate]:
    # a reason is often given without a word that marks it: the best sentence stands
    if not q.wants_thing or q.asks in ("speaker", "asker"):
        return list(pool)
    return [c for c in pool if c.brings_kind]


def features(
    q: QuestionAnalysis,
    pool: Sequence[Candidate],
    passages: Sequence[Passage],
    docs: Mapping[str, Document],
    vocabulary: frozenset[str],
) -> tuple[float, ...]:
    """The evidence's strength, as numbers a small model can weigh (:data:`FEATURES`)."""
    best = pool[0]
    bearing = _bearing(q, pool)
    top = max(bearing, key=lambda c: c.dense + c.overlap) if bearing else None
    seen = frozenset().union(*(terms(p.text) for p in passages))
    found = len(q.terms & seen) / len(q.terms) if q.terms else 0.0
    attach = float(any(attaches(q, c.info, _text(c, docs)) for c in bearing[:5]))
    named = terms(" ".join(n for n, label in q.names if label not in ("DATE", "CARDINAL")))
    absent = float(bool(unknown(q.focus_stems | named, vocabulary)))
    known = len(q.terms & vocabulary) / len(q.terms) if q.terms else 1.0
    top_dense = max((p.dense_score or 0.0) for p in passages)
    # a number asked for that no close sentence gives for the thing asked about is the
    # commonest near miss ("how many delegations" beside a count of years)
    uncounted = float(q.kind in _COUNTED and q.wants_thing and not q.asks and not attach)
    return (best.dense, best.overlap, top_dense, top.dense if top else 0.0,
            top.overlap if top else 0.0, found, attach, absent, known, uncounted)


def reason(
    q: QuestionAnalysis, pool: Sequence[Candidate], docs: Mapping[str, Document],
    vocabulary: frozenset[str],
) -> str:
    """What the transcript does say, when it does not answer: one sentence, or ""."""
    missing = sorted(n for n, label in q.names if label not in ("DATE", "CARDINAL")
                     and unknown(terms(n), vocabulary))
    if missing:
        return f"It never mentions {', '.join(missing)}."
    wanted = _KIND_WORDS.get(q.kind, "")
    if not wanted or not pool or q.asks or q.kind is Kind.REASON:
        return ""
    best = pool[0]
    text = _text(best, docs)
    topic = q.focus or _shared_words(q, text)
    if q.kind is Kind.DATE and best.info is not None and q.verb:
        dated = [e for e in best.info.entities if e.label in q.labels and e.governor]
        other = next((e for e in dated if stem(e.governor) != q.verb), None)
        if other is not None:
            return (f"It gives a date for what was {other.governor} "
                    f"({text[other.start:other.end]}), but none for the question's "
                    f"“{_verb_word(q)}”.")
    if topic and not best.brings_kind:
        return f"It speaks of {topic} but gives no {wanted} for it."
    return f"The passages closest to it give no {wanted} that answers it."


def _verb_word(q: QuestionAnalysis) -> str:
    return next((w for w in q.text.rstrip("?").split() if stem(w.lower()) == q.verb), q.verb)


def _shared_words(q: QuestionAnalysis, text: str) -> str:
    shared = [w for w in text.split() if terms(w) & q.terms]
    return " and ".join(dict.fromkeys(w.strip(".,;:“”\"'()").lower() for w in shared[:2]))
