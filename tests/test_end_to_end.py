"""The real packaged MiniLM model on the real seed transcript."""

from __future__ import annotations

import pytest

import qa

pytestmark = pytest.mark.model

# question -> words the cited span must hold
CASES = {
    "How many polling stations did Russia get for the Moldovan election?": ["two stations"],
    "When was the latest Foreign Policy Concept adopted?": ["March 31, 2023"],
    "What did Lavrov say about being kicked out of the Arctic Council?": ["kicked us out"],
    "How many African embassies are Russia planning to open?": ["seven"],
}


# Known failures of the answerer that generalises (BENCHMARKS.md lists them): the test
# runs, and says so when one starts to pass.
KNOWN = pytest.mark.xfail(strict=True, reason="known failure, listed in BENCHMARKS.md")


@pytest.mark.parametrize("question", [
    *CASES,
    # the date of the event in force today outranks the sentence dating the signing
    pytest.param("When was the Russian-Tajik dual citizenship agreement signed?", marks=KNOWN),
])
def test_answers_cite_the_right_passage(real_bot: qa.Bot, question: str) -> None:
    ans = real_bot.ask(question)
    assert not ans.abstained, ans
    quotes = " ".join(c.quote for c in ans.citations)
    for needle in CASES.get(question, ["1996"]):
        assert needle in quotes, (question, quotes)
    for c in ans.citations:
        assert real_bot.document(c.doc_id).text[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2018 FIFA World Cup?",
        "What is a good recipe for banana bread?",
        # on topic, but the transcript does not say: a number of something else, a name it
        # never uses, a thing it never mentions
        # a number of something else is answered at the abstention threshold's edge
        pytest.param("How many Russian compatriots live in Kazakhstan?", marks=KNOWN),
        "What did Lavrov say about the Nord Stream pipelines?",
        "Which airlines fly between the Russian Far East and Southeast Asia?",
    ],
)
def test_off_topic_questions_abstain(real_bot: qa.Bot, question: str) -> None:
    ans = real_bot.ask(question)
    assert ans.abstained and not ans.citations and ans.passages
    assert "does not say" in ans.text


def test_speaker_of_citations(real_bot: qa.Bot) -> None:
    ans = real_bot.ask("What did the deputy ask about the 3+3 platform?")
    assert ans.passages and any(p.role == "question" for p in ans.passages)


@pytest.mark.parametrize(
    ("question", "who"),
    [
        # the speaker of the main quote, not of an extra one elsewhere
        # the rare name the question shares with the asking sentence weighs no more than a
        # common word ("treaty") shared with the speech
        pytest.param("Did Lavrov or a deputy propose a START-4 treaty?", "A deputy asked this",
                     marks=KNOWN),
        # a first-person quote answers "who" by its speaker
        ("Who gave the opening address to the Duma deputies?", "Sergey Lavrov said this"),
    ],
)
def test_who_questions_name_the_speaker_of_the_main_quote(
    real_bot: qa.Bot, question: str, who: str
) -> None:
    ans = real_bot.ask(question)
    assert ans.text.startswith(who), ans.text
    assert len(ans.citations) >= 1
