"""Short answers: the entity, count, sum or list asked for, verbatim inside the quote."""

from __future__ import annotations

from index.nlp import analyse_texts
from qa.question import analyse
from qa.short import short_span, total_of


def _short(question: str, sentence: str) -> str | None:
    span = short_span(analyse(question), analyse_texts([sentence])[0][0], sentence)
    return sentence[span[0] : span[1]] if span else None


def test_a_count_comes_with_the_noun_it_counts() -> None:
    s = "We have opened three new plants in Ohio and plan to open seven more."
    assert _short("How many new plants has the company opened?", s) == "three new plants"


def test_qualifiers_are_kept() -> None:
    s = "More than 6,000 students from abroad study here."
    assert _short("How many foreign students study here?", s) == "More than 6,000 students"


def test_dates_names_and_places() -> None:
    assert _short("When was the deal signed?", "The deal was signed in 1996 in Oslo.") == "1996"
    assert _short("Where was the deal signed?", "The deal was signed in 1996 in Oslo.") == "Oslo"
    s = "The plant director, Lucia Garza, ran a plant in the region."
    assert _short("Who runs the new plant?", s) == "Lucia Garza"


def test_a_thing_the_question_names_is_no_answer() -> None:
    assert _short("When did the 1996 deal take effect?", "The 1996 deal came into force.") is None


def test_exact_dates_need_a_day() -> None:
    s = "It was signed in 2023, on July 14, 2023, in Oslo."
    assert _short("On what date was it signed?", s) == "July 14, 2023"


def test_lists_span_their_items() -> None:
    s = "Plants are planned in Ohio, Texas, Utah and Maine, totalling four."
    assert _short("Which states will get plants?", s) == "Ohio, Texas, Utah and Maine"


def test_totals_add_the_counts() -> None:
    s = "We have opened three new plants and plan to open seven more."
    info = analyse_texts([s])[0][0]
    assert total_of(analyse("How many plants will there be in total?"), info, s) == (
        10, ["three new plants", "seven more"])
    assert total_of(analyse("How many plants have opened?"), info, s) is None


def test_a_person_the_question_names_is_no_answer_by_surname() -> None:
    s = "Jane Smith's team works on the principle that every partner is heard."
    assert _short("Which principle does Smith's team follow?", s) is None


def test_a_people_does_not_answer_who() -> None:
    s = "The Danes voted, and Maria Olsen counted the ballots."
    assert _short("Who counted the ballots?", s) == "Maria Olsen"


def test_in_what_year_wants_a_year() -> None:
    s = "Last year, in 2021, the plant opened."
    assert _short("In what year did the plant open?", s) == "2021"


def test_a_body_named_by_the_common_noun_asked_is_an_answer() -> None:
    s = "The module was certified by Norvik Telecom on its network."
    assert _short("Which telecom operator certified the module?", s) == "Norvik Telecom"
