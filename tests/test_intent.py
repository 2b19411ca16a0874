"""What kind of answer a question wants, and whether a sentence brings one."""

from __future__ import annotations

import pytest

from qa.intent import answer_kind, brings_kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("In which year did the floods hit the border regions?", "date"),
        ("Which month will the contest take place in?", "date"),
        ("By when should the organisation be running?", "date"),
        ("What did the deputy blame for the floods?", "reason"),
        ("What motivates the Americans to talk again?", "reason"),
        ("What caused the decline?", "reason"),
        ("How come the talks stalled?", "reason"),
        ("Why did relations decline?", "reason"),
        ("Who are the members of the 3+3 group?", "list"),  # countries, not a person
        ("Who are the group's critics?", "person"),
        ("What did Lavrov say about the Arctic?", None),
        ("What is the name of the treaty?", "name"),
    ],
)
def test_answer_kind(question: str, kind: str | None) -> None:
    assert answer_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "question", "sentence", "brings"),
    [
        # a year dates a thing: it is no count
        ("number", "How many countries came?", "In November 2024, the forum was held.", False),
        ("number", "How many countries came?", "In 2024, delegations of 35 states came.", True),
        # "one" counts, but not in "no one" or "from day one"
        ("number", "How many groups work?", "No one has kicked us out.", False),
        ("number", "How many states joined?", "We agreed from day one to do it.", False),
        ("number", "How many embassies opened?", "Only one embassy opened.", True),
        ("date", "When was the forum held?", "In November 2024, the forum was held.", True),
        ("date", "When was it signed?", "As of today, the agreement is in force.", False),
        # a cause named with "connected … with"
        (
            "reason",
            "What caused the floods?",
            "This was connected, among other things, with the lack of cooperation.",
            True,
        ),
        ("reason", "Why did it fail?", "The governors met twice.", False),
        # "following the" gives a cause opening a clause, not as a verb
        ("reason", "Why did ties decline?", "Ties – following the split – fell.", True),
        ("reason", "Why is it so?", "States act, not blindly following the orders.", False),
        # ", as" gives a cause, unless it reports ("as stated", "as noted")
        ("reason", "Why is it in disarray?", "It is in disarray, as the focus shifted.", True),
        ("reason", "Why will it stay?", "The task stays, as stated in the Concept.", False),
        # "who" is answered by a title, a role or a body, not by any capitalised phrase
        ("person", "Who will represent Russia?", "States across Asia and Latin America.", False),
        ("person", "Who won the Games?", "The Games of the Future took place.", False),
        ("person", "Who set it up?", "It was the idea of President Kassym-Jomart Tokayev.", True),
        (
            "person",
            "Who proposed it?",
            "It was co-sponsored by the presidents of Azerbaijan.",
            True,
        ),
        ("person", "Who will look into it?", "The Consular Department will study it.", True),
    ],
)
def test_brings_kind(kind: str, question: str, sentence: str, brings: bool) -> None:
    assert brings_kind(kind, question, sentence) is brings
