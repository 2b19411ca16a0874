"""The evidence's strength as numbers: the features of the abstention and confidence models.

For a question that wants a thing (a date, a number, a name …) the strength is that
of the best sentence that brings one; a number must count (a date must date) what
was asked; a name the corpus never uses, or words it never uses at all, point to a
question about something else. ``eval/tune.py`` fits the models on the dev split.

    >>> WANTS_THING >= COUNTS
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from index.documents import Document
from qa.candidates import Candidate, content_words
from qa.focus import (
    corpus_vocabulary,
    counts_focus,
    dated_near,
    focus_head,
    mentions_focus,
    titled_focus,
    unknown_names,
)
from qa.intent import answer_kind
from qa.types import Passage

__all__ = ["COUNTS", "WANTS_THING", "features"]

WANTS_THING = frozenset({"money", "exact_date", "date", "number", "person", "name", "list"})
COUNTS = frozenset({"money", "number"})


def _focus_features(
    question: str,
    kind: str | None,
    bearing: Sequence[Candidate],
    docs: Mapping[str, Document],
    vocabulary: frozenset[str],
) -> tuple[float, float]:
    """Whether a number counts (a date dates) the thing asked, and whether the corpus knows
    its names."""
    head = focus_head(question)
    texts = [docs[c.doc_id].text[c.start : c.end] for c in bearing[:5]]
    attach = 1.0
    if kind in COUNTS:
        attach = float(any(counts_focus(head, t) for t in texts))
    elif kind in ("date", "exact_date"):  # the date stands next to what was asked
        attach = float(any(dated_near(question, t) for t in texts))
    elif kind in ("name", "person") and (titled := titled_focus(question)):
        # "who is the ambassador": the sentence with the name says "ambassador"
        attach = float(any(mentions_focus(titled, t) > 0 for t in texts))
    absent = float(bool(head - vocabulary) or unknown_names(question, vocabulary) > 0)
    return attach, absent


def _kind_strength(
    kind: str | None, pool: Sequence[Candidate]
) -> tuple[list[Candidate], float, float]:
    """The sentences that bring the wanted kind, and the similarity and overlap of the
    best of them (of the best sentence when the question wants no particular thing)."""
    if kind not in WANTS_THING:
        return list(pool), pool[0].dense, pool[0].overlap
    bearing = [c for c in pool if c.brings_kind]
    top = max(bearing, key=lambda c: c.dense + c.overlap) if bearing else None
    return bearing, (top.dense if top else 0.0), (top.overlap if top else 0.0)


def features(
    question: str,
    pool: Sequence[Candidate],
    passages: Sequence[Passage],
    docs: Mapping[str, Document],
    vocabulary: frozenset[str] | None = None,
) -> tuple[float, ...]:
    """The evidence's strength, as numbers a small model can weigh.

    For a question that wants a thing (a date, number, name …) the strength is
    that of the best sentence that brings one: a sentence on topic without the
    thing asked for is exactly how an unanswerable question looks. So is a number
    that counts something other than what was asked, and a name the corpus never uses.
    A question in words the corpus never uses is most likely about something else.
    """
    best = pool[0]
    kind = answer_kind(question)
    bearing, kind_dense, kind_overlap = _kind_strength(kind, pool)
    wanted = content_words(question)
    seen = frozenset().union(*(content_words(p.text) for p in passages))
    found = len(wanted & seen) / len(wanted) if wanted else 0.0
    if vocabulary is None:
        vocabulary = corpus_vocabulary(d.text for d in docs.values())
    attach, absent = _focus_features(question, kind, bearing, docs, vocabulary)
    # "the weather in Moscow tomorrow": words the transcript never uses
    known = len(wanted & vocabulary) / len(wanted) if wanted else 1.0
    top_dense = max((p.dense_score or 0.0) for p in passages)
    strength = (best.dense, best.overlap, top_dense, kind_dense, kind_overlap, found)
    return (*strength, attach, absent, known)
