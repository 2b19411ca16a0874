"""Many documents: adding, changing or removing one address re-embeds only that address."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import CountingEmbedder

import qa
from bench.sotu import write_sotu


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, CountingEmbedder]:
    root = tmp_path_factory.mktemp("sotu")
    corpus = write_sotu(root / "corpus", limit=20)
    emb = CountingEmbedder()
    bot = qa.load(corpus, index_dir=root / "index", embedder=emb)
    assert bot.build_report is not None and len(bot.build_report.added) == 20
    return corpus, root / "index", emb


def _reload(archive: tuple[Path, Path, CountingEmbedder]) -> qa.Bot:
    corpus, index_dir, emb = archive
    emb.seen.clear()
    return qa.load(corpus, index_dir=index_dir, embedder=emb)


def test_an_unchanged_archive_embeds_nothing(archive: tuple[Path, Path, CountingEmbedder]) -> None:
    bot = _reload(archive)
    assert bot.build_report is None and archive[2].seen == []
    assert len(bot.documents) == 20


def test_change_remove_and_add_one_address(archive: tuple[Path, Path, CountingEmbedder]) -> None:
    corpus, _, emb = archive
    target = sorted(corpus.glob("*.txt"))[5]
    doc_id, text = target.stem, target.read_text(encoding="utf-8")
    target.write_text(text + "\nWe will build a lunar embassy of glass.\n", encoding="utf-8")
    report = _reload(archive).build_report
    assert report is not None and report.updated == (doc_id,) and len(report.unchanged) == 19
    assert 1 <= report.embedded <= 3 and report.reused == report.chunks - report.embedded
    assert emb.seen and all(t in target.read_text(encoding="utf-8") for t in emb.seen)
    assert any("lunar embassy" in t for t in emb.seen)

    target.unlink()
    report = _reload(archive).build_report
    assert report is not None and report.removed == (doc_id,) and report.embedded == 0
    assert emb.seen == []

    target.write_text(text, encoding="utf-8")
    bot = _reload(archive)
    report = bot.build_report
    own = [c for c in bot.searcher.stored.chunks if c.doc_id == doc_id]
    assert report is not None and report.added == (doc_id,) and len(report.unchanged) == 19
    assert report.embedded == len(own) and all(t in text for t in emb.seen)
    assert "1 added" in report.summary() and f"{len(own)} embedded" in report.summary()


def test_answers_carry_their_document(archive: tuple[Path, Path, CountingEmbedder]) -> None:
    bot = _reload(archive)
    newest = sorted(d.doc_id for d in bot.documents)[-1]
    passages = bot.retrieve("the economy and jobs", k=5)
    assert passages and all(p.title and p.doc_id in bot.documents_by_id for p in passages)
    only = bot.retrieve("the economy and jobs", k=5, doc_ids=[newest])
    assert len(only) == 5 and {p.doc_id for p in only} == {newest}
    answer = bot.ask("What did the president say about the economy?", doc_ids=[newest])
    for c in answer.citations:
        assert c.doc_id == newest and c.title == bot.document(newest).title
        assert bot.document(c.doc_id).text[c.start : c.end] == c.quote
