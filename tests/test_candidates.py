"""Sentence scoring: which words count, and sentences that refer back to the one before."""

from __future__ import annotations

from pathlib import Path

import pytest

import qa
from index.embed import HashingEmbedder
from qa.answer import AnswerSettings, evidence, select
from qa.candidates import (
    Candidate,
    content_words,
    refers_back,
    score_candidates,
)

TRANSCRIPT = """\
Sergey Lavrov: Our ties with many partners are growing. This approach shows the divide \
between the new team and the Brussels bureaucracy. The latter is now in disarray, as the \
focus has shifted to individual states. We see this as a constructive trend.
"""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("the 3+3 format", {"3+3", "forma"}),  # a format's name is one word, not two digits
        ("Lavrov’s view", set()),  # a stop word stays one with a possessive
        ("Russia's partners", {"partn"}),
    ],
)
def test_content_words(text: str, words: set[str]) -> None:
    assert content_words(text) == words


def _bot(tmp_path: Path, text: str = TRANSCRIPT) -> qa.Bot:
    """A bot over one small transcript, with the hashing embedder."""
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    return qa.load(path, index_dir=tmp_path / "ix", embedder=HashingEmbedder())


def _quoted(tmp_path: Path, text: str, question: str) -> str:
    """The quotes of the bot's answer to ``question`` about ``text`` (it must answer)."""
    ans = _bot(tmp_path, text).ask(question)
    assert not ans.abstained, ans
    return " ".join(c.quote for c in ans.citations)


def _pool(tmp_path: Path, question: str) -> dict[str, float]:
    bot = _bot(tmp_path)
    ctx = bot.answer_context(question, bot.retrieve(question, k=3))
    doc = bot.documents[0]
    return {doc.text[c.start : c.end][:10]: c.overlap for c in score_candidates(ctx)}


def test_a_sentence_referring_back_borrows_the_words_before_it(tmp_path: Path) -> None:
    overlap = _pool(tmp_path, "Why is the Brussels bureaucracy in disarray?")
    # own word "disarray" counts whole; "Brussels bureaucracy" of "the latter" counts half
    assert overlap["The latter"] == pytest.approx((1 + 0.5 * 2) / 3)
    # a sentence that does not refer back keeps its own words only
    assert overlap["We see thi"] == 0.0


def test_a_quote_that_refers_back_brings_the_sentence_it_refers_to(tmp_path: Path) -> None:
    text = (
        "Sergey Lavrov: Our ties with many partners are growing. One camp gains, the other "
        "loses. The latter, the Brussels bureaucracy, is now in disarray, as the focus has "
        "shifted to individual states. We see this as a constructive trend.\n"
    )
    quote = _quoted(tmp_path, text, "Why is the Brussels bureaucracy in disarray?")
    # "the latter" means nothing without the sentence before it
    assert quote.startswith("One camp gains, the other loses. The latter"), quote


@pytest.mark.parametrize(
    ("sentence", "refers"),
    [
        ("The latter is in disarray.", True),
        ("That is why we back the idea.", True),
        ("We regard it as a robust foundation.", True),  # "it" is named before
        ("We support them fully.", True),
        ("I think it is important to say.", False),  # "it is" points ahead, not back
        ("We will open ten embassies.", False),
    ],
)
def test_refers_back(sentence: str, refers: bool) -> None:
    assert refers_back(sentence) is refers


def test_questions_in_words_the_corpus_never_uses_are_marked(tmp_path: Path) -> None:
    bot = _bot(tmp_path)

    def known(question: str) -> float:
        found = evidence(bot.answer_context(question, bot.retrieve(question, k=3)))
        assert found is not None
        return found.features[-1]  # share of the question's words the corpus uses

    assert known("Why is the Brussels bureaucracy in disarray?") == 1.0
    assert known("What will the weather forecast be for Brussels?") == pytest.approx(1 / 3)


def test_a_why_answer_without_a_reason_brings_the_sentence_before_it(tmp_path: Path) -> None:
    text = (
        "Sergey Lavrov: Our ties with many partners are growing. Russia shares a stretch of "
        "border with the DPRK. We are not indifferent to developments on the Korean Peninsula. "
        "We favour removing all risks. Trade grows.\n"
    )
    quote = _quoted(tmp_path, text, "Why is Moscow not indifferent to the Korean Peninsula?")
    assert "We are not indifferent" in quote
    assert "Russia shares a stretch of border with the DPRK." in quote, quote


def _candidates(bot: qa.Bot, scores: dict[str, tuple[float, bool]]) -> list[Candidate]:
    """Hand-scored candidates: sentence opening -> (score, brings the wanted kind)."""
    doc = bot.documents[0]
    table = bot.searcher.stored.sentences
    out = []
    for _, start, end in table.spans:
        for opening, (score, brings) in scores.items():
            if doc.text[start:end].startswith(opening):
                turn = doc.turn_at(start)
                index = turn.index if turn else 0
                out.append(Candidate(doc.doc_id, start, end, index, 0, score, 0.5, brings, score))
    return sorted(out, key=lambda c: -c.score)


def test_a_main_sentence_that_brings_the_answer_stands_alone(tmp_path: Path) -> None:
    text = (
        "Sergey Lavrov: The council met in Tromsø in May 2024. Our ties are growing. "
        "Shipping was discussed again in June 2024. Ports and shipping lanes matter to many.\n"
    )
    bot = _bot(tmp_path, text)
    docs = {d.doc_id: d for d in bot.documents}
    scores = {"The council": (0.9, True), "Shipping": (0.85, True), "Ports": (0.84, True)}
    pool = _candidates(bot, scores)

    def quoted(question: str) -> list[str]:
        chosen = select(question, pool[0], pool, docs, AnswerSettings())
        return [docs[c.doc_id].text[c.start : c.end] for c in chosen]

    # the date asked for is in the main sentence: a dated sentence elsewhere is noise
    assert quoted("When did the council meet in Tromsø to discuss shipping?") == [
        "The council met in Tromsø in May 2024."
    ]
    # a list's other items may stand elsewhere
    assert len(quoted("Which topics did the council discuss, such as shipping?")) > 1
