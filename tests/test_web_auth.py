"""Optional login (``qa serve --auth user:password`` or ``QA_AUTH``) and the command's limit
options: refused without a login, answered with one, and no password is ever printed."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gradio_client import Client
from test_ui_server import QUESTIONS
from test_ui_support import GRADIO_PANDAS_NOISE, running

import qa
from ui import Limits, Rate, cli

pytestmark = GRADIO_PANDAS_NOISE
USERS = [("ann", "s3cret-Ann"), ("bob", "pa:ss-Bob")]
QA_ENV = ("QA_AUTH", "QA_RATE_LIMIT", "QA_MAX_BODY", "QA_QUEUE_SIZE")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="qa")
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture(scope="module")
def locked(fake_bot: qa.Bot) -> Iterator[str]:
    with running(fake_bot, served={"auth": USERS}) as url:
        yield url


def test_without_a_login_nothing_is_served(locked: str) -> None:
    for path in ("config", "gradio_api/info"):
        assert httpx.get(f"{locked}{path}", timeout=30).status_code == 401
    join = {"data": [QUESTIONS[0]], "fn_index": 0, "session_hash": "intruder"}
    assert httpx.post(f"{locked}gradio_api/queue/join", json=join, timeout=30).status_code == 401
    assert "Lavrov" not in httpx.get(locked, timeout=30).text  # no transcript on the login page
    with pytest.raises(Exception, match=r"credentials|login"):
        Client(locked, analytics_enabled=False, verbose=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(locked, auth=("ann", "wrong"), analytics_enabled=False, verbose=False)


@pytest.mark.parametrize("user", USERS, ids=[u for u, _ in USERS])
def test_a_logged_in_client_gets_answers(locked: str, user: tuple[str, str]) -> None:
    client = Client(locked, auth=user, analytics_enabled=False, verbose=False)
    assert client.predict(QUESTIONS[0], api_name="/ask")["citations"]


def test_logins_and_limits_come_from_options_then_environment() -> None:
    env = {"QA_AUTH": "ann:one, bob:t:wo", "QA_RATE_LIMIT": "10/s", "QA_QUEUE_SIZE": "9"}
    users, limits = cli.settings(_parse(["serve", "--auth", "cy:three"]), env)
    assert users == [("cy", "three"), ("ann", "one"), ("bob", "t:wo")]
    assert limits == Limits(rate=Rate(10, 1.0), queue_size=9)
    args = _parse(["serve", "--rate-limit", "off", "--max-body", "64k", "--queue-size", "3"])
    assert cli.settings(args, env)[1] == Limits(rate=None, max_body_bytes=65536, queue_size=3)
    assert cli.settings(_parse(["serve"]), {}) == ([], Limits())


@pytest.mark.parametrize(
    "argv", [["--rate-limit", "fast"], ["--max-body", "huge"], ["--queue-size", "0"]]
)
def test_bad_limit_options_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _parse(["serve", *argv])
    err = capsys.readouterr().err
    assert "write it like" in err or "positive whole number" in err


def test_a_bad_login_is_refused_without_echoing_it() -> None:
    for bad in ("no-colon-s3cret", ":s3cret", "ann:"):
        with pytest.raises(qa.QAError) as failure:
            cli.settings(_parse(["serve"]), {"QA_AUTH": bad})
        assert "user:password" in str(failure.value) and "s3cret" not in str(failure.value)


def test_serve_never_prints_or_logs_passwords(
    monkeypatch: pytest.MonkeyPatch,
    fake_bot: qa.Bot,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in QA_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QA_AUTH", "bob:pa:ss-Bob")
    seen: dict[str, Any] = {}
    monkeypatch.setattr(qa, "load", lambda *a, **k: fake_bot)
    monkeypatch.setattr("ui.app.launch", lambda app, **k: seen.update(k) or app)
    with caplog.at_level(logging.DEBUG):
        assert cli.serve(_parse(["serve", "--host", "0.0.0.0", "--auth", "ann:s3cret-Ann"])) == 0
    out = capsys.readouterr()
    assert seen["auth"] == USERS
    assert "login required (2 users: ann, bob)" in out.out
    assert "HTTPS" in out.err  # passwords over plain HTTP off this machine: say so
    for _, password in USERS:
        assert password not in out.out + out.err + caplog.text


def test_curated_examples_are_repeatable_options() -> None:
    args = _parse(["serve", "--example", "Who chairs it?", "--example", "When does it meet?"])
    assert args.example == ["Who chairs it?", "When does it meet?"]
    assert _parse(["serve"]).example is None  # build_app then offers the corpus's own
