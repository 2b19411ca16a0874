"""Generated answers against a real OpenAI-compatible server on 127.0.0.1 (tests/fake_llm.py):
cited answers, invented quotes, numbers never given, errors and time-outs, plain and streamed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_llm import FakeLLM, Reply, evidence_of, fake_llm, refused_url

import qa
from qa.generate import MODEL_ABSTAIN_TEXT, make_generator
from qa.grounding import REMOVED
from qa.prompt import CANNOT_TELL, SYSTEM_PROMPT

QUESTION = "Which embassies will open in Africa?"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    with fake_llm() as server:
        yield server


def llm_bot(bot: qa.Bot, url: str, *, timeout: float = 30.0, model: str = "") -> qa.Bot:
    """``bot``'s index and documents, answering with the model at ``url``."""
    generator = make_generator(bot.documents, url, model, timeout=timeout, env={})
    return qa.Bot(bot.searcher, bot.documents, generator=generator)


def _first_words(body: dict[str, Any], n: int = 1, words: int = 6) -> str:
    return " ".join(evidence_of(body)[n - 1]["text"].split()[:words])


def _check_verbatim(answer: qa.Answer, bot: qa.Bot) -> None:
    for c in answer.citations:
        assert bot.document(c.doc_id).text[c.start : c.end] == c.quote


