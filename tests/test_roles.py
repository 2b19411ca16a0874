"""Questions, answers and the chair, read from the turns when no label marks them."""

from __future__ import annotations

from index.documents import Document
from index.parse import parse_document

CALL = """Operator: Welcome to the call. I hand over to Ann Lee.
Ann Lee: Thank you. Revenue grew by ten percent. Margins held.
Operator: Our first question comes from Bo Chan.
Bo Chan: Thanks. What drove the margin? And is it lasting?
Ann Lee: Pricing drove it. Carl, anything to add?
Carl Roe: Costs fell as well.
Operator: Our next question comes from Di Fox.
Di Fox: How big is the backlog?
Ann Lee: About two billion.
Bo Chan: Thanks.
Operator: Our last question comes from Ed Gray.
Ed Gray: Any news on hiring?
Ann Lee: We hired forty engineers.
Operator: That concludes the call.
"""


def _parse(text: str) -> Document:
    return parse_document(doc_id="d", text=text, path="", sha256="")


def test_named_askers_open_exchanges_and_others_answer() -> None:
    roles = [(t.speaker, t.role, t.exchange_id) for t in _parse(CALL).turns]
    assert roles[3] == ("Bo Chan", "question", 1)
    assert roles[4] == ("Ann Lee", "answer", 1)
    assert roles[5] == ("Carl Roe", "answer", 1)  # a hand-over does not make Ann Lee an asker
    assert roles[7] == ("Di Fox", "question", 2)
    assert roles[8] == ("Ann Lee", "answer", 2)
    assert roles[9] == ("Bo Chan", "statement", None)  # an asker's thanks asks nothing


def test_the_speaker_handing_over_to_askers_is_the_chair() -> None:
    doc = _parse(CALL)
    operator = [t.role for t in doc.turns if t.speaker == "Operator"]
    # before the first question it opens the call; its closing word is the one answer left
    assert operator == ["statement", "statement", "chair", "chair", "chair"]
    answer = doc.turns[4]
    assert answer.question_turn == 3
    assert doc.text[answer.start : answer.end].startswith("Pricing drove it.")


def test_labelled_questions_keep_the_parsed_structure() -> None:
    text = "Question: Why?\nAnn Lee: Because. Who knows?\nQuestion: When?\nAnn Lee: Soon."
    assert [t.role for t in _parse(text).turns] == ["question", "answer", "question", "answer"]


def test_a_speech_with_rhetorical_questions_has_no_askers() -> None:
    text = "Ann Lee: What is our duty? To serve.\nAnn Lee: Why? Because we promised."
    assert {t.role for t in _parse(text).turns} == {"statement"}


def test_the_principal_speaker_is_who_says_most_not_who_speaks_most_often() -> None:
    # a chair's short turns outnumber the speaker's one long turn, which asks and answers
    # its own question: that speaker is not an asker, so nothing here is a question turn
    text = ("Chair: The floor is yours.\n"
            "Dana Ruiz: Thank you. Our ferry service has grown every year. What will keep "
            "it running? Two things. A sheltered pier and a second crew.\n"
            "Chair: Thank you.\n")
    assert [t.role for t in _parse(text).turns] == ["statement"] * 3
