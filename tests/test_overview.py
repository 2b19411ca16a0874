"""Questions about a whole transcript get a structured overview, never an abstention."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import qa
from index.embed import HashingEmbedder
from qa.overview import BACKEND, wants_overview

TALK = Path(__file__).resolve().parents[1] / "eval" / "corpora" / "talk" / "transcripts"

OVERVIEW_QUESTIONS = [
    "Summarize this", "Summarise the transcript.", "What is this about?", "What's it about?",
    "give me an overview", "Can you give me a short summary of the call?", "Overview please",
    "What were the main topics discussed?", "What topics were covered?", "tl;dr",
    "Who are the speakers?", "Sum up the whole hearing", "What was discussed?",
]
NOT_OVERVIEW = [
    "What did the minister say about the treaty?", "What is the agreement about?",
    "Summarize what was said about tariffs", "What topics did the CFO raise about margins?",
    "Who asked about the embassies?", "How many embassies were opened?",
    "What was discussed about Africa?", "Give me a summary of the revenue figures",
]


@pytest.mark.parametrize("question", OVERVIEW_QUESTIONS)
def test_overview_intent_is_recognised(question: str) -> None:
    assert wants_overview(question)


@pytest.mark.parametrize("question", NOT_OVERVIEW)
def test_questions_about_something_are_not_overviews(question: str) -> None:
    assert not wants_overview(question)


def _check(bot: qa.Bot, ans: qa.Answer) -> None:
    assert not ans.abstained and ans.backend == BACKEND
    assert "does not" not in ans.text
    assert ans.citations
    for c in ans.citations:
        assert bot.document(c.doc_id).text[c.start : c.end] == c.quote
    # every [k] names a citation, and every citation is named
    named = {int(k) for k in re.findall(r"\[(\d+)\]", ans.text)}
    assert named == set(range(1, len(ans.citations) + 1))


def test_seed_overview_has_speakers_topics_and_exchanges(fake_bot: qa.Bot) -> None:
    ans = fake_bot.ask("Summarize this")
    _check(fake_bot, ans)
    doc = fake_bot.documents[0]
    questions = [t for t in doc.turns if t.role == "question"]
    assert "Speakers:" in ans.text and "Topics:" in ans.text and "Exchanges:" in ans.text
    for t in {t.speaker for t in doc.turns}:
        assert t in ans.text
    # one exchange line per question turn, each naming who answered it
    exchange_lines = [ln for ln in ans.text.splitlines() if re.match(r"\d+\. ", ln)]
    assert len(exchange_lines) == len(questions)
    answerer = doc.turns[questions[0].index + 1].speaker
    assert f"→ {answerer} [" in exchange_lines[0]
    # the exchange's quotes are the question's and the answer's first words
    cited_turns = {(c.role, c.turn) for c in ans.citations}
    assert ("question", questions[0].index) in cited_turns
    assert ("answer", questions[0].index + 1) in cited_turns


def test_overview_topics_come_from_the_transcripts_names(fake_bot: qa.Bot) -> None:
    ans = fake_bot.ask("What is this about?")
    line = next(ln for ln in ans.text.splitlines() if ln.startswith("Topics:"))
    topics = re.findall(r"([^,:]+?) \((\d+) mentions\)", line.removeprefix("Topics:"))
    assert len(topics) >= 5
    counts = [int(n) for _, n in topics]
    assert counts == sorted(counts, reverse=True)
    text = fake_bot.documents[0].text
    for name, _ in topics:
        assert name.strip() in text


def test_overview_is_not_rewritten_and_same_through_to_dict(fake_bot: qa.Bot) -> None:
    ans = fake_bot.ask("give me an overview", history=["How many embassies?"])
    assert ans.to_dict()["backend"] == BACKEND
    assert [e for e in fake_bot.ask_stream("give me an overview")][-1] == ans.__class__(
        **{**ans.__dict__, "question": "give me an overview"})


def test_second_transcript_overview_finds_exchanges_without_labels(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """An earnings call has no question/answer labels: a turn that ends in a question and
    the next speaker's reply make an exchange."""
    folder = tmp_path_factory.mktemp("talk-overview")
    bot = qa.load(TALK, index_dir=folder / "index", embedder=HashingEmbedder())
    ans = bot.ask("Give me an overview of the call")
    _check(bot, ans)
    doc = bot.documents[0]
    exchange_lines = [ln for ln in ans.text.splitlines() if re.match(r"\d+\. ", ln)]
    assert len(exchange_lines) >= 5
    speakers = {t.speaker for t in doc.turns}
    for ln in exchange_lines:
        asker = ln.split(". ", 1)[1].split(":", 1)[0]
        assert asker in speakers
    assert any("→" in ln and "no answer" not in ln for ln in exchange_lines)
