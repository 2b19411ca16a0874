"""Totals: a question asking how many in all gets the sum of the counts it quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

import qa
from index.embed import HashingEmbedder
from qa.total import asks_total, total_of
from ui.render import format_answer

SENTENCE = (
    "We have opened three new embassies in Africa and plan to open seven more within two years."
)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Counting those opened and those planned, how many embassies?", True),
        ("How many embassies will there be altogether?", True),
        ("How many embassies has Russia opened?", False),  # one count, no sum
        ("What is the total budget?", False),  # not a "how many"
    ],
)
def test_asks_total(question: str, asks: bool) -> None:
    assert asks_total(question) is asks


def test_total_adds_the_counts_of_the_thing_asked_only() -> None:
    # "two years" counts years, not embassies
    got = total_of("How many new embassies will there be in all?", SENTENCE)
    assert got == (10, ["three new embassies", "seven more"])


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("How many embassies has Russia opened?", SENTENCE),  # no total asked
        ("How many embassies in total?", "We have opened three new embassies."),  # one count
        ("How many embassies in total?", "We opened several embassies and some more."),
    ],
)
def test_no_total_without_two_counts_or_the_question(question: str, sentence: str) -> None:
    assert total_of(question, sentence) is None


def test_the_answer_and_the_chat_lead_with_the_total(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"Sergey Lavrov: Our work in Africa grows. {SENTENCE}\n", encoding="utf-8")
    bot = qa.load(path, index_dir=tmp_path / "ix", embedder=HashingEmbedder())
    ans = bot.ask("Counting those opened and those planned, how many new embassies in Africa?")
    assert not ans.abstained, ans
    assert ans.text.startswith("10 in all (three new embassies + seven more) — ")
    assert ans.short is None and SENTENCE in " ".join(c.quote for c in ans.citations)
    reply = format_answer(ans, bot.documents)
    assert reply.startswith(r"**10 in all \(three new embassies \+ seven more\)**")
