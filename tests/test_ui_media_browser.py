"""In a real headless Chromium: a timed transcript with its recording beside it gets a
player in the transcript panel; a turn's time plays the recording from that moment; the
chat serves exactly that recording, not the transcript files beside it."""

from __future__ import annotations

import urllib.error
import urllib.request
import wave
from pathlib import Path

import pytest
from samples import TURNS, write_sample
from test_ui_support import GRADIO_PANDAS_NOISE, browser_page, running

import qa
from index.embed import HashingEmbedder

pytestmark = [pytest.mark.browser, GRADIO_PANDAS_NOISE]


def _silence(path: Path, seconds: int) -> None:
    """A real (silent) WAV recording the browser can play and seek."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * 8000 * seconds)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_the_recording_plays_in_the_panel_from_a_turns_time(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_sample(folder, "srt", TURNS, stem="hearing")
    _silence(folder / "hearing.wav", 90)
    bot = qa.load(folder, index_dir=tmp_path / "index", embedder=HashingEmbedder())
    with running(bot) as url, browser_page() as page:
        page.goto(url)
        page.wait_for_selector(".tqa-transcript audio.tqa-player", state="attached")
        src = page.get_attribute(".tqa-player", "src") or ""
        assert src.startswith("/gradio_api/file=") and src.endswith("hearing.wav")
        assert _status(url.rstrip("/") + src) == 200
        # only the recording is served: not the transcript beside it
        assert _status(url.rstrip("/") + src.replace("hearing.wav", "hearing.srt")) != 200
        page.wait_for_function(
            "() => document.querySelector('.tqa-player').readyState >= 1", timeout=20_000)
        seek = page.locator("a.tqa-seek", has_text="1:15")
        assert seek.count() == 1  # the turn said at 75.5 s
        seek.click()
        page.wait_for_function(
            "() => Math.abs(document.querySelector('.tqa-player').currentTime - 75.5) < 1.5",
            timeout=20_000)
        assert page.url.startswith(url)  # played in place, no new page
