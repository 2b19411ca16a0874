"""Index-time linguistics: sentences, entities, item lists and marks, stored by content hash."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.documents import Document
from index.linguistics import Linguistics
from index.nlp import analyse_texts
from index.parse import parse_document
from index.sentences import sentence_infos, sentence_spans
from index.sentvec import SentenceTable, text_key


def _one(text: str):  # type: ignore[no-untyped-def]
    return analyse_texts([text])[0][0]


def test_sentences_end_at_line_breaks_and_not_at_abbreviations() -> None:
    text = "Mr. Smith came at 5 p.m. on Jan. 5. He left!\nThen a new line"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Mr. Smith came at 5 p.m. on Jan. 5.", "He left!", "Then a new line"]


def test_sentence_offsets_are_true_to_the_text_inside_a_range() -> None:
    text = "Ann Lee:  We met in 1996.  It rained.\nBo Li: Fine."
    spans = sentence_spans(text, 8, 38)
    assert [text[s:e] for s, e in spans] == ["We met in 1996.", "It rained."]


def test_entities_carry_labels_governors_and_counted_nouns() -> None:
    s = "We have opened three new plants in Ohio and signed the deal in 1996."
    info = _one(s)
    found = {s[e.start : e.end]: e for e in info.entities}
    assert found["three"].label == "CARDINAL"
    assert s[found["three"].head_start : found["three"].head_end] == "plants"
    assert found["1996"].label == "DATE" and found["1996"].governor == "signed"


def test_qualifiers_stay_with_their_number() -> None:
    s = "More than 6,000 students study here, about 40% of them for free."
    labels = {s[e.start : e.end]: e.label for e in _one(s).entities}
    assert labels.get("More than 6,000") == "CARDINAL"
    assert labels.get("about 40%") == "PERCENT"


def test_coordinated_items_are_a_list_with_their_own_modifiers() -> None:
    s = "Plants are planned in Ohio, the Dakotas, New Mexico and South Carolina."
    info = _one(s)
    assert [[s[a:b] for a, b in g] for g in info.lists] == [
        ["Ohio", "the Dakotas", "New Mexico", "South Carolina"]]


def test_reasons_negations_and_back_references_are_marked() -> None:
    assert _one("We paused the plan because returns were too low.").reason
    assert _one("We raised prices to offset the cost of steel.").reason
    assert not _one("We raised prices in March.").reason
    assert "sign" in _one("We did not sign the deal.").negated
    assert _one("That is why we left.").refers_back
    assert not _one("We left early.").refers_back


def test_linguistics_round_trip_and_reuse(tmp_path: Path) -> None:
    text = "Ann Lee: We met in 1996. It rained in Ohio."
    doc = parse_document(doc_id="d", text=text, path="", sha256="")
    infos = sentence_infos(text, doc.turns[0].start, doc.turns[0].end)
    spans = [("d", i.start, i.end) for i in infos]
    keys = [text_key(text[s:e]) for _, s, e in spans]
    table = SentenceTable(spans, np.zeros((len(spans), 2)), keys)
    ling = Linguistics.build(table, {"d": doc})
    ling.save(tmp_path)
    back = Linguistics.load(tmp_path)
    assert len(back) == 2
    first = back.get(keys[0], spans[0][2] - spans[0][1])
    assert [(text[spans[0][1] + e.start : spans[0][1] + e.end], e.label) for e in first.entities] \
        == [("1996", "DATE")]
    # a later build reuses the stored analysis instead of parsing again
    other = Document(doc_id="d", text="", path="", sha256="", title="")
    again = Linguistics.build(table, {"d": other}, previous=back)
    assert again.get(keys[1], 0).entities == back.get(keys[1], 0).entities


def test_an_unknown_sentence_has_an_empty_analysis() -> None:
    info = Linguistics().get("0" * 24, 12)
    assert (info.start, info.end, info.entities) == (0, 12, ())
