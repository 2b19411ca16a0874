"""A folder of mixed transcript formats, indexed and asked: quotes carry speaker and time."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import TURNS, SampleTurn, write_sample

import qa
from index.embed import HashingEmbedder
from qa.cli import main

OTHER = (
    SampleTurn("Ines Ford", 3.0, 9.0, "The harbour ferry will run every twenty minutes."),
    SampleTurn("Raj Patel", 12.0, 18.0, "Which bridge closes for repairs in June?"),
    SampleTurn("Ines Ford", 121.0, 130.0, "The old stone bridge closes for six weeks."),
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    write_sample(folder, "srt", TURNS, stem="hearing")
    (folder / "hearing.mp3").write_bytes(b"ID3")
    write_sample(folder, "vtt", OTHER, stem="transport")
    write_sample(folder, "whisper", OTHER[:1], stem="ferry")
    write_sample(folder, "docx", OTHER[1:], stem="bridges")
    write_sample(folder, "plain", TURNS[:2], stem="notes")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    (folder / "broken.vtt").write_text("00:00:01.000 --> 00:00:02.000\nHi.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bot(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> qa.Bot:
    return qa.load(corpus, index_dir=tmp_path_factory.mktemp("i") / "idx",
                   embedder=HashingEmbedder())


def test_every_readable_file_is_indexed_and_the_rest_listed(bot: qa.Bot) -> None:
    assert sorted(d.doc_id for d in bot.documents) == [
        "bridges", "ferry", "hearing", "notes", "transport"]
    skipped = {Path(s.path).name: s.reason for s in bot.skipped}
    assert set(skipped) == {"photo.png", "hearing.mp3", "broken.vtt"}
    assert skipped["broken.vtt"].startswith("line 1:")
    assert bot.build_report is not None and len(bot.build_report.skipped) == 3


def test_an_answer_quotes_the_speaker_at_the_time_said(bot: qa.Bot) -> None:
    answer = bot.ask("When does the old stone bridge close, and for how long?")
    assert not answer.abstained
    quote = next(c for c in answer.citations if "six weeks" in c.quote)
    assert quote.speaker == "Ines Ford"
    if quote.doc_id == "transport":  # the captions time it; the Word file has no times
        assert quote.start_time == pytest.approx(121.0)
        assert quote.end_time is not None and quote.end_time <= 130.0
    else:
        assert quote.start_time is None
    doc = bot.document(quote.doc_id)
    assert doc.text[quote.start:quote.end] == quote.quote


def test_passages_and_citations_carry_times(bot: qa.Bot) -> None:
    answer = bot.ask("What is the total cost in dollars?", doc_ids=["hearing"])
    assert answer.citations and not answer.abstained
    quote = answer.citations[0]
    assert quote.speaker == "Maria Lopez" and "four million" in quote.quote
    assert quote.start_time == pytest.approx(75.5) and quote.end_time == pytest.approx(83.0)
    assert bot.document("hearing").media == "hearing.mp3"
    timed = [p for p in answer.passages if p.doc_id == "hearing"]
    assert timed and all(p.start_time is not None for p in timed)
    assert answer.to_dict()["citations"][0]["start_time"] == pytest.approx(75.5)


def test_qa_index_prints_each_skipped_file(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("qa.api.make_embedder", lambda backend=None: HashingEmbedder())
    assert main(["index", str(corpus), "--index-dir", str(tmp_path / "i")]) == 0
    out = capsys.readouterr().out
    assert f"skipped {corpus / 'photo.png'}: .png is not a transcript format" in out
    assert f"skipped {corpus / 'broken.vtt'}: line 1: not a readable WebVTT" in out


def test_the_chat_shows_each_quote_time_linked_to_the_recording(
    bot: qa.Bot, corpus: Path, tmp_path: Path
) -> None:
    from ui.render import format_answer

    answer = bot.ask("What is the total cost in dollars?", doc_ids=["hearing"])
    reply = format_answer(answer, bot.documents)
    # 75.5 s; the recording beside the transcript, served by the chat's file route
    served = "/gradio_api/file=" + str((corpus / "hearing.mp3").resolve())
    assert f"· at [1:15]({served}#t=75) ·" in reply
    online = qa.load(write_sample(tmp_path, "utterances"), index_dir=tmp_path / "i",
                     embedder=HashingEmbedder())
    answer = online.ask("What is the total cost in dollars?")
    reply = format_answer(answer, online.documents)
    assert "· at [1:15](https://media.example.org/hearing.mp3#t=75)" in reply
