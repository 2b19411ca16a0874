"""The abstention features read from real evidence on a small transcript."""

from __future__ import annotations

from pathlib import Path

import qa
from index.embed import HashingEmbedder
from qa.abstain import FEATURES
from qa.answer import AnswerSettings, evidence

TEXT = (
    "Ann Lee: The festival opened in 2019 and has grown every year since. "
    "This summer the festival drew 40,000 visitors over three days. "
    "Our volunteers handled the crowds well.\n"
)


def _features(tmp_path: Path, question: str) -> dict[str, float]:
    path = tmp_path / "talk.txt"
    path.write_text(TEXT, encoding="utf-8")
    bot = qa.load(path, index_dir=tmp_path / "index", embedder=HashingEmbedder(),
                  answer_settings=AnswerSettings(threshold=0.0))
    found = evidence(bot.answer_context(question, bot.retrieve(question)), bot.answer_settings)
    assert found is not None
    return dict(zip(FEATURES, found.features, strict=True))


def test_a_number_of_the_thing_asked_is_counted(tmp_path: Path) -> None:
    feats = _features(tmp_path, "How many visitors did the festival draw?")
    assert feats["attach"] == 1.0 and feats["uncounted"] == 0.0


def test_a_number_of_something_else_leaves_the_question_uncounted(tmp_path: Path) -> None:
    # the sentences hold numbers (visitors, days, a year), none of volunteers
    feats = _features(tmp_path, "How many volunteers worked at the festival?")
    assert feats["uncounted"] == 1.0


def test_only_questions_for_numbers_can_be_uncounted(tmp_path: Path) -> None:
    assert _features(tmp_path, "Who handled the crowds?")["uncounted"] == 0.0
