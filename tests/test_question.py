"""Reading a question once: its kind, focus, shape and whose words it asks about."""

from __future__ import annotations

import pytest

from qa.question import Kind, analyse

CASES = [
    ("When was the agreement signed?", Kind.DATE, False, ""),
    ("In which year did the canal open?", Kind.DATE, False, ""),
    ("How many new plants has the company opened?", Kind.NUMBER, False, ""),
    ("How much did the new plant cost?", Kind.MONEY, False, ""),
    ("What percentage of revenue came from software?", Kind.PERCENT, False, ""),
    ("Who is the chief financial officer?", Kind.PERSON, False, ""),
    ("Where will the next plant be built?", Kind.PLACE, False, ""),
    ("Which city hosted the summit?", Kind.PLACE, False, ""),
    ("Which coastal countries will get new plants?", Kind.PLACE, True, ""),
    ("Name the products launched this year", Kind.NAME, True, ""),
    ("Why did the company pause the gas meter?", Kind.REASON, False, ""),
    ("What caused the delay?", Kind.REASON, False, ""),
    ("According to the chair, why did the talks go well?", Kind.REASON, False, ""),
    ("Who asked about the buyback?", Kind.PERSON, False, "asker"),
    ("Which analyst asked about margins?", Kind.PERSON, False, "asker"),
    ("Who said the experiment would succeed?", Kind.PERSON, False, "speaker"),
    ("What did the analyst ask about the plant?", Kind.THING, False, "asked"),
]


@pytest.mark.parametrize(("question", "kind", "is_list", "asks"), CASES)
def test_kind_list_and_asks(question: str, kind: Kind, is_list: bool, asks: str) -> None:
    q = analyse(question)
    assert (q.kind, q.is_list, q.asks) == (kind, is_list, asks)


def test_focus_verb_and_totals() -> None:
    q = analyse("How many analysts joined the call in total?")
    assert q.focus == "analysts" and "analyst" in q.focus_stems and q.total
    assert q.asks == ""  # counting askers is not asking who asked
    assert analyse("When did the board ratify the plan?").verb == "ratifi"
    assert analyse("On what date was it signed?").exact


def test_yes_no_and_either_or_questions() -> None:
    assert analyse("Did the company raise its guidance?").polar
    either = analyse("Was it the CEO or an analyst who proposed a buyback?")
    assert either.polar and either.asks == "speaker"


def test_whose_words_a_question_is_about() -> None:
    assert analyse("What did the CFO say about margins?").subject == "the CFO"
