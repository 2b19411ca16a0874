"""Yes or no, when the evidence clearly affirms or denies what a yes/no question asks.

A sentence that negates the question's verb (or its main clause, while holding
most of the question's words) answers "No"; one that states the question's verb
with most of its words and no negation answers "Yes". Anything less clear gets
no verdict: the quote is left to speak for itself.

    >>> from index.nlp import analyse_texts
    >>> from qa.question import analyse
    >>> s = "We did not sign the treaty."
    >>> verdict(analyse("Did they sign the treaty?"), analyse_texts([s])[0][0], s)
    'No'
"""

from __future__ import annotations

from index.nlp import SentenceInfo
from index.terms import stem, terms
from qa.question import QuestionAnalysis

__all__ = ["verdict"]

_CLEAR = 0.6  # share of the question's words the sentence must hold
_DENIALS = frozenset({"no", "never", "nobody", "none", "neither", "nor", "nothing"})


def verdict(q: QuestionAnalysis, info: SentenceInfo, text: str) -> str | None:
    """"Yes", "No" or None for a yes/no question ``q`` answered by the sentence ``text``."""
    if not q.polar or not q.terms:
        return None
    held = len(q.terms & terms(text)) / len(q.terms)
    negated = {stem(w) for w in info.negated}
    if q.verb and q.verb in negated:
        return "No"
    denied = bool(negated) or bool(_DENIALS & {w.lower().strip(".,;:") for w in text.split()})
    if held < _CLEAR:
        return None
    if denied:
        return "No" if negated or q.verb in terms(text) else None
    return "Yes" if not q.verb or q.verb in terms(text) else None
