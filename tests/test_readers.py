"""Every transcript format gives its speakers, times and a clean readable text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import CLEAN_TEXT, FORMATS, TURNS, write_sample

from index.documents import Document, read_corpus, read_corpus_report, read_document
from index.errors import SourceError
from index.readers import reader_name
from index.readers.segments import Segment, display_names

TIMED_CUES = ("srt", "vtt", "whisper", "utterances")
STAMPED = ("bracket", "paren", "export")
SPEAKERS = ["Maria Lopez", "Tom Baker", "Maria Lopez"]


def _read(tmp_path: Path, kind: str) -> Document:
    return read_document(write_sample(tmp_path, kind), kind)


def _speakers(doc: Document) -> list[str]:
    return [t.speaker for t in doc.turns]


def _check_spans(doc: Document) -> None:
    for turn in doc.turns:
        assert doc.text[turn.start:turn.end].strip() == doc.text[turn.start:turn.end]
    for cue in doc.cues:
        assert doc.text[cue.start:cue.end] in CLEAN_TEXT


@pytest.mark.parametrize("kind", TIMED_CUES + STAMPED)
def test_timed_formats_give_the_clean_text_and_the_speakers(tmp_path: Path, kind: str) -> None:
    doc = _read(tmp_path, kind)
    expected = CLEAN_TEXT  # the SubRip sample's "MARIA LOPEZ:" is shown as "Maria Lopez"
    assert doc.text == expected
    assert _speakers(doc) == SPEAKERS
    for leak in ("-->", "<v", "<i>", "00:0", '"start"', "WEBVTT", "Media:"):
        assert leak not in doc.text
    _check_spans(doc)


@pytest.mark.parametrize("kind", TIMED_CUES)
def test_a_sentence_spanning_cues_starts_at_its_first_cue(tmp_path: Path, kind: str) -> None:
    doc = _read(tmp_path, kind)
    last = TURNS[-1]
    start = doc.text.index(last.text)
    assert doc.times(start, start + len(last.text)) == pytest.approx((last.start, last.end))
    second = doc.text.index("The new river")  # the second turn's words, mid-paragraph
    assert doc.times(second, second + 5)[0] == pytest.approx(TURNS[1].start)


@pytest.mark.parametrize("kind", STAMPED)
def test_timestamped_text_times_each_line_until_the_next(tmp_path: Path, kind: str) -> None:
    doc = _read(tmp_path, kind)
    question = doc.text.index(TURNS[2].text)
    assert doc.times(question, question + 10) == (10.0, 75.0)
    assert doc.times(len(doc.text) - 5, len(doc.text)) == (75.0, None)


@pytest.mark.parametrize("kind", ["plain", "docx", "pdf"])
def test_untimed_formats_read_as_plain_transcripts(tmp_path: Path, kind: str) -> None:
    doc = _read(tmp_path, kind)
    assert [t.speaker for t in doc.turns] == [t.speaker for t in TURNS]
    assert [doc.text[t.start:t.end] for t in doc.turns] == [t.text for t in TURNS]
    assert doc.cues == () and doc.times(0, 5) == (None, None)


def test_the_seed_reads_as_before(seed_path: Path, seed_doc: Document) -> None:
    assert seed_doc.text == seed_path.read_text(encoding="utf-8") and seed_doc.cues == ()
    assert reader_name(seed_path) == "text" and seed_doc.media is None


def test_srt_labels_carry_to_the_following_cues(tmp_path: Path) -> None:
    path = tmp_path / "t.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nThe room fills.\n\n"
                    "2\n00:00:02,000 --> 00:00:03,000\nANN: Good day.\n\n"
                    "3\n00:00:03,000 --> 00:00:04,000\n{\\an8}All well?\n\n"
                    "4\n00:00:04,000 --> 00:00:05,500\n- BO: Yes.\n", encoding="utf-8")
    doc = read_document(path, "t")
    assert doc.text == "The room fills.\n\nAnn: Good day. All well?\n\nBo: Yes."
    assert _speakers(doc) == ["unknown", "Ann", "Bo"]  # never guessed, only un-capitalised
    assert doc.times(doc.text.index("All"), doc.text.index("All") + 3) == (3.0, 4.0)


def test_json_diarizer_numbers_and_media(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"segments": [
        {"start": 0.0, "end": 1.5, "text": " One.", "speaker": 0},
        {"start": 1.5, "end": 2.0, "text": " Two.", "speaker": "SPEAKER_01"},
        {"start": 2.0, "end": 3.0, "text": " Three."}]}), encoding="utf-8")
    (tmp_path / "t.mp3").write_bytes(b"ID3")
    doc = read_document(path, "t")
    assert _speakers(doc) == ["Speaker 0", "SPEAKER_01", "unknown"]
    assert doc.media == "t.mp3"


@pytest.mark.parametrize(("name", "content", "where"), [
    ("bad.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi.\n\n2\n00:00:03 -> 00:00:04\nYo.\n",
     "bad.srt:5"),
    ("bad.json", '{"segments": [\n{"start": 1, "end": 2, "text": "x"},\n{"start": ]}',
     "bad.json:3"),
    ("bad2.json", '{"segments": [{"start": "soon", "end": 2, "text": "x"}]}',
     "bad2.json: segments[0]"),
    ("bad.txt", "[00:00:01] Ann: Hi.\n[00:00:75] Bo: Yes.\n", "bad.txt:2"),
    ("bad.vtt", "00:00:01.000 --> 00:00:02.000\nHi.\n", "bad.vtt:1"),
    ("bad.pdf", "%PDF-1.4 nothing else", "bad.pdf"),
    ("bad.docx", "not a zip", "bad.docx"),
])
def test_a_broken_file_names_the_file_and_line(
    tmp_path: Path, name: str, content: str, where: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_document(path, "x")
    assert str(caught.value).startswith(str(tmp_path / where)), caught.value


def test_a_single_unsupported_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(SourceError, match=r"photo.png: .png is not a transcript format"):
        read_corpus_report(path)


def test_a_folder_reads_every_format_and_lists_what_it_skipped(tmp_path: Path) -> None:
    for kind in FORMATS:
        write_sample(tmp_path, kind)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "srt.mp3").write_bytes(b"ID3")
    (tmp_path / "broken.srt").write_text("1\nno time\nHi.\n", encoding="utf-8")
    docs, skipped = read_corpus_report(tmp_path)
    assert sorted(d.doc_id for d in docs) == sorted(FORMATS)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"photo.png", "srt.mp3", "broken.srt"}
    assert "not a transcript format" in reasons["photo.png"]
    assert reasons["broken.srt"].startswith("line 1: not a SubRip cue")
    assert next(d for d in docs if d.doc_id == "srt").media == "srt.mp3"


def test_a_timestamped_text_below_a_title_is_read_with_its_times(tmp_path: Path) -> None:
    path = tmp_path / "hearing.txt"
    path.write_text("City council budget hearing\nMay 3, 2026\n\n[00:00:05] Ann Lee: We open.\n"
                    "[00:00:09] Bo Ray: The library?\n[00:00:12] Ann Lee: In March.\n",
                    encoding="utf-8")
    doc = read_corpus(path)[0]
    assert doc.title == "City council budget hearing · May 3, 2026"
    assert doc.text == "Ann Lee: We open.\n\nBo Ray: The library?\n\nAnn Lee: In March."
    assert _speakers(doc) == ["Ann Lee", "Bo Ray", "Ann Lee"]
    assert doc.times(doc.text.index("In March"), len(doc.text)) == (12.0, None)
    assert [doc.text[c.start:c.end] for c in doc.cues] == ["We open.", "The library?", "In March."]


def test_text_that_only_looks_timed_stays_plain(tmp_path: Path) -> None:
    text = "Sermon notes\nJohn 3:16\nFor God so loved the world.\nJohn 1:1\nAnd more.\n"
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_corpus(path)[0]
    assert doc.text == text and not doc.cues


def test_capital_caption_names_keep_acronyms_and_the_files_own_spelling() -> None:
    segs = [Segment("ANN O'NEIL", "The CFO spoke.", 0.0), Segment("CFO", "Yes.", 1.0),
            Segment("BO MCKAY", "Hi.", 2.0), Segment("Bo McKay", "Again.", 3.0),
            Segment("SPEAKER_01", "Hm.", 4.0)]
    assert [s.speaker for s in display_names(segs)] == [
        "Ann O'Neil", "CFO", "Bo McKay", "Bo McKay", "SPEAKER_01"]
