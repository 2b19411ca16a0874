"""The question's focus: what it asks about, and whether a number counts that thing."""

from __future__ import annotations

import pytest

from qa.candidates import content_words
from qa.focus import (
    counts_focus,
    focus_head,
    focus_words,
    mentions_focus,
    titled_focus,
    unknown_names,
)


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("How many Chinese students are studying in Russia?", "students"),
        ("How many people died in the floods?", "people"),
        ("Which Syrian ports host Russian naval ships?", "ports"),
        ("Which religious communities does the ministry work with?", "communities"),
        ("Who is Russia's ambassador to Moldova?", "ambassador"),
        ("What is the name of the deputy who asked about the Arctic?", "deputy"),
        ("How much electricity does Russia deliver?", "electricity"),
        ("Which earlier treaty is it a copy of?", "treaty"),
    ],
)
def test_head_noun_of_the_wh_phrase(question: str, head: str) -> None:
    assert focus_head(question) == content_words(head)


@pytest.mark.parametrize(
    "question",
    [
        "What did Lavrov say about Greenland?",
        "How often do the heads of government meet?",
        "Why does Russia reject a ceasefire?",
        "When did Putin speak with Trump?",
        "What share of trade is in roubles?",
    ],
)
def test_no_focus_when_the_question_names_no_thing(question: str) -> None:
    assert focus_head(question) == frozenset()


def test_counted_noun_must_stand_next_to_the_number() -> None:
    students = focus_head("How many Chinese students study here?")
    assert counts_focus(students, "About 56,000 Chinese students study in Russia.")
    assert counts_focus(students, "Students from China number 56,000 now.") is False
    # the number counts countries, the students are mentioned further off
    far = "Councils of Chinese students are active in approximately 120 foreign countries."
    assert not counts_focus(students, far)


def test_states_count_as_countries() -> None:
    countries = focus_head("How many countries sent delegations?")
    assert counts_focus(countries, "It was attended by delegations from 35 states.")


def test_no_focus_means_any_number_counts() -> None:
    assert counts_focus(frozenset(), "They meet two times a year.") is True
    assert counts_focus(frozenset(), "They meet often.") is False


def test_mentions_focus_is_a_share() -> None:
    focus = focus_words("Which Syrian ports host ships?")
    assert mentions_focus(focus, "Syrian ports are busy.") == 1.0
    assert mentions_focus(focus, "The Syrian government met.") == 0.5
    assert mentions_focus(frozenset(), "anything") == 1.0


def test_unknown_names_ignore_the_first_word_and_possessives() -> None:
    vocabulary = content_words("Lavrov met Rubio in Riyadh. Brussels is in disarray.")
    assert unknown_names("What did Lavrov say about Greenland?", vocabulary) == 1
    assert unknown_names("In Lavrov's view, why is Brussels in disarray?", vocabulary) == 0
    assert unknown_names("Greenland is cold?", vocabulary) == 0  # first word: any capital
    assert unknown_names("where did rubio go?", vocabulary) == 0


def test_titled_focus_only_for_questions_that_ask_a_name_by_its_title() -> None:
    assert titled_focus("What is the name of the deputy who asked about the Arctic?") == (
        content_words("deputy")
    )
    assert titled_focus("Who is Russia's ambassador to Moldova?") == content_words("ambassador")
    assert titled_focus("Who are the members of the group?") == frozenset()
    assert titled_focus("How many ships sailed?") == frozenset()
