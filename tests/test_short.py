"""Short answers: the number, date or name inside the main quote, verbatim."""

from __future__ import annotations

import pytest

import qa
from qa.short import short_span


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        (
            "How many Russians came back from Tajikistan?",
            "Since then 300,000 to 400,000 Russians have returned.",
            "300,000 to 400,000 Russians",
        ),
        (
            "How many countries sent delegations?",
            "It was attended by delegations from 35 states and six organisations.",
            "35 states",
        ),
        ("How many trade missions are there?", "At present, only five exist.", "five"),
        # the count is the part, not the whole it is taken out of
        (
            "How many Caspian states have ratified it?",
            "Four out of the five Caspian states have already ratified it.",
            "Four out of the five Caspian states",
        ),
        # opened and planned in one sentence: the tense of the question picks
        (
            "How many embassies has Russia opened?",
            "We have opened three new embassies and plan to open seven more.",
            "three new embassies",
        ),
        (
            "How many embassies will Russia open?",
            "We have opened three new embassies and plan to open seven more.",
            "seven more",
        ),

        ("How much did it cost?", "The budget was $2.5 million in all.", "$2.5 million"),
        ("When was it signed?", "It was signed as far back as 1996, when it ended.", "1996"),
        (
            "On what date did they meet?",
            "They met in Riyadh on February 18, 2025, for talks.",
            "February 18, 2025",
        ),
    ],
)
def test_short_answer_is_the_thing_asked(question: str, sentence: str, short: str) -> None:
    span = short_span(question, sentence)
    assert span is not None and sentence[span[0] : span[1]] == short


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # two counts of the thing asked: which one is meant takes reading
        (
            "How many polling stations did Russia get?",
            "In all 234 polling stations were opened abroad, yet in Russia only two stations.",
        ),
        # two numbers, neither next to the thing asked: no guess
        ("How many ships sailed?", "In 2024, two routes opened and 35 ports grew."),
        # a date the question already gives is no answer
        ("What happened in 2024?", "In 2024 the summit met."),
        # a year dates a thing; it does not count it
        ("How many countries took part?", "In November 2024, the conference was held."),
        # a capitalised phrase may be a person, a place or a festival: no guess
        ("Who leads Syria?", "The government is led by Ahmed al-Sharaa."),
        # kinds without a short answer
        ("Why did relations decline?", "Because of 1990s policies, 12 embassies closed."),
        ("When exactly will it be held?", "It will be held in 2025."),
    ],
)
def test_no_short_answer_when_unsure(question: str, sentence: str) -> None:
    assert short_span(question, sentence) is None


@pytest.mark.model
def test_real_short_answers_are_verbatim_inside_the_main_quote(real_bot: qa.Bot) -> None:
    ans = real_bot.ask("How many new embassies has Russia already opened in Africa?")
    assert ans.short is not None and ans.short.quote == "three new embassies"
    doc = real_bot.document(ans.short.doc_id)
    assert doc.text[ans.short.start : ans.short.end] == ans.short.quote
    assert any(c.start <= ans.short.start and ans.short.end <= c.end for c in ans.citations)
    assert ans.text.startswith("three new embassies — ")
    assert ans.to_dict()["short"]["quote"] == "three new embassies"


def test_two_dates_give_no_short_answer() -> None:
    sentence = "Since it was initiated in 2021, the last meeting was in October 2024 in Türkiye."
    assert short_span("When was the most recent meeting?", sentence) is None
