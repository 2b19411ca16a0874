from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import qa
from index.embed import HashingEmbedder
from qa.query import followup_query
from qa.retrieve import rrf


def assert_verbatim(bot: qa.Bot, answer: qa.Answer) -> None:
    for c in answer.citations:
        assert bot.document(c.doc_id).text[c.start : c.end] == c.quote
    for p in answer.passages:
        assert bot.document(p.doc_id).text[p.start : p.end] == p.text


def test_ask_returns_an_answer_with_verbatim_citations(fake_bot: qa.Bot) -> None:
    ans = fake_bot.ask("How many polling stations were opened in Russia for the Moldovan election?")
    assert isinstance(ans, qa.Answer) and not ans.abstained
    assert 0.0 <= ans.confidence <= 1.0
    assert ans.citations and isinstance(ans.citations[0], qa.Citation)
    assert "polling station" in ans.text
    assert ans.citations[0].speaker == "Sergey Lavrov"
    assert_verbatim(fake_bot, ans)


def test_types_are_frozen(fake_bot: qa.Bot) -> None:
    ans = fake_bot.ask("Arctic Council")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ans.text = "x"  # type: ignore[misc]
    changed = dataclasses.replace(ans.passages[0], score=0.0)
    assert changed.score == 0.0 and changed.text == ans.passages[0].text


@pytest.mark.parametrize("strategy", ["dense", "lexical", "hybrid"])
def test_retrieve_each_strategy(fake_bot: qa.Bot, strategy: str) -> None:
    passages = fake_bot.retrieve("Northern Sea Route Arctic", k=3, retriever=strategy)
    assert 1 <= len(passages) <= 3
    assert all(isinstance(p, qa.Passage) for p in passages)
    assert any("Arctic" in p.text for p in passages)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_hybrid_puts_first_the_passage_whose_sentence_answers(fake_bot: qa.Bot) -> None:
    question = "How many Russian citizens live in Transnistria?"
    searcher = fake_bot.searcher
    qv = searcher.query_vector(question)
    reranked = searcher._reranked(question, qv, 5, None)
    assert "200,000 Russian citizens" not in searcher.stored.chunks[reranked[0][0]].text
    passages = fake_bot.retrieve(question, k=5, retriever="hybrid")
    # the answer sentence holds the question's words and the count it wants
    assert "more than 200,000 Russian citizens living there" in passages[0].text
    # only the order changes
    chunks = searcher.stored.chunks
    assert {p.chunk_id for p in passages} == {chunks[i].chunk_id for i, _ in reranked}


@pytest.mark.parametrize(
    "question",
    [
        "How many Russian citizens live in Transnistria?",
        "Which embassies will open in Africa?",
        "Why does Russia back a pan-Eurasian security forum?",
    ],
)
def test_a_call_for_fewer_passages_is_the_start_of_a_call_for_more(
    fake_bot: qa.Bot, question: str
) -> None:
    ten = fake_bot.retrieve(question, k=10)
    for k in (1, 3, 5, 7):
        assert [p.chunk_id for p in fake_bot.retrieve(question, k=k)] == [
            p.chunk_id for p in ten[:k]
        ]
    scores = [p.score for p in ten]
    assert scores == sorted(scores, reverse=True)
    # hybrid without the answer order ranks the same passages in its own order
    plain = fake_bot.retrieve(question, k=5, retriever="rerank")
    assert {p.chunk_id for p in plain} == {p.chunk_id for p in ten[:5]}


def test_rrf_fuses_rankings() -> None:
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert [i for i, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert rrf([[5, 6]], weights=[2.0])[0] == (5, pytest.approx(2 / 61))


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "\x00\x00"])
def test_empty_questions_raise_a_value_error(fake_bot: qa.Bot, bad: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        fake_bot.ask(bad)
    with pytest.raises(qa.InvalidInputError):
        fake_bot.retrieve(bad)


def test_bad_options_say_what_to_do(fake_bot: qa.Bot) -> None:
    with pytest.raises(qa.InvalidInputError, match="k must be"):
        fake_bot.retrieve("Arctic", k=0)
    with pytest.raises(qa.InvalidInputError, match="unknown retriever"):
        fake_bot.ask("Arctic", retriever="magic")
    with pytest.raises(qa.InvalidInputError, match="unknown document"):
        fake_bot.ask("Arctic", doc_ids=["nope"])
    with pytest.raises(qa.InvalidInputError, match="keep it under"):
        fake_bot.ask("why " * 5000)
    with pytest.raises(qa.InvalidInputError, match="unknown preset"):
        qa.load(preset="nope")


@pytest.mark.parametrize(
    "odd",
    [
        "?!?...",
        "😀😀",
        "مرحبا بالعالم",
        "<script>alert(1)</script>",
        "Что сказал Лавров об Арктике?",
        "a\u202eb",
    ],
)
def test_odd_questions_never_crash(fake_bot: qa.Bot, odd: str) -> None:
    ans = fake_bot.ask(odd)
    assert isinstance(ans.text, str) and 0.0 <= ans.confidence <= 1.0
    assert_verbatim(fake_bot, ans)


def test_document_text_is_the_file(fake_bot: qa.Bot, seed_path: Path) -> None:
    doc = fake_bot.document("000_8a7bd6b9c703a622")
    assert doc.text == seed_path.read_bytes().decode("utf-8")
    with pytest.raises(qa.InvalidInputError):
        fake_bot.document("missing")


def test_doc_filter_and_follow_ups(tmp_path: Path, seed_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "b.txt").write_text("Ann Lee: India buys oil. China buys gas.\n", encoding="utf-8")
    bot = qa.load(corpus, index_dir=tmp_path / "i", embedder=HashingEmbedder())
    only_b = bot.retrieve("oil gas India", k=5, doc_ids=["b"])
    assert only_b and {p.doc_id for p in only_b} == {"b"}
    query = followup_query("And what about China?", ["What does India buy?"])
    assert query == "What does buy? And what about China?"
    assert followup_query("Who proposed a BRICS currency?", ["What does India buy?"]) == (
        "Who proposed a BRICS currency?"
    )
    follow = bot.ask("And what about China?", history=["What does India buy?"], doc_ids=["b"])
    assert follow.passages[0].doc_id == "b"


def test_abstains_with_nearest_passages_when_nothing_matches(fake_bot: qa.Bot) -> None:
    ans = fake_bot.ask("zebra quantum xylophone recipe")
    assert ans.abstained and not ans.citations and ans.passages
    assert "does not say" in ans.text
