"""The chat with a model configured (the fake OpenAI-compatible server of tests/fake_llm.py):
tokens stream in checked, the stop button ends them, the final message shows only verified
quotes and says what answered; and the same in a real headless Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fake_llm import FakeLLM, Reply, evidence_of, fake_llm
from test_ui_support import ARTIFACTS, GRADIO_PANDAS_NOISE, browser_page, running

import qa
from qa.generate import make_generator
from ui.chat import ALL_DOCS, ChatService, message_text, user_message
from ui.stream import STOPPED, format_reply, mark_stopped

pytestmark = GRADIO_PANDAS_NOISE
QUESTION = "Which embassies will open in Africa?"
BOT = '[data-testid="bot"]'


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    with fake_llm() as server:
        yield server


def _bot(bot: qa.Bot, url: str, timeout: float = 30.0) -> qa.Bot:
    return qa.Bot(bot.searcher, bot.documents,
                  generator=make_generator(bot.documents, url, timeout=timeout, env={}))


def _cited(body: dict[str, Any]) -> Reply:
    words = " ".join(evidence_of(body)[1]["text"].split()[:5])
    return Reply(f'Lavrov said "{words}" [2]. He also said "we will annex the Moon" [1].',
                 chunk_size=2)


def _replies(service: ChatService) -> list[str]:
    outputs = list(service.respond([user_message(QUESTION)], ALL_DOCS))
    return [message_text(history[-1]) for history, _, _ in outputs]


def test_the_chat_streams_checked_text_then_numbered_verified_quotes(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(lambda body: replace(_cited(body), chunk_delay=0.02))  # about 2 s of writing
    messages = _replies(ChatService(_bot(fake_bot, fake.url)))
    streamed, final = messages[1:-1], messages[-1]
    assert len(streamed) > 5 and all("is writing" in m for m in streamed)
    assert all("Moon" not in m for m in messages)
    assert "Written by fake\\-model" in final and "is writing" not in final
    assert "> — \\[1\\] Sergey Lavrov" in final and "show in transcript" in final
    assert "\\[quote removed: not in the transcript\\]" in final
    text = fake_bot.documents[0].text
    for quote in re.findall(r"^> “(.*)”$", final, re.M):
        assert quote.replace("\\", "") in text


def test_a_failing_model_shows_the_extractive_answer_and_why(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    fake.say(Reply(status=502))
    final = _replies(ChatService(_bot(fake_bot, fake.url)))[-1]
    assert "answered HTTP 502" in final and "extractive answerer" in final
    assert "three new embassies" in final


def test_stopping_the_chat_stops_the_model(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    fake.say(Reply("word [1]. " * 3000, chunk_delay=0.01))
    before = fake.disconnects
    outputs = ChatService(_bot(fake_bot, fake.url, timeout=30)).respond(
        [user_message(QUESTION)], ALL_DOCS)
    for _ in range(3):
        history, _, _ = next(outputs)
    outputs.close()  # what Gradio does with a cancelled event
    deadline = time.monotonic() + 10
    while fake.disconnects == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.disconnects == before + 1
    stopped = mark_stopped(history)
    assert STOPPED in message_text(stopped[-1]) and "is writing" not in message_text(stopped[-1])


def test_model_output_that_tries_markup_is_inert(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    fake.say(lambda body: Reply(
        '<script>alert(1)</script> [link](http://x.org) **bold** '
        f'"{evidence_of(body)[0]["text"][:30]}" [1]'))
    answer = _bot(fake_bot, fake.url).ask(QUESTION)
    assert answer.generated
    shown = format_reply(answer, fake_bot.documents)
    assert "<script>" not in shown and "](http" not in shown and "http://" not in shown
    assert "**bold**" not in shown


def test_the_served_api_returns_generated_answers(fake: FakeLLM, fake_bot: qa.Bot) -> None:
    from gradio_client import Client

    fake.say(_cited)
    bot = _bot(fake_bot, fake.url)
    with running(bot) as url:
        result = Client(url, analytics_enabled=False, verbose=False).predict(
            QUESTION, api_name="/ask")
    assert result["generated"] and result["backend"].startswith("fake-model")
    assert "Moon" not in result["text"]
    for c in result["citations"]:
        assert bot.document(c["doc_id"]).text[c["start"] : c["end"]] == c["quote"]


@pytest.mark.browser
def test_in_the_browser_the_answer_streams_can_be_stopped_and_says_who_wrote_it(
    fake: FakeLLM, fake_bot: qa.Bot
) -> None:
    bot = _bot(fake_bot, fake.url, timeout=30)
    with running(bot) as url, browser_page() as page:
        page.goto(url)
        assert bot.generator is not None and bot.generator.label in page.inner_text("#tqa-intro")
        fake.say(lambda body: Reply(_cited(body).text, chunk_size=2, chunk_delay=0.02))
        page.fill("#tqa-question textarea", QUESTION)
        page.keyboard.press("Enter")
        page.wait_for_function(
            """() => /Written by/.test(document.querySelector('[data-testid="bot"]')
                ?.innerText || '')""", timeout=60_000)
        final = page.inner_text(BOT)
        assert "Moon" not in final and "show in transcript" in final
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat-generated.png"))
        fake.say(Reply("word [1]. " * 5000, chunk_delay=0.01))
        page.fill("#tqa-question textarea", "And what about Asia?")
        page.keyboard.press("Enter")
        page.wait_for_function(
            """() => { const b = document.querySelectorAll('[data-testid="bot"]');
                return b.length >= 2 && /is writing/.test(b[1].innerText); }""", timeout=60_000)
        page.get_by_role("button", name="Stop").click()
        page.wait_for_function(
            """() => { const b = document.querySelectorAll('[data-testid="bot"]');
                return /Stopped/.test(b[b.length - 1].innerText); }""", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "chat-stopped.png"))
        page.wait_for_selector("#tqa-question button:has-text('Ask')", timeout=10_000)
        # the chat still answers after a stop
        fake.say(_cited)
        page.fill("#tqa-question textarea", QUESTION)
        page.keyboard.press("Enter")
        page.wait_for_function(
            """() => { const b = document.querySelectorAll('[data-testid="bot"]');
                return b.length >= 3 && /Written by/.test(b[b.length - 1].innerText); }""",
            timeout=60_000)
