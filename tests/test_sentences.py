from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from index.sentences import sentence_spans


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Rubio met the U.S. President. J. Smith left! Why? “Yes.” Then 2025 came."
    assert split(text) == [
        "Mr. Rubio met the U.S. President.",
        "J. Smith left!",
        "Why?",
        "“Yes.”",
        "Then 2025 came.",
    ]


def test_lines_always_end_sentences_and_decimals_stay() -> None:
    assert split("Growth was 3.5 percent\nNext line.") == ["Growth was 3.5 percent", "Next line."]


@given(st.text(max_size=300))
def test_spans_are_ordered_trimmed_and_non_empty(text: str) -> None:
    last = 0
    for s, e in sentence_spans(text):
        assert last <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        last = e
