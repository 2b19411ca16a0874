"""Questions that name a document's speaker, title or year are answered from it."""

from __future__ import annotations

from pathlib import Path

import qa
from index.embed import HashingEmbedder
from qa.routing import Router

DOCS = {
    "1913-Wilson-1": "1913 Wilson",
    "1962-Kennedy-1": "1962 Kennedy",
    "1964-Johnson-1": "1964 Johnson",
}


def test_names_and_years_route() -> None:
    r = Router(DOCS)
    assert r.route("What did Kennedy propose for schools?") == {"1962-Kennedy-1"}
    assert r.route("What did the 1964 address say about poverty?") == {"1964-Johnson-1"}
    assert r.route("What did Kennedy and Johnson say about tax?") == {
        "1962-Kennedy-1", "1964-Johnson-1"}


def test_cues_pointing_at_different_documents_keep_both() -> None:
    both = Router(DOCS).route("Kennedy quoted a president. In his own 1913 address, who ruled?")
    assert both == {"1913-Wilson-1", "1962-Kennedy-1"}


def test_no_cue_or_a_single_document_routes_nothing() -> None:
    assert Router(DOCS).route("What was said about tariffs?") is None
    assert Router({"a": "Ann Lee"}).route("What did Ann Lee say?") is None


def test_a_bot_answers_from_the_named_document(tmp_path: Path) -> None:
    corpus = tmp_path / "talks"
    corpus.mkdir()
    (corpus / "2001-Adams.txt").write_text("Taxes will fall by ten percent next year.\n")
    (corpus / "2002-Baker.txt").write_text("Taxes will rise by five percent next year.\n")
    bot = qa.load(corpus, index_dir=tmp_path / "index", embedder=HashingEmbedder())
    ans = bot.ask("What did Baker say taxes would do?")
    assert ans.passages and {p.doc_id for p in ans.passages} == {"2002-Baker"}
