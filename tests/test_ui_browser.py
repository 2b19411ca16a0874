"""The chat in a real headless Chromium: ask, read the quotes, click through to the transcript.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_ui_support import ARTIFACTS, GRADIO_PANDAS_NOISE, browser_page, running

import qa
from index.embed import HashingEmbedder
from ui.render import anchor_id

pytestmark = [pytest.mark.browser, GRADIO_PANDAS_NOISE]
BOT = '[data-testid="bot"]'
CITE_LINK = f"{BOT} a[href*='#tqa-c']"
MARKED_TEXT = """(id) => Array.from(document.querySelectorAll(`mark[data-cites~="${id}"]`))
    .map((m) => m.textContent).join('')"""
ACTIVE_TEXT = """() => Array.from(document.querySelectorAll('mark.tqa-active'))
    .map((m) => m.textContent).join('')"""
HOSTILE = (
    "Sergey Lavrov: Welcome. <script>window.__pwned = 1</script> We will open "
    '<img src=x onerror="window.__pwned = 2"> seven embassies in Africa by 2026. '
    "${window.__pwned = 3} {{constructor.constructor('window.__pwned = 4')()}} "
    "[click](javascript:window.__pwned = 5) **not bold**.\n"
    'Question: What about the <b>Arctic</b> <svg onload="window.__pwned = 6">?\n'
    'Sergey Lavrov: The Arctic <iframe src="javascript:window.__pwned = 7"></iframe> is calm.\n'
)


def _ask(page: Any, question: str, answers_before: int) -> None:
    page.fill("#tqa-question textarea", question)
    page.keyboard.press("Enter")
    _wait_answers(page, answers_before + 1)


def _wait_answers(page: Any, count: int) -> None:
    """Wait until ``count`` answers are complete (their last line is in)."""
    page.wait_for_function(
        """(n) => { const bots = document.querySelectorAll('[data-testid="bot"]');
            return bots.length >= n && /confidence|closest passages|does not answer|wrong/i
                .test(bots[bots.length - 1].innerText); }""",
        arg=count,
        timeout=60_000,
    )


def _outside_hosts(urls: list[str], url: str) -> set[str]:
    ours = urlsplit(url).netloc
    return {urlsplit(u).netloc for u in urls if u.startswith("http") and urlsplit(u).netloc != ours}


IN_PANEL = """(id) => { const m = document.querySelector(`mark[data-cites~="${id}"]`);
    const p = document.querySelector('.tqa-transcript');
    const a = m.getBoundingClientRect(), b = p.getBoundingClientRect();
    return a.top >= b.top && a.bottom <= b.bottom; }"""


@pytest.mark.model
def test_ask_read_quotes_and_click_through(real_bot: qa.Bot) -> None:
    question = "Which embassies will open in Africa?"
    expected = real_bot.ask(question)
    assert expected.citations, "the real model should answer the seed's Africa question"
    first = expected.citations[0]
    anchor = anchor_id(0, first.start, first.end)
    requests: list[str] = []
    # offered as `qa serve --example` (make run) offers it
    with running(real_bot, examples=[question]) as url, browser_page() as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        page.get_by_text(question).first.click()  # the example starts the conversation
        _wait_answers(page, 1)
        reply = page.locator(BOT).last.inner_text()
        assert " ".join(expected.text.split())[:60] in " ".join(reply.split())
        assert first.speaker in reply and "show in transcript" in reply
        assert page.locator(CITE_LINK).first.get_attribute("href") == f"#{anchor}"
        assert page.evaluate(MARKED_TEXT, anchor) == first.quote  # highlighted, exactly
        page.screenshot(path=str(_artifact("ui-answer.png")))
        page.locator(CITE_LINK).first.click()
        page.wait_for_function(IN_PANEL, arg=anchor, timeout=10_000)  # scrolled into view
        assert page.evaluate(ACTIVE_TEXT) == first.quote
        page.screenshot(path=str(_artifact("ui-citation.png")))
        _follow_up_retry_and_undo(page)
    assert not _outside_hosts(requests, url), "the page must make no outbound calls"


def _follow_up_retry_and_undo(page: Any) -> None:
    _ask(page, "And what about the Arctic?", 1)
    assert page.locator('[data-testid="user"]').count() == 2
    newest = page.locator(CITE_LINK).last.get_attribute("href") or ""
    page.wait_for_function(IN_PANEL, arg=newest[1:], timeout=10_000)  # shown by itself
    assert page.evaluate(ACTIVE_TEXT) == page.evaluate(MARKED_TEXT, newest[1:])
    page.get_by_text("Retrieved passages and scores").click()
    page.wait_for_selector(".tqa-passage", state="visible")
    assert re.search(r"score -?\d+\.\d{3}", page.locator(".tqa-passage").first.inner_text(), re.I)
    page.screenshot(path=str(_artifact("ui-follow-up.png")), full_page=True)
    page.get_by_role("button", name="Retry").last.click()
    _wait_answers(page, 2)
    page.get_by_role("button", name="Undo").last.click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length == 1")
    # the question comes back into the box in its own update, after the answer has gone
    page.wait_for_function(
        "() => document.querySelector('#tqa-question textarea').value.length > 0", timeout=10_000
    )
    assert page.input_value("#tqa-question textarea") == "And what about the Arctic?"
    page.get_by_role("button", name="Clear").first.click()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"bot\"], mark')")


def test_hostile_transcript_and_input_stay_text(tmp_path: Path) -> None:
    (tmp_path / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    bot = qa.load(tmp_path, index_dir=tmp_path / "index", embedder=HashingEmbedder())
    typed = '<img src=x onerror="window.__pwned = 9">Which embassies in Africa? **b** `c`'
    dialogs: list[str] = []
    with running(bot) as url, browser_page() as page:
        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        _ask(page, typed, 0)
        page.wait_for_timeout(500)
        assert page.evaluate("window.__pwned") is None
        live = "#tqa-chat img, #tqa-chat script, #tqa-chat iframe, #tqa-chat svg[onload], " \
            ".tqa-transcript img, .tqa-transcript script, .tqa-transcript iframe, " \
            ".tqa-transcript svg, .tqa-transcript b, #tqa-chat a[href^='javascript']"
        assert page.locator(live).count() == 0
        assert typed in page.locator('[data-testid="user"]').last.inner_text()
        panel = page.locator(".tqa-transcript").inner_text()
        assert "<script>window.__pwned = 1</script>" in panel and "{{constructor" in panel
        assert '<svg onload="window.__pwned = 6">' in panel
        page.screenshot(path=str(_artifact("ui-hostile.png")))
    assert not dialogs


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
