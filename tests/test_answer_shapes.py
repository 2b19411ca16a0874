"""Answers shaped by the question: who asked, whose words, why not — on small transcripts."""

from __future__ import annotations

from pathlib import Path

import qa
from index.embed import HashingEmbedder
from qa.answer import AnswerSettings

TALK = (
    "Operator: Our next question comes from Bo Li.\n"
    "Bo Li: Thank you. Will the new harbour crane arrive before winter?\n"
    "Ann Lee: The crane arrives in October, well before winter. The agreement with the "
    "port was signed in 1996.\n"
    "Bo Li: And what about the rail link to the harbour?\n"
    "Cy Moss: The rail link opens next spring because the bridge needs repairs.\n"
)


def _bot(tmp_path: Path, text: str = TALK, **options: object) -> qa.Bot:
    path = tmp_path / "call.txt"
    path.write_text(text, encoding="utf-8")
    return qa.load(path, index_dir=tmp_path / "index", embedder=HashingEmbedder(), **options)


def _answering(tmp_path: Path, text: str) -> qa.Bot:
    return _bot(tmp_path, text, answer_settings=AnswerSettings(threshold=0.0))


def test_who_asked_is_answered_from_the_question(tmp_path: Path) -> None:
    ans = _bot(tmp_path, answer_settings=AnswerSettings(threshold=0.0)).ask(
        "Who asked about the harbour crane?")
    assert ans.citations[0].quote.endswith("before winter?")
    assert "Bo Li asked this" in ans.text


def test_what_a_named_speaker_said(tmp_path: Path) -> None:
    ans = _bot(tmp_path, answer_settings=AnswerSettings(threshold=0.0)).ask(
        "What did Cy Moss say about the rail link?")
    assert ans.citations[0].speaker == "Cy Moss"


def test_a_declined_question_says_what_the_transcript_does_say(tmp_path: Path) -> None:
    ans = _bot(tmp_path, answer_settings=AnswerSettings(threshold=1.0)).ask(
        "When was the agreement with the port ratified?")
    assert ans.abstained and not ans.citations
    assert "signed" in ans.reason and "1996" in ans.reason
    assert ans.reason in ans.text and ans.to_dict()["reason"] == ans.reason


def test_a_question_naming_what_the_corpus_never_mentions(tmp_path: Path) -> None:
    ans = _bot(tmp_path, answer_settings=AnswerSettings(threshold=1.0)).ask(
        "What did Ann Lee say about Zanzibar?")
    assert ans.abstained and "Zanzibar" in ans.reason


SPEECH = (
    "Chair: The floor is yours.\n"
    "Dana Ruiz: Thank you. Our ferry service has grown every year. What will keep the "
    "ferries running through the storms? Two things. A sheltered pier at the north end, and "
    "a second engine crew on every night crossing. The pier costs little. The weather will "
    "not wait for us.\n"
    "Chair: Thank you.\n"
)


def test_a_question_asked_inside_a_statement_brings_its_answer(tmp_path: Path) -> None:
    bot = _answering(tmp_path, SPEECH)
    ans = bot.ask("What will keep the ferries running through the storms?")
    quoted = " ".join(c.quote for c in ans.citations)
    assert "sheltered pier" in quoted and "second engine crew" in quoted
    for c in ans.citations:  # every announced sentence is a checked span of the source
        assert SPEECH[c.start:c.end] == c.quote


PLANT = (
    "Host: Tell us about the plant.\n"
    "Mia Tan: We closed the river plant in May. It had run for forty years. "
    "We closed it because the river had silted up and barges could no longer reach it. "
    "The staff moved to the new site.\n"
)


def test_a_why_takes_the_reason_the_speaker_goes_on_to_give(tmp_path: Path) -> None:
    bot = _answering(tmp_path, PLANT)
    ans = bot.ask("Why was the river plant shut in May?")
    assert any("silted up" in c.quote for c in ans.citations)
    for c in ans.citations:
        assert PLANT[c.start:c.end] == c.quote


GOALS = (
    "Kim Oh: Let me remind you of the three goals we set in spring. "
    "First, the north mill reopens. "
    "Second, forty welders join the crews. "
    "All of that is done.\n"
)


def test_a_count_named_without_its_items_brings_the_items(tmp_path: Path) -> None:
    bot = _answering(tmp_path, GOALS)
    ans = bot.ask("What were the three goals set in spring?")
    quoted = " ".join(c.quote for c in ans.citations)
    assert "north mill" in quoted and "welders" in quoted


def test_whose_words_are_weighed_by_the_words_not_by_names_in_them(tmp_path: Path) -> None:
    # "Who said …" is answered by a turn's speaker: a person named in a sentence ("Bo Li")
    # is no reason to prefer it
    from qa.answer import evidence

    bot = _bot(tmp_path, answer_settings=AnswerSettings(threshold=0.0))
    question = "Who said the rail link opens next spring?"
    found = evidence(bot.answer_context(question, bot.retrieve(question)), bot.answer_settings)
    assert found is not None and not any(c.brings_kind for c in found.pool)
    assert bot.ask(question).citations[0].speaker == "Cy Moss"
