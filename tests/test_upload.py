"""Adding a transcript to a running bot: checked, copied beside the index, incremental."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED
from fakes import CountingEmbedder

import qa
from index.embed import HashingEmbedder
from qa.upload import UPLOAD_PREFIX, add_transcript, check_upload, supported_suffixes, uploads_dir

NEW = (
    "Moderator: Welcome to the harbour committee.\n\n"
    "Question: When will the new lighthouse at Pellow Point be finished?\n\n"
    "Ines Varga: The Pellow Point lighthouse will be finished in March 2027, after the "
    "foundations are rebuilt.\n"
)


def _bot(tmp_path: Path, embedder: HashingEmbedder | None = None) -> qa.Bot:
    return qa.load(SEED, index_dir=tmp_path / "index", embedder=embedder or HashingEmbedder())


def test_upload_is_searchable_at_once_and_incremental(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    bot = _bot(tmp_path, embedder)
    embedder.seen.clear()
    source = tmp_path / "incoming" / "harbour.txt"
    source.parent.mkdir()
    source.write_text(NEW, encoding="utf-8")
    new_bot, doc = add_transcript(bot, source)
    assert doc.doc_id == UPLOAD_PREFIX + "harbour"
    assert [d.doc_id for d in new_bot.documents][:-1] == [d.doc_id for d in bot.documents]
    # only the new transcript's texts were embedded: the seed's rows were kept
    assert embedder.seen and all(t in NEW or "lighthouse" in t or "harbour" in t.lower()
                                 or "Pellow" in t for t in embedder.seen)
    ans = new_bot.ask("When will the lighthouse at Pellow Point be finished?")
    assert not ans.abstained
    c = ans.citations[0]
    assert c.doc_id == doc.doc_id and "March 2027" in c.quote
    assert new_bot.document(c.doc_id).text[c.start : c.end] == c.quote
    kept = uploads_dir(tmp_path / "index") / "harbour.txt"
    assert kept.read_text(encoding="utf-8") == NEW
    assert not str(kept.resolve()).startswith(str(Path(qa.__file__).resolve().parent))
    # a restart reads the upload again, from the index's uploads folder
    again = _bot(tmp_path)
    assert doc.doc_id in again.documents_by_id
    assert again.build_report is None or again.build_report.added == 0


@pytest.mark.parametrize(("name", "size", "why"), [
    ("slides.pdfx", 10, "cannot be indexed"), ("noext", 10, "without a suffix"),
    ("empty.txt", 0, "empty"), ("huge.txt", 10**12, "limit"), ("..", 5, "not a usable"),
])
def test_bad_uploads_are_refused_with_the_reason(name: str, size: int, why: str) -> None:
    with pytest.raises(qa.InvalidInputError, match=why):
        check_upload(name, size)


def test_supported_suffixes_come_from_the_readers() -> None:
    from index import documents

    assert set(supported_suffixes()) == {s.lower() for s in documents.SUFFIXES}
    assert ".txt" in supported_suffixes()


def test_a_refused_upload_changes_nothing(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00garbage\x00" * 10)
    before = sorted(p.name for p in (tmp_path / "index").iterdir())
    with pytest.raises(qa.InvalidInputError):
        add_transcript(bot, bad)
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == before
    folder = uploads_dir(tmp_path / "index")
    assert not folder.exists() or not any(folder.iterdir())
    assert [d.doc_id for d in bot.documents] == [d.doc_id for d in _bot(tmp_path).documents]