def test_a_cited_answer_keeps_its_quote_and_maps_each_number_to_its_sentence(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(lambda body: Reply(f'The minister said "{_first_words(body, 2)}" [2], and more [1].'))
    answer = llm_bot(fake_bot, fake.url).ask(QUESTION)
    sent = evidence_of(fake.requests[-1])
    assert answer.generated and not answer.abstained and answer.notice == ""
    assert answer.backend == f"fake-model (127.0.0.1:{fake.url.split(':')[2].split('/')[0]})"
    assert answer.text.startswith(f"The minister said “{_first_words(fake.requests[-1], 2)}” [1]")
    assert answer.text.endswith("and more [2].")  # renumbered in order of first use
    assert [c.quote for c in answer.citations] == [sent[1]["text"], sent[0]["text"]]
    _check_verbatim(answer, fake_bot)
    assert answer.passages == fake_bot.ask(QUESTION).passages
    assert answer.to_dict()["generated"] is True


def test_the_request_carries_question_history_and_numbered_evidence_with_speakers(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(Reply("Three [1]."))
    llm_bot(fake_bot, fake.url).ask("And what about Asia?", history=[QUESTION])
    body = fake.requests[-1]
    assert body["model"] == "fake-model"  # none configured: the first the server lists
    assert body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = body["messages"][1]["content"]
    assert f'"{QUESTION}"' in user.split("<evidence>")[0]
    assert user.rstrip().endswith('Question: "And what about Asia?"')
    lines = evidence_of(body)
    assert [e["n"] for e in lines] == list(range(1, len(lines) + 1))
    text = fake_bot.documents[0].text
    assert all(e["text"] in text and e["speaker"] for e in lines)


def test_invented_quotes_are_removed_and_said_so(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    fake.say(lambda body: Reply(
        f'He promised "to open embassies on the Moon next year" [1]. He said '
        f'"{_first_words(body)}" [1].'
    ))
    answer = llm_bot(fake_bot, fake.url).ask(QUESTION)
    assert answer.generated and "Moon" not in answer.text and REMOVED in answer.text
    assert "1 quote not in the transcript was removed" in answer.notice
    assert all("Moon" not in c.quote for c in answer.citations)
    _check_verbatim(answer, fake_bot)


def test_an_answer_mostly_of_invented_quotes_is_not_shown(fake: FakeLLM,
                                                          fake_bot: qa.Bot) -> None:
    fake.say(lambda body: Reply(
        f'He said "embassies on the Moon" [1], "and on Mars" [2] and "{_first_words(body)}" [1].'))
    answer = llm_bot(fake_bot, fake.url).ask(QUESTION)
    assert not answer.generated and answer.backend == "extractive"
    assert "misquoted the transcript (2 of 3 quotes are not in it)" in answer.notice
    assert answer.text == fake_bot.ask(QUESTION).text


def test_a_sentence_the_model_repeats_is_shown_once(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    fake.say(lambda body: Reply(" ".join([f'He said "{_first_words(body)}" [1].'] * 4)))
    answer = llm_bot(fake_bot, fake.url).ask(QUESTION)
    assert answer.generated and answer.text.count("He said") == 1
    _check_verbatim(answer, fake_bot)


def test_a_quote_with_other_apostrophes_and_case_shows_the_source_words(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(Reply('He said "russia\'s foreign policy" [1].'))
    answer = llm_bot(fake_bot, fake.url).ask("What is Russia’s foreign policy?")
    text = fake_bot.documents[0].text
    if "Russia’s foreign policy" in text:
        assert "“Russia’s foreign policy”" in answer.text
    else:
        assert REMOVED in answer.text or not answer.generated


def test_numbers_never_given_are_dropped_and_an_answer_citing_only_them_is_not_shown(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(Reply("Seven embassies [1][97]. Ten more in Europe [98]."))
    answer = llm_bot(fake_bot, fake.url).ask(QUESTION)
    assert answer.generated and answer.text == "Seven embassies [1]."
    assert len(answer.citations) == 1
    assert "1 sentence citing nothing valid was left out" in answer.notice
    assert "2 citations of evidence never given were dropped" in answer.notice
    fake.say(Reply("Seven embassies [0]. Ten more [99]. No citation at all."))
    fallback = llm_bot(fake_bot, fake.url).ask(QUESTION)
    assert not fallback.generated and fallback.backend == "extractive"
    assert "cited nothing that could be checked" in fallback.notice
    assert fallback.text == fake_bot.ask(QUESTION).text


def test_cannot_tell_is_an_abstention(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    fake.say(Reply(CANNOT_TELL))
    answer = llm_bot(fake_bot, fake.url).ask("Who won the 2018 World Cup?")
    assert answer.abstained and answer.generated and not answer.citations
    assert answer.text == MODEL_ABSTAIN_TEXT and answer.passages


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=500), "answered HTTP 500"),
        (Reply(status=503), "answered HTTP 503"),
        (Reply(status=401), "answered HTTP 401"),
        (Reply(status=404), "answered HTTP 404"),
        (Reply(status=400), "answered HTTP 400"),
        (Reply(body=b"<html>not json{"), "invalid JSON"),
        (Reply(body=b'{"unexpected": true}'), "invalid JSON"),
        (Reply(""), "wrote nothing"),
    ],
)
def test_a_failing_server_gives_the_extractive_answer_with_a_notice(
    fake: FakeLLM, fake_bot: qa.Bot, reply: Reply, reason: str
) -> None:
    fake.say(reply)
    bot = llm_bot(fake_bot, fake.url, model="m")
    for answer in (bot.ask(QUESTION), list(bot.ask_stream(QUESTION))[-1]):
        assert isinstance(answer, qa.Answer)
        assert not answer.generated and answer.backend == "extractive"
        assert reason in answer.notice and "extractive answer" in answer.notice
        assert answer.text == fake_bot.ask(QUESTION).text


def test_a_server_that_is_down_is_reported_at_once(fake_bot: qa.Bot) -> None:
    answer = llm_bot(fake_bot, refused_url(), model="m").ask(QUESTION)
    assert not answer.generated and "could not be reached" in answer.notice


@pytest.mark.parametrize("streamed", [False, True])
def test_a_silent_or_trickling_server_times_out_in_bounded_time(
    fake: FakeLLM, fake_bot: qa.Bot, streamed: bool
) -> None:
    # silence before the reply, or a reply that never ends: both end at the deadline
    fake.say(Reply("word " * 2000, chunk_delay=0.05) if streamed else Reply("late", delay=30))
    bot = llm_bot(fake_bot, fake.url, timeout=1.0, model="m")
    began = time.monotonic()
    answer = list(bot.ask_stream(QUESTION))[-1] if streamed else bot.ask(QUESTION)
    assert time.monotonic() - began < 10  # not a speed target: the call must not hang
    assert isinstance(answer, qa.Answer) and not answer.generated
    assert "timed out after 1 s" in answer.notice


def test_streaming_shows_checked_text_as_it_grows_and_never_an_invented_quote(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(lambda body: Reply(
        f'First "{_first_words(body)}" [1]. Then "an invented promise of peace" [2] [40].',
        chunk_size=2,
    ))
    events = list(llm_bot(fake_bot, fake.url).ask_stream(QUESTION))
    partial, final = events[:-1], events[-1]
    assert len(partial) > 10 and all(isinstance(p, str) for p in partial)
    assert isinstance(final, qa.Answer) and final.generated
    assert all("invented" not in p and "promise" not in p for p in partial)
    assert any(p.endswith("“…") for p in partial)  # a quote is held back until checked
    assert partial[-1].startswith(final.text.split(" [quote")[0][:20])
    assert "invented" not in final.text and REMOVED in final.text


def test_a_stream_checked_at_most_so_often_gathers_the_pieces_between(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(Reply("Three embassies will open [1]. " * 8, chunk_size=2, chunk_delay=0.005))
    bot = llm_bot(fake_bot, fake.url)
    every = list(bot.ask_stream(QUESTION))
    assert bot.generator is not None
    gathered = list(bot.generator.stream(bot.ask(QUESTION, generate=False), every=0.25))
    assert 1 <= len(gathered) - 1 < len(every) - 1  # fewer updates, the same answer
    assert isinstance(gathered[-1], qa.Answer) and isinstance(every[-1], qa.Answer)
    assert gathered[-1].text == every[-1].text and gathered[-1].generated


def test_closing_the_stream_stops_the_model(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    fake.say(Reply("word [1]. " * 3000, chunk_delay=0.01))
    before = fake.disconnects
    stream = llm_bot(fake_bot, fake.url, model="m").ask_stream(QUESTION)
    assert isinstance(next(stream), str)
    stream.close()
    waited = 0.0
    while fake.disconnects == before and waited < 10:
        time.sleep(0.05)
        waited += 0.05
    assert fake.disconnects == before + 1


def test_without_a_url_answers_are_exactly_the_extractive_ones(
    fake_bot: qa.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QA_LLM_URL", raising=False)
    assert make_generator(fake_bot.documents, env={}) is None
    answer = fake_bot.ask(QUESTION)
    assert not answer.generated and answer.backend == "extractive" and answer.notice == ""
    assert list(fake_bot.ask_stream(QUESTION)) == [answer]


def test_the_environment_configures_the_model(
    fake: FakeLLM, seed_path: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from index.embed import HashingEmbedder

    monkeypatch.setenv("QA_LLM_URL", fake.url.removesuffix("/v1"))  # /v1 is added
    monkeypatch.setenv("QA_LLM_MODEL", "my-model")
    monkeypatch.setenv("QA_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("QA_LLM_TIMEOUT", "7")
    fake.say(lambda body: Reply(f'"{_first_words(body)}" [1]'))
    seed = seed_path
    bot = qa.load(seed, index_dir=tmp_path / "i", embedder=HashingEmbedder())
    assert bot.generator is not None and bot.generator.client.config.timeout == 7.0
    assert bot.ask(QUESTION).generated
    assert fake.requests[-1]["model"] == "my-model"
    monkeypatch.setenv("QA_LLM_TIMEOUT", "soon")
    with pytest.raises(qa.InvalidInputError, match="QA_LLM_TIMEOUT"):
        qa.load(seed, index_dir=tmp_path / "i", embedder=HashingEmbedder())


def test_a_bad_url_is_a_clear_error(fake_bot: qa.Bot) -> None:
    with pytest.raises(qa.InvalidInputError, match="http"):
        make_generator(fake_bot.documents, "ftp://example/v1", env={})


@pytest.mark.model
def test_qa_ask_with_a_model_prints_who_wrote_it_and_the_numbered_quotes(
    fake: FakeLLM, real_bot: qa.Bot, seed_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from qa.cli import main

    fake.say(lambda body: Reply(f'He said "{_first_words(body)}" [1].'))
    where = ["--index-dir", str(real_bot.index_dir), "--llm-url", fake.url]
    assert main(["ask", QUESTION, str(seed_path), *where]) == 0
    out = capsys.readouterr().out
    assert "written by fake-model" in out and "[1] Sergey Lavrov" in out
    assert main(["ask", QUESTION, str(seed_path), *where, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["generated"] and shown["citations"][0]["quote"] in real_bot.documents[0].text
    down = ["--index-dir", str(real_bot.index_dir), "--llm-url", refused_url()]
    assert main(["ask", QUESTION, str(seed_path), *down]) == 0
    assert "note: The model" in capsys.readouterr().out
    assert main(["ask", QUESTION, str(seed_path), *where[:2], "--llm-url", "nowhere"]) == 1
    assert "is not an http(s) address" in capsys.readouterr().err
