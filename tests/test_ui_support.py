"""Helpers shared by the UI tests (a served app on a free loopback port, headless Chromium),
and the tests of the ``qa serve`` command line."""

from __future__ import annotations

import argparse
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import qa
import ui
from ui import cli

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
# gradio's queue trips pandas 3 deprecation notices; they are gradio's to fix, not ours
GRADIO_PANDAS_NOISE = pytest.mark.filterwarnings(
    "ignore:.*(no_silent_downcasting|The copy keyword is deprecated)"
)
CHROMIUM_HINT = (
    "headless Chromium is needed for the browser tests: run `make browser`, or as root "
    "`apt-get update && apt-get install -y chromium chromium-driver` (never `playwright install`)"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(
    bot: qa.Bot | ui.ChatService, *, served: dict[str, Any] | None = None, **options: Any
) -> Iterator[str]:
    """Serve the chat for ``bot`` on a free loopback port; yields its URL; closes it after.

    ``options`` go to ``ui.build_app``, ``served`` (e.g. ``auth``, ``limits``) to ``ui.launch``.
    """
    app = ui.build_app(bot, **options)
    port = free_port()
    ui.launch(
        app, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True, **(served or {})
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


def chromium_path() -> str:
    """Debian's Chromium, or the test fails (never skips) with the install hint."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(CHROMIUM_HINT)
    return path


@contextmanager
def browser_page(**context: Any) -> Iterator[Any]:
    """A fresh page in headless Chromium (viewport 1440x960 unless given)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 960}, **context)
            yield page
        finally:
            browser.close()


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="qa")
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_serve_defaults_to_loopback_7860() -> None:
    args = _parse(["serve"])
    assert (args.host, args.port, args.path, args.index_dir, args.no_build) == (
        "127.0.0.1",
        7860,
        None,
        None,
        False,
    )
    assert args.func is cli.serve


def test_serve_options_and_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["serve", "seeds", "--host", "::1", "--port", "8001", "--index-dir", "x"])
    assert (args.path, args.host, args.port, args.index_dir) == ("seeds", "::1", 8001, "x")
    with pytest.raises(SystemExit):
        _parse(["serve", "--port", "99999"])
    assert "out of range" in capsys.readouterr().err


def test_serve_is_a_qa_command(capsys: pytest.CaptureFixture[str]) -> None:
    from qa.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--help"])
    assert exit_.value.code == 0
    assert "--port" in capsys.readouterr().out


def test_serve_warns_off_loopback_and_launches(
    monkeypatch: pytest.MonkeyPatch, fake_bot: qa.Bot, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}
    for name in ("QA_AUTH", "QA_RATE_LIMIT", "QA_MAX_BODY", "QA_QUEUE_SIZE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(qa, "load", lambda *a, **k: fake_bot)
    monkeypatch.setattr("ui.app.launch", lambda app, **k: seen.update(k) or app)
    assert cli.serve(_parse(["serve", "--host", "0.0.0.0", "--port", "8123"])) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "0.0.0.0" in captured.err
    assert "no login" in captured.err
    assert seen == {"host": "0.0.0.0", "port": 8123, "quiet": True, "auth": [],
                    "limits": ui.Limits()}
    assert "http://0.0.0.0:8123" in captured.out


def test_serve_explains_a_busy_port(monkeypatch: pytest.MonkeyPatch, fake_bot: qa.Bot) -> None:
    def busy(app: Any, **_: Any) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(qa, "load", lambda *a, **k: fake_bot)
    monkeypatch.setattr("ui.app.launch", busy)
    with pytest.raises(qa.QAError, match=r"127\.0\.0\.1:7999 \(Address already in use\).*--port"):
        cli.serve(_parse(["serve", "--port", "7999"]))


def test_serve_passes_qa_errors_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(qa.QAError):
        cli.serve(_parse(["serve", str(tmp_path / "missing"), "--index-dir", str(tmp_path)]))
