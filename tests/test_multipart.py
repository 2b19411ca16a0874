"""Questions that ask two things: split, answered part by part, joined."""

from __future__ import annotations

import pytest

import qa
from qa.multipart import join_answers, split_question
from qa.types import Answer, Citation, Passage


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "When was the most recent 3+3 ministerial meeting, and where?",
            [
                "When was the most recent 3+3 ministerial meeting?",
                "Where was the most recent 3+3 ministerial meeting?",
            ],
        ),
        (
            "Which 3+3 country has stayed away from the format, and what has Russia promised it?",
            ["Which 3+3 country has stayed away from the format?", "What has Russia promised it?"],
        ),
        (
            "What does Lavrov accuse the Biden administration of doing in Syria and in the "
            "South Caucasus?",
            [
                "What does Lavrov accuse the Biden administration of doing in Syria?",
                "What does Lavrov accuse the Biden administration of doing in the South Caucasus?",
            ],
        ),
    ],
)
def test_two_part_questions_split(question: str, parts: list[str]) -> None:
    assert split_question(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "What treaty do Russia and China have?",
        "Why and when?",
        "Who are the members of the 3+3 group for the South Caucasus?",
        "What did he say about trade and investment?",
    ],
)
def test_single_questions_stay_whole(question: str) -> None:
    assert split_question(question) == [question]


def _cite(start: int, end: int) -> Citation:
    return Citation("d", start, end, "x" * (end - start), "Sergey Lavrov")


def _answer(text: str, cites: list[Citation], conf: float, abstained: bool = False) -> Answer:
    passage = Passage("d", 0, 50, "x" * 50, 1.0, "Sergey Lavrov", chunk_id="c0")
    return Answer("q", text, abstained, conf, cites, [passage])


def test_join_keeps_every_part_and_the_weakest_confidence() -> None:
    joined = join_answers(
        "Q?", [_answer("b", [_cite(20, 30)], 0.9), _answer("a", [_cite(0, 10)], 0.6)]
    )
    assert not joined.abstained and joined.question == "Q?"
    assert joined.text == "b … a"
    assert [c.start for c in joined.citations] == [0, 20]  # reading order
    assert joined.confidence == 0.6 and len(joined.passages) == 1


def test_join_drops_a_quote_inside_another_and_repeated_text() -> None:
    joined = join_answers(
        "Q?", [_answer("a", [_cite(0, 30)], 0.8), _answer("a", [_cite(5, 10)], 0.7)]
    )
    assert joined.text == "a" and [(c.start, c.end) for c in joined.citations] == [(0, 30)]


def test_join_abstains_only_when_every_part_does() -> None:
    no = _answer("The transcript does not say.", [], 0.2, abstained=True)
    assert join_answers("Q?", [no, no]).abstained
    partial = join_answers("Q?", [no, _answer("a", [_cite(0, 10)], 0.7)])
    assert not partial.abstained and partial.text == "a"


@pytest.mark.model
def test_each_part_of_a_real_question_gets_its_quote(real_bot: qa.Bot) -> None:
    ans = real_bot.ask(
        "What does Lavrov accuse the Biden administration of doing in Syria and in the "
        "South Caucasus?"
    )
    quotes = " ".join(c.quote for c in ans.citations)
    assert "Kurdish quasi-state" in quotes and "3+1 format" in quotes
    for c in ans.citations:
        assert real_bot.document(c.doc_id).text[c.start : c.end] == c.quote


@pytest.mark.model
def test_retrieval_of_a_two_part_question_serves_both_parts(real_bot: qa.Bot) -> None:
    question = "Which 3+3 country has stayed away from the format, and what has Russia promised it?"
    passages = real_bot.retrieve(question, k=5)
    assert len(passages) == 5 and len({(p.start, p.end) for p in passages}) == 5
    assert any("chair will always be" in p.text for p in passages)


def test_a_two_part_follow_up_keeps_the_conversation(
    fake_bot: qa.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    searched: list[str] = []
    search = fake_bot.searcher.search

    def recording(query: str, *args: object) -> list[Passage]:
        searched.append(query)
        return search(query, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(fake_bot.searcher, "search", recording)
    fake_bot.ask("When was it held, and where?", history=["What did he say about the 3+3 meeting?"])
    assert len(searched) == 2
    assert all("3+3 meeting" in q for q in searched), searched
