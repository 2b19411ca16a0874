"""The web surface's limits: body size (413), a per-client rate, the queue's bound; and
errors that tell users what happened without showing stack traces or server paths."""

from __future__ import annotations

import collections
import copy
import doctest
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from test_ui_server import QUESTIONS
from test_ui_support import GRADIO_PANDAS_NOISE, running

import qa
import ui.auth
import ui.limits
from ui import ALL_DOCS, ChatService, Limits, Rate, RateLimiter
from ui.chat import message_text, user_message

pytestmark = GRADIO_PANDAS_NOISE
LEAKS = ("Traceback", 'File "', "site-packages", str(Path(__file__).resolve().parents[1]))


def _client(url: str) -> Client:
    return Client(url, analytics_enabled=False, verbose=False)


@pytest.fixture(scope="module")
def served(fake_bot: qa.Bot) -> Iterator[str]:
    with running(fake_bot) as url:  # the shipped defaults
        yield url


@pytest.mark.parametrize("module", [ui.limits, ui.auth])
def test_docstring_examples(module: Any) -> None:
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def test_token_bucket_refills_and_keeps_clients_apart() -> None:
    now = [0.0]
    limiter = RateLimiter(Rate(3, 60.0), clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    assert limiter.wait_time("a") == pytest.approx(20.0)
    now[0] += 20.0
    assert limiter.allow("a") and not limiter.allow("a")


def test_token_bucket_remembers_a_bounded_number_of_clients() -> None:
    limiter = RateLimiter(Rate(1, 60.0), max_clients=100)
    for i in range(5_000):
        limiter.allow(f"session:{i}")
    assert len(limiter) == 100


def test_clients_are_told_apart_by_address_or_loopback_session() -> None:
    def request(host: str, session: str) -> SimpleNamespace:
        return SimpleNamespace(client=SimpleNamespace(host=host), session_hash=session)

    far = {ui.limits.client_key(request("198.51.100.7", s)) for s in ("a", "b")}
    assert far == {"ip:198.51.100.7"}  # a new session does not buy a new bucket
    near = {ui.limits.client_key(request(h, s)) for h, s in (("127.0.0.1", "a"), ("::1", "b"))}
    assert near == {"session:a", "session:b"}


def test_chat_tells_a_client_that_asks_too_often_to_wait(fake_bot: qa.Bot) -> None:
    service = ChatService(fake_bot, stream_delay=0, limiter=RateLimiter(Rate(2, 60.0)))
    me = SimpleNamespace(client=SimpleNamespace(host="203.0.113.5"), session_hash="x")
    other = SimpleNamespace(client=SimpleNamespace(host="203.0.113.6"), session_hash="y")

    def reply(request: Any) -> str:
        turns = [user_message("What about the Arctic?")]
        *_, (final, _t, _p) = service.respond(turns, ALL_DOCS, request)  # type: ignore[arg-type]
        return message_text(final[-1])

    assert [("wait about" in reply(me)) for _ in range(3)] == [False, False, True]
    assert "wait about" not in reply(other)


def test_oversized_body_gets_413_and_the_app_keeps_serving(served: str) -> None:
    big = json.dumps({"data": ["x" * 3_000_000], "fn_index": 0, "session_hash": "s"})
    chunked = iter([big[i : i + 65536].encode() for i in range(0, len(big), 65536)])
    for body in (big.encode(), chunked):  # with a Content-Length, and streamed without one
        response = httpx.post(f"{served}gradio_api/queue/join", content=body, timeout=60,
                              headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert "too large" in response.json()["error"]
    with pytest.raises(httpx.HTTPStatusError, match="413"):
        _client(served).predict("y" * 2_000_000, api_name="/ask")
    assert _client(served).predict(QUESTIONS[0], api_name="/ask")["citations"]


def _flood(url: str, count: int) -> list[str]:
    client = _client(url)

    def one(question: str) -> str:
        try:
            return str(client.predict(question, api_name="/ask")["question"])
        except AppError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, [QUESTIONS[i % len(QUESTIONS)] for i in range(count)]))


def test_one_flooding_client_cannot_starve_another(fake_bot: qa.Bot) -> None:
    # a tight limit (20 per 10 minutes), so the flood trips it however slow the machine is
    with running(fake_bot, limits=Limits(rate=Rate(20, 600.0))) as url:
        flood: list[str] = []
        flooder = threading.Thread(target=lambda: flood.extend(_flood(url, 60)))
        flooder.start()
        time.sleep(0.5)
        other = _client(url)
        answers = [other.predict(q, api_name="/ask") for q in QUESTIONS[:3]]
        flooder.join(timeout=180)
    assert not flooder.is_alive()
    assert [a["question"] for a in answers] == QUESTIONS[:3]
    refused = [f for f in flood if "Too many questions" in f]
    seen = collections.Counter(f[:120] for f in flood)  # what it got instead, if it fails
    assert refused, f"the flooding client must be told to slow down; it got {seen}"
    assert len(flood) - len(refused) >= 20  # its burst went through, then it was held back
    assert all(f in QUESTIONS or f in refused for f in flood)


def test_a_full_queue_turns_requests_away_and_recovers(fake_bot: qa.Bot) -> None:
    gate = threading.Event()
    bot = copy.copy(fake_bot)

    def slow(question: str, **options: Any) -> qa.Answer:
        gate.wait(60)
        return fake_bot.ask(question, **options)

    bot.ask = slow  # type: ignore[method-assign]
    with running(bot, limits=Limits(queue_size=2)) as url:
        client = _client(url)

        def one(question: str) -> str:
            try:
                return str(client.predict(question, api_name="/ask")["question"])
            except Exception as error:  # gradio_client's QueueError
                return str(error)

        with ThreadPoolExecutor(max_workers=12) as pool:
            futures = [pool.submit(one, QUESTIONS[0]) for _ in range(12)]
            time.sleep(3)
            gate.set()
            outcomes = [f.result(timeout=120) for f in futures]
        assert any("Queue is full" in o for o in outcomes)
        assert _client(url).predict(QUESTIONS[1], api_name="/ask")["question"] == QUESTIONS[1]


@pytest.mark.parametrize("value", [None, 123, ["x"], {"a": 1}, "\x00" * 10])
def test_ask_errors_say_what_to_do_without_internals(served: str, value: Any) -> None:
    with pytest.raises(AppError) as failure:
        _client(served).predict(value, api_name="/ask")
    message = str(failure.value)
    assert "question" in message
    assert not any(leak in message for leak in (*LEAKS, "/"))


def test_malformed_requests_show_no_internals(served: str) -> None:
    bodies = [b"{not json", b'{"data": "x", "fn_index": 0, "session_hash": "m"}',
              b'{"data": [1, 2, 3], "fn_index": 0, "session_hash": "m"}']
    for body in bodies:
        response = httpx.post(f"{served}gradio_api/queue/join", content=body, timeout=30,
                              headers={"content-type": "application/json"})
        assert not any(leak in response.text for leak in LEAKS)
    with httpx.stream("GET", f"{served}gradio_api/queue/data?session_hash=m", timeout=30) as events:
        text = "".join(events.iter_text())
    assert '"success":false' in text and not any(leak in text for leak in LEAKS)


def test_serve_with_a_missing_corpus_is_a_one_line_error(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from qa.cli import main; raise SystemExit(main())",
               "serve", str(tmp_path / "no-such"), "--index-dir", str(tmp_path / "i")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no such file or folder" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
