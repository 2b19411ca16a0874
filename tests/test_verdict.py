"""Yes or no only when the evidence clearly affirms or denies."""

from __future__ import annotations

from index.nlp import analyse_texts
from qa.question import analyse
from qa.verdict import verdict


def _say(question: str, sentence: str) -> str | None:
    return verdict(analyse(question), analyse_texts([sentence])[0][0], sentence)


def test_clear_denial_and_affirmation() -> None:
    assert _say("Did the company sign the supply deal?", "We did not sign the supply deal.") == "No"
    assert _say("Did the company sign the supply deal?", "We signed the supply deal in May.") \
        == "Yes"


def test_no_verdict_when_unclear_or_not_yes_no() -> None:
    assert _say("Did the company sign the supply deal?", "Talks about steel went on.") is None
    assert _say("When was the supply deal signed?", "We signed the supply deal in May.") is None
