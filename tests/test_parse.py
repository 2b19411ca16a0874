from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.documents import Document
from index.parse import find_body_start, parse_document


def parse(text: str) -> Document:
    return parse_document(doc_id="d", text=text, path="", sha256="")


def test_seed_turns_speakers_and_exchanges(seed_doc: Document) -> None:
    turns = seed_doc.turns
    assert len(turns) == 33
    assert turns[0].role == "speech" and turns[0].speaker == "Sergey Lavrov"
    questions = [t for t in turns if t.role == "question"]
    answers = [t for t in turns if t.role == "answer"]
    assert len(questions) == len(answers) == 16
    assert {t.speaker for t in questions} == {"Deputy"}
    assert {t.speaker for t in answers} == {"Sergey Lavrov"}
    for a in answers:
        q = turns[a.question_turn]  # type: ignore[index]
        assert q.role == "question" and q.exchange_id == a.exchange_id
    assert [q.exchange_id for q in questions] == list(range(1, 17))


def test_seed_header_is_kept_out_of_the_body(seed_doc: Document) -> None:
    assert seed_doc.source == "mid.ru"
    assert seed_doc.text[: seed_doc.body_start] == "Russia\nSource:\nmid.ru"
    assert seed_doc.text[seed_doc.body_start :].startswith("Mr Volodin,")
    assert seed_doc.turns[0].start == seed_doc.body_start
    assert "Lavrov" in seed_doc.title


def test_turn_offsets_are_true_to_the_file(seed_doc: Document) -> None:
    text = seed_doc.text
    for turn in seed_doc.turns:
        body = text[turn.start : turn.end]
        assert body == body.strip() and body
        label = text[turn.label_start : turn.start]
        assert label == "" or label.rstrip().endswith(":")
    arctic = next(t for t in seed_doc.turns if "Arctic power" in text[t.start : t.end])
    assert arctic.role == "question"
    assert "What response measures" in text[arctic.start : arctic.end]  # continuation lines


def test_unlabelled_document_is_one_turn_of_unknown_speaker() -> None:
    doc = parse("Fellow citizens: today we meet.\nThe state of the union is strong.")
    assert [(t.speaker, t.role) for t in doc.turns] == [("unknown", "unknown")]
    assert doc.turns[0].start == 0


def test_any_name_label_works_and_opening_goes_to_principal() -> None:
    text = (
        "Good morning.\nJournalist: What next?\nJane Roe: More work.\n"
        "Journalist: When?\nJane Roe: Soon.\nMore on that."
    )
    doc = parse(text)
    assert [(t.speaker, t.role, t.exchange_id) for t in doc.turns] == [
        ("Jane Roe", "speech", None),
        ("Questioner", "question", 1),
        ("Jane Roe", "answer", 1),
        ("Questioner", "question", 2),
        ("Jane Roe", "answer", 2),
    ]
    assert doc.text[doc.turns[-1].start : doc.turns[-1].end] == "Soon.\nMore on that."


def test_header_detection_needs_a_source_line() -> None:
    assert find_body_start("Plain text with no header")[0] == 0
    start, src = find_body_start("Agency\nSource: example.org\nHello")
    assert src == "example.org" and "Agency\nSource: example.org\nHello"[start:] == "Hello"


@given(st.text(max_size=400))
def test_parse_never_crashes_and_turns_stay_in_bounds(text: str) -> None:
    doc = parse(text)
    for turn in doc.turns:
        assert 0 <= turn.label_start <= turn.start < turn.end <= len(text)
        assert text[turn.start : turn.end].strip()


@pytest.mark.parametrize(
    ("setting", "asker"),
    [
        ("Address to the State Duma deputies.", "Deputy"),
        ("Met PARLIAMENTARY deputies today.", "Deputy"),
        ("Remarks at a press conference.", "Journalist"),
        ("An Express conference call.", "Questioner"),  # "press" inside a word
        ("A press conferences list.", "Questioner"),  # not the whole word
        ("Deputies of the duma-x.", "Questioner"),  # no audience is addressed
        ("I am glad to address the Riverside Council members.", "Member"),
        ("Meeting with Greenfield High School students.", "Student"),
        ("He spoke before the Senate Banking Committee witnesses.", "Witness"),
        ("We address the issues first.", "Questioner"),  # no proper name: not an audience
        ("Press conference, then a meeting with the Mayor's staff.", "Journalist"),
    ],
)
def test_who_asks_depends_on_the_setting(setting: str, asker: str) -> None:
    doc = parse_document(doc_id="d", text=f"{setting}\nQuestion: Why?\nAnn Lee: Because.",
                         path="", sha256="")
    assert doc.turns[1].speaker == asker


def test_front_matter_is_metadata_not_body() -> None:
    text = ("---\ntitle: Annual Address\nspeaker: Ann Lee\ndate: 1999-01-19\n---\n\n"
            "Fellow citizens: we met. The year was good.")
    doc = parse("".join(text))
    assert doc.title == "Annual Address"
    assert dict(doc.metadata) == {"title": "Annual Address", "speaker": "Ann Lee",
                                  "date": "1999-01-19"}
    assert doc.text[doc.body_start :].startswith("Fellow citizens")
    assert all(t.start >= doc.body_start for t in doc.turns)


def test_a_dash_line_that_opens_prose_is_not_front_matter() -> None:
    text = "---\nThis opens with a rule, then prose.\n---\nAnn Lee: Hello there."
    doc = parse(text)
    assert doc.metadata == () and doc.body_start == 0
